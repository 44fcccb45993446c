"""A sweep's picture: the metric by configuration and the learning curves."""
import pytest

pytest.importorskip("matplotlib")

from neuronlab.errors import HyperparameterError  # noqa: E402


def test_plot_draws_metric_by_configuration_and_learning_curves(tmp_path, reference):
    path = tmp_path / "sweep.png"
    fig = reference.plot(path)
    assert path.stat().st_size > 5000
    left, right = fig.axes[:2]
    assert len(left.get_yticklabels()) == 4
    assert len(right.lines) == 2                            # one curve per activation
    with pytest.raises(HyperparameterError, match=r"\.png"):
        reference.plot(tmp_path / "sweep.jpg")
