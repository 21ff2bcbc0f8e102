"""A third-party rule installed as a package is discovered through the ``pullcheck.rules`` entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, run_cli

PLUGIN = ROOT / "tests" / "plugin_example"


@pytest.fixture(scope="module")
def plugin_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Install the example plug-in into a private target directory (the test venv is not modified)."""
    target = tmp_path_factory.mktemp("plugin-site")
    build = tmp_path_factory.mktemp("plugin-build")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
         "--no-index", "--target", str(target), str(PLUGIN)],
        check=True,
        cwd=build,
        capture_output=True,
    )
    return target


def test_plugin_rule_runs_and_is_listed(plugin_path: Path, tmp_path: Path) -> None:
    env = {"PYTHONPATH": str(plugin_path)}
    manifest = tmp_path / "pod.yaml"
    manifest.write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    image: alpine:3.20\n")
    listed = run_cli("rules", "--format", "json", env=env)
    assert listed.returncode == 0, listed.stderr
    rows = {r["id"]: r for r in json.loads(listed.stdout)}
    assert rows["example-no-alpine"]["origin"] == "pullcheck-example-plugin"
    assert rows["example-no-alpine"]["enabled"] is True
    run = run_cli(str(manifest), "--format", "json", cwd=tmp_path, env=env)
    assert run.returncode == 1, run.stderr
    (f,) = json.loads(run.stdout)["findings"]
    assert (f["rule"], f["line"], f["column"]) == ("example-no-alpine", 7, 12)
    explained = run_cli("explain", "example-no-alpine", env=env)
    assert "musl libc" in explained.stdout


def test_without_plugin_rule_is_unknown(tmp_path: Path) -> None:
    res = run_cli("explain", "example-no-alpine")
    assert res.returncode == 2
    assert "unknown rule" in res.stderr
