"""Expand command-line paths into the files to lint, and read each one safely into text.

Directories are walked recursively for ``*.yaml``, ``*.yml`` and ``*.json``; files named explicitly
are linted whatever their extension (pre-commit passes files by type). Exclusions use gitignore
semantics through ``pathspec``: config ``exclude``, ``--exclude`` and the repository's ``.gitignore``.
"""

from __future__ import annotations

import codecs
import os
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING

from pullcheck.finding import Finding, Span
from pullcheck.records import record

if TYPE_CHECKING:
    import pathspec

EXTENSIONS = (".yaml", ".yml", ".json")
SKIP_DIRS = frozenset({".git", ".hg", ".svn"})
_NAME = attrgetter("name")
STDIN = "-"
DEFAULT_MAX_FILE_SIZE = 64 * 1024 * 1024
# The byte-order marks ``decode`` reads and the codec of the text after each (UTF-32-LE's mark
# begins with UTF-16-LE's: it is tried first).
BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF8, "utf-8"),
)


@record(frozen=True)
class Source:
    """One input: a file on disk, or stdin (``fs_path`` None, ``text`` already read)."""

    display: str
    fs_path: str | None
    text: str | None = None
    key: str | None = None  # repository-relative POSIX path: stable across working directories
    error: str | None = None  # why it cannot be read at all (a directory that cannot be listed)


@record(frozen=True)
class Notice:
    """A path that was not linted and why (printed as one line on stderr)."""

    path: str
    message: str


class UsageError(Exception):
    """A path argument that cannot be used at all (exit 2)."""


def repo_root(start: Path) -> Path:
    """The enclosing git work tree, or ``start`` itself when there is none."""
    return work_tree(start) or start.resolve()


def work_tree(start: Path) -> Path | None:
    """The enclosing git work tree (resolved), or None."""
    cur = start.resolve()
    for d in (cur, *cur.parents):
        if (d / ".git").exists():
            return d
    return None


def unbase(patterns: Iterable[str], below: str) -> list[str]:
    """Gitignore-style patterns written relative to a directory, rewritten relative to its
    subdirectory ``below`` (POSIX): unanchored ones match there as well, an anchored one keeps what
    follows the components that match ``below`` (``**`` matches any), and one that cannot reach
    inside ``below`` is dropped."""
    from fnmatch import fnmatchcase

    out = []
    steps = below.split("/")
    for pattern in patterns:
        negate, body, anchored = _split_pattern(pattern)
        if not anchored:
            out.append(pattern)
            continue
        parts = body.split("/")
        for i, step in enumerate(steps):
            if i == len(parts) or parts[i] == "**":
                rest = parts[i:] or ["**"]
                break
            if not fnmatchcase(step, parts[i]):
                rest = []
                break
        else:
            rest = parts[len(steps) :] or ["**"]
        if rest:  # [""]: the pattern named ``below`` itself, so everything in it
            out.append(negate + ("/".join(rest) if rest != [""] else "**"))
    return out


def rebase(patterns: Iterable[str], base: str) -> list[str]:
    """Gitignore-style patterns written relative to the directory ``base`` (POSIX, relative to the
    root the matcher reads paths from; "" for the root itself), rewritten relative to that root:
    a pattern with an inner or leading ``/`` is anchored at ``base``, one without matches below it."""
    if not base:
        return list(patterns)
    out = []
    for pattern in patterns:
        negate, body, anchored = _split_pattern(pattern)
        out.append(f"{negate}{base}/{body}" if anchored else f"{negate}{base}/**/{body}")
    return out


def _split_pattern(pattern: str) -> tuple[str, str, bool]:
    """A gitignore-style pattern as its "!" (or ""), its body without a leading "/", and whether it
    is anchored to its directory (a "/" at its start or inside it, as git reads it)."""
    negate = "!" if pattern.startswith("!") else ""
    body = pattern[len(negate) :]
    return negate, body.lstrip("/"), "/" in body.rstrip("/")


def exclusion_spec(patterns: Iterable[str], root: Path, use_gitignore: bool = True) -> pathspec.PathSpec | None:
    """A gitignore-style matcher from the given patterns plus ``root/.gitignore``; None when there
    are no patterns at all (pathspec, slow to import, is then not loaded).

    A pattern of ours that does not compile is a UsageError naming it; a ``.gitignore`` line that
    does not is left out (git lets such a line match nothing)."""
    lines = list(patterns)
    ignored: list[str] = []
    if use_gitignore:
        try:
            ignored = (root / ".gitignore").read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            pass
    if not lines and not ignored:
        return None
    import pathspec

    try:
        return pathspec.GitIgnoreSpec.from_lines(lines + ignored)
    except Exception:  # re.error, pathspec's own errors: find the line, outside the common path
        for pattern in lines:
            if _bad_pattern(pattern):
                raise UsageError(f"exclude pattern {pattern!r} is not a valid gitignore-style pattern") from None
        return pathspec.GitIgnoreSpec.from_lines(lines + [x for x in ignored if not _bad_pattern(x)])


