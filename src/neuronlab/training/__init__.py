"""Training: the loop that fits a network, its record and hooks, and the gradient check.

* :func:`fit` — minibatch gradient descent with backpropagation: validation, early
  stopping, callbacks, learning-rate schedules, gradient clipping, checkpoints and
  resuming (:meth:`Network.fit <neuronlab.network.Network.fit>` calls it);
* :class:`History` — the per-epoch record of a run; :class:`Callback` — the hooks a run
  calls; :class:`EarlyStopping` — the callback that stops when the monitored loss stops
  improving and restores the best weights;
* :func:`gradcheck` and :func:`gradient_errors` — backpropagation checked against
  finite differences; :class:`GradientCheck` — gradcheck's answer, a float that also says
  where the worst entry is.

>>> import numpy as np, neuronlab as nl
>>> X = np.random.default_rng(0).normal(size=(64, 2)); y = (X[:, 0] > 0).astype(int)
>>> net = nl.Network.mlp([2, 8, 2], seed=0)
>>> history = nl.training.fit(net, X, y, epochs=3, batch_size=16)
>>> len(history), sorted(history.history)
(3, ['accuracy', 'loss', 'lr', 'time'])
"""
from __future__ import annotations

from .gradcheck import GradientCheck, gradcheck, gradient_errors
from .history import Callback, EarlyStopping, History
from .loop import fit

__all__ = ["fit", "History", "Callback", "EarlyStopping", "gradcheck", "gradient_errors", "GradientCheck"]
