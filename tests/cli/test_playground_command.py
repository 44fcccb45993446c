"""``neuronlab playground``: serves the page with its token until Ctrl-C, and refuses bad
data before it starts, in one line."""
import os
import re
import signal
import socket
import subprocess
import sys

import pytest

from command_line import bad, ok, run

pytest.importorskip("starlette", reason="the playground needs the 'playground' extra")
httpx = pytest.importorskip("httpx", reason="the test asks the server with httpx (the 'test' extra)")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_help_names_the_options():
    out = ok(run("playground", "--help")).stdout
    for option in ("--data", "--target", "--port", "--no-browser", "--host", "Ctrl-C"):
        assert option in out


def test_it_serves_the_page_with_its_token_and_stops_cleanly_on_ctrl_c(tmp_path):
    csv = tmp_path / "pets.csv"
    csv.write_text("a,b,kind\n" + "".join(f"{i % 7},{i % 5},{'cat' if i % 2 else 'dog'}\n" for i in range(40)))
    port = _free_port()
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    proc = subprocess.Popen([sys.executable, "-W", "error", "-m", "neuronlab", "playground", "--data", str(csv),
                             "--target", "kind", "--port", str(port), "--no-browser"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        line = proc.stdout.readline()
        m = re.search(r"(http://127\.0\.0\.1:(\d+)/\?token=(\S+))", line)
        assert m, line + proc.stderr.read() if proc.poll() is not None else line
        url, shown_port = m.group(1), int(m.group(2))
        assert shown_port == port
        assert httpx.get(url, timeout=30).status_code == 200
        refused = httpx.get(f"http://127.0.0.1:{port}/", timeout=30)
        assert refused.status_code == 403 and "token" in refused.text
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "stopped" in out and "Traceback" not in err


def test_bad_data_is_refused_before_the_server_starts(tmp_path):
    bad(run("playground", "--data", str(tmp_path / "missing.csv"), "--no-browser"), "no such file", "missing.csv")
    bad(run("playground", "--data", "spirals", "--target", "y", "--no-browser"), "--target", "CSV files")
    broken = tmp_path / "broken.csv"
    broken.write_text("a,b,y\n1,2,0\n3,x,1\n")
    bad(run("playground", "--data", str(broken), "--no-browser"), "broken.csv, line 3, column 'b'")


def test_a_port_in_use_is_one_line_naming_the_fix():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        bad(run("playground", "--port", port, "--no-browser"), f"could not listen on 127.0.0.1:{port}",
            "Pass another port")
    bad(run("playground", "--port", "70000", "--no-browser"), "--port must be in 0..65535")
