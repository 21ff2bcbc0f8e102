"""The package runs on the oldest Python it declares (``requires-python = ">=3.10"``): installed into
a fresh Python 3.10 virtualenv, it lints the examples. CI's tools need 3.11, so this is the check
that a 3.11-only API (a possessive regex, a typing name) did not slip into the package."""

from __future__ import annotations

import glob
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT


def _python310() -> str | None:
    """A Python 3.10 interpreter: on PATH, or one pyenv installed."""
    found = shutil.which("python3.10")
    candidates = ([found] if found else []) + sorted(glob.glob(str(Path.home() / ".pyenv/versions/3.10.*/bin/python3.10")))
    for path in candidates:
        if subprocess.run([path, "-c", "import sys; assert sys.version_info[:2] == (3, 10)"], capture_output=True).returncode == 0:
            return path
    return None


PYTHON310 = _python310()


@pytest.mark.skipif(PYTHON310 is None, reason="no Python 3.10 on this machine")
def test_installs_and_lints_on_python_3_10(tmp_path: Path) -> None:
    assert PYTHON310 is not None
    venv = tmp_path / "venv"
    subprocess.run([PYTHON310, "-m", "venv", str(venv)], check=True)
    py = str(venv / "bin" / "python")
    subprocess.run([py, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(ROOT)], check=True, cwd=tmp_path)
    res = subprocess.run([py, "-m", "pullcheck", "--format", "json", "examples"], capture_output=True, text=True, cwd=ROOT)
    assert res.returncode == 1, res.stderr
    findings = json.loads(res.stdout)["findings"]
    assert len(findings) > 20 and "image-typo" in {f["rule"] for f in findings}
    comment = "import pullcheck.suppress as s; print(sorted(s.comment_ignores('  image: x  # pullcheck: ignore[a, b]')))"
    assert subprocess.run([py, "-c", comment], capture_output=True, text=True, check=True).stdout == "['a', 'b']\n"
