"""Figures display themselves in a notebook (PNG, or SVG when asked) and stay matplotlib Figures."""
import pickle

import numpy as np
import pytest

import neuronlab as nl
from neuronlab.errors import HyperparameterError

matplotlib = pytest.importorskip("matplotlib")
import matplotlib.figure  # noqa: E402


def test_a_figure_gives_png_by_default_and_is_still_a_matplotlib_figure(tmp_path):
    fig = nl.plots.activation("relu")
    assert isinstance(fig, matplotlib.figure.Figure) and fig.axes
    assert fig._repr_png_()[:8] == b"\x89PNG\r\n\x1a\n" and fig._repr_svg_() is None
    fig.savefig(tmp_path / "a.png")
    assert (tmp_path / "a.png").stat().st_size > 1000
    again = pickle.loads(pickle.dumps(fig))
    assert type(again) is type(fig) and len(again.axes) == len(fig.axes)


def test_svg_is_given_instead_when_asked_for_all_figures_or_one():
    old = nl.plots.set_display_format("svg")
    try:
        fig = nl.plots.activation("tanh")
        assert fig._repr_png_() is None and "<svg" in fig._repr_svg_()
    finally:
        assert nl.plots.set_display_format(old) == "svg"
    fig.display_format = "svg"
    assert "<svg" in fig._repr_svg_() and fig._repr_png_() is None


def test_an_unknown_display_format_is_refused():
    with pytest.raises(HyperparameterError, match="'png' or 'svg'"):
        nl.plots.set_display_format("jpeg")
    fig = nl.plots.activation("relu")
    fig.display_format = "gif"
    with pytest.raises(HyperparameterError, match="display_format must be 'png' or 'svg'"):
        fig._repr_png_()
