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
decides: a TTY, ``--color``, ``NO_COLOR``); without it the text holds no escape sequence at all,
and is written without loading rich (``PlainWriter``: rich's output, byte for byte, at a fraction of
the start-up cost), except for the ``--statistics`` table.
Columns count code points; the frame expands tabs and shows control characters as ``\\xNN`` so
the carets line up in the terminal and a manifest cannot write escape sequences to it.
"""

from __future__ import annotations

import io
import unicodedata
from collections import Counter
from typing import TYPE_CHECKING

from pullcheck.finding import Finding, level_rank
from pullcheck.report import Output, Report, plural

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

WIDTH = 100
TAB_SIZE = 8
# A frame shows at most this many characters of a source line (minified JSON, a 10 MB image):
# a window that starts a little before the offending value, with "..." where it was cut.
FRAME_CHARS = 160
FRAME_LEAD = 40
ELLIPSIS = "…"
LEVEL_STYLES = {"error": "bold red", "warning": "bold yellow", "note": "bold cyan"}
CARET_STYLES = {"error": "red", "warning": "yellow", "note": "cyan"}
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_RICH_STRIPPED = dict.fromkeys((7, 8, 11, 12, 13))  # control codes rich drops from any text it prints

Piece = tuple[str, str]  # a run of text and its rich style ("" for none)


def _safe_char(ch: str) -> str:
    """A character as it may go to a terminal: control and bidi characters become escapes."""
    if ch in _BIDI or unicodedata.category(ch) == "Cc":
        code = ord(ch)
        return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"
    return ch


def clean(text: str) -> str:
    """``text`` with control characters (tab aside) shown as escapes, so it stays on one line."""
    return "".join(ch if ch == "\t" else _safe_char(ch) for ch in text)


def cell_len(text: str) -> int:
    """Terminal cells ``text`` takes, as rich counts them (rich is imported only for non-ASCII text)."""
    if text.isascii() and text.isprintable():
        return len(text)
    from rich.cells import cell_len as rich_cell_len

    return rich_cell_len(text)


def display_cells(line: str) -> list[str]:
    """Each character of a source line as displayed: tabs expanded to the next tab stop,
    control characters escaped. Index ``i`` is code-point column ``i + 1``."""
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
    cells = display_cells(line)
    start = max(1, start_col) - 1
    stop = len(cells) if end_col is None else max(end_col - 1, start)
    prefix = sum(cell_len(c) for c in cells[:start]) + max(0, start - len(cells))
    width = sum(cell_len(c) for c in cells[start:stop]) + max(0, stop - max(start, len(cells)))
    return "".join(cells), " " * prefix + "^" * max(1, width)


def expand_tabs(line: str) -> str:
    """A printed line with each tab widened to the next tab stop, counted in cells as rich does."""
    if "\t" not in line:
        return line
    parts = line.split("\t")
    out: list[str] = []
    width = 0
    for part in parts[:-1]:
        width += cell_len(part) + 1
        pad = -width % TAB_SIZE
        width += pad
        out.append(part + " " * (1 + pad))
    out.append(parts[-1])
    return "".join(out)


class PlainWriter:
    """Writes lines of styled pieces as plain text to ``out`` as they come, exactly as rich prints
    them without colour (trailing spaces dropped)."""

    def __init__(self, out: Output) -> None:
        self.out = out

    def line(self, *pieces: Piece) -> None:
        """One printed line (a newline inside it starts another, as in rich)."""
        text = "".join(t for t, _ in pieces).translate(_RICH_STRIPPED)
        self.out.write("".join(expand_tabs(part).rstrip(" ") + "\n" for part in text.split("\n")))

    def table(self, table: Table) -> None:
        """A rich table, printed without colour."""
        buf = io.StringIO()
        make_console(False, buf).print(table)
        self.out.write("".join(part.rstrip(" ") + "\n" for part in buf.getvalue().split("\n")[:-1]))

    def close(self) -> None:
        """Nothing is held back."""


class RichWriter:
    """Writes lines of styled pieces through a rich console, in colour, to ``out`` when closed."""

    def __init__(self, out: Output) -> None:
        self.out = out
        self.buffer = io.StringIO()
        self.console = make_console(True, self.buffer)

    def line(self, *pieces: Piece) -> None:
        """One printed line in the pieces' styles."""
        from rich.text import Text

        self.console.print(Text.assemble(*pieces), soft_wrap=True)

    def table(self, table: Table) -> None:
        """A rich table."""
        self.console.print(table)

    def close(self) -> None:
        """Write everything printed, without trailing spaces."""
        self.out.write("\n".join(line.rstrip(" ") for line in self.buffer.getvalue().split("\n")))


