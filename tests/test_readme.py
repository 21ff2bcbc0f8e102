"""README.md stays true: its two opening commands, and a rules table that matches the rules."""

from __future__ import annotations

import re
from pathlib import Path

from pullcheck.rules import BUILTIN

README = Path(__file__).resolve().parent.parent / "README.md"
ROW = re.compile(r"^\| `([a-z0-9-]+)` \| (error|warning|note|off) \|", re.M)


def test_readme_opens_with_install_and_test_commands() -> None:
    """The first code block is the install-and-lint command, then the test command CI runs."""
    text = README.read_text(encoding="utf-8")
    block = text.split("```sh\n", 1)[1].split("```", 1)[0]
    commands = [line.split("#", 1)[0].strip() for line in block.splitlines()]
    assert commands == ["pip install . && pullcheck examples/", "pip install '.[test]' && pytest"]
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert ci.rstrip().splitlines()[-1] == "pip install '.[test]' && pytest"


def test_readme_rule_table_lists_every_rule_with_its_default() -> None:
    """Every built-in rule appears once, with its default level ('off' when disabled by default)."""
    rows = ROW.findall(README.read_text(encoding="utf-8"))
    expected = [(r.id, r.level if r.enabled_by_default else "off") for r in BUILTIN]
    assert sorted(rows) == sorted(expected)


def test_readme_sample_finding_is_what_pullcheck_prints() -> None:
    """The finding README.md shows under "exact line and column" is the real output, frame included."""
    from conftest import run_cli

    text = README.read_text(encoding="utf-8")
    sample = text.split("exact line and column of the offending value:\n\n```\n", 1)[1].split("```", 1)[0]
    out = run_cli("examples/deployment.yaml", cwd=README.parent).stdout
    assert sample.count("\n") == 3 and sample in out
