"""LivePlot: outside a notebook it shows nothing and, given a path, writes the picture."""
import numpy as np
import pytest

import neuronlab as nl
from neuronlab.errors import HyperparameterError, ShapeError

pytest.importorskip("matplotlib")


def _data():
    X = np.random.default_rng(0).normal(size=(40, 2))
    return X, (X[:, 0] > 0).astype(int)


def test_outside_a_notebook_without_a_path_it_draws_nothing():
    X, y = _data()
    live = nl.callbacks.LivePlot(X, y, regions=True)
    nl.Network.mlp([2, 4, 2], seed=0).fit(X, y, epochs=3, callbacks=[live])
    assert live.draws == 0 and not live.display.shown


def test_with_a_path_it_writes_a_png_after_every_epoch_when_the_budget_allows(tmp_path):
    X, y = _data()
    path = tmp_path / "live.png"
    live = nl.callbacks.LivePlot(X, y, regions=True, path=path, budget=1.0)
    nl.Network.mlp([2, 4, 2], seed=0).fit(X, y, epochs=3, callbacks=[live])
    assert live.draws == 3 and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not live.display.shown and "3 redraws" in repr(live)


def test_a_small_budget_skips_redraws_but_always_draws_the_last_epoch(tmp_path):
    X, y = _data()
    live = nl.callbacks.LivePlot(path=tmp_path / "live.png", budget=0.01)
    nl.Network.mlp([2, 4, 2], seed=0).fit(X, y, epochs=20, callbacks=[live])
    assert 2 <= live.draws < 20


def test_bad_settings_are_refused_with_the_fix():
    X, y = _data()
    with pytest.raises(HyperparameterError, match=r"LivePlot\(X, y, regions=True\)"):
        nl.callbacks.LivePlot(regions=True)
    with pytest.raises(ShapeError, match="2 features; X has 3"):
        nl.callbacks.LivePlot(np.zeros((4, 3)), regions=True)
    with pytest.raises(HyperparameterError, match="must end in .png"):
        nl.callbacks.LivePlot(path="live.svg")
    with pytest.raises(ValueError, match="budget"):
        nl.callbacks.LivePlot(budget=0)
    with pytest.raises(ShapeError, match="2 inputs; this one has 3"):
        nl.Network.mlp([3, 4, 2], seed=0).fit(np.zeros((4, 3)), [0, 1, 0, 1], epochs=1,
                                                callbacks=[nl.callbacks.LivePlot(X, y, regions=True)])


def _pixels(path):
    from PIL import Image
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB")).astype(int)


def test_a_redraw_draws_only_the_curves_over_axes_rendered_once(tmp_path):
    X, y = _data()
    live = nl.callbacks.LivePlot(X, y, regions=True, path=tmp_path / "live.png", budget=1.0)
    nl.Network.mlp([2, 8, 2], seed=0).fit(X, y, epochs=40, learning_rate=0.01, callbacks=[live])
    assert live.draws == 40
    assert live.backgrounds <= 3          # the x axis spans the 40 epochs from the start; the losses fall


def test_the_picture_shows_the_curves_and_changes_as_training_goes_on(tmp_path):
    X, y = _data()
    path = tmp_path / "live.png"
    net = nl.Network.mlp([2, 8, 2], seed=0)
    live = nl.callbacks.LivePlot(X, y, path=path, budget=1.0)
    net.fit(X, y, epochs=2, callbacks=[live])
    early = _pixels(path)
    net.fit(X, y, epochs=30, callbacks=[nl.callbacks.LivePlot(X, y, path=path, budget=1.0)])
    late = _pixels(path)
    blue = np.array([31, 119, 180])                        # matplotlib's first colour: the loss curve
    left = late[:, : late.shape[1] // 2]
    assert (np.abs(left - blue).sum(axis=2) < 60).sum() > 50   # the loss curve is drawn
    assert early.shape == late.shape and (early != late).any()
