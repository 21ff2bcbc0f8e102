"""Apply the certain fixes that findings carry: exact span edits, written atomically, or shown as a diff.

Only the characters of each fixed value change (comments, quoting, key order, indentation and the
other documents of the file stay byte for byte), and only when the text at the finding's span is
exactly the value the finding is about. Fixing repeats lint-and-edit in memory until no fix is left
(one fix can reveal another: a mistyped ``k8s.gcr.oi`` becomes ``k8s.gcr.io`` and then
``registry.k8s.io``), so a second ``--fix`` changes nothing. A file is written back in the encoding
it was read from; a diff shows the lines of Secrets redacted, as code frames do. Input read from
stdin is never written, and files holding ``helm template`` output are refused: the fix belongs in
the chart.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import re
import stat
import tempfile
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from itertools import islice

from pullcheck.engine import Engine, holds_secrets, redact, unparsed_secret_docs
from pullcheck.finding import Finding
from pullcheck.loader import LINE_BREAK, LoadOptions, LoadResult, document_starts, iter_documents
from pullcheck.model import resources
from pullcheck.records import field, record
from pullcheck.report import Stats
from pullcheck.sources import Source, byte_order_mark, read

MAX_PASSES = 5
_HELM_SOURCE = re.compile(r"^# Source: \S", re.MULTILINE)  # as the loader reads `helm template` output
# A replacement made of these characters means the same in a plain, single- or double-quoted scalar.
_SAFE_VALUE = re.compile(r"[A-Za-z0-9._/:@+-]+")
_HUNK = re.compile(r"@@ -(\d+)(?:,\d+)? \+(\d+)")  # the first line of each side, as difflib numbers hunks


@record
class FileChange:
    """One file whose text the fixes change."""

    display: str
    fs_path: str | None
    before: str
    after: str
    fixes: int = 0


@record
class FixResult:
    """What fixing a run did: changed files, messages for stderr, the remaining findings."""

    changes: list[FileChange] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    stats: Stats = field(default_factory=Stats)
    load_options: LoadOptions = field(default_factory=LoadOptions)  # the run's, to find its Secrets again

    @property
    def fixed(self) -> int:
        """Number of fixes applied (or, with ``--diff``, that would be)."""
        return sum(c.fixes for c in self.changes)

    def diff(self) -> str:
        """The unified diff of every changed file (``a/path`` -> ``b/path``), Secrets' data redacted."""
        return "".join(unified_diff(c.before, c.after, c.display, self.load_options) for c in self.changes)


def line_starts(text: str) -> list[int]:
    """Offset of the first character of each line (1-based line n starts at ``starts[n - 1]``)."""
    return [0] + [m.end() for m in LINE_BREAK.finditer(text)]


def span_offsets(text: str, starts: list[int], finding: Finding) -> tuple[int, int] | None:
    """Character offsets of a finding's span in ``text``, or None when it lies outside."""
    s = finding.span
    if not (1 <= s.line <= len(starts) and 1 <= s.end_line <= len(starts)):
        return None
    begin = starts[s.line - 1] + s.column - 1
    end = starts[s.end_line - 1] + s.end_column - 1
    if not 0 <= begin <= end <= len(text):
        return None
    return begin, end


