"""GitHub Actions workflow commands: one ``::error``/``::warning``/``::notice`` annotation per finding.

``::error file=deploy/app.yaml,line=12,col=16,endLine=12,endColumn=25,title=pullcheck latest-tag::message``

* ``file`` is relative to the repository root with ``/`` separators (the Actions runner resolves
  it against the workspace); standard input has no file, so ``file`` is left out and the message
  starts with ``<stdin>:line:col:``.
* ``col``/``endColumn`` are given only for single-line spans: the runner rejects them when
  ``line`` and ``endLine`` differ. ``endColumn`` is exclusive, like our spans.
* Escaping as ``@actions/core`` does it: in the message ``%``, ``\\r``, ``\\n`` become ``%25``,
  ``%0D``, ``%0A``; in property values ``:`` and ``,`` also become ``%3A`` and ``%2C``.
* A final ``::notice`` with the totals, because GitHub shows only the first 10 annotations of
  each type per step; nothing is printed for a clean run.
"""

from __future__ import annotations

from pullcheck.finding import Finding
from pullcheck.report import Output, Report, plural

COMMANDS = {"error": "error", "warning": "warning", "note": "notice"}


def escape_data(text: str) -> str:
    """Escape a workflow command's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command's property value."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: Finding, report: Report) -> str:
    """The workflow command for one finding (without the newline)."""
    from pullcheck.report.sarif_format import is_stdin, root_relative

    span = finding.span
    line = max(1, span.line)
    end_line = max(line, span.end_line)
    props: list[tuple[str, str]] = []
    message = finding.message
    if is_stdin(finding.path):
        message = f"{finding.path}:{span.line}:{span.column}: {message}"
    else:
        props.append(("file", root_relative(finding.path, report)))
    props += [("line", str(line))]
    if end_line == line:
        col = max(1, span.column)
        props += [("col", str(col)), ("endLine", str(end_line)), ("endColumn", str(max(col, span.end_column)))]
    else:
        props += [("endLine", str(end_line))]
    props.append(("title", f"pullcheck {finding.rule}"))
    command = COMMANDS.get(finding.level, "warning")
    joined = ",".join(f"{k}={escape_property(v)}" for k, v in props)
    return f"::{command} {joined}::{escape_data(message)}"


def write(report: Report, out: Output) -> None:
    """Write every finding as a workflow command, then one summary notice (nothing when clean)."""
    for f in report.findings:
        out.write(annotation(f, report) + "\n")
    if report.findings:
        counts = {level: sum(1 for f in report.findings if f.level == level) for level in ("error", "warning", "note")}
        parts = ", ".join(plural(n, level) for level, n in counts.items() if n)
        summary = f"{plural(len(report.findings), 'problem')} ({parts}) in {plural(report.stats.files, 'file')}"
        out.write(f"::notice title={escape_property('pullcheck summary')}::{escape_data(summary)}\n")
