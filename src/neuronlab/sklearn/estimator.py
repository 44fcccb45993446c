"""The estimators :class:`NetworkClassifier` and :class:`NetworkRegressor` and what they share
(:class:`NetworkEstimator`): parameters, input checks, training through :meth:`Network.fit
<neuronlab.network.Network.fit>`, ``transform`` and model files.

Imports scikit-learn at module level; :mod:`neuronlab.sklearn` checks that it is installed
first.

Input checks: scikit-learn's own ``validate_data`` keeps the scikit-learn conventions
(``n_features_in_``, ``feature_names_in_`` and the messages scikit-learn's tools expect);
its ``ValueError`` is re-raised as neuronlab's :class:`~neuronlab.errors.ShapeError` or
:class:`~neuronlab.errors.DataError` with the same message, and the network then runs its
own checks (:meth:`Network.check_inputs <neuronlab.network.Network.check_inputs>`,
``check_targets``, ``check_sample_weight``).
"""
from __future__ import annotations

import copy
import numbers
import warnings
from typing import Any, Callable

import numpy as np
import sklearn
import sklearn.exceptions
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, TransformerMixin
from sklearn.utils import check_random_state
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import column_or_1d, validate_data

from .. import errors
from .. import optimizers
from ..errors import ArgumentTypeError, DataError, HyperparameterError, ModelFileError, NeuronLabError, ShapeError
from .._util.extras import require
from .._util.validate import (check_array, check_fraction, check_labels_length, check_nonnegative, check_positive,
                              check_int, check_positive_int)
from .state import STORABLE_STEPS, from_model_state, model_state, steps_state
from ..network import Network
from ..training import Callback

__all__ = ["NetworkClassifier", "NetworkRegressor", "NetworkEstimator", "NotFittedError", "save"]


class NotFittedError(errors.NotFittedError, sklearn.exceptions.NotFittedError):
    """Raised when an estimator is used before ``fit``: both neuronlab's
    :class:`~neuronlab.errors.NotFittedError` and scikit-learn's
    ``sklearn.exceptions.NotFittedError``, so either ``except`` catches it."""


def _library_error(err: ValueError) -> NeuronLabError:
    """scikit-learn's validation ``ValueError`` as the matching neuronlab error, same message."""
    msg = str(err)
    data_words = ("contains", "Complex data", "inconsistent numbers of samples", "minimum of", "convert")
    return (DataError if any(w in msg for w in data_words) else ShapeError)(msg)


def _check_finite(arr: np.ndarray, name: str) -> np.ndarray:
    """``arr`` unchanged, or :class:`DataError` naming the first NaN or inf on one line:
    ``"X contains NaN at row 3, column 2; ..."``."""
    if arr.dtype.kind != "f":
        return arr
    bad = ~np.isfinite(arr)
    if bad.any():
        where = np.argwhere(bad)[0]
        value = arr[tuple(where)]
        shown = "NaN" if np.isnan(value) else ("inf" if value > 0 else "-inf")
        place = f"row {where[0]}" + (f", column {where[1]}" if arr.ndim == 2 else "")
        raise DataError(f"{name} contains {shown} at {place}; remove or impute the non-finite values first "
                        "(e.g. with sklearn.impute.SimpleImputer in a Pipeline)")
    return arr


def _check_finite_targets(y: Any) -> None:
    """NaN or inf in numeric targets, as one line with the row (and column)."""
    if y is None or hasattr(y, "tocsr"):
        return
    try:
        arr = np.asarray(y)
    except (ValueError, TypeError):
        return                              # ragged or odd targets: validate_data names the problem
    if arr.ndim in (1, 2):
        _check_finite(arr, "y")


class NoImprovement:
    """scikit-learn's MLP stopping rule, one value per epoch.

    An epoch counts as "no improvement" unless its value beats the best value so far by
    more than ``tol`` (lower is better for a loss, higher for a validation score); an
    improvement by ``tol`` or more resets the count.  The best value moves with every
    strict improvement, however small.  Training stops once the count exceeds
    ``n_iter_no_change``.

    Parameters
    ----------
    tol : float
    n_iter_no_change : int
    maximize : bool
        True for scores (higher is better), False for losses.

    Examples
    --------
    >>> rule = NoImprovement(tol=0.1, n_iter_no_change=1, maximize=False)
    >>> [rule.update(v) for v in (1.0, 0.95, 0.93, 0.5)]
    [False, False, True, False]
    """

    def __init__(self, tol: float, n_iter_no_change: int, maximize: bool) -> None:
        self.tol, self.n_iter_no_change, self.maximize = float(tol), int(n_iter_no_change), bool(maximize)
        self.best = -np.inf if maximize else np.inf
        self.count = 0
        self.improved = False

    def update(self, value: float) -> bool:
        """Record one epoch's ``value``; return whether training should stop now
        (``improved`` then says whether ``value`` is the new best)."""
        if self.maximize:
            self.count = self.count + 1 if value < self.best + self.tol else 0
            self.improved = value > self.best
        else:
            self.count = self.count + 1 if value > self.best - self.tol else 0
            self.improved = value < self.best
        if self.improved:
            self.best = value
        return self.count > self.n_iter_no_change


def stopping_epoch(values: Any, tol: float, n_iter_no_change: int, maximize: bool) -> int | None:
    """The number of epochs :class:`NoImprovement` trains on the curve ``values``
    (None when it never stops within the curve).

    >>> stopping_epoch([1.0, 0.95, 0.93, 0.5], tol=0.1, n_iter_no_change=1, maximize=False)
    3
    """
    rule = NoImprovement(tol, n_iter_no_change, maximize)
    for epoch, value in enumerate(values, start=1):
        if rule.update(float(value)):
            return epoch
    return None


