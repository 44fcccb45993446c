"""Gradient flow: :func:`gradient_flow` (per layer: mean ``|dL/dW|``, its ratio to mean
``|W|``, vanishing / exploding flags) and its results :class:`GradientFlow` and
:class:`LayerGradient`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterator, cast

import numpy as np
from numpy.typing import ArrayLike

from .._util import html
from .._util.validate import check_positive
from ..layers import Dense
from .._util.text import table
from .common import _dense_positions, _find_layer

if TYPE_CHECKING:
    from ..network import Network

# ---------------------------------------------------------------------------------------
# gradient_flow
# ---------------------------------------------------------------------------------------

@dataclass
class LayerGradient:
    """Gradient facts of one Dense layer (see :func:`gradient_flow`).

    Attributes
    ----------
    index : int
        Position in ``net.layers``.
    grad_mean_abs : float
        Mean ``|dL/dW|`` over the layer's weights.
    weight_mean_abs : float
        Mean ``|W|``.
    grad_to_weight : float
        ``grad_mean_abs / weight_mean_abs`` (inf when the weights are all zero).
    relative : float
        ``grad_mean_abs`` divided by the largest layer's (1.0 for the strongest layer).
    bias_grad_mean_abs : float
        Mean ``|dL/db|`` (0 without biases).
    vanishing, exploding : bool
    """

    index: int
    activation: str
    grad_mean_abs: float
    weight_mean_abs: float
    grad_to_weight: float
    relative: float
    bias_grad_mean_abs: float
    vanishing: bool
    exploding: bool

    def to_dict(self) -> dict[str, Any]:
        return {"layer": self.index, "activation": self.activation, "grad_mean_abs": self.grad_mean_abs,
                "weight_mean_abs": self.weight_mean_abs, "grad_to_weight": self.grad_to_weight,
                "relative": self.relative, "bias_grad_mean_abs": self.bias_grad_mean_abs,
                "vanishing": self.vanishing, "exploding": self.exploding}


class GradientFlow:
    """The result of :func:`gradient_flow`: one :class:`LayerGradient` per Dense layer, from
    the first layer to the output layer.  ``flow[i]`` looks one up by its position in
    ``net.layers``; ``flow.vanishing`` / ``flow.exploding`` list the flagged positions."""

    def __init__(self, layers: list[LayerGradient], loss: float, settings: dict[str, Any]) -> None:
        self.layers = layers
        self.loss = loss
        self.settings = settings

    def __getitem__(self, index: int) -> LayerGradient:
        return _find_layer(self.layers, index)

    def __iter__(self) -> Iterator[LayerGradient]:
        return iter(self.layers)

    def __len__(self) -> int:
        return len(self.layers)

    @property
    def vanishing(self) -> list[int]:
        return [l.index for l in self.layers if l.vanishing]

    @property
    def exploding(self) -> list[int]:
        return [l.index for l in self.layers if l.exploding]

    def to_dict(self) -> dict[str, Any]:
        return {"loss": self.loss, "settings": dict(self.settings), "layers": [l.to_dict() for l in self.layers]}

    def __str__(self) -> str:
        head = ("layer", "activation", "mean |dL/dW|", "mean |W|", "|dL/dW| / |W|", "vs strongest", "flag")
        body = []
        for l in self.layers:
            flag = "vanishing" if l.vanishing else "exploding" if l.exploding else ""
            body.append((str(l.index), l.activation, f"{l.grad_mean_abs:.3g}", f"{l.weight_mean_abs:.3g}",
                         f"{l.grad_to_weight:.3g}", f"{l.relative:.3g}", flag))
        return table(body, head, rule=True)

    def __repr__(self) -> str:
        flagged = [f"{l.index} {'exploding' if l.exploding else 'vanishing'}" for l in self.layers
                   if l.exploding or l.vanishing]
        return (f"GradientFlow({len(self.layers)} Dense layers, loss {self.loss:.4g}, "
                f"{'flagged: ' + ', '.join(flagged[:4]) if flagged else 'none flagged'})")

    def _repr_html_(self) -> str:
        """The per-layer table, vanishing and exploding layers flagged; for notebooks."""
        return _gradient_flow_html(self)


def _gradient_flow_html(flow: GradientFlow) -> str:
    """Gradient flow as HTML: the rows of ``str(flow)``, vanishing layers tinted amber and
    exploding ones red, with the rules that flag them."""
    rows, marks = [], []
    for l in flow.layers:
        flag = ("exploding", "bad") if l.exploding else ("vanishing", "warn") if l.vanishing else None
        rows.append((l.index, l.activation, html.number(l.grad_mean_abs, 3), html.number(l.weight_mean_abs, 3),
                     html.number(l.grad_to_weight, 3), html.number(l.relative, 3),
                     html.badge(*flag) if flag else html.Html("")))
        marks.append(flag[1] if flag else None)
    settings = flow.settings
    n = settings.get("n_samples")
    return html.box(
        f"GradientFlow: {len(flow.layers)} Dense layers, loss {html.number(flow.loss)}"
        + (f", {n} samples" if n is not None else ""),
        html.table(rows, ("layer", "activation", "mean |dL/dW|", "mean |W|", "|dL/dW| / |W|", "vs strongest",
                          "flag"), align="rlrrrrl", highlight=marks, noun="layers"),
        note=f"vanishing: mean |dL/dW| below {html.number(settings.get('vanishing', 1e-3))} of the strongest "
             f"layer's; exploding: mean |dL/dW| above {html.number(settings.get('exploding', 10.0))} × mean |W|")


def gradient_flow(net: Network, X: ArrayLike, y: ArrayLike, sample_weight: ArrayLike | None = None, vanishing: float = 1e-3,
                  exploding: float = 10.0) -> GradientFlow:
    """How strongly the loss gradient reaches each layer.

    One forward and backward pass over ``(X, y)`` in prediction mode (no dropout, no
    RNG drawn).  The network's ``gradients`` buffer is restored afterwards, so this is
    safe to call from a callback in the middle of training.

    Parameters
    ----------
    net : Network
    X, y : array-like
        Data and targets, as for :meth:`Network.fit`.
    sample_weight : array-like, optional
    vanishing : float
        A layer's gradients are **vanishing** when its mean ``|dL/dW|`` is below this
        fraction of the strongest layer's (default 1e-3: a thousand times weaker) — the
        signature of a deep stack of saturating activations — or when no gradient reaches
        any layer at all.
    exploding : float
        A layer's gradients are **exploding** when mean ``|dL/dW|`` exceeds ``exploding``
        times mean ``|W|`` (default 10: one plain gradient step of learning rate 0.1
        would change the weights by more than their own size), or is not finite.

    Returns
    -------
    GradientFlow
    """
    X = net.check_inputs(X)
    y = net.check_targets(X, y)
    sw = net.check_sample_weight(X, sample_weight)
    vanishing = check_positive("vanishing", vanishing)
    exploding = check_positive("exploding", exploding)
    saved = net.gradients.copy()
    try:
        net.forward(X, training=False)
        loss = net.loss_value(y, sw)
        net.backward(y, sw)
        raw = []
        for pos in _dense_positions(net):
            layer = cast(Dense, net.layers[pos])
            dW = np.abs(layer.dW.astype(np.float64))
            W = np.abs(layer.W.astype(np.float64))
            g = float(dW.mean())
            w = float(W.mean())
            gb = float(np.abs(layer.db.astype(np.float64)).mean()) if layer.use_bias else 0.0
            raw.append((pos, layer.activation.name, g, w, gb))
    finally:
        net.gradients[...] = saved
    finite = [g for (_, _, g, _, _) in raw if math.isfinite(g)]
    strongest = max(finite) if finite else 0.0
    out = []
    for pos, name, g, w, gb in raw:
        if not math.isfinite(g):
            rel, ratio = float("nan"), float("inf")
        else:
            rel = g / strongest if strongest > 0 else 0.0
            ratio = g / w if w > 0 else (float("inf") if g > 0 else 0.0)
        van = math.isfinite(g) and (strongest == 0.0 or rel < vanishing)
        exp = (not math.isfinite(g)) or (w > 0 and ratio > exploding)
        out.append(LayerGradient(pos, name, g, w, ratio, rel, gb, bool(van), bool(exp)))
    return GradientFlow(out, float(loss), {"vanishing": vanishing, "exploding": exploding, "n_samples": len(X)})
