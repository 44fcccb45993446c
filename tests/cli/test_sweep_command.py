"""``neuronlab sweep`` runs a sweep, prints the ranked table, writes the results file, and reports bad
input in one line."""
from neuronlab.sweep import read_results

from command_line import run


def test_command_line_runs_a_sweep_and_reports_bad_input_in_one_line(tmp_path):
    out = tmp_path / "s.csv"
    args = ["--data", "xor", "--samples", "200", "--activation", "relu,tanh", "--hidden", "4,4x4", "--lr", "0.01,1e6",
            "--seeds", "2", "--epochs", "3", "--jobs", "2", "--progress", "lines", "--out", out]
    r = run("sweep", *args)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    table = r.stdout.strip().splitlines()
    assert table[0].split()[:4] == ["rank", "activation", "hidden", "learning_rate"]
    assert len(table) == 2 + 8
    assert "[16/16]" in r.stderr and "8 of 16 runs failed" in r.stderr
    assert len(read_results(out)) == 16
    for bad, fragment in ((["--hidden", "16,3y"], "16,32x32"), (["--activation", "relu,relux"], "did you mean 'relu'"),
                          (["--seeds", "0"], "seeds"), (["--data", "nosuchdata"], "nosuchdata")):
        r = run("sweep", "--epochs", "1", *bad)
        assert r.returncode == 2, r.stderr
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and fragment in lines[0], r.stderr
