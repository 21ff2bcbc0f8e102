"""Every rule documents itself, and its failing example fails while its passing example passes."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import lint_example
from pullcheck.examples import example_setup
from pullcheck.rule import Rule, all_rules, render_docs

RULES, _ = all_rules(with_plugins=False)


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_has_docs(rule: type[Rule]) -> None:
    assert rule.id and rule.name and rule.summary and rule.what and rule.why and rule.how_to_fix
    assert rule.level in ("error", "warning", "note")
    docs = render_docs(rule)
    assert docs.startswith(f"# {rule.id}\n")
    assert "## Why is this bad?" in docs


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_examples_fail_and_pass(rule: type[Rule], tmp_path: Path) -> None:
    """Every rule has both examples; linted with its example setup, only the failing one reports it."""
    assert rule.bad_example and rule.good_example
    setup = example_setup(rule)
    bad = lint_example(tmp_path, rule.bad_example, setup)
    assert rule.id in {f["rule"] for f in bad}
    good = lint_example(tmp_path, rule.good_example, setup)
    assert rule.id not in {f["rule"] for f in good}, [f["message"] for f in good]


def test_example_setup_is_the_config_and_files_the_page_shows() -> None:
    """registry-not-allowed needs its allowlist, pin-digest its inventory and to be switched on."""
    by_id = {r.id: r for r in RULES}
    assert example_setup(by_id["registry-not-allowed"]) == {
        ".pullcheck.yaml": "registries:\n  allowed:\n    - registry.example.com\n    - ghcr.io/acme/*\n"
        "  public:\n    - registry.example.com\n"
    }
    pin = example_setup(by_id["pin-digest"])
    assert pin[".pullcheck.yaml"] == (
        "inventory:\n  - inventory.yaml\nregistries:\n  public:\n    - registry.example.com\nrules:\n  pin-digest: on\n"
    )
    assert pin["inventory.yaml"].startswith("version: 1\ncovers:")
    assert example_setup(by_id["latest-tag"]) == {}
    page = render_docs(by_id["registry-not-allowed"])
    assert (
        "## Example setup\n\nThe examples below are linted with these files beside them:\n\n```yaml\n# .pullcheck.yaml\nregistries:\n"
        in page
    )
    assert page.index("## Example setup") < page.index("## Example\n") < page.index("## Use instead")


@pytest.mark.parametrize(
    ("rule_id", "expected"),
    [
        ("registry-not-allowed", [("registry-not-allowed", 8, 14)]),
        ("unknown-image-tag", [("unknown-image-tag", 8, 14), ("unknown-image-tag", 10, 14)]),
        ("pin-digest", [("pin-digest", 8, 14)]),
        ("input-error", [("input-error", 1, 1)]),
    ],
)
def test_examples_that_need_a_setup_report_exactly_there(
    rule_id: str, expected: list[tuple[str, int, int]], tmp_path: Path
) -> None:
    """Lines and columns as in the published example (line 1 is its ``apiVersion``)."""
    rule = next(r for r in RULES if r.id == rule_id)
    bad = lint_example(tmp_path, rule.bad_example, example_setup(rule))
    assert [(f["rule"], f["line"], f["column"]) for f in bad if f["rule"] == rule_id] == expected


def test_rule_ids_are_unique() -> None:
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
