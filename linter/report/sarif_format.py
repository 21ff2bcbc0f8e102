"""SARIF 2.1.0 output, valid against the official schema and shaped for GitHub code scanning.

What GitHub needs (see ``shared/reference/sarif-github.md``) and how this module meets it:

* ``$schema`` + ``version: "2.1.0"``; exactly one run; a ``results`` array even when it is empty.
* ``tool.driver``: ``pullcheck``, ``version``, ``semanticVersion`` (only when the version is
  SemVer), ``informationUri`` and ``rules``: every rule that ran (``RuleInfo.level`` not None),
  plus a minimal descriptor for any rule a finding names that is not among them, so every result
  has a ``ruleIndex``. Each rule has non-empty ``shortDescription``/``fullDescription`` (at most
  1024 characters), ``help.text`` and ``help.markdown`` (both carry the documentation link,
  because GitHub does not promise to show ``helpUri``), ``helpUri``, ``defaultConfiguration.level``
  (the effective level), and ``properties``: ``tags`` (distinct, at most 10), ``precision``,
  ``problem.severity`` and, for security rules only, ``security-severity`` as a *string*.
* each result: ``ruleId``, ``ruleIndex``, ``level``, ``message.text``, exactly one location with a
  repository-root-relative, ``/``-separated, percent-encoded ``uri`` + ``uriBaseId: "%SRCROOT%"``
  and a 1-based ``region`` equal to the finding's span (``endColumn`` exclusive), plus
  ``logicalLocations`` for the Kubernetes object and container.
* ``partialFingerprints`` under our own key ``pullcheck/v1``; never ``primaryLocationLineHash``
  (the ``upload-sarif`` action computes that one itself from the checked-out file).
* ``relatedLocations`` with ids ``1..n``; the message then ends with SARIF embedded links
  ``[text](n)`` and, because it has links, literal ``\\``, ``[`` and ``]`` in it are escaped with a
  backslash (SARIF §3.11.6; the convention CodeQL and its viewers use).
* ``fixes`` for findings with a certain fix: one replacement of exactly the finding's region.
* ``originalUriBaseIds.%SRCROOT%`` = ``file://`` URI of the repository root, ending in ``/``;
  ``automationDetails.id`` = ``Report.automation_id`` (GitHub's category); ``columnKind`` =
  ``unicodeCodePoints`` (our columns count code points); ``invocations`` with
  ``executionSuccessful`` (false when a rule raised or a plug-in did not load), the skipped paths
  and those internal errors as ``toolExecutionNotifications``.
* at most 25,000 results (GitHub rejects more): the most severe are kept and a notification says so.

Paths: a finding's path is relative to ``Report.cwd`` or absolute. A file inside ``Report.root``
gets a relative URI with ``uriBaseId``; a file outside it gets an absolute ``file://`` URI (GitHub
cannot map it to the repository either way); standard input gets the relative URI ``stdin``
without ``uriBaseId`` (see ``artifact_location``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import quote

from pullcheck.finding import Finding, Related, Span, level_rank
from pullcheck.report import INFORMATION_URI, Output, Report, RuleInfo, write_json

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
TOOL_NAME = "pullcheck"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "pullcheck/v1"
STDIN_URI = "stdin"
MAX_RESULTS = 25_000
MAX_TAGS = 10
MAX_DESCRIPTION = 1024
MAX_NAME = 255
PRECISIONS = frozenset({"very-high", "high", "medium", "low"})
PROBLEM_SEVERITY = {"error": "error", "warning": "warning", "note": "recommendation"}
_RESULTS = "\x00results\x00"  # where write splices in the results (no path or message holds a NUL)

_SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)
# ``[text](target)`` as a SARIF consumer would read it; used to decide whether a message without
# links of ours still needs escaping.
_LINK_LIKE = re.compile(r"\[[^\]]*\]\([^)]*\)")


def is_stdin(path: str) -> bool:
    """Whether a finding path stands for standard input rather than a file."""
    return path in ("<stdin>", "-")


def locate(path: str, report: Report) -> tuple[str, str] | None:
    """Where ``path`` lies: ``("relative", posix path from the root)``, ``("absolute", posix path)``
    for a file outside ``report.root``, or None for standard input.

    Purely lexical (``normpath``): reporters do no file IO, so symlinks are not resolved here;
    the sources stage hands us real paths below the (resolved) root.
    """
    if is_stdin(path):
        return None
    cwd = Path(os.path.normpath(report.cwd))
    p = PurePath(path)
    absolute = Path(os.path.normpath(p if p.is_absolute() else cwd / p))
    root = Path(os.path.normpath(report.root if Path(report.root).is_absolute() else cwd / report.root))
    try:
        rel = absolute.relative_to(root)
    except ValueError:
        return ("absolute", absolute.as_posix())
    return ("relative", rel.as_posix())


def root_relative(path: str, report: Report) -> str:
    """``path`` relative to the repository root with ``/`` separators when inside it, else absolute
    (POSIX); ``<stdin>`` is returned unchanged."""
    where = locate(path, report)
    return path if where is None else where[1]


def artifact_location(path: str, report: Report) -> dict[str, Any]:
    """The SARIF ``artifactLocation`` of a finding path.

    Standard input has no file in the repository: it gets the relative URI ``stdin`` *without*
    ``uriBaseId``, so it is schema-valid, cannot be confused with a file under ``%SRCROOT%``,
    and the ``upload-sarif`` action simply finds no file to fingerprint. A file outside the
    root gets an absolute ``file://`` URI (relative URIs must not climb out with ``..``).
    """
    where = locate(path, report)
    if where is None:
        return {"uri": STDIN_URI, "description": {"text": "standard input"}}
    kind, value = where
    if kind == "absolute":
        return {"uri": Path(value).as_uri()}
    return {"uri": quote(value, safe="/", errors="surrogateescape"), "uriBaseId": SRCROOT}


def root_uri(report: Report) -> str:
    """``file://`` URI of the repository root, always ending in ``/`` (SARIF §3.14.14)."""
    root = Path(report.root)
    if not root.is_absolute():
        root = Path(report.cwd) / root
    uri = Path(os.path.normpath(root)).as_uri()
    return uri if uri.endswith("/") else uri + "/"


