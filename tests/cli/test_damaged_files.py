"""Every command that reads a user's file answers a damaged, missing or foreign one with exit code 2
and one line naming the file: data files (``--data``), model files and checkpoints (``--resume``)."""
import os

import numpy as np
import pytest

from command_line import QUICK, bad, ok, run

KINDS = ["truncated", "random bytes", "empty", "a folder", "missing", "permission denied", "text, not the format"]


def _damage(good, kind, folder):
    """A file of ``kind`` named like ``good`` (same extension) in ``folder``."""
    path = folder / f"damaged-{kind.replace(' ', '-').replace(',', '')}{good.suffix}"
    if kind == "truncated":
        raw = good.read_bytes()
        path.write_bytes(raw[: len(raw) * 2 // 5])
    elif kind == "random bytes":
        path.write_bytes(np.random.default_rng(0).bytes(3000))
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "a folder":
        path.mkdir()
    elif kind == "permission denied":
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            pytest.skip("root reads every file")
        path.write_bytes(good.read_bytes())
        path.chmod(0)
    elif kind == "text, not the format":
        path.write_text("width,height,colour\n1,2,red\n")
    return path


@pytest.fixture(scope="module")
def good(files, model, tmp_path_factory):
    """A good file of each role: a data .npz, the model, a checkpoint."""
    d = tmp_path_factory.mktemp("good")
    rng = np.random.default_rng(0)
    np.savez(d / "data.npz", X=rng.normal(size=(40, 2)), y=rng.integers(0, 2, 40))
    ckpt = d / "run.ckpt"
    ok(run("train", "--data", files["train"], "--hidden", "4", "--epochs", "2", "--checkpoint", ckpt,
           "--out", d / "m.nlz", *QUICK))
    return {"data": d / "data.npz", "model": model, "checkpoint": ckpt}


# (command line with FILE where the damaged file goes, the role of that file)
COMMANDS = {
    "train --data": (["train", "--data", "FILE", "--epochs", "1", *QUICK], "data"),
    "train --resume": (["train", "--data", "CSV", "--hidden", "4", "--epochs", "3", "--resume", "FILE",
                        "--out", "OUTDIR/m.nlz", *QUICK], "checkpoint"),
    "evaluate MODEL": (["evaluate", "FILE", "--data", "CSV"], "model"),
    "evaluate --data": (["evaluate", "MODEL", "--data", "FILE"], "data"),
    "predict MODEL": (["predict", "FILE", "--data", "CSV"], "model"),
    "predict --data": (["predict", "MODEL", "--data", "FILE"], "data"),
    "inspect MODEL": (["inspect", "FILE", "--data", "CSV"], "model"),
    "explain MODEL": (["explain", "FILE", "--data", "CSV"], "model"),
    "plot MODEL": (["plot", "FILE", "--kind", "curves", "--out", "OUTDIR/c.png"], "model"),
    "sweep --data": (["sweep", "--data", "FILE", "--activation", "relu", "--hidden", "2", "--seeds", "1",
                      "--epochs", "1", "--progress", "none", "--serial"], "data"),
}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_damaged_file_is_one_line_naming_it_and_exit_code_2(command, kind, good, files, tmp_path):
    argv, role = COMMANDS[command]
    damaged = _damage(good[role], kind, tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    filled = [str(damaged) if a == "FILE" else str(files["train"]) if a == "CSV" else
              str(good["model"]) if a == "MODEL" else a.replace("OUTDIR", str(out)) for a in argv]
    line = bad(run(*filled), damaged.name)
    assert "Traceback" not in line and "allow_pickle" not in line
    assert not (out / "m.nlz").exists()


def test_permission_denied_is_one_line_naming_the_file_even_where_tests_run_as_root():
    from neuronlab.cli.common import reading
    from neuronlab.errors import DataError

    with pytest.raises(DataError, match=r"^cannot read secret\.npz: permission denied"):
        with reading("secret.npz", "a data file"):
            raise PermissionError(13, "Permission denied", "secret.npz")


def test_a_bug_met_while_reading_a_file_keeps_its_traceback(monkeypatch, files):
    import neuronlab.datasets as datasets
    from neuronlab.cli import main

    def broken_loader(*args, **kwargs):
        raise TypeError("a bug inside the loader")

    monkeypatch.setattr(datasets, "load", broken_loader)
    with pytest.raises(TypeError, match="a bug inside the loader"):
        main(["train", "--data", str(files["train"]), *QUICK])


def test_a_plain_value_error_from_inside_a_command_is_not_passed_off_as_bad_input(monkeypatch):
    import neuronlab.cli.compute as compute
    from neuronlab.cli import main

    def broken(args):
        raise ValueError("an internal inconsistency")

    monkeypatch.setattr(compute, "cmd_perceptron", broken)
    monkeypatch.setattr("neuronlab.cli.cmd_perceptron", broken)
    with pytest.raises(ValueError, match="internal inconsistency"):
        main(["perceptron", "--gate", "and"])
