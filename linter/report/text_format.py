"""Human output: one headline per finding, a code frame with carets under the value, and a summary.

::

    deploy/app.yaml:12:16: error [invalid-image-reference] repository "Nginx" has uppercase letters
     11 |       - name: web
     12 |         image: Nginx:1.25
        |                ^^^^^^^^^^
      = helm template: web/templates/deployment.yaml
      = object: Deployment/default/web, container web
      = help: lowercase the repository

    Found 1 problem (1 error).
      1  invalid-image-reference
    1 file, 1 document (0 skipped), 1 container in 0.01s

The headline ``path:line:col: level [rule-id] message`` is fixed (editors and ``grep`` read it).
``Report.quiet`` keeps only the headlines. Colour only when ``Report.color`` is set (the CLI
decides: a TTY, ``--color``, ``NO_COLOR``); without it the text holds no escape sequence at all.
Columns count code points; the frame expands tabs and shows control characters as ``\\xNN`` so
the carets line up in the terminal and a manifest cannot write escape sequences to it.
"""

from __future__ import annotations

import io
import unicodedata
from collections import Counter
from typing import TYPE_CHECKING

from pullcheck.finding import Finding, level_rank
from pullcheck.report import Report

if TYPE_CHECKING:
    from rich.console import Console

WIDTH = 100
TAB_SIZE = 8
LEVEL_STYLES = {"error": "bold red", "warning": "bold yellow", "note": "bold cyan"}
CARET_STYLES = {"error": "red", "warning": "yellow", "note": "cyan"}
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _safe_char(ch: str) -> str:
    """A character as it may go to a terminal: control and bidi characters become escapes."""
    if ch in _BIDI or unicodedata.category(ch) == "Cc":
        code = ord(ch)
        return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"
    return ch


def clean(text: str) -> str:
    """``text`` with control characters (tab aside) shown as escapes, so it stays on one line."""
    return "".join(ch if ch == "\t" else _safe_char(ch) for ch in text)


def display_cells(line: str) -> list[str]:
    """Each character of a source line as displayed: tabs expanded to the next tab stop,
    control characters escaped. Index ``i`` is code-point column ``i + 1``."""
    from rich.cells import cell_len

    out: list[str] = []
    width = 0
    for ch in line:
        shown = " " * (TAB_SIZE - width % TAB_SIZE) if ch == "\t" else _safe_char(ch)
        out.append(shown)
        width += cell_len(shown)
    return out


def caret_line(line: str, start_col: int, end_col: int | None) -> tuple[str, str]:
    """The displayed source line and the caret string under columns ``start_col .. end_col - 1``
    (``end_col`` None: to the end of the line). At least one caret; columns past the end of the
    line count one cell each."""
    from rich.cells import cell_len

    cells = display_cells(line)
    start = max(1, start_col) - 1
    stop = len(cells) if end_col is None else max(end_col - 1, start)
    prefix = sum(cell_len(c) for c in cells[:start]) + max(0, start - len(cells))
    width = sum(cell_len(c) for c in cells[start:stop]) + max(0, stop - max(start, len(cells)))
    return "".join(cells), " " * prefix + "^" * max(1, width)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _headline(f: Finding) -> tuple[tuple[str, str], ...]:
    return (
        (f"{clean(f.path)}:{f.span.line}:{f.span.column}:", "bold"),
        (" ", ""),
        (f.level, LEVEL_STYLES.get(f.level, "bold")),
        (" ", ""),
        (f"[{f.rule}]", "dim"),
        (" ", ""),
        (clean(f.message), ""),
    )


def _frame(console: Console, f: Finding) -> None:
    from rich.text import Text

    if not f.snippet:
        return
    last = f.snippet_start + len(f.snippet) - 1
    gutter = len(str(last))
    span = f.span
    for offset, raw in enumerate(f.snippet):
        number = f.snippet_start + offset
        source = raw.rstrip("\r\n")
        if number == span.line:
            end = span.end_column if span.end_line == span.line else None
            shown, carets = caret_line(source, span.column, end)
        else:
            shown, carets = "".join(display_cells(source)), ""
        console.print(Text.assemble((f" {number:>{gutter}} | ", "blue"), shown), soft_wrap=True)
        if carets:
            console.print(
                Text.assemble((f" {'':>{gutter}} | ", "blue"), (carets, CARET_STYLES.get(f.level, "bold"))),
                soft_wrap=True,
            )


