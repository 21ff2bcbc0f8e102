"""Engine behaviour: a crashing rule is reported and does not hide other findings; redaction."""

from __future__ import annotations

from conftest import Boom
from pullcheck.config import Config
from pullcheck.engine import Engine, RunOptions, redact
from pullcheck.rule import all_rules
from pullcheck.sources import Source


def test_crashing_rule_is_reported_and_others_still_run() -> None:
    rules, _ = all_rules(with_plugins=False)
    engine = Engine(Config(), [*rules, Boom], RunOptions(jobs=1))
    text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a, image: nginx}]\n"
    findings, _ = engine.run([Source("p.yaml", None, text)])
    assert [(f.rule, f.span.line, f.span.column) for f in findings] == [("missing-image-tag", 5, 33)]
    assert engine.errors == ["internal error: rule boom (pullcheck) failed on p.yaml:1: RuntimeError: kaboom"]


def test_redact_hides_values_but_keeps_structure() -> None:
    assert redact("  .dockerconfigjson: eyJhdXRocyI6e319") == "  .dockerconfigjson: <redacted>"
    assert redact("type: kubernetes.io/dockerconfigjson") == "type: kubernetes.io/dockerconfigjson"
    assert redact("    eyJhdXRocyI6e319") == "    <redacted>"
    assert redact("  name: regcred") == "  name: regcred"