def _bad_pattern(pattern: str) -> bool:
    """Whether one gitignore-style pattern fails to compile."""
    import pathspec

    try:
        pathspec.GitIgnoreSpec.from_lines([pattern])
    except Exception:
        return True
    return False


def _display(path: Path, cwd: Path) -> str:
    try:
        return path.relative_to(cwd).as_posix()
    except ValueError:
        return path.as_posix()


def _rel(path: Path, root: Path) -> str | None:
    try:
        return path.resolve().relative_to(root).as_posix()
    except (ValueError, OSError, RuntimeError):
        return None


def expand(
    paths: Iterable[str],
    excludes: Iterable[str] = (),
    cwd: Path | None = None,
    use_gitignore: bool = True,
    anchored: tuple[Path, Iterable[str]] | None = None,
) -> Iterator[Source | Notice]:
    """Every file to lint, once, in a stable order, with a Notice for whatever is skipped.

    ``excludes`` are relative to the root of each path's work tree; ``anchored`` are a directory
    and patterns relative to it (a config file's ``exclude``). Paths that overlap
    (``deploy/app.yaml deploy/``, ``x.yaml ./x.yaml``) give each file once: the second would double
    its findings and its images' uses in the run."""
    args = list(paths)
    if len(args) < 2:
        yield from _expand(args, excludes, cwd, use_gitignore, anchored)
        return
    base = os.fspath(cwd or Path.cwd())
    seen: set[str] = set()
    for item in _expand(args, excludes, cwd, use_gitignore, anchored):
        if isinstance(item, Source) and item.fs_path is not None:
            where = os.path.normpath(os.path.join(base, item.fs_path))
            if where in seen:
                continue
            seen.add(where)
        yield item


def _expand(
    paths: Iterable[str],
    excludes: Iterable[str],
    cwd: Path | None,
    use_gitignore: bool,
    anchored: tuple[Path, Iterable[str]] | None,
) -> Iterator[Source | Notice]:
    """``expand`` without the check for overlapping paths.

    Each path belongs to the git work tree that holds it (its key, what baselines match, is relative
    to that root wherever the command runs). Exclusions apply to every file; the repository's
    ``.gitignore`` only to what a directory walk finds: a file named on the command line is linted
    (git itself ignores ``.gitignore`` for tracked files, the ones pre-commit passes).
    """
    cwd = cwd or Path.cwd()
    patterns = list(excludes)
    anchor, relative = (anchored[0].resolve(), list(anchored[1])) if anchored is not None else (None, [])
    specs: dict[tuple[Path, bool], pathspec.PathSpec | None] = {}
    roots: dict[Path, Path] = {}  # pre-commit passes many files of few directories
    here = cwd.resolve()

    def root_of(directory: Path) -> Path:
        """The work tree of a directory named (or holding a file named) on the command line; outside
        any, the working directory when it holds the path (so keys and exclusions do not depend on
        which path was named), else the directory itself."""
        if directory not in roots:
            full = (directory if directory.is_absolute() else cwd / directory).resolve()
            roots[directory] = work_tree(full) or (here if full.is_relative_to(here) else full)
        return roots[directory]

    def rules_for(root: Path) -> list[str]:
        """The exclusion patterns, relative to ``root``: the config's moved from its directory."""
        if anchor is None:
            return patterns
        if anchor.is_relative_to(root):
            base = anchor.relative_to(root).as_posix()
            return [*rebase(relative, "" if base == "." else base), *patterns]
        if root.is_relative_to(anchor):  # run below the config's directory (outside a work tree)
            return [*unbase(relative, root.relative_to(anchor).as_posix()), *patterns]
        return [*relative, *patterns]

    def matcher(root: Path, walk: bool) -> Callable[..., bool]:
        """``excluded(p, is_dir=False, known=True)`` for paths under ``root``: whether ``p`` matches
        an exclusion; ``known`` is its root-relative path when the walk already has it (None:
        outside the root), True to resolve it here."""
        gitignore = walk and use_gitignore
        if (root, gitignore) not in specs:
            specs[root, gitignore] = exclusion_spec(rules_for(root), root, gitignore)
        spec = specs[root, gitignore]

        def excluded(p: Path | str, is_dir: bool = False, known: str | bool | None = True) -> bool:
            if spec is None or not spec.patterns:
                return False
            rel = _rel(Path(p), root) if known is True else known
            if not isinstance(rel, str):
                return False
            return spec.match_file(rel + "/" if is_dir else rel)

        return excluded

    for arg in paths:
        if arg == STDIN:
            data = sys.stdin.buffer.read()
            text = decode(data, "<stdin>")
            if isinstance(text, Finding):
                yield Source("<stdin>", None, "")
                yield Notice("<stdin>", text.message)
            else:
                yield Source("<stdin>", None, text)
            continue
        p = Path(arg)
        if not os.path.lexists(p):
            raise UsageError(f"{arg}: no such file or directory")
        try:
            st = p.stat()
        except OSError as exc:
            yield Notice(arg, f"cannot stat ({exc.strerror or exc}); skipped")
            continue
        if stat.S_ISDIR(st.st_mode):
            root = root_of(p)
            yield from _walk(p, cwd, matcher(root, walk=True), root)
        elif stat.S_ISREG(st.st_mode):
            root = root_of(p.parent)
            if not matcher(root, walk=False)(p):
                yield Source(_display(p, cwd) if p.is_absolute() else p.as_posix(), str(p), key=_rel(p, root))
        else:
            yield Notice(arg, f"not a regular file ({_kind(st.st_mode)}); skipped")


