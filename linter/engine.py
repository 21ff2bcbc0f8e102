"""Run the pipeline: sources -> loader -> model -> index -> rules -> suppress, file by file.

Files are linted independently (when ``jobs`` > 1, in chunks shared by this process and forked
workers, see ``workers.py``; results kept in input order), each yielding its findings and its small
share of the cross-document index; rules that need the whole run then get the merged index once.
"""

from __future__ import annotations

import gc
import os
import re
from collections.abc import Callable, Iterable, Sequence
from sys import intern
from typing import TypeVar

from pullcheck.config import Config
from pullcheck.finding import SHARED_TEXT, Finding, Span, level_rank
from pullcheck.index import Index
from pullcheck.kustomize import is_kustomization, moot, overrides
from pullcheck.loader import LINE_BREAK, LoadOptions, LoadResult, iter_documents
from pullcheck.model import Resource, resources
from pullcheck.records import field, record
from pullcheck.report import Stats
from pullcheck.rule import Context, Rule
from pullcheck.sources import DEFAULT_MAX_FILE_SIZE, Source, read
from pullcheck.suppress import annotation_ignores, by_comment, matches

S = TypeVar("S")
R = TypeVar("R")
# Kinds whose lines code frames and diffs show redacted: they hold credentials (a Kustomization in
# its secretGenerator's literals and envs).
SECRET_KINDS = frozenset({"Secret", "SealedSecret", "ExternalSecret", "Kustomization"})
_SECRET_KIND = re.compile(rf"^\s*kind:\s*[\"']?(?:{'|'.join(sorted(SECRET_KINDS))})\b", re.M)
_SAFE_SECRET_KEYS = re.compile(r"^\s*-?\s*(apiVersion|kind|metadata|name|namespace|type|labels|annotations)\s*:")
_KEY_VALUE = re.compile(r"^(\s*-?\s*[^:#]+:\s*)(\S.*)$")
_LITERAL = re.compile(r"^(\s*-\s*[\"']?[-._a-zA-Z0-9]+=)(.*)$")  # a secretGenerator literal: key=value
PARALLEL_MIN_FILES = 24
# The run-wide findings' files are read again in the pool only from this many files on: below it,
# forking (a few ms with the run's heap) costs more than reading them in one process.
LATE_PARALLEL_MIN_FILES = 256
FRAME_PIECE = 1 << 20  # characters split into lines at a time for code frames of a big file
HEAD_CHARS = 8192  # code frames of a text split its lines from the start up to the last frame, from 8 KiB on
SPLITLINES_ONLY = "\x0b\x0c\x1c\x1d\x1e"  # line breaks to str.splitlines, not to YAML (LINE_BREAK)
MAX_MESSAGE = 2000  # longer finding messages (a huge value quoted in them) keep their start and end
# --jobs auto forks only for at least 24 files and 2 MiB: below that the workers (fork, IPC,
# teardown: 50-100 ms) cost more than a second core saves.
PARALLEL_MIN_BYTES = 2 * 1024 * 1024
# Processes claim chunks of files one at a time (a claim costs microseconds): about 32 chunks per
# process keeps the last ones from leaving a process idle; at most 32 files keep each result small.
CHUNK_FILES = 32
CHUNKS_PER_JOB = 32
# Composing allocates millions of small node objects and frees them by reference counting (node
# trees hold no cycles); the default collector threshold (700) re-scans the live tree of a large
# document hundreds of times. A run collects every 50,000 allocations instead (25-30% less time
# with --all-documents; memory unchanged, since acyclic garbage is freed at once either way).
GC_THRESHOLD = (50_000, 20, 100)


@record
class RunOptions:
    """Knobs of one run that are not rule configuration."""

    all_documents: bool = False
    max_depth: int = 1000
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    jobs: int = 0  # 0 = auto


@record
class FileResult:
    """What linting one file produced."""

    findings: list[Finding] = field(default_factory=list)
    index: Index = field(default_factory=Index)
    stats: Stats = field(default_factory=Stats)
    errors: list[str] = field(default_factory=list)

    def absorb(self, other: FileResult) -> None:
        """Append another result (of the files after this one's) to this one."""
        self.findings.extend(other.findings)
        self.errors.extend(other.errors)
        self.index.merge(other.index)
        for name in ("files", "documents", "skipped_documents", "resources", "containers"):
            setattr(self.stats, name, getattr(self.stats, name) + getattr(other.stats, name))