def _notes(console: Console, f: Finding) -> None:
    from rich.text import Text

    notes: list[tuple[str, str]] = []
    if f.helm_source:
        notes.append(("helm template", f.helm_source))
    if f.obj is not None:
        notes.append(("object", f"{f.obj}, container {f.container}" if f.container else str(f.obj)))
    elif f.container:
        notes.append(("container", f.container))
    for r in f.related:
        notes.append(("related", f"{r.path}:{r.span.line}:{r.span.column}: {r.message}"))
    if f.fix is not None:
        notes.append(("help", f.fix.description or f"replace with {f.fix.replacement!r}"))
    for label, value in notes:
        style = "green" if label == "help" else "blue"
        console.print(Text.assemble(("  = ", "blue"), (f"{label}:", style), " ", clean(value)), soft_wrap=True)


def _summary(console: Console, report: Report) -> None:
    from rich.table import Table
    from rich.text import Text

    findings = report.findings
    s = report.stats
    if findings:
        levels = Counter(f.level for f in findings)
        parts = ", ".join(_plural(levels[lv], lv) for lv in ("error", "warning", "note") if levels[lv])
        console.print(Text(f"Found {_plural(len(findings), 'problem')} ({parts}).", style="bold"), soft_wrap=True)
        counts = report.by_rule()
        worst: dict[str, str] = {}
        for f in findings:
            if f.rule not in worst or level_rank(f.level) > level_rank(worst[f.rule]):
                worst[f.rule] = f.level
        order = sorted(counts, key=lambda rule: (-counts[rule], rule))
        if report.statistics:
            summaries = {r.id: r.summary for r in report.rules}
            table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold", padding=(0, 2, 0, 0))
            table.add_column("Count", justify="right")
            table.add_column("Rule")
            table.add_column("Level")
            table.add_column("Summary", overflow="fold")
            for rule in order:
                level = worst[rule]
                table.add_row(
                    str(counts[rule]),
                    Text(rule, style=CARET_STYLES.get(level, "")),
                    level,
                    clean(summaries.get(rule, "")),
                )
            console.print(table)
        else:
            w = len(str(max(counts.values())))
            for rule in order:
                console.print(
                    Text.assemble(f"  {counts[rule]:>{w}}  ", (rule, CARET_STYLES.get(worst[rule], ""))),
                    soft_wrap=True,
                )
    else:
        console.print(Text(f"No problems found in {_plural(s.files, 'file')}.", style="bold green"), soft_wrap=True)
    console.print(
        f"{_plural(s.files, 'file')}, {_plural(s.documents, 'document')} ({s.skipped_documents} skipped), "
        f"{_plural(s.containers, 'container')} in {s.seconds:.2f}s",
        soft_wrap=True,
        style="dim",
    )


def make_console(color: bool, file: io.StringIO) -> Console:
    """A rich console writing to ``file``: ANSI colours when ``color``, no escape codes otherwise,
    independent of the environment (``TERM``, ``COLUMNS``, ``FORCE_COLOR``, Jupyter)."""
    from rich.console import Console

    return Console(
        file=file,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        force_jupyter=False,
        force_interactive=False,
        legacy_windows=False,
        width=WIDTH,
        tab_size=TAB_SIZE,
        markup=False,
        highlight=False,
        emoji=False,
    )


def render(report: Report) -> str:
    """The report as terminal text (see the module docstring)."""
    from rich.text import Text

    buf = io.StringIO()
    console = make_console(report.color, buf)
    for f in report.findings:
        console.print(Text.assemble(*_headline(f)), soft_wrap=True)
        if report.quiet:
            continue
        _frame(console, f)
        _notes(console, f)
        console.print()
    if not report.quiet:
        for n in report.notices:
            console.print(
                Text.assemble((f"{clean(n.path)}:", "bold"), " ", ("notice:", "cyan"), " ", clean(n.message)),
                soft_wrap=True,
            )
        if report.notices:
            console.print()
        _summary(console, report)
    return "\n".join(line.rstrip(" ") for line in buf.getvalue().split("\n"))
