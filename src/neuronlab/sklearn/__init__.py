"""scikit-learn estimators around a neuronlab network: :class:`NetworkClassifier` and
:class:`NetworkRegressor`.

Needs the ``sklearn`` extra (``pip install 'neuronlab[sklearn]'``; from a checkout
``pip install -e '.[sklearn]'``); ``import neuronlab``
never imports scikit-learn, this module does.  Both estimators pass
scikit-learn's estimator checks and work in ``Pipeline``, ``GridSearchCV``,
``cross_val_score``, ``clone`` and with ``pickle``.  Training is :meth:`Network.fit
<neuronlab.network.Network.fit>`: Adam, minibatches, stopping when the training loss (or,
with ``early_stopping=True``, the validation loss) stops improving by ``tol`` for
``n_iter_no_change`` epochs.

>>> from sklearn.pipeline import make_pipeline             # doctest: +SKIP
>>> from sklearn.preprocessing import StandardScaler       # doctest: +SKIP
>>> clf = make_pipeline(StandardScaler(), NetworkClassifier(random_state=0)).fit(X, y)  # doctest: +SKIP

Model files: ``est.save(path)`` stores the estimator alone; **inside a Pipeline that
drops the steps before it** (a scaler), and the loaded estimator then expects scaled
data.  :func:`save` stores the whole pipeline — ``StandardScaler``, ``MinMaxScaler`` or
``MaxAbsScaler`` steps, then the estimator — pickle-free, and ``nl.load`` gives the
Pipeline back; other steps are refused with a message naming them.

Output activations by task (``output_activation=None``): softmax over the classes for
multi-class targets, **one sigmoid unit** for binary targets (``predict_proba`` gives
``[1 − p, p]``), one sigmoid per label for multi-label 0/1 indicator targets (``predict``
thresholds at 0.5), identity for regression.  The loss follows (cross-entropy, binary
cross-entropy, mean squared error) unless ``loss`` is given.
"""
from __future__ import annotations

from .._util.extras import require

require("sklearn", extra="sklearn", what="neuronlab.sklearn", package="scikit-learn")

from .estimator import NetworkClassifier, NetworkRegressor, NotFittedError, save  # noqa: E402

__all__ = ["NetworkClassifier", "NetworkRegressor", "NotFittedError", "save"]