def holds_secrets(resource: Resource) -> bool:
    """Whether an object's lines are shown redacted: a kind of ``SECRET_KINDS``, or a kustomization
    file written without a kind."""
    return resource.kind in SECRET_KINDS or is_kustomization(resource)


def unparsed_secret_docs(text: str, loaded: LoadResult, parsed: set[int]) -> set[int]:
    """A document that did not parse cannot say what it is: in a file with Secrets, the documents
    whose lines are redacted too (a syntax error inside a Secret must not show its data)."""
    if not loaded.findings or not _SECRET_KIND.search(text):
        return set()
    return {f.doc for f in loaded.findings if f.doc not in parsed}


def redact(line: str) -> str:
    """Hide the value of a Secret's data line, so a code frame never shows a credential."""
    if _SAFE_SECRET_KEYS.match(line):
        return line
    m = _LITERAL.match(line) or _KEY_VALUE.match(line)
    if m:
        return m.group(1) + "<redacted>"
    stripped = line.strip()
    if stripped and not stripped.startswith("#"):
        return line[: len(line) - len(line.lstrip())] + "<redacted>"
    return line


class Engine:
    """One configured run over any number of sources."""

    def __init__(self, config: Config, rules: Sequence[type[Rule]], options: RunOptions | None = None) -> None:
        self.config = config
        self.options = options or RunOptions()
        self.ctx = Context(config, config.namespace)
        self.levels = {r.id: config.rule_level(r) for r in rules}
        # A finding may carry its own level (an error for pull-secret-not-found with
        # pull-secrets.complete); a level set in config overrides it, unless the level comes from an
        # option of the rule itself (missing-pull-secret's credential-providers).
        self.own_levels = {r.id for r in rules if not config.sets_level(r.id)}
        self.judges = {r.id: r.judges for r in rules if r.judges}
        self.rules = [r(self.ctx) for r in rules if self.levels[r.id] is not None and not r.from_loader]
        self.load_options = LoadOptions(all_documents=self.options.all_documents, max_depth=self.options.max_depth)
        self.fail_on = config.fail_on
        self.errors: list[str] = []

    # -- per file -------------------------------------------------------------------------------
    def lint_file(self, source: Source) -> FileResult:
        """Lint one file; never raises for anything the file contains."""
        result = FileResult()
        result.stats.files = 1
        text = read(source, self.options.max_file_size)
        if isinstance(text, Finding):
            result.findings = self._finalize([text], None, set(), source.key)
            return result
        loaded = LoadResult()
        findings: list[Finding] = []
        secret_docs: set[int] = set()
        parsed: set[int] = set()
        annotated: list[tuple[int, Span, frozenset[str]]] = []  # objects that silence rules: their extent
        # document by document: a file's composed documents are never all alive at once
        for doc in iter_documents(text, source.display, self.load_options, loaded):
            parsed.add(doc.index)
            result.stats.documents += 1
            if doc.inert:
                continue  # composed for yaml-syntax/duplicate-key only (--all-documents)
            for res in resources(doc):
                result.stats.resources += 1
                result.stats.containers += sum(len(p.containers) for p in res.pod_specs)
                if holds_secrets(res):
                    secret_docs.add(doc.index)
                result.index.add(res, self.ctx.namespace)
                ignores = annotation_ignores(res.annotations)
                if ignores:
                    annotated.append((doc.index, res.span(res.node), ignores))
                for rule in self.rules:
                    try:
                        for f in rule.check(res):
                            if not (ignores and matches(ignores, f.rule)):
                                findings.append(f)
                    except Exception as exc:  # a broken rule must not stop the run or hide other findings
                        result.errors.append(_crash(rule, exc, f"{res.path}:{res.line_offset + 1}"))
        result.stats.skipped_documents = loaded.skipped
        secret_docs |= unparsed_secret_docs(text, loaded, parsed)
        findings[:0] = _unsilenced(loaded.findings, annotated) if annotated else loaded.findings
        lines = frame_lines(text, findings) if findings else []
        result.findings = self._finalize(findings, lines, secret_docs, source.key)
        return result

    def lint_files(self, sources: Sequence[Source]) -> FileResult:
        """Lint several files into one result: what ``lint_file`` gives for each, in order."""
        out = FileResult()
        for source in sources:
            out.absorb(self.lint_file(source))
        return out

    def _finalize(
        self, findings: list[Finding], lines: list[str] | None, secret_docs: set[int], key: str | None
    ) -> list[Finding]:
        """Apply configured levels, comment suppression and code frames."""
        out: list[Finding] = []
        for f in findings:
            f.repo_path = key
            level = self.levels.get(f.rule, f.level)
            if level is not None and (f.level_from_option or f.rule in self.own_levels) and level_rank(f.level) >= 0:
                level = f.level
            if level is None:
                continue
            f.level = level
            if len(f.message) > MAX_MESSAGE:  # a 10 MB image quoted in full helps nobody
                f.message = f"{f.message[:1000]}... [{len(f.message) - 1500} characters omitted] ...{f.message[-500:]}"
            if lines:
                if by_comment(f, lines):
                    continue
                first = max(1, f.span.line)
                last = min(len(lines), _frame_end(f))
                frame = lines[first - 1 : last]
                if f.doc in secret_docs or (f.obj is not None and f.obj.kind in SECRET_KINDS):
                    frame = [redact(x) for x in frame]
                f.snippet = tuple(intern(x) if len(x) <= SHARED_TEXT else x for x in frame)  # lines repeat
                f.snippet_start = first
            out.append(f)
        return out

    # -- whole run --------------------------------------------------------------------------------
    def run(
        self, sources: Iterable[Source], progress: Callable[[], None] | None = None
    ) -> tuple[list[Finding], Stats]:
        """Lint every source, then the run-wide rules; findings sorted by file and position.

        ``progress``, when given, is called once after each file (the CLI's progress bar).
        """
        saved = gc.get_threshold()
        gc.set_threshold(max(saved[0], GC_THRESHOLD[0]), *GC_THRESHOLD[1:])
        try:
            return self._run(sources, progress)
        finally:
            gc.set_threshold(*saved)

    def _run(self, sources: Iterable[Source], progress: Callable[[], None] | None = None) -> tuple[list[Finding], Stats]:
        srcs = list(sources)
        jobs = self.options.jobs or _auto_jobs(srcs)
        total = FileResult()
        for fr in self._map(srcs, jobs):
            total.absorb(fr)
            if progress is not None:
                for _ in range(fr.stats.files):
                    progress()
        findings, index, stats = total.findings, total.index, total.stats
        self.errors.extend(total.errors)
        late: list[Finding] = []
        for rule in self.rules:
            try:
                for f in rule.finish(index):
                    ign = index.ignores.get((f.path, f.doc, str(f.obj)))
                    if not (ign and matches(ign, f.rule)):
                        late.append(f)
            except Exception as exc:  # a broken rule must not stop the run or hide other findings
                self.errors.append(_crash(rule, exc, "the whole run"))
        applying = overrides(index.kustomizations, (s.display for s in srcs)) if index.kustomizations else {}
        # What rules derived from this run's index is garbage from here: freed now, the report
        # reuses its memory instead of growing the peak.
        self.ctx.index_cache.clear()
        total.index = index = Index()  # and so are the run's facts (30 MB at 100,000 documents)
        if late:
            findings.extend(self._late_frames(late, srcs, jobs))
        if applying:
            findings = moot(findings, applying, self.judges)
        order = {s.display: i for i, s in enumerate(srcs)}
        findings.sort(key=lambda f: (order.get(f.path, len(order)), f.span.line, f.span.column, f.rule, f.message))
        return findings, stats

    def _map(self, srcs: list[Source], jobs: int) -> Iterable[FileResult]:
        if jobs <= 1 or len(srcs) < 2:
            return map(self.lint_file, srcs)
        return _parallel(self.lint_files, srcs, jobs)

    def _late_frames(self, late: list[Finding], srcs: list[Source], jobs: int) -> list[Finding]:
        """The run-wide findings finalized: their files read again for code frames and suppression
        comments (in the pool when they are in many files: 5,000 files at 100,000 documents)."""
        texts = {s.display: s for s in srcs}
        by_path: dict[str, list[Finding]] = {}
        for f in late:
            by_path.setdefault(f.path, []).append(f)
        groups = [(texts.get(path), group) for path, group in by_path.items()]
        if jobs <= 1 or len(groups) < LATE_PARALLEL_MIN_FILES:
            return self._finalize_groups(groups)
        return [f for part in _parallel(self._finalize_groups, groups, jobs) for f in part]

    def _finalize_groups(self, groups: Sequence[tuple[Source | None, list[Finding]]]) -> list[Finding]:
        """``_finalize`` for the findings of each file, with that file's lines."""
        out: list[Finding] = []
        for src, group in groups:
            text = read(src, self.options.max_file_size) if src is not None else ""
            lines = frame_lines(text, group) if isinstance(text, str) else []
            out.extend(self._finalize(group, lines, set(), src.key if src is not None else None))
        return out

    def failed(self, findings: Iterable[Finding]) -> bool:
        """Whether any finding is at or above ``fail-on``."""
        bar = level_rank(self.fail_on)
        return any(level_rank(f.level) >= bar for f in findings)


