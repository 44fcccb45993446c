"""The page is plain files shipped inside the package: every file it loads is there, the wheel
carries them, and nothing is fetched from the internet."""
import re
from pathlib import Path

from neuronlab.playground.server import STATIC

ROOT = Path(__file__).resolve().parents[2]


def _files():
    return {p.name: p.read_text(encoding="utf-8") for p in Path(STATIC).iterdir() if p.is_file()}


def test_every_file_the_page_loads_is_in_the_package():
    files = _files()
    loaded = re.findall(r'(?:href|src)="static/([^"]+)"', files["index.html"])
    for text in files.values():
        loaded += re.findall(r'from "\./([^"]+)"', text)
    assert {"app.js", "style.css", "diagram.js", "maps.js", "explain.js", "frame.js", "url.js"} <= set(loaded)
    assert set(loaded) <= set(files)


def test_the_wheel_and_the_sdist_carry_the_page():
    pyproject = (ROOT / "pyproject.toml").read_text()
    for pattern in ('"playground/static/*.html"', '"playground/static/*.js"', '"playground/static/*.css"'):
        assert pattern in pyproject
    assert "recursive-include src/neuronlab/playground/static *.html *.js *.css" in (ROOT / "MANIFEST.in").read_text()


def test_nothing_is_fetched_from_the_internet():
    for name, text in _files().items():
        addresses = set(re.findall(r"https?://[^\s\"'`)]+", text)) - {"http://www.w3.org/2000/svg"}
        assert not addresses, (name, addresses)
