"""scikit-learn estimators around a neuronlab network: :class:`NetworkClassifier` and
:class:`NetworkRegressor`.

Floor 4 (faces).  Needs the ``sklearn`` extra (``pip install "neuronlab[sklearn]"``);
``import neuronlab`` never imports scikit-learn, this module does.  Both estimators pass
scikit-learn's estimator checks and work in ``Pipeline``, ``GridSearchCV``,
``cross_val_score``, ``clone`` and with ``pickle``.  Training is :meth:`Network.fit
<neuronlab.network.Network.fit>`: Adam, minibatches, stopping when the training loss (or,
with ``early_stopping=True``, the validation loss) stops improving by ``tol`` for
``n_iter_no_change`` epochs.

>>> from sklearn.pipeline import make_pipeline             # doctest: +SKIP
>>> from sklearn.preprocessing import StandardScaler       # doctest: +SKIP
>>> clf = make_pipeline(StandardScaler(), NetworkClassifier(random_state=0)).fit(X, y)  # doctest: +SKIP

Output activations by task (``output_activation=None``): softmax over the classes for
multi-class targets, **one sigmoid unit** for binary targets (``predict_proba`` gives
``[1 − p, p]``), one sigmoid per label for multi-label 0/1 indicator targets (``predict``
thresholds at 0.5), identity for regression.  The loss follows (cross-entropy, binary
cross-entropy, mean squared error) unless ``loss`` is given.
"""
from __future__ import annotations

from ..errors import MissingExtraError

try:
    import sklearn  # noqa: F401  (the optional dependency: imported here and only here)
except ImportError as _err:  # pragma: no cover - exercised with scikit-learn hidden
    raise MissingExtraError(
        "neuronlab.sklearn needs scikit-learn, which is not installed; install it with: "
        "pip install 'neuronlab[sklearn]'"
    ) from _err

from typing import Any

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin, TransformerMixin
from sklearn.utils.class_weight import compute_sample_weight
from sklearn.utils.multiclass import check_classification_targets, type_of_target

from .estimator import NetworkEstimator, NotFittedError
from ..errors import DataError, HyperparameterError, ModelFileError
from .._util.validate import check_array, check_labels_length

__all__ = ["NetworkClassifier", "NetworkRegressor", "NotFittedError"]

_PARAMS_DOC = """
    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(100,)
        Units per hidden layer; ``()`` is no hidden layer (a linear model).
    activation : str or sequence of str, default="relu"
        Hidden activation: one name for every hidden layer, or one per hidden layer.
    output_activation : str, optional
        Defaults by task (see the module docstring).
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
                raise DataError(f"y must be a 0/1 indicator matrix with {len(self.classes_)} columns, got shape "
                                f"{y.shape}")
            return y.astype(self.network_.dtype)
        if y.ndim != 1:
            raise DataError(f"y must hold one label per sample (the classifier was fitted on single labels), got "
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
        try:
            cw = compute_sample_weight(self.class_weight, y)
        except (ValueError, TypeError) as err:
            raise HyperparameterError(f"class_weight: {err}") from err
        return cw if sw is None else cw * sw

    # -- training ------------------------------------------------------------------------
    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> "NetworkClassifier":
        """Train a fresh network on ``X`` (n_samples, n_features) and labels ``y``:
        (n_samples,) of any label type, or a 0/1 indicator matrix (n_samples, n_labels)
        for multi-label targets.  ``sample_weight`` is (n_samples,)."""
        X, y = self._validate_Xy(X, y, reset=True)
        n_out, out = self._set_classes(y, None)
        self._start(X, n_out, out)
        self.network_.metadata["classes"] = self.classes_.tolist()
        return self._fit(X, y, self._encode(y), self._weights(X, y, sample_weight, False))

    def partial_fit(self, X: Any, y: Any, classes: Any = None, sample_weight: Any = None) -> "NetworkClassifier":
        """One epoch over ``(X, y)``, continuing from the current weights and optimizer
        state.  The first call needs ``classes`` (all labels) unless ``y`` is multi-label."""
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
        proba = self.predict_proba(X)
        if self._multilabel:
            return (proba > 0.5).astype(self._label_dtype)
        return self.classes_[np.argmax(proba, axis=1)]

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
            raise DataError(f"y has shape {y.shape}, but the regressor was fitted on targets of shape "
                            f"{'(n_samples,)' if self._y_ndim == 1 else f'(n_samples, {k})'}")
        return y

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> "NetworkRegressor":
        """Train a fresh network on ``X`` (n_samples, n_features) and targets ``y``
        (n_samples,) or (n_samples, n_targets); ``sample_weight`` is (n_samples,)."""
        X, y = self._validate_Xy(X, y, reset=True)
        self._begin(X, y)
        return self._fit(X, y, y, self._weights(X, sample_weight))

    def partial_fit(self, X: Any, y: Any, sample_weight: Any = None) -> "NetworkRegressor":
        """One epoch over ``(X, y)``, continuing from the current weights and optimizer state."""
        first = not hasattr(self, "network_")
        X, y = self._validate_Xy(X, y, reset=first)
        if first:
            self._begin(X, y)
            self.loss_curve_, self.validation_scores_, self.n_iter_ = [], None, 0
        return self._partial(X, self._check_targets(y), self._weights(X, sample_weight))

    def predict(self, X: Any) -> np.ndarray:
        """Predicted targets: (n_samples,) for a 1-D ``y`` in fit, else (n_samples, n_targets)."""
        a = self._outputs(X)
        return a[:, 0] if self._y_ndim == 1 else a

    def _check_loaded(self, network: Any) -> None:
        if self._y_ndim not in (1, 2) or (self._y_ndim == 1 and network.n_outputs != 1):
            raise ModelFileError(f"_y_ndim={self._y_ndim!r} does not match the network's {network.n_outputs} outputs")