def region(span: Span) -> dict[str, int]:
    """A SARIF region equal to ``span``: 1-based, ``endColumn`` exclusive, never inverted."""
    start_line = max(1, span.line)
    start_col = max(1, span.column)
    end_line = max(start_line, span.end_line)
    end_col = max(1, span.end_column)
    if end_line == start_line:
        end_col = max(start_col, end_col)
    return {"startLine": start_line, "startColumn": start_col, "endLine": end_line, "endColumn": end_col}


def escape_text(text: str) -> str:
    """Escape ``\\``, ``[`` and ``]`` so a SARIF consumer reads them literally, not as a link."""
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


def message_text(finding: Finding) -> str:
    """The result message: the finding's message, plus embedded links to its related locations.

    Links are ``[text](id)`` with the relatedLocation ids ``1..n``. When there are links, the
    whole text is escaped (link text must be); without links the message is left as written
    unless it contains something a consumer would parse as a link.
    """
    msg = finding.message
    if not finding.related:
        return escape_text(msg) if _LINK_LIKE.search(msg) else msg
    links = ", ".join(
        f"[{escape_text(r.message or 'related location')}]({i})" for i, r in enumerate(finding.related, 1)
    )
    return f"{escape_text(msg)} (related: {links})"


def _clip(text: str, limit: int) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


def _doc_uri(rule: RuleInfo) -> str | None:
    # DOCS_URI points into our repository: only our own rules have a page there.
    return rule.help_uri if rule.origin == "pullcheck" else None


def _security_severity(value: float | None) -> str | None:
    """GitHub wants a string holding a number in (0.0, 10.0]; anything else means 'not security'."""
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if not 0.0 < number <= 10.0:
        return None
    return f"{number:.1f}"