def _auto_jobs(srcs: list[Source]) -> int:
    """Workers for ``--jobs auto``: one per usable CPU (at most 8) when the run is big enough to gain."""
    if len(srcs) < PARALLEL_MIN_FILES:
        return 1
    total = 0
    for s in srcs:
        if s.text is not None:
            total += len(s.text)
        elif s.fs_path is not None:
            try:
                total += os.stat(s.fs_path).st_size
            except OSError:
                pass
        if total >= PARALLEL_MIN_BYTES:
            cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
            return min(cpus, 8)
    return 1


def frame_lines(text: str, findings: Iterable[Finding]) -> list[str]:
    """The lines of ``text`` as YAML counts them, as far as the findings' code frames and suppression
    comments read: the lines up to the last of them and at least one more (all of a short text). In a
    text over ``FRAME_PIECE`` only the lines read are filled in (the others are empty): a 50 MB file's
    findings then do not hold two million lines."""
    if len(text) <= FRAME_PIECE:
        return _head_lines(text, max(_frame_end(f) for f in findings))
    wanted: set[int] = set()
    for f in findings:
        wanted.update(range(max(1, f.span.line) - 1, _frame_end(f) + 1))
    todo = sorted(wanted)
    i = 0
    out: list[str] = []
    start, size = 0, len(text)
    while start < size:
        # cut just after a "\n": no line break ("\r\n" included) spans two pieces
        end = text.find("\n", start + FRAME_PIECE)
        end = size if end < 0 else end + 1
        piece = _lines(text[start:end])
        base = len(out)
        out += [""] * len(piece)
        while i < len(todo) and todo[i] <= base + len(piece):
            if todo[i] > base:
                out[todo[i] - 1] = piece[todo[i] - 1 - base]
            i += 1
        start = end
    return out