def _unreadable_dir(path: str, exc: OSError) -> Source:
    """A directory the walk cannot list: an ``input-error`` of its own (a notice would let a whole
    subtree pass a CI run unlinted)."""
    return Source(Path(path).as_posix(), None, error=f"cannot read directory ({exc.strerror or exc}); its files are not linted")


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"


def _prefix(parent: str) -> str:
    """What goes before an entry's name in ``parent``, as ``Path`` spells it (``.`` needs nothing,
    ``/`` no second separator)."""
    if parent == ".":
        return ""
    return parent if parent.endswith("/") else parent + "/"


@record
class _Dir:
    """What every entry of one directory shares, computed once: the prefixes of its entries'
    display, fs and root-relative paths (``rel`` None: outside the root)."""

    display: str
    fs: str
    rel: str | None


def _dir(d: Path, cwd: Path, root: Path) -> _Dir:
    rel = _rel(d, root)
    return _Dir(_prefix(_display(d, cwd)), _prefix(str(d)), None if rel is None else _prefix(rel))


def _walk(top: Path, cwd: Path, excluded: object, root: Path) -> Iterator[Source | Notice]:
    """Recursive walk that follows directory symlinks once and never loops.

    Paths are resolved once per symlink: an entry that is not a symlink resolves to its
    directory's resolved path plus its name, and a subdirectory that is not one inherits its
    display, fs and root-relative prefixes from its parent, so only symlinks pay for ``Path.resolve``.
    """
    is_excluded = excluded  # a callable (path, is_dir, rel) -> bool
    seen: set[tuple[int, int]] = set()
    # a directory to read, and its prefixes when its parent could derive them (None: compute them)
    stack: list[tuple[str, _Dir | None]] = [(str(top), None)]
    while stack:
        path, info = stack.pop()
        try:
            st = os.stat(path)
        except OSError as exc:
            yield _unreadable_dir(path, exc)
            continue
        key = (st.st_dev, st.st_ino)
        if key in seen:
            yield Notice(Path(path).as_posix(), "directory symlink loop; not followed again")
            continue
        seen.add(key)
        try:
            entries = sorted(os.scandir(path), key=_NAME)
        except OSError as exc:
            yield _unreadable_dir(path, exc)
            continue
        if info is None:
            info = _dir(Path(path), cwd, root)
        subdirs: list[tuple[str, _Dir | None]] = []
        rel: str | bool | None
        for e in entries:
            name = e.name
            try:
                link = e.is_symlink()
            except OSError:
                link = True
            try:
                is_dir = e.is_dir()
            except OSError:
                is_dir = False
            if not is_dir and not name.endswith(EXTENSIONS):
                continue
            if link:
                rel = True  # resolved through the link when needed
            else:
                rel = None if info.rel is None else info.rel + name
            if is_dir:
                if name not in SKIP_DIRS and not is_excluded(e.path, True, rel):  # type: ignore[operator]
                    # outside the root, a subdirectory may still be the root or under it: resolved there
                    fs = info.fs + name
                    inherited = None if link or info.rel is None else _Dir(info.display + name + "/", fs + "/", info.rel + name + "/")
                    subdirs.append((fs, inherited))
                continue
            if is_excluded(e.path, False, rel):  # type: ignore[operator]
                continue
            display = info.display + name
            if not link:
                try:
                    regular = e.is_file()
                    mode = stat.S_IFREG if regular else e.stat().st_mode
                except OSError as exc:
                    yield Notice(display, f"cannot open ({exc.strerror}); skipped")
                    continue
                if not stat.S_ISREG(mode):
                    yield Notice(display, f"not a regular file ({_kind(mode)}); skipped")
                    continue
                fs = info.fs + name
                repo_key = rel if isinstance(rel, str) else None
                # run from the repository root, all three are the same text: one string, not three
                yield Source(display, display if fs == display else fs, key=display if repo_key == display else repo_key)
                continue
            p = Path(e.path)
            try:
                fst = p.stat()
            except OSError as exc:
                msg = "symlink loop" if exc.errno == 40 else "broken symlink" if e.is_symlink() else exc.strerror
                yield Notice(display, f"cannot open ({msg}); skipped")
                continue
            if not stat.S_ISREG(fst.st_mode):
                yield Notice(display, f"not a regular file ({_kind(fst.st_mode)}); skipped")
                continue
            yield Source(display, str(p), key=_rel(p, root))
        stack.extend(reversed(subdirs))


