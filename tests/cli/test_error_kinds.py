"""A command's error has the library's error class: the command line prints it as
"<command>: error: <message>" and exits with 2."""
import numpy as np
import pytest

import neuronlab as nl
from neuronlab.cli import build_parser, main


def test_a_plane_picture_of_a_model_with_three_inputs_is_a_shape_error(tmp_path, capsys):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 3))
    np.savez(tmp_path / "d.npz", X=X, y=(X[:, 0] > 0).astype(int))
    nl.Network.mlp([3, 4, 2], seed=0).save(tmp_path / "m.nlz")
    argv = ["plot", str(tmp_path / "m.nlz"), "--data", str(tmp_path / "d.npz"), "--kind", "neurons",
            "--out", str(tmp_path / "o.png")]
    args = build_parser().parse_args(argv)
    with pytest.raises(nl.ShapeError, match="draws 2-D inputs; this model takes 3 features"):
        args.func(args)
    assert main(argv) == 2
    assert "neuronlab plot: error: --kind neurons draws 2-D inputs" in capsys.readouterr().err