def _frame_end(f: Finding) -> int:
    """The last line (1-based) a finding's code frame shows."""
    first = max(1, f.span.line)
    return max(first, min(f.span.end_line, first + 2))


def _head_lines(text: str, last: int) -> list[str]:
    """The first lines of ``text`` as ``_lines`` cuts them, through line ``last`` and at least one
    more, so every line read is whole: a prefix is split, longer ones until that many lines fit."""
    size = max(HEAD_CHARS, last * 128)
    while size < len(text):
        lines = _lines(text[:size])
        if len(lines) > last:
            return lines
        size *= 4
    return _lines(text)


def _lines(text: str) -> list[str]:
    """``text`` cut into lines where YAML cuts them, so frames and comments match finding lines:
    ``splitlines`` unless the text holds a character only it breaks at (five memchr scans)."""
    if not any(c in text for c in SPLITLINES_ONLY):
        return text.splitlines()
    lines = LINE_BREAK.split(text)
    if not lines[-1]:
        lines.pop()  # a final line break ends the last line, it starts none (nor does an empty text)
    return lines


def _unsilenced(findings: list[Finding], annotated: list[tuple[int, Span, frozenset[str]]]) -> list[Finding]:
    """The loader's findings (a duplicate key) but those inside an object whose annotation
    silences their rule."""
    return [
        f
        for f in findings
        if not any(
            doc == f.doc and extent.line <= f.span.line <= extent.end_line and matches(ignores, f.rule)
            for doc, extent, ignores in annotated
        )
    ]


def _crash(rule: Rule, exc: Exception, where: str) -> str:
    """One line naming a rule that raised, for stderr (the run then exits 2)."""
    return f"internal error: rule {rule.id} ({rule.origin}) failed on {where}: {type(exc).__name__}: {exc}"


def _parallel(work: Callable[[Sequence[S]], R], items: Sequence[S], jobs: int) -> Iterable[R]:
    """``work`` over chunks of ``items`` in ``jobs`` processes (this one and forked workers), results
    in input order: one result per chunk, so fewer and bigger pickles cross between processes."""
    size = max(1, min(CHUNK_FILES, len(items) // (jobs * CHUNKS_PER_JOB)))
    if not hasattr(os, "fork"):
        return map(work, (items[i : i + size] for i in range(0, len(items), size)))
    from pullcheck.workers import MAX_ITEMS, Pool

    size = max(size, -(-len(items) // MAX_ITEMS))  # a pool takes at most MAX_ITEMS chunks
    return Pool(work, [items[i : i + size] for i in range(0, len(items), size)], jobs).results()
