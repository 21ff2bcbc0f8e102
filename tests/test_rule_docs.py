"""Every rule documents itself, and its failing example fails while its passing example passes."""

from __future__ import annotations

import textwrap

import pytest

from conftest import lint
from pullcheck.rule import Rule, all_rules, render_docs

RULES, _ = all_rules(with_plugins=False)


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_has_docs(rule: type[Rule]) -> None:
    assert rule.id and rule.name and rule.summary and rule.what and rule.why and rule.how_to_fix
    assert rule.level in ("error", "warning", "note")
    docs = render_docs(rule)
    assert docs.startswith(f"# {rule.id}\n")
    assert "## Why is this bad?" in docs


EXAMPLED = [r for r in RULES if r.bad_example]


@pytest.mark.parametrize("rule", EXAMPLED, ids=[r.id for r in EXAMPLED])
def test_examples_fail_and_pass(rule: type[Rule]) -> None:
    config = {"rules": {rule.id: "on"}}
    bad = lint(textwrap.dedent(rule.bad_example), config)
    assert rule.id in {f.rule for f in bad}
    if rule.good_example:
        good = lint(textwrap.dedent(rule.good_example), config)
        assert rule.id not in {f.rule for f in good}, [f.message for f in good]


def test_rule_ids_are_unique() -> None:
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