def apply_fixes(text: str, findings: Sequence[Finding]) -> tuple[str, list[Finding], list[str]]:
    """Apply the fixes of ``findings`` to ``text``: (new text, applied findings, reasons for skipped ones).

    A fix is applied only when the text at its span is exactly the finding's image value, its
    replacement needs no quoting, and it does not overlap a fix already taken (the rest waits for
    the next pass).
    """
    starts = line_starts(text)
    edits: list[tuple[int, int, Finding]] = []
    skipped: list[str] = []
    for f in sorted((f for f in findings if f.fix is not None), key=lambda f: f.sort_key()):
        assert f.fix is not None
        where = f"{f.path}:{f.span.line}:{f.span.column}"
        offsets = span_offsets(text, starts, f)
        if offsets is None:
            skipped.append(f"{where}: [{f.rule}] fix not applied: its span is outside the file")
            continue
        begin, end = offsets
        current = text[begin:end]
        if f.image is not None and current != f.image:
            skipped.append(f"{where}: [{f.rule}] fix not applied: the value is written with escapes or over lines")
            continue
        if not _SAFE_VALUE.fullmatch(f.fix.replacement):
            skipped.append(f"{where}: [{f.rule}] fix not applied: the replacement would need quoting")
            continue
        if current == f.fix.replacement:
            continue
        if any(begin < e and b < end for b, e, _ in edits):
            continue  # overlaps an earlier fix: picked up by the next pass
        edits.append((begin, end, f))
    out = text
    for begin, end, f in sorted(edits, key=lambda e: e[0], reverse=True):
        assert f.fix is not None
        out = out[:begin] + f.fix.replacement + out[end:]
    return out, [f for _, _, f in sorted(edits, key=lambda e: e[0])], skipped


def unified_diff(before: str, after: str, display: str, options: LoadOptions | None = None) -> str:
    """A ``git diff``-style unified diff of one file, marking a last line without newline.

    The lines of Secret documents are shown redacted as code frames are (pull-secrets.md §9.7: a
    printed diff must not carry credentials); ``options`` load the documents as the run did.
    """
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    options = options or LoadOptions()
    lines = _shown(
        difflib.unified_diff(old, new, f"a/{display}", f"b/{display}"),
        _redacted_lines(before, old, options),
        _redacted_lines(after, new, options),
    )
    out = []
    for line in lines:
        if line.endswith(("\n", "\r")):
            out.append(line)
        else:
            out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out)


def _shown(diff: Iterator[str], old: list[str], new: list[str]) -> Iterator[str]:
    """``diff`` (of lists of lines) with each body line printed from ``old`` or ``new``, the lines as
    shown, by position: the diff is computed on the real lines, so a redacted change still shows."""
    yield from islice(diff, 2)  # the ---/+++ header: a body line may start with "---" too
    i = j = 0
    for line in diff:
        hunk = _HUNK.match(line)
        if hunk is not None:
            i, j = int(hunk[1]) - 1, int(hunk[2]) - 1
            yield line
        elif line[0] == "+":
            yield "+" + new[j]
            j += 1
        else:
            yield line[0] + old[i]
            i += 1
            if line[0] == " ":
                j += 1


def _redacted_lines(text: str, lines: list[str], options: LoadOptions) -> list[str]:
    """``lines`` (``text`` split) with those of the documents ``_secret_documents`` names redacted."""
    secret = _secret_documents(text, options)
    if not secret:
        return lines
    starts = document_starts(text)  # the n-th holds document n, or one holds them all
    out = []
    pos = 0
    for line in lines:  # documents start where lines do: after a "\n"
        k = bisect_right(starts, pos) - 1
        out.append(_redact_line(line) if (k in secret or len(starts) == 1) else line)
        pos += len(line)
    return out


def _secret_documents(text: str, options: LoadOptions) -> set[int]:
    """Indexes of the documents whose code frames the engine redacts: those holding a Secret and, in
    a file with Secrets, those that did not parse (they cannot say what they are)."""
    loaded = LoadResult()
    parsed: set[int] = set()
    secret: set[int] = set()
    for doc in iter_documents(text, "", options, loaded):
        parsed.add(doc.index)
        if any(holds_secrets(r) for r in resources(doc)):
            secret.add(doc.index)
    return secret | unparsed_secret_docs(text, loaded, parsed)


def _redact_line(line: str) -> str:
    """One line of a Secret as ``redact`` shows it in a code frame, keeping its line break and, left
    whole, a bare ``---`` or ``...`` (where a document starts or ends, no value)."""
    body = line.splitlines()[0]
    if body.rstrip() in ("---", "..."):
        return line
    return redact(body) + line[len(body) :]


