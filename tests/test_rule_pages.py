"""docs/rules/ is generated from the rule classes: never stale, identical to ``pullcheck explain``,
and the examples it publishes fail and pass as they claim."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, lint_example, run_cli
from pullcheck import docs
from pullcheck.cli import main
from pullcheck.rule import Rule, builtin_rules

DOCS = ROOT / "docs" / "rules"
RULES = builtin_rules()
REGENERATE = "python -m pullcheck.docs"


def test_committed_pages_are_current() -> None:
    """Fails when a rule's docs changed (or a rule was added or removed) without regenerating."""
    stale = docs.stale(DOCS)
    assert not stale, f"stale pages in docs/rules/: {stale}; run `{REGENERATE}`"


def test_every_builtin_rule_has_a_page_and_an_index_entry() -> None:
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    for rule in RULES:
        assert (DOCS / f"{rule.id}.md").is_file(), rule.id
        assert f"| [`{rule.id}`]({rule.id}.md) | {rule.level} |" in index, rule.id
    linked = set(re.findall(r"\]\(([^)]+\.md)\)", index))
    assert linked == {f"{r.id}.md" for r in RULES}


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_page_is_what_explain_prints(rule: type[Rule], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", rule.id]) == 0
    assert capsys.readouterr().out == (DOCS / f"{rule.id}.md").read_text(encoding="utf-8")


def test_explain_command_prints_the_page() -> None:
    """The same through the installed command, in a subprocess."""
    rule = RULES[0]
    res = run_cli("explain", rule.id)
    assert res.returncode == 0
    assert res.stdout == (DOCS / f"{rule.id}.md").read_text(encoding="utf-8")


def _block(page: str, heading: str) -> str | None:
    m = re.search(rf"^## {re.escape(heading)}\n\n```yaml\n(.*?)^```$", page, re.M | re.S)
    return m.group(1) if m else None


def _setup(page: str) -> dict[str, str]:
    """The files of the page's "Example setup" section: each block starts with ``# <file name>``."""
    m = re.search(r"^## Example setup\n(.*?)(?=^## )", page, re.M | re.S)
    blocks = re.findall(r"^```yaml\n# (\S+)\n(.*?)^```$", m.group(1), re.M | re.S) if m else []
    return dict(blocks)


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_published_examples_fail_and_pass(rule: type[Rule], tmp_path: Path) -> None:
    """The failing example on the page, linted with the page's setup, triggers the rule; the passing
    one is clean, for every rule (a reader copying it must not meet another finding)."""
    page = (DOCS / f"{rule.id}.md").read_text(encoding="utf-8")
    bad, good = _block(page, "Example"), _block(page, "Use instead")
    assert bad is not None and good is not None, "the page lacks an example"
    setup = _setup(page)
    assert rule.id in {f["rule"] for f in lint_example(tmp_path, bad, setup)}
    assert [(f["rule"], f["line"]) for f in lint_example(tmp_path, good, setup)] == []


def test_generator_writes_checks_and_prunes(tmp_path: Path) -> None:
    """``python -m pullcheck.docs DIR`` writes every page; ``--check`` finds an edited page and a
    page of a rule that no longer exists; regenerating fixes both."""
    run = [sys.executable, "-m", "pullcheck.docs"]
    res = subprocess.run([*run, str(tmp_path)], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([f"{r.id}.md" for r in RULES] + ["README.md"])
    assert subprocess.run([*run, "--check", str(tmp_path)], capture_output=True).returncode == 0

    page = tmp_path / f"{RULES[0].id}.md"
    page.write_text(page.read_text(encoding="utf-8") + "hand edit\n", encoding="utf-8")
    (tmp_path / "retired-rule.md").write_text("# retired-rule\n", encoding="utf-8")
    res = subprocess.run([*run, "--check", str(tmp_path)], capture_output=True, text=True)
    assert res.returncode == 1
    assert f"{page.name}: stale" in res.stderr and "retired-rule.md: stale" in res.stderr
    assert subprocess.run([*run, str(tmp_path)], capture_output=True).returncode == 0
    assert docs.stale(tmp_path) == [] and not (tmp_path / "retired-rule.md").exists()
