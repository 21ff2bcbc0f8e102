"""Reporters: pure functions from findings plus rule metadata to text in one output format,
returned as a string or written to a text stream."""

from __future__ import annotations

import importlib
import io
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol

from pullcheck.finding import Finding, Level
from pullcheck.records import field, record
from pullcheck.sources import Notice

FORMATS = ("text", "json", "sarif", "github")
INFORMATION_URI = "https://github.com/pullcheck/pullcheck"
DOCS_URI = INFORMATION_URI + "/blob/main/docs/rules/{id}.md"


@record(frozen=True)
class RuleInfo:
    """What a reporter may know about a rule: its metadata and docs, never its code."""

    id: str
    name: str
    summary: str
    default_level: Level
    level: Level | None
    tags: tuple[str, ...]
    precision: str
    security_severity: float | None
    description: str
    help_markdown: str
    help_text: str
    origin: str = "pullcheck"

    @property
    def help_uri(self) -> str:
        """The rule's documentation page."""
        return DOCS_URI.format(id=self.id)


@record
class Stats:
    """Counts of what a run looked at."""

    files: int = 0
    documents: int = 0
    skipped_documents: int = 0
    resources: int = 0
    containers: int = 0
    seconds: float = 0.0


@record
class Report:
    """Everything an output format needs about one run."""

    findings: list[Finding]
    rules: list[RuleInfo]
    stats: Stats = field(default_factory=Stats)
    notices: list[Notice] = field(default_factory=list)
    # internal errors (a rule that raised, a plug-in that did not load): findings may be missing
    errors: list[str] = field(default_factory=list)
    root: Path = field(default_factory=Path.cwd)
    cwd: Path = field(default_factory=Path.cwd)
    version: str = "0.0.0"
    color: bool = False
    quiet: bool = False
    statistics: bool = False
    automation_id: str = "pullcheck/"

    def by_rule(self) -> Counter[str]:
        """Number of findings per rule id."""
        return Counter(f.rule for f in self.findings)


def plural(n: int, word: str) -> str:
    """``1 file``, ``2 files``: a count and its noun, for summaries."""
    return f"{n} {word}{'' if n == 1 else 's'}"


class Output(Protocol):
    """Where ``write`` sends a report: anything with ``write(text)`` (a text file, ``io.StringIO``)."""

    def write(self, text: str, /) -> object:
        """Take the next piece of the report."""


def _module(fmt: str) -> Any:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    return importlib.import_module(f"pullcheck.report.{fmt}_format")


def render(fmt: str, report: Report) -> str:
    """A report in one of FORMATS as one string: what ``write`` sends, collected."""
    buf = io.StringIO()
    write(fmt, report, buf)
    return buf.getvalue()


def write(fmt: str, report: Report, out: Output) -> None:
    """Write a report in one of FORMATS to ``out`` piece by piece (each format lives in its own
    module): 17 MB of JSON at 13,000 findings, and as much again encoded, is never held whole."""
    _module(fmt).write(report, out)


def write_json(out: Output, doc: dict[str, Any], placeholder: str, items: Iterable[Any], level: int) -> None:
    """Write ``json.dumps(doc, indent=2)`` where the array standing at ``placeholder`` in ``doc`` is
    ``items``, each encoded and written as it comes (the text is the same as with the whole list in
    ``doc``); ``level`` is how deep the array's elements are nested (two spaces a level)."""
    from pullcheck.report.jsontext import dumps

    head, tail = dumps(doc).split(dumps(placeholder), 1)
    out.write(head)
    pad = "\n" + "  " * level
    sep, empty = "[" + pad, True
    for item in items:
        out.write(sep)
        out.write(dumps(item, level))
        sep, empty = "," + pad, False
    out.write(("[]" if empty else "\n" + "  " * (level - 1) + "]") + tail + "\n")
