"""The results file survives a row cut short at any byte: resuming sets the damaged row
aside, keeps every earlier row and appends new rows on lines of their own."""
from __future__ import annotations

import warnings

import pytest

from neuronlab.errors import NeuronWarning
from neuronlab.sweep.grid import COLUMNS
from neuronlab.sweep.results import _Appender, _row_text, read_results, scan_results


def run(i: int, error: str | None = None) -> dict:
    return {"run_id": f"r{i}", "data": "xor", "activation": "relu", "hidden": (4,), "learning_rate": 0.01,
            "batch_size": 8, "epochs": 3, "optimizer": "adam", "dropout": 0.0, "l2": 0.0, "seed": i,
            "status": "failed" if error else "ok", "error": error, "epochs_run": 3, "time_s": 0.5,
            "loss": 0.25, "val_loss": 0.5, "accuracy": 0.75, "val_accuracy": 0.5, "mae": None, "val_mae": None,
            "worker": "w", "history": {"loss": [0.5, 0.25], "val_accuracy": [0.5, 0.5]}}


def write_runs(path, runs) -> None:
    w = _Appender(str(path), fresh=True)
    for r in runs:
        w.write(r)
    w.close()


def resume_and_append(path, rec) -> int:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        w = _Appender(str(path), fresh=False)
        w.write(rec)
        w.close()
    assert all(issubclass(c.category, NeuronWarning) for c in caught)
    return len(caught)


@pytest.mark.parametrize("last", [run(2), run(2, error='ValueError: bad "value",\nsecond line')],
                         ids=["quoted-json", "quoted-error-with-newline"])
def test_a_last_row_cut_at_any_byte_never_swallows_the_next_appended_row(tmp_path, last):
    path = tmp_path / "runs.csv"
    write_runs(path, [run(0), run(1), last])
    whole = path.read_bytes()
    cut_from = len(whole) - len(_row_text_for(last))
    for cut in range(cut_from, len(whole) + 1):
        path.write_bytes(whole[:cut])
        (tmp_path / "runs.csv.damaged").unlink(missing_ok=True)
        partial = cut not in (cut_from, len(whole), len(whole) - 1)   # "\r" of "\r\n" kept: row is whole
        assert resume_and_append(path, run(9)) == int(partial), cut
        ids = [r["run_id"] for r in read_results(path)]
        expected = ["r0", "r1"] + (["r2"] if cut >= len(whole) - 1 else []) + ["r9"]
        assert ids == expected, cut
        assert path.read_bytes().endswith(b"\r\n")
        assert (tmp_path / "runs.csv.damaged").exists() == partial


def _row_text_for(rec: dict) -> str:
    from neuronlab.sweep.results import _encode
    return _row_text([_encode(k, rec.get(k)) for k in COLUMNS])


def test_damaged_rows_anywhere_are_set_aside_and_the_rows_they_swallowed_are_recovered(tmp_path):
    path = tmp_path / "runs.csv"
    write_runs(path, [run(0)])
    text = path.read_text(encoding="utf-8")
    cut = _row_text_for(run(1))
    damaged = cut[:cut.index('{"')+10] + "\r\n"          # inside the quoted history, then a new line
    wrong_count = "r7,xor,relu\r\n"
    path.write_text(text + damaged + _row_text_for(run(3)) + wrong_count + _row_text_for(run(4)),
                    encoding="utf-8", newline="")
    header, good, bad = scan_results(path.read_text(encoding="utf-8"))
    assert header == COLUMNS and [rec["run_id"] for _, rec in good] == ["r0", "r3", "r4"] and len(bad) == 2
    assert [r["run_id"] for r in read_results(path)] == ["r0", "r3", "r4"]
    assert resume_and_append(path, run(5)) == 1
    assert [r["run_id"] for r in read_results(path)] == ["r0", "r3", "r4", "r5"]
    assert "r7,xor,relu" in (tmp_path / "runs.csv.damaged").read_text(encoding="utf-8")


def test_a_header_cut_short_is_written_again_whole(tmp_path):
    path = tmp_path / "runs.csv"
    path.write_text(",".join(COLUMNS)[:20], encoding="utf-8")
    assert resume_and_append(path, run(1)) == 0
    assert [r["run_id"] for r in read_results(path)] == ["r1"]


def test_each_row_is_one_write_of_one_whole_line(tmp_path, monkeypatch):
    path = tmp_path / "runs.csv"
    w = _Appender(str(path), fresh=True)
    writes = []
    real = w.fh.write
    monkeypatch.setattr(w.fh, "write", lambda b: (writes.append(b), real(b))[1], raising=False)
    w.write(run(0))
    w.close()
    assert len(writes) == 1 and writes[0].endswith(b"\r\n")
