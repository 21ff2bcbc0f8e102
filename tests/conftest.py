"""Shared test helpers: lint text in-process, run the real CLI, find ../shared."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from pullcheck.cli import main
from pullcheck.config import Config, validate
from pullcheck.engine import Engine, RunOptions
from pullcheck.finding import Finding
from pullcheck.model import Resource
from pullcheck.rule import Rule, all_rules
from pullcheck.sources import Source

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


class Boom(Rule):
    """A rule that always raises: an internal error must not stop the run or hide other findings."""

    id = "boom"
    name = "Boom"
    summary = "raises"
    what = why = how_to_fix = "test"

    def check(self, resource: Resource) -> Iterable[Finding]:
        raise RuntimeError("kaboom")


def lint(text: str, config: dict[str, Any] | None = None, path: str = "test.yaml", **options: Any) -> list[Finding]:
    """Lint one YAML text (dedented) with every built-in rule and the given config."""
    rules, _ = all_rules(with_plugins=False)
    cfg = Config(validate(config or {}, "test config"))
    engine = Engine(cfg, rules, RunOptions(jobs=1, **options))
    findings, _stats = engine.run([Source(path, None, textwrap.dedent(text))])
    return findings


def lint_files(paths: list[Path], config: dict[str, Any] | None = None, **options: Any) -> list[Finding]:
    """Lint files on disk in-process."""
    rules, _ = all_rules(with_plugins=False)
    cfg = Config(validate(config or {}, "test config"))
    engine = Engine(cfg, rules, RunOptions(jobs=1, **options))
    findings, _ = engine.run([Source(str(p), str(p)) for p in paths])
    return findings


def where(findings: list[Finding], rule: str | None = None) -> list[tuple[str, int, int]]:
    """(rule, line, column) of each finding, optionally of one rule only."""
    return [(f.rule, f.span.line, f.span.column) for f in findings if rule is None or f.rule == rule]


def lint_example(directory: Path, example: str, setup: dict[str, str]) -> list[dict[str, Any]]:
    """Lint a documented example as its page says: the setup files beside it (``.pullcheck.yaml``
    among them), the real command in-process; the findings as JSON objects."""
    files = {".pullcheck.yaml": "{}\n", **setup, "example.yaml": textwrap.dedent(example)}
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    out = directory / "findings.json"
    config = directory / ".pullcheck.yaml"
    args = ["--config", str(config), "--format", "json", "--output", str(out), str(directory / "example.yaml")]
    assert main(args) in (0, 1)
    findings: list[dict[str, Any]] = json.loads(out.read_text(encoding="utf-8"))["findings"]
    return findings


def run_cli(*args: str, cwd: Path | None = None, stdin: str | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real ``pullcheck`` command (``python -m pullcheck``) and capture its output."""
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "pullcheck", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
    )


@pytest.fixture
def shared() -> Path:
    """The ../shared folder, or skip the test cleanly when it is absent."""
    if not SHARED.is_dir():
        pytest.skip("../shared is not present")
    return SHARED