def rule_descriptor(rule: RuleInfo, level: str) -> dict[str, Any]:
    """A ``reportingDescriptor`` for one rule, with ``level`` as its default configuration."""
    short = _clip(rule.summary or rule.name or rule.id, MAX_DESCRIPTION)
    full = _clip(rule.description or short, MAX_DESCRIPTION)
    uri = _doc_uri(rule)
    help_text = (rule.help_text or full).strip()
    help_md = (rule.help_markdown or help_text).strip()
    if uri:
        if uri not in help_text:
            help_text += f"\n\nDocumentation: {uri}"
        if uri not in help_md:
            help_md += f"\n\n[Documentation]({uri})"
    tags: list[str] = []
    severity = _security_severity(rule.security_severity)
    for tag in (("security",) if severity else ()) + tuple(rule.tags):
        if tag and tag not in tags:
            tags.append(tag)
    props: dict[str, Any] = {"tags": tags[:MAX_TAGS]}
    if rule.precision in PRECISIONS:
        props["precision"] = rule.precision
    props["problem.severity"] = PROBLEM_SEVERITY.get(level, "warning")
    if severity:
        props["security-severity"] = severity
    if rule.origin != "pullcheck":
        props["origin"] = rule.origin
    descriptor: dict[str, Any] = {
        "id": rule.id,
        "name": _clip(rule.name or rule.id, MAX_NAME),
        "shortDescription": {"text": short},
        "fullDescription": {"text": full},
        "help": {"text": help_text, "markdown": help_md},
    }
    if uri:
        descriptor["helpUri"] = uri
    descriptor["defaultConfiguration"] = {"level": level}
    descriptor["properties"] = props
    return descriptor


def _fallback_rule(rule_id: str, known: RuleInfo | None, level: str) -> dict[str, Any]:
    """A descriptor for a rule a finding names but that did not 'run' (level None or unknown)."""
    if known is not None:
        return rule_descriptor(known, level)
    text = f"Findings of rule {rule_id}."
    return {
        "id": rule_id,
        "name": _clip(rule_id, MAX_NAME),
        "shortDescription": {"text": text},
        "fullDescription": {"text": text},
        "help": {"text": text, "markdown": text},
        "defaultConfiguration": {"level": level},
        "properties": {"tags": [], "problem.severity": PROBLEM_SEVERITY.get(level, "warning")},
    }


def _logical_locations(finding: Finding) -> list[dict[str, Any]]:
    if finding.obj is None:
        return []
    obj = str(finding.obj)
    out: list[dict[str, Any]] = [{"name": finding.obj.name, "fullyQualifiedName": obj, "kind": "object"}]
    if finding.container:
        out.append({"name": finding.container, "fullyQualifiedName": f"{obj}/{finding.container}", "kind": "object"})
    return out


def _related(related: Related, index: int, report: Report) -> dict[str, Any]:
    return {
        "id": index,
        "physicalLocation": {
            "artifactLocation": artifact_location(related.path, report),
            "region": region(related.span),
        },
        "message": {"text": related.message or "related location"},
    }


def result(finding: Finding, rule_index: int, report: Report) -> dict[str, Any]:
    """The SARIF ``result`` of one finding."""
    artifact = artifact_location(finding.path, report)
    reg = region(finding.span)
    location: dict[str, Any] = {"physicalLocation": {"artifactLocation": artifact, "region": reg}}
    logical = _logical_locations(finding)
    if logical:
        location["logicalLocations"] = logical
    out: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": finding.level,
        "message": {"text": message_text(finding)},
        "locations": [location],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
    }
    if finding.related:
        out["relatedLocations"] = [_related(r, i, report) for i, r in enumerate(finding.related, 1)]
    if finding.fix is not None:
        out["fixes"] = [
            {
                "description": {"text": finding.fix.description or "Apply the suggested replacement."},
                "artifactChanges": [
                    {
                        "artifactLocation": dict(artifact),
                        "replacements": [
                            {"deletedRegion": dict(reg), "insertedContent": {"text": finding.fix.replacement}}
                        ],
                    }
                ],
            }
        ]
    props = {
        "object": str(finding.obj) if finding.obj is not None else None,
        "container": finding.container,
        "field": finding.field,
        "image": finding.image,
        "helmSource": finding.helm_source,
    }
    props = {k: v for k, v in props.items() if v is not None}
    if props:
        out["properties"] = props
    return out