def write_atomic(path: str, text: str) -> None:
    """Replace a file's content by writing a temporary file beside it and renaming it over the file.

    The original keeps its bytes if anything fails (the temporary file is removed); the encoding
    with its byte-order mark (UTF-8, UTF-16 or UTF-32) and the file mode are kept; a symlink is
    followed, so the link stays a link.
    """
    target = os.path.realpath(path)
    with open(target, "rb") as fh:
        bom, codec = byte_order_mark(fh.read(4))  # written back in the encoding it was read from
    mode = stat.S_IMODE(os.stat(target).st_mode)
    directory, name = os.path.split(target)
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".pullcheck-tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(bom + text.encode(codec))
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _refusal(display: str, text: str, findings: list[Finding]) -> str | None:
    """Why a file's fixes must not be applied, or None."""
    helm = next((f.helm_source for f in findings if f.helm_source), None)
    if helm is not None or _HELM_SOURCE.search(text):
        chart = f" (from {helm})" if helm else ""
        return (
            f"{display}: not fixed: the file holds Helm-rendered output{chart}; "
            "apply the fix to the chart's template or values instead"
        )
    return None


def fix_sources(engine: Engine, sources: Sequence[Source], write: bool = True) -> FixResult:
    """Fix every file of the run (in place when ``write``); return changes, messages and what remains.

    Files are linted together in memory, as one run, so the run-wide rules see every file; the
    loop stops when a pass has nothing left to apply. Files on disk are written only at the end,
    each atomically; if a write fails the file keeps its content and the error goes to
    ``engine.errors`` (exit 2).
    """
    result = FixResult(load_options=engine.load_options)
    texts: dict[str, str] = {}
    originals: dict[str, Source] = {}
    for src in sources:
        text = read(src, engine.options.max_file_size)
        if isinstance(text, str):
            texts[src.display] = text
            originals[src.display] = src
    initial = dict(texts)
    counts: dict[str, int] = {}
    refused: set[str] = set()
    noted: set[str] = set()

    def pass_sources() -> list[Source]:
        return [Source(s.display, None, texts[s.display]) if s.display in texts else s for s in sources]

    findings: list[Finding] = []
    stats = Stats()
    for _ in range(MAX_PASSES):
        engine.errors = []
        findings, stats = engine.run(pass_sources())
        by_path: dict[str, list[Finding]] = {}
        for f in findings:
            by_path.setdefault(f.path, []).append(f)
        progressed = False
        for path, group in by_path.items():
            fixable = [f for f in group if f.fix is not None]
            if not fixable or path not in texts or path in refused:
                continue
            src = originals[path]
            if src.fs_path is None and write:
                if path not in noted:
                    result.messages.append(f"{path}: not fixed: input from stdin is never modified (use --diff)")
                    noted.add(path)
                continue
            why = _refusal(path, texts[path], group)
            if why is not None:
                result.messages.append(why)
                refused.add(path)
                continue
            new, applied, skipped = apply_fixes(texts[path], fixable)
            for reason in skipped:
                if reason not in noted:
                    result.messages.append(reason)
                    noted.add(reason)
            if applied and new != texts[path]:
                texts[path] = new
                counts[path] = counts.get(path, 0) + len(applied)
                progressed = True
        if not progressed:
            break
    failed = False
    for path, count in counts.items():
        src = originals[path]
        change = FileChange(path, src.fs_path, initial[path], texts[path], count)
        if write and src.fs_path is not None:
            if read(src, engine.options.max_file_size) != initial[path]:
                result.messages.append(f"{path}: not fixed: the file changed while it was being linted")
                failed = True
                continue
            try:
                write_atomic(src.fs_path, texts[path])
            except OSError as exc:
                engine.errors.append(f"{path}: cannot write the fixes ({exc.strerror or exc}); file left unchanged")
                failed = True
                continue
        result.changes.append(change)
    if write and result.changes:
        n_files = len(result.changes)
        result.messages.append(f"fixed {result.fixed} problem(s) in {n_files} file(s)")
    if failed and write:
        errors = engine.errors
        engine.errors = []
        findings, stats = engine.run(list(sources))
        engine.errors = errors + engine.errors
    result.findings = findings
    result.stats = stats
    return result
