"""Ctrl-C during ``neuronlab train``: from a real terminal (a pseudo-terminal, where Ctrl-C is the
byte 0x03 and the terminal sends SIGINT) and from ``kill -INT``.  The first one stops after the
current batch and keeps the last finished epoch (exit 130); the second aborts at once with one
line, exit 130, never a fatal error or a word about missing extras, and never a half-written file."""
import os
import select
import signal
import subprocess
import sys
import time

import pytest

import neuronlab as nl

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and terminals")

LONG_RUN = ["train", "--data", "moons", "--samples", "400", "--epochs", "100000", "--early-stopping", "0",
            "--batch-size", "1", "--hidden", "8", "--progress", "lines"]


class _Terminal:
    """The CLI on a pseudo-terminal that is its controlling terminal (``forkpty``), so that
    the byte 0x03 typed there becomes SIGINT, as Ctrl-C does."""

    def __init__(self, args, env=None):
        env = env or _env()
        self.pid, self.master = os.forkpty()
        if self.pid == 0:                            # the child: become the command line
            try:
                os.execve(sys.executable, [sys.executable, "-W", "error", "-m", "neuronlab", *map(str, args)],
                          env)
            finally:
                os._exit(127)
        self.text, self.code = "", None

    def read_until(self, fragment, timeout=60.0):
        end = time.monotonic() + timeout
        while fragment not in self.text and time.monotonic() < end:
            ready, _, _ = select.select([self.master], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:                      # the child has gone and closed the terminal
                    break
                if not chunk:
                    break
                self.text += chunk.decode("utf-8", "replace")
        return fragment in self.text

    def finish(self, timeout=60.0):
        """Read until the child exits; ``(exit code, everything it printed)``."""
        end = time.monotonic() + timeout
        while self.code is None and time.monotonic() < end:
            self.read_until("\0", timeout=0.2)
            done, status = os.waitpid(self.pid, os.WNOHANG)
            if done:
                self.code = os.waitstatus_to_exitcode(status)
        if self.code is None:
            os.kill(self.pid, signal.SIGKILL)
            self.code = os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])
        self.read_until("\0", timeout=0.2)
        os.close(self.master)
        return self.code, self.text


def _clean_end(text):
    assert "Fatal Python error" not in text and "Traceback" not in text, text
    assert "matplotlib" not in text and "install it with" not in text, text


def _no_temporary_files(folder):
    assert not [p for p in os.listdir(folder) if p.endswith(".tmp")], os.listdir(folder)


def test_one_ctrl_c_on_a_terminal_stops_after_the_batch_and_keeps_the_model(tmp_path):
    model = tmp_path / "m.nlz"
    term = _Terminal([*LONG_RUN, "--out", model, "--no-plots"])
    assert term.read_until("epoch 3/"), term.text
    os.write(term.master, b"\x03")
    code, text = term.finish()
    assert code == 130, text
    _clean_end(text)
    assert "keeping the model of epoch" in text
    net = nl.load(model)
    assert net.metadata["training"]["interrupted"] is True
    _no_temporary_files(tmp_path)


@pytest.fixture
def slow_matplotlib(tmp_path):
    """A ``matplotlib`` whose import takes 30 s, so that a Ctrl-C lands in the middle of the
    lazy import of the pictures' module, where it used to be misread as a missing extra."""
    fake = tmp_path / "slow-import" / "matplotlib"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("import time\ntime.sleep(30)\n")
    return str(fake.parent)


def _env(extra_path=None):
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONIOENCODING="utf-8")
    if extra_path:
        env["PYTHONPATH"] = os.pathsep.join([extra_path, env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def test_a_second_ctrl_c_on_a_terminal_aborts_at_once_with_one_line(tmp_path, slow_matplotlib):
    model = tmp_path / "out" / "m.nlz"
    term = _Terminal([*LONG_RUN, "--out", model], env=_env(slow_matplotlib))
    assert term.read_until("epoch 3/"), term.text
    os.write(term.master, b"\x03")
    assert term.read_until("interrupted: training stopped"), term.text
    time.sleep(0.5)                                # now importing the pictures' module
    os.write(term.master, b"\x03")
    start = time.monotonic()
    code, text = term.finish()
    assert time.monotonic() - start < 10           # at once, not after the 30 s import
    assert code == 130, text
    _clean_end(text)
    last = text.strip().splitlines()[-1]
    assert last.startswith("neuronlab train: interrupted at once; written before: "), text
    assert nl.load(model).metadata["training"]["interrupted"] is True    # written whole before
    _no_temporary_files(model.parent)


def _popen(args, env=None):
    return subprocess.Popen([sys.executable, "-W", "error", "-m", "neuronlab", *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env or _env())


def _wait_for(proc, start):
    for line in proc.stderr:
        if line.startswith(start):
            return
    raise AssertionError(f"the command ended before printing {start!r}")


def test_two_sigints_from_kill_abort_at_once(tmp_path, slow_matplotlib):
    model = tmp_path / "m.nlz"
    proc = _popen([*LONG_RUN, "--out", model], env=_env(slow_matplotlib))
    try:
        _wait_for(proc, "epoch 3/")
        proc.send_signal(signal.SIGINT)
        _wait_for(proc, "interrupted: training stopped")
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, stdout + stderr
    _clean_end(stdout + stderr)
    assert stderr.strip().splitlines() == [f"neuronlab train: interrupted at once; written before: {model}"]
    assert nl.load(model).metadata["training"]["interrupted"] is True
    _no_temporary_files(tmp_path)


def test_one_sigint_from_kill_is_not_ignored_and_keeps_the_model(tmp_path):
    model = tmp_path / "m.nlz"
    proc = _popen([*LONG_RUN, "--out", model, "--no-plots"])
    try:
        _wait_for(proc, "epoch 3/")
        proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, stdout + stderr
    _clean_end(stdout + stderr)
    assert nl.load(model).metadata["training"]["interrupted"] is True