def decode(data: bytes, path: str) -> str | Finding:
    """Bytes to text: UTF-8 (BOM stripped) or UTF-16/32 with a BOM; anything else is a finding."""
    _, codec = byte_order_mark(data)
    if codec != "utf-8":  # the BOM tells the byte order: decoded by the codec of the family, which reads it
        return _decode_other(data, codec.rsplit("-", 1)[0], path)
    while data.startswith(codecs.BOM_UTF8):  # a doubled BOM: libyaml would skip it uncounted
        data = data[3:]
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        head = data[:512]
        if len(head) >= 4 and nul < 2 and not any(head[nul::2]) and all(head[1 - nul :: 2]):  # ASCII as UTF-16
            return _input_error(path, "UTF-16 without a byte-order mark; not linted (re-encode as UTF-8)")
        return _input_error(path, f"binary file (NUL byte at offset {nul}); not linted", line)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _position(data[: exc.start].decode("utf-8"))
        return _input_error(path, f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at line {line}); not linted", line, col)


def _position(head: str) -> tuple[int, int]:
    """Line and column (1-based, in code points) just after ``head``, lines cut as YAML cuts them."""
    from pullcheck.loader import LINE_BREAK  # only for a file that does not decode

    breaks = [m.end() for m in LINE_BREAK.finditer(head)]
    return len(breaks) + 1, len(head) - (breaks[-1] if breaks else 0) + 1


def byte_order_mark(head: bytes) -> tuple[bytes, str]:
    """The byte-order mark bytes start with and the codec of the text after it (plain UTF-8 and no
    mark when there is none): ``decode`` reads files by it, ``--fix`` writes them back by it."""
    return next(((bom, codec) for bom, codec in BYTE_ORDER_MARKS if head.startswith(bom)), (b"", "utf-8"))


def _decode_other(data: bytes, codec: str, path: str) -> str | Finding:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        return _input_error(path, f"not valid {codec.upper()} ({exc.reason} at byte {exc.start}); not linted")


def _input_error(path: str, message: str, line: int = 1, col: int = 1) -> Finding:
    return Finding("input-error", "error", message, path, Span(line, col, line, col + 1))


def human_size(n: int) -> str:
    """A byte count as people write it (``64 MiB``, ``1.5 KiB``, ``10 bytes``), for limit messages."""
    for unit, factor in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= factor:
            return f"{n / factor:.1f}".removesuffix(".0") + f" {unit}"
    return f"{n} bytes"


def _read_up_to(fd: int, n: int) -> bytes:
    """``n`` bytes of ``fd``, or fewer at its end (a read may return less than asked for)."""
    parts = []
    while n > 0 and (data := os.read(fd, n)):
        parts.append(data)
        n -= len(data)
    return parts[0] if len(parts) == 1 else b"".join(parts)


def read(source: Source, max_size: int = DEFAULT_MAX_FILE_SIZE) -> str | Finding:
    """The text of a source, or an ``input-error`` finding saying why it cannot be linted."""
    if source.text is not None:
        return source.text
    if source.error is not None:
        return _input_error(source.display, source.error)
    assert source.fs_path is not None
    try:
        # os.open and os.read, not open(): no file object and buffer per file (a third of the time
        # the real corpus took to read, 33 MB in 3,753 files)
        fd = os.open(source.fs_path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
        try:
            size = os.fstat(fd).st_size
            if size > max_size:
                return _input_error(
                    source.display,
                    f"file is {human_size(size)}, over the {human_size(max_size)} limit; "
                    "not linted (raise --max-file-size to allow it)",
                )
            # read what fstat announced (a read of max_size + 1 allocates that much per file), and
            # then the rest, should the file have grown since
            data = _read_up_to(fd, size + 1)
            if len(data) > size:
                data += _read_up_to(fd, max_size + 1 - len(data))
        finally:
            os.close(fd)
    except OSError as exc:
        return _input_error(source.display, f"cannot read file ({exc.strerror or exc}); not linted")
    if len(data) > max_size:
        return _input_error(source.display, f"file is over the {human_size(max_size)} limit; not linted")
    return decode(data, source.display)