class _StopRule(Callback):
    """Scores the held-out data after every epoch (``validation_scores_``, with
    ``early_stopping``) and stops training by :class:`NoImprovement`: on the validation
    score with ``early_stopping``, else on the training loss.  With ``early_stopping``
    the best-scoring epoch's weights are restored at the end, as scikit-learn does."""

    def __init__(self, estimator: "NetworkEstimator", validation: tuple[np.ndarray, np.ndarray] | None) -> None:
        self.estimator, self.validation = estimator, validation
        self.scores: list[float] = []
        n = estimator.n_iter_no_change
        self.rule = None if n is None else NoImprovement(estimator.tol, n, maximize=validation is not None)
        self.best_parameters: np.ndarray | None = None

    def on_epoch_end(self, epoch: int, logs: dict[str, Any]) -> bool | None:
        if self.validation is None:
            value = float(logs["loss"])
        else:
            value = float(self.estimator._score_arrays(*self.validation))
            self.scores.append(value)
        if self.rule is None:
            return None
        stop = self.rule.update(value)
        if self.validation is not None and self.rule.improved:
            self.best_parameters = self.network.parameters.copy()
        return stop

    def on_train_end(self, logs: dict[str, Any]) -> None:
        if self.best_parameters is not None:
            self.network.parameters[...] = self.best_parameters


#: the attributes that ``fit`` and ``partial_fit`` set (saved and restored around a call)
_FITTED_ATTRS = ("network_", "optimizer_", "loss_curve_", "validation_scores_", "n_iter_", "n_features_in_",
                 "feature_names_in_", "classes_", "_multilabel", "_label_dtype", "_y_ndim")