def _notification(path: str, message: str, report: Report, level: str = "note") -> dict[str, Any]:
    note: dict[str, Any] = {"level": level, "message": {"text": f"{path}: {message}" if path else message}}
    if path:
        note["locations"] = [{"physicalLocation": {"artifactLocation": artifact_location(path, report)}}]
    return note


def _plan(report: Report) -> tuple[list[dict[str, Any]], dict[str, int], list[Finding], list[dict[str, Any]]]:
    """The rule descriptors, rule indices, findings kept (at most MAX_RESULTS) and notifications."""
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    for info in report.rules:
        if info.level is None or info.id in index:
            continue
        index[info.id] = len(rules)
        rules.append(rule_descriptor(info, info.level))
    by_id = {info.id: info for info in report.rules}

    findings = list(report.findings)
    notes: list[dict[str, Any]] = [_notification(n.path, n.message, report) for n in report.notices]
    notes += [_notification("", e, report, "error") for e in report.errors]
    if len(findings) > MAX_RESULTS:
        # Keep the most severe, in the given order otherwise; say how many were dropped.
        keep = sorted(range(len(findings)), key=lambda i: -level_rank(findings[i].level))[:MAX_RESULTS]
        dropped = len(findings) - MAX_RESULTS
        findings = [findings[i] for i in sorted(keep)]
        notes.append(
            _notification(
                "",
                f"{dropped} of {len(report.findings)} results were left out: GitHub code scanning accepts "
                f"at most {MAX_RESULTS} results per run. Use another output format to see them all.",
                report,
                "warning",
            )
        )
    for finding in findings:
        if finding.rule not in index:
            index[finding.rule] = len(rules)
            rules.append(_fallback_rule(finding.rule, by_id.get(finding.rule), finding.level))
    return rules, index, findings, notes


def _log(report: Report, rules: list[dict[str, Any]], notes: list[dict[str, Any]], results: Any) -> dict[str, Any]:
    """The SARIF log around ``results`` (a list, or the placeholder ``write`` splices results into)."""
    driver: dict[str, Any] = {"name": TOOL_NAME, "version": report.version}
    if _SEMVER.match(report.version):
        driver["semanticVersion"] = report.version
    driver["informationUri"] = INFORMATION_URI
    driver["rules"] = rules

    # A rule that raised or a plug-in that did not load left results out: code scanning must not
    # read their absence as alerts fixed.
    invocation: dict[str, Any] = {"executionSuccessful": not report.errors}
    if notes:
        invocation["toolExecutionNotifications"] = notes

    run: dict[str, Any] = {"tool": {"driver": driver}}
    if report.automation_id:
        run["automationDetails"] = {"id": report.automation_id}
    run["originalUriBaseIds"] = {SRCROOT: {"uri": root_uri(report)}}
    run["columnKind"] = "unicodeCodePoints"
    run["invocations"] = [invocation]
    run["results"] = results
    return {"$schema": SCHEMA_URI, "version": SARIF_VERSION, "runs": [run]}


def build(report: Report) -> dict[str, Any]:
    """The SARIF log of a report as a JSON-ready dict."""
    rules, index, findings, notes = _plan(report)
    return _log(report, rules, notes, [result(f, index[f.rule], report) for f in findings])


def write(report: Report, out: Output) -> None:
    """Write the report as a SARIF 2.1.0 log (indented JSON, ASCII-safe, trailing newline) to
    ``out``, the results encoded and written one at a time instead of all held at once."""
    rules, index, findings, notes = _plan(report)
    results = (result(f, index[f.rule], report) for f in findings)
    write_json(out, _log(report, rules, notes, _RESULTS), _RESULTS, results, 4)  # runs[0].results: 4 levels deep
