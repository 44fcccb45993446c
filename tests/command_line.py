"""Running the ``neuronlab`` command in a subprocess (``python -W error -m neuronlab ...``) and checking
how it ended."""
import os
import subprocess
import sys

QUICK = ["--no-plots", "--progress", "none"]
#: the classes of the labelled CSV file the tests write (tests/cli/conftest.py)
COLOURS = ["red", "green", "blue"]


def run(*args, cwd=None, timeout=120):
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONIOENCODING="utf-8")
    return subprocess.run([sys.executable, "-W", "error", "-m", "neuronlab", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd, timeout=timeout, env=env)


def ok(result):
    assert result.returncode == 0, f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    assert "Traceback" not in result.stderr
    return result


def bad(result, *fragments):
    """Exit code 2 and exactly one clear line on stderr, naming ``fragments``."""
    assert result.returncode == 2, f"exit {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for f in fragments:
        assert f in lines[0], lines[0]
    return lines[0]
