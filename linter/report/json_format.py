"""Stable JSON output (``--format json``), format version 1. Documented in ``docs/json-output.md``.

One JSON object, indented, ASCII-only (non-ASCII is ``\\uXXXX``-escaped), ending in a newline.
Keys are camelCase and appear in the order below; findings keep the order the run gave them
(sorted by path, line, column, rule). Optional values are ``null``, never missing.

``version`` (int)
    Format version, ``1``. Fields may be added within a version; none is renamed or removed.
``tool`` (object)
    ``name`` (``"pullcheck"``), ``version`` (the package version).
``findings`` (array of objects), each:
    ``rule`` (str) rule id; ``level`` (``"error"`` | ``"warning"`` | ``"note"``); ``message`` (str);
    ``path`` (str) the file as displayed: relative to the working directory when inside it,
    else absolute, ``"<stdin>"`` for standard input; ``line``, ``column``, ``endLine``,
    ``endColumn`` (int, 1-based, columns in Unicode code points, ``endColumn`` exclusive);
    ``document`` (int) 0-based index of the YAML document in the file;
    ``object`` (``{kind, namespace, name}`` or null; ``namespace`` may be null for
    cluster-scoped objects); ``container`` (str | null); ``field`` (str | null) field path such
    as ``spec.template.spec.containers[0].image``; ``image`` (str | null) the image as written;
    ``helmSource`` (str | null) the Helm template from a ``# Source:`` comment;
    ``fix`` (``{replacement, description}`` or null) replace exactly ``line:column`` ..
    ``endLine:endColumn`` with ``replacement``; ``related`` (array of ``{path, line, column,
    endLine, endColumn, message}``) other places that matter; ``fingerprint`` (str) a stable
    key that survives lines moving (what ``--baseline`` matches).
``notices`` (array of ``{path, message}``)
    Paths that were not linted and why.
``errors`` (array of str)
    Internal errors (a rule that raised, a plug-in that did not load; the run exits 2): the
    findings of what failed are missing. Empty in a complete run.
``stats`` (object)
    ``files``, ``documents``, ``skippedDocuments``, ``resources``, ``containers`` (int) and
    ``seconds`` (float, wall time rounded to milliseconds).
``summary`` (object)
    ``total`` (int); ``byRule`` (object rule id -> count, keys sorted; rules without findings are
    absent); ``byLevel`` (object with exactly the keys ``error``, ``warning``, ``note``).
"""

from __future__ import annotations

from typing import Any

from pullcheck.finding import LEVELS, Finding, Span
from pullcheck.report import Output, Report, write_json

FORMAT_VERSION = 1
_FINDINGS = "\x00findings\x00"  # where write splices in the findings (no path or message holds a NUL)
TOOL_NAME = "pullcheck"


def _position(span: Span) -> dict[str, int]:
    return {"line": span.line, "column": span.column, "endLine": span.end_line, "endColumn": span.end_column}


def finding_dict(finding: Finding) -> dict[str, Any]:
    """One finding as the documented JSON object."""
    obj = finding.obj
    return {
        "rule": finding.rule,
        "level": finding.level,
        "message": finding.message,
        "path": finding.path,
        **_position(finding.span),
        "document": finding.doc,
        "object": None if obj is None else {"kind": obj.kind, "namespace": obj.namespace, "name": obj.name},
        "container": finding.container,
        "field": finding.field,
        "image": finding.image,
        "helmSource": finding.helm_source,
        "fix": None
        if finding.fix is None
        else {"replacement": finding.fix.replacement, "description": finding.fix.description},
        "related": [{"path": r.path, **_position(r.span), "message": r.message} for r in finding.related],
        "fingerprint": finding.fingerprint,
    }


def build(report: Report, findings: bool = True) -> dict[str, Any]:
    """The whole report as the documented JSON-ready dict (``findings=False``: a placeholder string
    for the findings array, which ``write`` encodes one finding at a time)."""
    by_rule = report.by_rule()
    by_level = {level: 0 for level in reversed(LEVELS)}
    for f in report.findings:
        by_level[f.level] = by_level.get(f.level, 0) + 1
    s = report.stats
    return {
        "version": FORMAT_VERSION,
        "tool": {"name": TOOL_NAME, "version": report.version},
        "findings": [finding_dict(f) for f in report.findings] if findings else _FINDINGS,
        "notices": [{"path": n.path, "message": n.message} for n in report.notices],
        "errors": list(report.errors),
        "stats": {
            "files": s.files,
            "documents": s.documents,
            "skippedDocuments": s.skipped_documents,
            "resources": s.resources,
            "containers": s.containers,
            "seconds": round(s.seconds, 3),
        },
        "summary": {
            "total": len(report.findings),
            "byRule": {rule: by_rule[rule] for rule in sorted(by_rule)},
            "byLevel": by_level,
        },
    }


def write(report: Report, out: Output) -> None:
    """Write the report as the documented JSON document (see the module docstring) to ``out``: the
    text of ``json.dumps(build(report), indent=2)``, encoded and written one finding at a time (the
    whole text of 13,000 findings at once took 35 MB)."""
    # an element of the top-level "findings" array sits two levels deep
    write_json(out, build(report, findings=False), _FINDINGS, map(finding_dict, report.findings), 2)
