"""Rosenblatt's perceptron: one step neuron and its own learning rule.

A step neuron's derivative is zero everywhere, so gradient descent cannot train it.
The perceptron rule does instead: for each sample, predict ``ŷ = step(w·x + b)`` and
nudge ``w ← w + η (y − ŷ) x`` and ``b ← b + η (y − ŷ)``.  It converges whenever the
classes are linearly separable (AND, OR) and never on XOR, where it stops at
``max_epochs`` and says so.
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from .errors import ConvergenceWarning, DataError, ShapeError
from ._util.validate import check_array, check_int, check_labels_length, check_positive, check_positive_int
from .neuron import Neuron

__all__ = ["Perceptron"]


class Perceptron:
    """A single step neuron trained with the perceptron learning rule.

    Parameters
    ----------
    n_inputs : int
    learning_rate : float
        η in the update rule.
    seed : int, optional
        If given, weights start small and random; otherwise at zero.

    Attributes
    ----------
    weights : ndarray of shape (n_inputs,)
    bias : float
    converged_ : bool
        Whether the last :meth:`fit` reached an epoch with no mistakes.
    n_epochs_ : int
        Epochs run by the last fit.
    errors_ : list of int
        Mistakes per epoch.
    """

    def __init__(self, n_inputs: int, learning_rate: float = 1.0, seed: int | None = None) -> None:
        self.n_inputs = check_positive_int("n_inputs", n_inputs)
        self.learning_rate = check_positive("learning_rate", learning_rate)
        if seed is None:
            self.weights = np.zeros(self.n_inputs)
        else:
            rng = np.random.default_rng(check_int("seed", seed, minimum=0))
            self.weights = rng.normal(0, 0.01, self.n_inputs)
        self.bias = 0.0
        self.converged_ = False
        self.n_epochs_ = 0
        self.errors_: list[int] = []

    @property
    def neuron(self) -> Neuron:
        """The trained unit as a :class:`~neuronlab.neuron.Neuron` with the step activation."""
        return Neuron(self.weights.copy(), self.bias, activation="step")

    def _check(self, X: Any) -> np.ndarray:
        X = check_array(X, "X", ndim=2, dtype=np.float64)
        if X.shape[1] != self.n_inputs:
            raise ShapeError(f"X has {X.shape[1]} features but this perceptron has {self.n_inputs} inputs")
        return X

    def predict(self, X: Any) -> np.ndarray:
        """0/1 predictions, shape (n_samples,)."""
        X = self._check(X)
        return (X @ self.weights + self.bias >= 0).astype(np.int64)

    def fit(self, X: Any, y: Any, max_epochs: int = 100) -> "Perceptron":
        """Apply the perceptron rule, sample by sample, until an epoch makes no mistake.

        Warns with :class:`~neuronlab.errors.ConvergenceWarning` (and sets
        ``converged_ = False``) when ``max_epochs`` pass without convergence.
        """
        X = self._check(X)
        y = check_array(y, "y", ndim=1, dtype=np.float64)
        check_labels_length(X, y)
        if not np.isin(y, (0.0, 1.0)).all():
            raise DataError("perceptron targets must be 0 or 1")
        max_epochs = check_positive_int("max_epochs", max_epochs)
        self.errors_ = []
        self.converged_ = False
        for epoch in range(1, max_epochs + 1):
            mistakes = 0
            for xi, target in zip(X, y):
                predicted = 1.0 if xi @ self.weights + self.bias >= 0 else 0.0
                update = self.learning_rate * (target - predicted)
                if update:
                    self.weights += update * xi
                    self.bias += update
                    mistakes += 1
            self.errors_.append(mistakes)
            self.n_epochs_ = epoch
            if mistakes == 0:
                self.converged_ = True
                break
        if not self.converged_:
            warnings.warn(
                f"perceptron did not converge in {max_epochs} epochs ({self.errors_[-1]} mistakes in the last); "
                "the classes are probably not linearly separable (XOR is not) — use a network with a hidden layer",
                ConvergenceWarning, stacklevel=2,
            )
        return self

    def score(self, X: Any, y: Any) -> float:
        """Accuracy on ``(X, y)``."""
        predicted = self.predict(X)
        y = check_array(y, "y", ndim=1, dtype=np.float64)
        check_labels_length(predicted, y)
        return float(np.mean(predicted == y))