class NetworkEstimator(BaseEstimator):
    """Base class; use :class:`~neuronlab.sklearn.NetworkClassifier` or
    :class:`~neuronlab.sklearn.NetworkRegressor`.  Subclasses define ``_TASK``, ``fit`` and
    ``partial_fit`` (which turn the targets into what the network's loss takes), ``predict``
    and ``_check_loaded``."""

    _TASK = "regression"

    def __init__(self, hidden_layer_sizes: Any = (100,), activation: Any = "relu", output_activation: Any = None,
                 loss: Any = None, optimizer: Any = "adam", learning_rate: float = 0.001, batch_size: Any = 64,
                 epochs: int = 200, alpha: float = 0.0001, dropout: float = 0.0, early_stopping: bool = False,
                 validation_fraction: float = 0.1, n_iter_no_change: int | None = 10, tol: float = 1e-4,
                 random_state: Any = None, verbose: int = 0, dtype: Any = "float64") -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.output_activation = output_activation
        self.loss = loss
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.alpha = alpha
        self.dropout = dropout
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.random_state = random_state
        self.verbose = verbose
        self.dtype = dtype

    # -- input checks --------------------------------------------------------------------
    def _validate_X(self, X: Any, reset: bool) -> np.ndarray:
        try:
            X = validate_data(self, X, reset=reset, dtype=(np.float64, np.float32), ensure_all_finite=False)
        except NeuronLabError:
            raise
        except ValueError as err:
            raise _library_error(err) from err
        return _check_finite(X, "X")

    def _validate_Xy(self, X: Any, y: Any, reset: bool) -> tuple[np.ndarray, np.ndarray]:
        _check_finite_targets(y)
        try:
            X, y = validate_data(self, X, y, reset=reset, multi_output=True, dtype=(np.float64, np.float32),
                                 y_numeric=self._TASK == "regression", ensure_all_finite=False)
        except NeuronLabError:
            raise
        except ValueError as err:
            raise _library_error(err) from err
        X = _check_finite(X, "X")
        if self._TASK == "classification" and y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)          # DataConversionWarning, as scikit-learn does
        return X, y

    def _guarded(self, train: Callable[[], Any], keep_previous: bool) -> Any:
        """Run ``train`` (a fit or partial_fit body); if it raises anything, including
        ``KeyboardInterrupt``, put the fitted state back as it was before the call
        (``keep_previous``) or leave the estimator unfitted, then re-raise."""
        before = {k: copy.deepcopy(self.__dict__[k]) for k in _FITTED_ATTRS
                  if keep_previous and k in self.__dict__}
        try:
            return train()
        except BaseException:
            for k in _FITTED_ATTRS:
                self.__dict__.pop(k, None)
            self.__dict__.update(before)
            raise

    def _check_fitted(self) -> None:
        if not hasattr(self, "network_"):
            raise NotFittedError(f"This {type(self).__name__} instance is not fitted yet. Call 'fit' with "
                                 "appropriate arguments before using this estimator.")

    def __sklearn_is_fitted__(self) -> bool:
        return hasattr(self, "network_")

    # -- settings ------------------------------------------------------------------------
    def _hidden_sizes(self) -> list[int]:
        sizes = self.hidden_layer_sizes
        if isinstance(sizes, numbers.Integral) and not isinstance(sizes, bool):
            sizes = (sizes,)
        if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__iter__"):
            raise HyperparameterError(f"hidden_layer_sizes must be a tuple of layer sizes like (100,) or "
                                      f"(64, 32), got {sizes!r}")
        return [check_positive_int("hidden_layer_sizes entries", s) for s in sizes]

    def _seed(self) -> int:
        rs = self.random_state
        if isinstance(rs, numbers.Integral) and not isinstance(rs, bool):
            seed = int(rs)
            if not 0 <= seed < 2 ** 32:
                raise HyperparameterError(f"random_state must be in [0, 2**32 - 1], got {rs}")
            return seed
        if rs is None or isinstance(rs, np.random.RandomState):
            return int(check_random_state(rs).randint(0, 2 ** 31 - 1))
        raise HyperparameterError(f"random_state must be None, an int or a numpy RandomState, got {rs!r}")

    def _batch(self, n: int) -> int:
        if isinstance(self.batch_size, str) and self.batch_size == "auto":
            return min(200, n)
        return min(check_positive_int("batch_size", self.batch_size), n)

    def _check_settings(self) -> None:
        check_positive_int("epochs", self.epochs)
        check_positive("learning_rate", self.learning_rate)
        check_nonnegative("alpha", self.alpha)
        check_nonnegative("tol", self.tol)
        check_fraction("dropout", self.dropout)
        if self.n_iter_no_change is not None:
            check_positive_int("n_iter_no_change", self.n_iter_no_change)
        if self.early_stopping:
            check_fraction("validation_fraction", self.validation_fraction, low_inclusive=False)

    def _new_network(self, n_in: int, n_out: int, output: str, seed: int) -> Network:
        hidden = self._hidden_sizes()
        acts = self.activation
        if not isinstance(acts, (str, dict)) and hasattr(acts, "__iter__"):
            acts = list(acts)
        net = Network.mlp([n_in, *hidden, n_out], hidden=acts, output=output, loss=self.loss,
                          dropout=self.dropout, seed=seed, dtype=self.dtype)
        net.metadata = {"task": self._TASK}
        if hasattr(self, "feature_names_in_"):
            net.metadata["feature_names"] = [str(f) for f in self.feature_names_in_]
        return net

    def _new_optimizer(self) -> optimizers.Optimizer:
        opt = self.optimizer
        if isinstance(opt, optimizers.Optimizer):          # never train the instance held in the parameters
            opt = opt.config()
        return optimizers.get(opt, learning_rate=self.learning_rate)

    # -- training ------------------------------------------------------------------------
    def _start(self, X: np.ndarray, n_out: int, output: str) -> None:
        self._check_settings()
        self.network_ = self._new_network(X.shape[1], n_out, output, self._seed())
        self.optimizer_ = self._new_optimizer()

    def _train_kwargs(self, n: int, sample_weight: np.ndarray | None) -> dict[str, Any]:
        bs = self._batch(n)
        return {"batch_size": bs, "optimizer": self.optimizer_, "l2": float(self.alpha),
                "verbose": int(self.verbose), "sample_weight": sample_weight}

    def _fit(self, X: np.ndarray, y: np.ndarray, targets: np.ndarray, sample_weight: np.ndarray | None) -> Any:
        """Full training: ``epochs`` at most, stopped by ``n_iter_no_change`` / ``tol``
        (scikit-learn's rule, :class:`NoImprovement`)."""
        validation = None
        if self.early_stopping:
            train, val = self._split(y)
            validation = (X[val], y[val])
            X, targets = X[train], targets[train]
            sample_weight = None if sample_weight is None else sample_weight[train]
        rule = _StopRule(self, validation)
        history = self.network_.fit(X, targets, epochs=int(self.epochs), callbacks=[rule],
                                    **self._train_kwargs(len(X), sample_weight))
        self.loss_curve_ = [float(v) for v in history["loss"]]
        self.validation_scores_ = rule.scores if self.early_stopping else None
        self.n_iter_ = len(history)
        return self

    def _split(self, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Training and validation row indices for ``early_stopping``: stratified by class
        for single-label classification; when a class has a single sample, or there are
        more classes than validation samples, a plain random split with a warning."""
        n = len(y)
        n_val = int(round(n * float(self.validation_fraction)))
        if n_val < 1 or n - n_val < 1:
            raise HyperparameterError(f"validation_fraction={self.validation_fraction} leaves {n - n_val} "
                                      f"training and {n_val} validation samples out of {n}")
        rng = np.random.default_rng(self.network_.seed)
        if self._TASK == "classification" and y.ndim == 1:
            labels, codes, counts = np.unique(y, return_inverse=True, return_counts=True)
            if counts.min() >= 2 and n_val >= len(counts):
                from sklearn.model_selection import train_test_split
                train, val = train_test_split(np.arange(n), test_size=n_val, stratify=codes,
                                              random_state=int(rng.integers(2 ** 31 - 1)))
                return np.sort(train), np.sort(val)
            why = (f"class {labels.tolist()[int(np.argmin(counts))]!r} has a single sample" if counts.min() < 2 else
                   f"{n_val} validation samples cannot hold all {len(counts)} classes")
            warnings.warn(f"early_stopping: the validation hold-out is a random split, not stratified by class, "
                          f"because {why}; collect more samples of every class or raise validation_fraction "
                          "for a stratified hold-out", UserWarning, stacklevel=4)
        perm = rng.permutation(n)
        return np.sort(perm[n_val:]), np.sort(perm[:n_val])

    def _partial(self, X: np.ndarray, targets: np.ndarray, sample_weight: np.ndarray | None) -> Any:
        """One epoch over ``(X, targets)``, continuing the optimizer's state."""
        history = self.network_.fit(X, targets, epochs=1, one_class_ok=True,
                                    **self._train_kwargs(len(X), sample_weight))
        self.loss_curve_.append(float(history["loss"][-1]))
        self.n_iter_ += 1
        return self

    # -- looking inside ------------------------------------------------------------------
    def _score_arrays(self, X: np.ndarray, y: np.ndarray) -> float:
        """``score`` on arrays already checked by ``fit`` (no second input check, so no
        repeated feature-name warnings during training)."""
        from sklearn.metrics import accuracy_score, r2_score
        pred = self._predict_outputs(self.network_.predict_proba(X))
        return float(accuracy_score(y, pred) if self._TASK == "classification" else r2_score(y, pred))

    def _outputs(self, X: Any) -> np.ndarray:
        """The network's output activations for ``X``, shape (n_samples, n_outputs)."""
        self._check_fitted()
        return self.network_.predict_proba(self._validate_X(X, reset=False))

    def transform(self, X: Any, layer: int = -1) -> np.ndarray:
        """The activation values of one hidden layer, as features.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        layer : int
            Which hidden (Dense) layer: 0 is the first, -1 (default) the last one before
            the output layer.

        Returns
        -------
        ndarray of shape (n_samples, hidden_layer_sizes[layer])
            ``network_.trace(X).dense[:-1][layer].a`` (the hidden Dense layers), in the
            network's dtype.
        """
        self._check_fitted()
        X_in, X = X, self._validate_X(X, reset=False)
        n_hidden = len(self.network_.dense_layers) - 1
        if n_hidden == 0:
            raise ShapeError("this network has no hidden layers (hidden_layer_sizes=()), so there are no "
                             "hidden activations to transform into")
        layer = check_int("layer", layer, minimum=-n_hidden, maximum=n_hidden - 1)
        return self._wrap_output(self.network_.trace(X).dense[:-1][layer].a, X_in,
                                 self.get_feature_names_out(layer=layer))

    def get_feature_names_out(self, input_features: Any = None, layer: int = -1) -> np.ndarray:
        """The names of the columns :meth:`transform` gives: ``<estimator>_layer<k>_<j>`` for
        neuron ``j`` of hidden layer ``k`` (counted from 0; ``layer=-1`` is the last).

        Parameters
        ----------
        input_features : array-like of str, optional
            Checked against the features seen in ``fit`` (their names, or their number).
        layer : int
            Which hidden (Dense) layer, as in :meth:`transform`.

        Returns
        -------
        ndarray of str objects, shape (n_neurons,)
        """
        self._check_fitted()
        if input_features is not None:
            given = [str(f) for f in np.asarray(input_features, dtype=object).ravel()]
            seen = getattr(self, "feature_names_in_", None)
            if len(given) != self.n_features_in_ or (seen is not None and given != [str(f) for f in seen]):
                raise DataError(f"input_features {given} are not the {self.n_features_in_} features seen in fit"
                                + (f" ({[str(f) for f in seen]})" if seen is not None else ""))
        n_hidden = len(self.network_.dense_layers) - 1
        if n_hidden == 0:
            raise ShapeError("this network has no hidden layers (hidden_layer_sizes=()), so transform has no "
                             "output to name")
        k = check_int("layer", layer, minimum=-n_hidden, maximum=n_hidden - 1) % n_hidden
        prefix = type(self).__name__.lower()
        return np.asarray([f"{prefix}_layer{k}_{j}" for j in range(self.network_.dense_layers[k].n_out)],
                          dtype=object)

    def _wrap_output(self, out: np.ndarray, X: Any, names: np.ndarray) -> Any:
        """``out`` in the container ``set_output(transform=...)`` (or scikit-learn's global
        ``transform_output``) asks for: the array, or a pandas / polars DataFrame named by ``names``."""
        kind = getattr(self, "_sklearn_output_config", {}).get("transform")
        if kind is None or kind == "default":
            kind = sklearn.get_config()["transform_output"]
        if kind == "pandas":
            pd = require("pandas", extra=None, what="set_output(transform='pandas')")
            index = X.index if isinstance(X, pd.DataFrame) else None
            return pd.DataFrame(out, columns=list(names), index=index)
        if kind == "polars":
            pl = require("polars", extra=None, what="set_output(transform='polars')")
            return pl.DataFrame(out, schema=list(names), orient="row")
        return out

    @classmethod
    def from_sklearn(cls, mlp: Any) -> Any:
        """A fitted estimator around the network imported from a fitted scikit-learn MLP
        (``MLPClassifier`` for :class:`NetworkClassifier`, ``MLPRegressor`` for
        :class:`NetworkRegressor`); see :func:`neuronlab.interop.from_sklearn`.

        The settings (hidden layers, activation, learning rate, ``alpha``, epochs, stopping)
        are the MLP's where neuronlab has them; ``predict`` and ``predict_proba`` give the
        MLP's numbers (float64, to 1e-12), and ``fit`` / ``partial_fit`` train further.
        """
        from ..interop import from_sklearn
        expected = "MLPClassifier" if cls._TASK == "classification" else "MLPRegressor"
        if type(mlp).__name__ != expected:
            raise ArgumentTypeError(f"{cls.__name__}.from_sklearn reads a fitted {expected}, got "
                                    f"{type(mlp).__name__}")
        net = from_sklearn(mlp)
        hidden = net.dense_layers[:-1]
        est = cls(hidden_layer_sizes=tuple(l.n_out for l in hidden),
                  activation=hidden[0].activation.name if hidden else "relu",
                  learning_rate=float(mlp.learning_rate_init), batch_size=mlp.batch_size, epochs=int(mlp.max_iter),
                  alpha=float(mlp.alpha), early_stopping=bool(mlp.early_stopping),
                  validation_fraction=float(mlp.validation_fraction), n_iter_no_change=int(mlp.n_iter_no_change),
                  tol=float(mlp.tol), random_state=mlp.random_state, dtype=net.dtype.name)
        est.network_, est.optimizer_ = net, est._new_optimizer()
        est.loss_curve_ = [float(v) for v in getattr(mlp, "loss_curve_", [])]
        scores = getattr(mlp, "validation_scores_", None)
        est.validation_scores_ = None if scores is None else [float(v) for v in scores]
        est.n_iter_ = int(mlp.n_iter_)
        est.n_features_in_ = int(mlp.n_features_in_)
        if hasattr(mlp, "feature_names_in_"):
            est.feature_names_in_ = np.asarray(mlp.feature_names_in_, dtype=object)
        est._adopt_targets(mlp, net)
        return est

    def _adopt_targets(self, mlp: Any, net: Network) -> None:  # pragma: no cover - overridden
        """Set the target-related fitted attributes from the imported ``mlp``."""

    # -- model files ---------------------------------------------------------------------
    #: private fitted attributes that travel with a model file (plain JSON values)
    _PRIVATE_STATE: tuple[str, ...] = ()

    def _model_state(self) -> tuple[Network, dict[str, Any]]:
        """``(network_, state)``: what :func:`neuronlab.serialize.save` writes (plain JSON state),
        with the preprocessing steps when :func:`save` is saving a Pipeline."""
        self._check_fitted()
        network, state = model_state(self)
        pipeline = self.__dict__.get("_pipeline_state")
        if pipeline is not None:
            state["pipeline"] = pipeline
        return network, state

    @classmethod
    def _from_model_state(cls, network: Network, state: dict[str, Any]) -> "NetworkEstimator":
        """The estimator :meth:`_model_state` described, around the loaded ``network``."""
        return from_model_state(cls, network, state)

    def _check_loaded(self, network: Network) -> None:  # pragma: no cover - overridden
        """Raise :class:`~neuronlab.errors.ModelFileError` if the state does not fit ``network``."""

    def save(self, path: Any) -> None:
        """Write the fitted estimator to one model file (see :func:`neuronlab.serialize.save`);
        ``nl.load(path)`` gives it back with bit-identical predictions.

        This saves the estimator alone: inside a ``Pipeline`` the steps before it (a
        scaler, ...) are not in the file, and the loaded estimator expects data that
        has been through them.  To keep them, save the whole pipeline with
        :func:`neuronlab.sklearn.save`."""
        self._check_fitted()
        from ..serialize import save
        save(self, path)


def save(model: Any, path: Any) -> None:
    """Write a fitted estimator, or a fitted ``Pipeline`` of preprocessing steps followed
    by a neuronlab estimator, to one model file; ``nl.load(path)`` gives back the same
    object (a Pipeline for a pipeline) with bit-identical predictions on raw data.

    The steps are stored without pickle, as their parameters and fitted arrays; the
    steps that can be stored exactly are ``StandardScaler``, ``MinMaxScaler`` and
    ``MaxAbsScaler`` (and ``"passthrough"``).

    Parameters
    ----------
    model : NetworkClassifier, NetworkRegressor or sklearn.pipeline.Pipeline
    path : str or path-like

    Raises
    ------
    ModelFileError
        A pipeline step that cannot be stored (named, with the alternative), a pipeline
        that does not end in a neuronlab estimator, an unfitted step.

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline               # doctest: +SKIP
    >>> from sklearn.preprocessing import StandardScaler         # doctest: +SKIP
    >>> pipe = make_pipeline(StandardScaler(), NetworkClassifier()).fit(X, y)  # doctest: +SKIP
    >>> save(pipe, "model.npz"); nl.load("model.npz").predict(X)  # doctest: +SKIP
    """
    from sklearn.pipeline import Pipeline
    from ..serialize import save as save_file
    if not isinstance(model, Pipeline):
        if not isinstance(model, NetworkEstimator):
            raise ModelFileError(f"cannot save a {type(model).__name__}: pass a NetworkClassifier, NetworkRegressor "
                                 "or a Pipeline ending in one")
        model.save(path)
        return
    *steps, (last_name, last) = model.steps
    if not isinstance(last, NetworkEstimator):
        raise ModelFileError(f"the pipeline's last step {last_name!r} ({type(last).__name__}) is not a neuronlab "
                             "estimator; only pipelines ending in NetworkClassifier or NetworkRegressor can be saved")
    kept = []
    for name, step in steps:
        if step is None or (isinstance(step, str) and step == "passthrough"):
            continue
        if type(step).__name__ not in STORABLE_STEPS:
            raise ModelFileError(
                f"cannot store the pipeline step {name!r} ({type(step).__name__}) in a model file: only "
                f"{', '.join(STORABLE_STEPS)} can be stored exactly; save the estimator alone "
                f"(pipeline[-1].save(path)) and apply the preprocessing yourself, or keep the whole "
                "pipeline with joblib/pickle")
        kept.append((name, step))
    last._check_fitted()
    copy_ = copy.copy(last)
    copy_._pipeline_state = {"steps": steps_state(kept), "estimator_name": str(last_name)}
    save_file(copy_, path)


_PARAMS_DOC = """
    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(100,)
        Units per hidden layer; ``()`` is no hidden layer (a linear model).
    activation : str or sequence of str, default="relu"
        Hidden activation: one name for every hidden layer, or one per hidden layer.
    output_activation : str, optional
        Defaults by task (see :mod:`neuronlab.sklearn`).
    loss : str, optional
        Defaults from the output activation (``neuronlab.network.default_loss``).
    optimizer : str, dict or Optimizer, default="adam"
        A name, a config dict or an instance (copied, never trained in place).
    learning_rate : float, default=0.001
    batch_size : int or "auto", default=64
        Samples per gradient step (at most ``n_samples``); ``"auto"`` is scikit-learn's
        ``min(200, n_samples)``.  64 gives small data sets (a few hundred samples) enough
        steps per epoch to converge within ``epochs``.
    epochs : int, default=200
        The most passes over the data (``fit``); training usually stops earlier.
    alpha : float, default=0.0001
        L2 penalty ``alpha/2 · ΣW²`` added to every batch's mean loss (biases are not
        penalised).  Unlike scikit-learn's MLP it is not divided by the batch size, so a
        fit with integer ``sample_weight`` equals a fit on repeated rows.
    dropout : float, default=0.0
        Dropout rate after every hidden layer.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data (stratified for
        classification), stop when the validation loss stops improving and keep the
        best epoch's weights.  Otherwise stop on the training loss.
    validation_fraction : float, default=0.1
    n_iter_no_change : int or None, default=10
        Epochs without an improvement of at least ``tol`` before stopping; None trains
        all ``epochs``.
    tol : float, default=1e-4
    random_state : int, RandomState or None, default=None
        Seeds initialization, shuffling, dropout and the validation split; an int gives
        bit-identical fits.
    verbose : int, default=0
        1 prints one line per epoch.
    dtype : {"float64", "float32"}, default="float64"
        The network's floating type (predictions come in it).
"""

_FITTED_DOC = """
    Attributes
    ----------
    network_ : Network
        The trained network (``network_.trace(X)``, ``network_.explain(...)``).
    optimizer_ : Optimizer
        The optimizer, with its state (``partial_fit`` continues it).
    loss_curve_ : list of float
        Training loss per epoch.
    validation_scores_ : list of float or None
        Score on the held-out data per epoch (with ``early_stopping``).
    n_iter_ : int
        Epochs trained.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Column names, when ``X`` was a pandas DataFrame with string column names.
"""


class NetworkClassifier(ClassifierMixin, TransformerMixin, NetworkEstimator):
    __doc__ = ("A neural-network classifier (multi-class, binary or multi-label) trained by neuronlab.\n"
               + _PARAMS_DOC + """    class_weight : dict, "balanced" or None, default=None
        Per-class weights (keys are the class labels) multiplied into ``sample_weight``;
        "balanced" weighs classes inversely to their frequency.
""" + _FITTED_DOC + """    classes_ : ndarray of shape (n_classes,)
        The class labels, sorted (``np.arange(n_labels)`` for multi-label targets).
""")

    _TASK = "classification"
    _PRIVATE_STATE = ("_multilabel", "_label_dtype")

    def __init__(self, hidden_layer_sizes: Any = (100,), activation: Any = "relu", output_activation: Any = None,
                 loss: Any = None, optimizer: Any = "adam", learning_rate: float = 0.001, batch_size: Any = 64,
                 epochs: int = 200, alpha: float = 0.0001, dropout: float = 0.0, early_stopping: bool = False,
                 validation_fraction: float = 0.1, n_iter_no_change: int | None = 10, tol: float = 1e-4,
                 class_weight: Any = None, random_state: Any = None, verbose: int = 0,
                 dtype: Any = "float64") -> None:
        super().__init__(hidden_layer_sizes=hidden_layer_sizes, activation=activation,
                         output_activation=output_activation, loss=loss, optimizer=optimizer,
                         learning_rate=learning_rate, batch_size=batch_size, epochs=epochs, alpha=alpha,
                         dropout=dropout, early_stopping=early_stopping, validation_fraction=validation_fraction,
                         n_iter_no_change=n_iter_no_change, tol=tol, random_state=random_state, verbose=verbose,
                         dtype=dtype)
        self.class_weight = class_weight

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags

    # -- targets -------------------------------------------------------------------------
    def _set_classes(self, y: np.ndarray, classes: Any) -> tuple[int, str]:
        """Set ``classes_`` from ``y`` (or ``classes``); return (network outputs, output activation)."""
        try:
            check_classification_targets(y)
        except ValueError as err:
            raise DataError(str(err)) from err
        kind = type_of_target(y, input_name="y")
        out = self.output_activation
        if kind == "multilabel-indicator":
            if out not in (None, "sigmoid"):
                raise HyperparameterError(f"multi-label targets need sigmoid outputs, got output_activation={out!r}")
            self._multilabel, self._label_dtype = True, y.dtype.str
            self.classes_ = np.arange(y.shape[1])
            return y.shape[1], "sigmoid"
        if y.ndim != 1:
            raise DataError(f"y of type {kind!r} is not supported: pass one label per sample, or a 0/1 indicator "
                            "matrix (n_samples, n_labels) for multi-label targets")
        self._multilabel, self._label_dtype = False, None
        self.classes_ = np.unique(y if classes is None else np.asarray(classes))
        k = len(self.classes_)
        if k < 2:
            raise DataError(f"{type(self).__name__} needs at least 2 classes, got 1 class "
                            f"({self.classes_[0]!r}); a classifier cannot learn from one class")
        out = out if out is not None else ("sigmoid" if k == 2 else "softmax")
        if out == "sigmoid" and k > 2:
            raise HyperparameterError(f"a sigmoid output serves binary and multi-label targets; use softmax (the "
                                      f"default) for {k} classes")
        if out not in ("sigmoid", "softmax"):
            raise HyperparameterError(f"output_activation must be 'softmax' or 'sigmoid' for a classifier, got {out!r}")
        return (1 if out == "sigmoid" else k), out

    def _encode(self, y: np.ndarray) -> np.ndarray:
        """Targets for the network: label indices, 0/1 columns or one-hot rows as its loss needs."""
        if self._multilabel:
            if y.ndim != 2 or y.shape[1] != len(self.classes_):
                raise ShapeError(f"y must be a 0/1 indicator matrix with {len(self.classes_)} columns, got shape "
                                 f"{y.shape}")
            return y.astype(self.network_.dtype)
        if y.ndim != 1:
            raise ShapeError(f"y must hold one label per sample (the classifier was fitted on single labels), got "
                             f"shape {y.shape}")
        unseen = ~np.isin(y, self.classes_)
        if unseen.any():
            raise DataError(f"y has classes not in classes_ {self.classes_.tolist()}: "
                            f"{np.unique(y[unseen]).tolist()}")
        codes = np.searchsorted(self.classes_, y)
        net = self.network_
        if net.n_outputs == 1 or net.loss.name == "cross_entropy":
            return codes
        return np.eye(net.n_outputs, dtype=net.dtype)[codes]

    def _weights(self, X: np.ndarray, y: np.ndarray, sample_weight: Any, partial: bool) -> np.ndarray | None:
        sw = None
        if sample_weight is not None:
            sw = check_array(sample_weight, "sample_weight", ndim=1, dtype=np.float64)
            check_labels_length(X, sw, "X", "sample_weight")
        if self.class_weight is None:
            return sw
        if partial and isinstance(self.class_weight, str):
            raise HyperparameterError("class_weight='balanced' needs the whole data set and is not available in "
                                      "partial_fit; pass a dict of class weights")
        if isinstance(self.class_weight, dict) and not self._multilabel:
            cw = self._class_weights(self.class_weight)[np.searchsorted(self.classes_, y)]
        else:
            try:
                cw = compute_sample_weight(self.class_weight, y)
            except (ValueError, TypeError) as err:
                raise HyperparameterError(f"class_weight: {err}") from err
        return cw if sw is None else cw * sw

    def _class_weights(self, weights: dict[Any, Any]) -> np.ndarray:
        """One weight per class in ``classes_`` order (1 for classes the dict leaves out);
        labels the classifier does not know are refused."""
        known = self.classes_.tolist()
        unknown = [k for k in weights if not any(k == c for c in known)]
        if unknown:
            raise HyperparameterError(f"class_weight has labels that are not classes of y: {unknown}; the classes "
                                      f"are {known}; use those labels as the keys")
        values = [weights.get(c, 1.0) for c in known]
        for label, w in zip(known, values):
            check_nonnegative(f"class_weight[{label!r}]", w)
        return np.asarray(values, dtype=np.float64)

    # -- training ------------------------------------------------------------------------
    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> "NetworkClassifier":
        """Train a fresh network on ``X`` (n_samples, n_features) and labels ``y``:
        (n_samples,) of any label type, or a 0/1 indicator matrix (n_samples, n_labels)
        for multi-label targets.  ``sample_weight`` is (n_samples,).

        If ``fit`` raises (bad data, a diverging loss, a callback, ``KeyboardInterrupt``),
        the estimator is left unfitted: ``predict`` raises :class:`NotFittedError`, and a
        previous fit is discarded too, since its weights no longer belong to this call."""
        return self._guarded(lambda: self._fit_new(X, y, sample_weight), keep_previous=False)

    def _fit_new(self, X: Any, y: Any, sample_weight: Any) -> "NetworkClassifier":
        X, y = self._validate_Xy(X, y, reset=True)
        n_out, out = self._set_classes(y, None)
        self._start(X, n_out, out)
        self.network_.metadata["classes"] = self.classes_.tolist()
        return self._fit(X, y, self._encode(y), self._weights(X, y, sample_weight, False))

    def partial_fit(self, X: Any, y: Any, classes: Any = None, sample_weight: Any = None) -> "NetworkClassifier":
        """One epoch over ``(X, y)``, continuing from the current weights and optimizer
        state.  The first call needs ``classes`` (all labels) unless ``y`` is multi-label;
        a batch may then hold any subset of them, a single class included.

        ``partial_fit`` does not use ``early_stopping``, ``n_iter_no_change`` or ``tol``
        (as in scikit-learn): each call is exactly one epoch, and stopping is the caller's
        choice.  If it raises, the estimator keeps the state it had before the call
        (unfitted after a failed first call)."""
        return self._guarded(lambda: self._partial_step(X, y, classes, sample_weight), keep_previous=True)

    def _partial_step(self, X: Any, y: Any, classes: Any, sample_weight: Any) -> "NetworkClassifier":
        first = not hasattr(self, "network_")
        X, y = self._validate_Xy(X, y, reset=first)
        if first:
            if classes is None and not (y.ndim == 2 and type_of_target(y) == "multilabel-indicator"):
                raise DataError("classes must be passed on the first call to partial_fit (every label y may "
                                "take, e.g. classes=np.unique(y_all))")
            n_out, out = self._set_classes(y, classes)
            self._start(X, n_out, out)
            self.network_.metadata["classes"] = self.classes_.tolist()
            self.loss_curve_, self.validation_scores_, self.n_iter_ = [], None, 0
        elif classes is not None and not np.array_equal(np.unique(np.asarray(classes)), self.classes_):
            raise DataError(f"classes={np.asarray(classes).tolist()} differs from the classes of the first call, "
                            f"{self.classes_.tolist()}")
        return self._partial(X, self._encode(y), self._weights(X, y, sample_weight, True))

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Mean accuracy on ``(X, y)``, as scikit-learn's ``score`` (NaN or inf in ``y`` is
        reported with its row)."""
        _check_finite_targets(y)
        return float(super().score(X, y, sample_weight=sample_weight))

    # -- prediction ----------------------------------------------------------------------
    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape (n_samples, n_classes), columns in ``classes_`` order
        (per-label probabilities for multi-label targets)."""
        a = self._outputs(X)
        if a.shape[1] == 1 and not self._multilabel:
            return np.hstack([1 - a, a])
        return a

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """``log(predict_proba(X))``, shape (n_samples, n_classes)."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X: Any) -> np.ndarray:
        """Labels (n_samples,) from ``classes_`` (the most probable class), or the 0/1
        indicator matrix (n_samples, n_labels) for multi-label targets (probability > 0.5)."""
        return self._predict_outputs(self._outputs(X))

    def _predict_outputs(self, a: np.ndarray) -> np.ndarray:
        if self._multilabel:
            return (a > 0.5).astype(self._label_dtype)
        if a.shape[1] == 1:
            a = np.hstack([1 - a, a])
        return self.classes_[np.argmax(a, axis=1)]

    def _adopt_targets(self, mlp: Any, net: Network) -> None:
        self.classes_ = np.asarray(mlp.classes_)
        self._multilabel = net.output_activation.name == "sigmoid" and net.n_outputs > 1
        self._label_dtype = self.classes_.dtype.str if self._multilabel else None

    def _check_loaded(self, network: Any) -> None:
        k = len(getattr(self, "classes_", ()))
        if network.n_outputs not in ((k,) if self._multilabel else (k, 1 if k == 2 else k)):
            raise ModelFileError(f"{k} classes do not match the network's {network.n_outputs} outputs")


class NetworkRegressor(RegressorMixin, TransformerMixin, NetworkEstimator):
    __doc__ = ("A neural-network regressor (one or several targets) trained by neuronlab.\n"
               + _PARAMS_DOC + _FITTED_DOC)

    _TASK = "regression"
    _PRIVATE_STATE = ("_y_ndim",)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _weights(self, X: np.ndarray, sample_weight: Any) -> np.ndarray | None:
        if sample_weight is None:
            return None
        sw = check_array(sample_weight, "sample_weight", ndim=1, dtype=np.float64)
        check_labels_length(X, sw, "X", "sample_weight")
        return sw

    def _begin(self, X: np.ndarray, y: np.ndarray) -> None:
        self._y_ndim = int(y.ndim)
        self._start(X, 1 if y.ndim == 1 else y.shape[1], self.output_activation or "identity")

    def _check_targets(self, y: np.ndarray) -> np.ndarray:
        k = self.network_.n_outputs
        if (y.ndim == 1) != (self._y_ndim == 1) or (y.ndim == 2 and y.shape[1] != k):
            raise ShapeError(f"y has shape {y.shape}, but the regressor was fitted on targets of shape "
                             f"{'(n_samples,)' if self._y_ndim == 1 else f'(n_samples, {k})'}")
        return y

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> "NetworkRegressor":
        """Train a fresh network on ``X`` (n_samples, n_features) and targets ``y``
        (n_samples,) or (n_samples, n_targets); ``sample_weight`` is (n_samples,).

        If ``fit`` raises (bad data, a diverging loss, a callback, ``KeyboardInterrupt``),
        the estimator is left unfitted (``predict`` raises :class:`NotFittedError`)."""
        return self._guarded(lambda: self._fit_new(X, y, sample_weight), keep_previous=False)

    def _fit_new(self, X: Any, y: Any, sample_weight: Any) -> "NetworkRegressor":
        X, y = self._validate_Xy(X, y, reset=True)
        self._begin(X, y)
        return self._fit(X, y, y, self._weights(X, sample_weight))

    def partial_fit(self, X: Any, y: Any, sample_weight: Any = None) -> "NetworkRegressor":
        """One epoch over ``(X, y)``, continuing from the current weights and optimizer state.

        ``partial_fit`` does not use ``early_stopping``, ``n_iter_no_change`` or ``tol``
        (as in scikit-learn): each call is exactly one epoch.  If it raises, the
        estimator keeps the state it had before the call (unfitted after a failed first
        call)."""
        return self._guarded(lambda: self._partial_step(X, y, sample_weight), keep_previous=True)

    def _partial_step(self, X: Any, y: Any, sample_weight: Any) -> "NetworkRegressor":
        first = not hasattr(self, "network_")
        X, y = self._validate_Xy(X, y, reset=first)
        if first:
            self._begin(X, y)
            self.loss_curve_, self.validation_scores_, self.n_iter_ = [], None, 0
        return self._partial(X, self._check_targets(y), self._weights(X, sample_weight))

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """R² of the predictions on ``(X, y)``, as scikit-learn's ``score`` (NaN or inf in ``y`` is
        reported with its row)."""
        _check_finite_targets(y)
        return float(super().score(X, y, sample_weight=sample_weight))

    def predict(self, X: Any) -> np.ndarray:
        """Predicted targets: (n_samples,) for a 1-D ``y`` in fit, else (n_samples, n_targets)."""
        return self._predict_outputs(self._outputs(X))

    def _predict_outputs(self, a: np.ndarray) -> np.ndarray:
        return a[:, 0] if self._y_ndim == 1 else a

    def _adopt_targets(self, mlp: Any, net: Network) -> None:
        self._y_ndim = 1 if int(mlp.n_outputs_) == 1 else 2

    def _check_loaded(self, network: Any) -> None:
        if self._y_ndim not in (1, 2) or (self._y_ndim == 1 and network.n_outputs != 1):
            raise ModelFileError(f"_y_ndim={self._y_ndim!r} does not match the network's {network.n_outputs} outputs")
