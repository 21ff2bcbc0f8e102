"""Reporters: pure functions from findings plus rule metadata to text in one output format,
returned as a string or written to a text stream."""

from __future__ import annotations

import importlib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from pullcheck.finding import Finding, Level
from pullcheck.sources import Notice

FORMATS = ("text", "json", "sarif", "github")
INFORMATION_URI = "https://github.com/pullcheck/pullcheck"
DOCS_URI = INFORMATION_URI + "/blob/main/docs/rules/{id}.md"


@dataclass(frozen=True, slots=True)
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


@dataclass(slots=True)
class Stats:
    """Counts of what a run looked at."""

    files: int = 0
    documents: int = 0
    skipped_documents: int = 0
    resources: int = 0
    containers: int = 0
    seconds: float = 0.0


@dataclass(slots=True)
class Report:
    """Everything an output format needs about one run."""

    findings: list[Finding]
    rules: list[RuleInfo]
    stats: Stats = field(default_factory=Stats)
    notices: list[Notice] = field(default_factory=list)
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


class Output(Protocol):
    """Where ``write`` sends a report: anything with ``write(text)`` (a text file, ``io.StringIO``)."""

    def write(self, text: str, /) -> object:
        """Take the next piece of the report."""


def _module(fmt: str) -> Any:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    return importlib.import_module(f"pullcheck.report.{fmt}_format")


def render(fmt: str, report: Report) -> str:
    """Render a report in one of FORMATS (each format lives in its own module)."""
    return str(_module(fmt).render(report))


def write(fmt: str, report: Report, out: Output) -> None:
    """Write a report in one of FORMATS to ``out`` piece by piece: the text of ``render``, never
    held whole (17 MB at 13,000 findings, and as much again encoded)."""
    _module(fmt).write(report, out)