Writer = PlainWriter | RichWriter


def _headline(f: Finding) -> tuple[Piece, ...]:
    return (
        (f"{clean(f.path)}:{f.span.line}:{f.span.column}:", "bold"),
        (" ", ""),
        (f.level, LEVEL_STYLES.get(f.level, "bold")),
        (" ", ""),
        (f"[{f.rule}]", "dim"),
        (" ", ""),
        (clean(f.message), ""),
    )


def clip(line: str, start_col: int, end_col: int | None) -> tuple[str, int, int | None]:
    """A window of at most FRAME_CHARS characters of ``line`` around ``start_col`` (1-based), with an
    ellipsis at each cut, and the columns moved to match; short lines come back as they are."""
    if len(line) <= FRAME_CHARS:
        return line, start_col, end_col
    first = min(max(0, start_col - 1 - FRAME_LEAD), len(line) - FRAME_CHARS)
    last = first + FRAME_CHARS
    head = ELLIPSIS if first > 0 else ""
    tail = ELLIPSIS if last < len(line) else ""
    shift = first - len(head)
    end = None if end_col is None or end_col - 1 > last else end_col - shift
    return head + line[first:last] + tail, start_col - shift, end


def _frame(out: Writer, f: Finding) -> None:
    if not f.snippet:
        return
    last = f.snippet_start + len(f.snippet) - 1
    gutter = len(str(last))
    span = f.span
    for offset, raw in enumerate(f.snippet):
        number = f.snippet_start + offset
        source = raw.rstrip("\r\n")
        if number == span.line:
            source, start, end = clip(source, span.column, span.end_column if span.end_line == span.line else None)
            shown, carets = caret_line(source, start, end)
        else:
            shown, carets = "".join(display_cells(clip(source, 1, None)[0])), ""
        out.line((f" {number:>{gutter}} | ", "blue"), (shown, ""))
        if carets:
            out.line((f" {'':>{gutter}} | ", "blue"), (carets, CARET_STYLES.get(f.level, "bold")))


def _notes(out: Writer, f: Finding) -> None:
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
        out.line(("  = ", "blue"), (f"{label}:", style), (" ", ""), (clean(value), ""))


def _statistics(report: Report, order: list[str], counts: Counter[str], worst: dict[str, str]) -> Table:
    """The ``--statistics`` table: count, rule, worst level and summary per rule."""
    from rich.table import Table
    from rich.text import Text

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
    return table


def _summary(out: Writer, report: Report) -> None:
    findings = report.findings
    s = report.stats
    if findings:
        levels = Counter(f.level for f in findings)
        parts = ", ".join(plural(levels[lv], lv) for lv in ("error", "warning", "note") if levels[lv])
        out.line((f"Found {plural(len(findings), 'problem')} ({parts}).", "bold"))
        counts = report.by_rule()
        worst: dict[str, str] = {}
        for f in findings:
            if f.rule not in worst or level_rank(f.level) > level_rank(worst[f.rule]):
                worst[f.rule] = f.level
        order = sorted(counts, key=lambda rule: (-counts[rule], rule))
        if report.statistics:
            out.table(_statistics(report, order, counts, worst))
        else:
            w = len(str(max(counts.values())))
            for rule in order:
                out.line((f"  {counts[rule]:>{w}}  ", ""), (rule, CARET_STYLES.get(worst[rule], "")))
    else:
        out.line((f"No problems found in {plural(s.files, 'file')}.", "bold green"))
    out.line(
        (
            f"{plural(s.files, 'file')}, {plural(s.documents, 'document')} ({s.skipped_documents} skipped), "
            f"{plural(s.containers, 'container')} in {s.seconds:.2f}s",
            "dim",
        )
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


def write(report: Report, out: Output) -> None:
    """Write the report as terminal text to ``out`` (see the module docstring); rich is loaded only
    for colour or a table."""
    w: Writer = RichWriter(out) if report.color else PlainWriter(out)
    for f in report.findings:
        w.line(*_headline(f))
        if report.quiet:
            continue
        _frame(w, f)
        _notes(w, f)
        w.line()
    if not report.quiet:
        for n in report.notices:
            w.line((f"{clean(n.path)}:", "bold"), (" ", ""), ("notice:", "cyan"), (" ", ""), (clean(n.message), ""))
        if report.notices:
            w.line()
        _summary(w, report)
    w.close()
