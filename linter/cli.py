"""Command line: arguments, config discovery, dispatch to the engine and reporters, exit codes.

Exit codes: 0 clean, 1 findings at or above ``--fail-on``, 2 usage or configuration error.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from pullcheck import __version__

if TYPE_CHECKING:
    from collections import Counter

    from pullcheck.config import Config
    from pullcheck.finding import Finding
    from pullcheck.report import RuleInfo
    from pullcheck.rule import Rule

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
SUBCOMMANDS = ("rules", "explain", "inventory", "diagnose")


def _split(values: Sequence[str] | None) -> list[str]:
    return [p.strip() for v in values or () for p in v.split(",") if p.strip()]


def _size(text: str) -> int:
    units = {"k": 1024, "m": 1024**2, "g": 1024**3}
    t = text.strip().lower().rstrip("b").rstrip("i")
    try:
        if t and t[-1] in units:
            n = int(float(t[:-1]) * units[t[-1]])
        else:
            n = int(t)
    except (ValueError, OverflowError) as exc:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 64M)") from exc
    if n < 1:
        raise argparse.ArgumentTypeError(f"size must be at least 1 byte: {text!r}")
    return n


def _depth(text: str) -> int:
    from pullcheck.loader import MAX_DEPTH

    try:
        n = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a number of levels: {text!r}") from exc
    if not 1 <= n <= MAX_DEPTH:
        raise argparse.ArgumentTypeError(f"--max-depth must be between 1 and {MAX_DEPTH} (libyaml crashes on deeper input)")
    return n


def _jobs(text: str) -> int:
    if text == "auto":
        return 0
    try:
        n = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a number of jobs: {text!r}") from exc
    if n < 1:
        raise argparse.ArgumentTypeError("--jobs must be at least 1 (or auto)")
    return n


class _Formatter(argparse.HelpFormatter):
    """argparse's help formatter, sized as it sizes itself but without importing ``shutil`` (with
    ``bz2`` and ``lzma``): every ``add_argument`` builds one, so each run paid 2 ms for it."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24, width: int | None = None) -> None:
        super().__init__(prog, indent_increment, max_help_position, _columns() - 2 if width is None else width)


def _columns() -> int:
    """``shutil.get_terminal_size().columns``: ``$COLUMNS``, else the terminal's, else 80."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0 and sys.__stdout__ is not None:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns if columns > 0 else 80


class _ReportAction(argparse.Action):
    """``--format`` starts a report; ``--output`` names the file of the ``--format`` just before it
    (``--format text --format sarif -o x.sarif``: SARIF to x.sarif, text to stdout). Both fill
    ``reports``: [format, file or None] pairs in command-line order."""

    def __call__(
        self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: object, option: str | None = None
    ) -> None:
        reports: list[list[str | None]] = list(namespace.reports or [])
        namespace.reports = reports
        if self.dest == "format":
            reports.append([str(values), None])
        elif reports and reports[-1][1] is None:
            reports[-1][1] = str(values)
        elif not reports:  # the file of the default text report, unless a --format follows
            reports.append([None, str(values)])
        else:
            parser.error(f"{option} {values}: each --output needs a --format of its own just before it")


def lint_parser() -> argparse.ArgumentParser:
    """The parser of ``pullcheck [options] [PATH ...]``."""
    p = argparse.ArgumentParser(
        formatter_class=_Formatter,
        prog="pullcheck",
        description="Offline linter for the Kubernetes manifest mistakes that end in ImagePullBackOff. "
        "Subcommands: `pullcheck rules`, `pullcheck explain RULE`, `pullcheck inventory import|validate`, `pullcheck diagnose DUMP`.",
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or directories to lint, '-' for stdin (default: .)")
    p.add_argument("--format", "-f", action=_ReportAction, choices=("text", "json", "sarif", "github"),
                   help="output format; repeat, each with its --output, to write several (default: text)")
    p.add_argument("--output", "-o", action=_ReportAction, metavar="FILE", help="write the --format just before it to FILE")
    p.set_defaults(reports=None)
    p.add_argument("--config", "-c", type=Path, metavar="FILE", help="config file (default: .pullcheck.yaml found upward)")
    p.add_argument("--fail-on", choices=("error", "warning", "note"), help="lowest level that exits 1 (default: warning)")
    p.add_argument("--enable", action="append", metavar="RULE", help="switch rules on (comma-separated)")
    p.add_argument("--disable", action="append", metavar="RULE", help="switch rules off (comma-separated)")
    p.add_argument("--exclude", action="append", default=[], metavar="PATTERN", help="gitignore-style pattern to skip")
    p.add_argument("--no-gitignore", action="store_true", help="do not read the repository's .gitignore")
    p.add_argument("--namespace", "-n", metavar="NS", help="namespace of objects that name none (default: default)")
    p.add_argument("--jobs", "-j", type=_jobs, default=0, metavar="N", help="worker processes, or auto (default)")
    p.add_argument("--all-documents", action="store_true",
                   help="parse every document, even kinds that hold no image (CRDs, RBAC...), so yaml-syntax "
                   "and duplicate-key cover them too")
    p.add_argument("--max-file-size", type=_size, metavar="SIZE", help="largest file to read (default: 64M)")
    p.add_argument("--max-depth", type=_depth, metavar="N", help="deepest nesting to parse (default: 1000, at most 5000)")
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto", help="colour in text output")
    p.add_argument("--quiet", "-q", action="store_true", help="print only findings (no code frames, no summary)")
    p.add_argument("--statistics", action="store_true", help="print counts by rule")
    p.add_argument("--fix", action="store_true",
                   help="apply the certain fixes in place (atomically; never stdin, never Helm-rendered files)")
    p.add_argument("--diff", action="store_true",
                   help="print the fixes as a unified diff instead of writing them (exit 1 when there are any)")
    p.add_argument("--baseline", type=Path, metavar="FILE", help="report only findings that are not in this baseline")
    p.add_argument("--write-baseline", type=Path, metavar="FILE",
                   help="save today's findings to FILE as the baseline, report nothing, exit 0")
    p.add_argument("--inventory", action="append", type=Path, default=[], metavar="FILE",
                   help="registry inventory for unknown-image-tag (repeatable; adds to `inventory:` in the config)")
    p.add_argument("--pin-digests", action="store_true",
                   help="with --fix and an inventory: pin repo:tag to repo:tag@sha256:... (without --fix: report what would be pinned)")
    p.add_argument("--version", action="version", version=f"pullcheck {__version__}")
    return p


def use_color(choice: str, stream: object) -> bool:
    """Whether to colour output to ``stream`` for ``--color auto|always|never`` (``NO_COLOR`` wins
    over auto; auto means a terminal)."""
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return bool(getattr(stream, "isatty", lambda: False)())


class _Stdout:
    """Standard output for a report written piece by piece: a piece that stdout's encoding cannot take
    (a file name that is not UTF-8) goes out as its original bytes, not a traceback."""

    def write(self, text: str, /) -> None:
        """Write one piece of the report."""
        try:
            sys.stdout.write(text)
        except UnicodeEncodeError:
            sys.stdout.flush()
            sys.stdout.buffer.write(text.encode("utf-8", "surrogateescape"))


def _write_stdout(text: str) -> None:
    """Write a whole text (a report, a diff) to standard output, see ``_Stdout``."""
    _Stdout().write(text)
    sys.stdout.flush()


def _err(message: str) -> None:
    print(f"pullcheck: {message}", file=sys.stderr)


def run() -> NoReturn:
    """The ``pullcheck`` command (console script and ``python -m pullcheck``): ``main``, then exit
    without tearing the interpreter down: freeing every object of a run one by one took 20-30 ms
    after the report was out. Everything is written and closed by then; stdout and stderr are
    flushed here."""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe or stream: what could be written was
            pass
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    """The command's work, returning its exit code (tests call it in-process)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and args_list[0] in SUBCOMMANDS:
        return _subcommand(args_list[0], args_list[1:])
    try:
        return _lint(lint_parser().parse_args(args_list))
    except BrokenPipeError:
        return EXIT_FINDINGS


def _lint(args: argparse.Namespace) -> int:
    from pullcheck.config import ConfigError, load
    from pullcheck.engine import Engine, RunOptions
    from pullcheck.report import Report, write
    from pullcheck.rule import all_rules
    from pullcheck.sources import Notice, Source, UsageError, expand, repo_root

    started = time.perf_counter()
    cwd = Path.cwd()
    try:
        config = load(args.config, cwd)
    except ConfigError as exc:
        _err(str(exc))
        return EXIT_USAGE
    if args.fail_on:
        config.data["fail-on"] = args.fail_on
    if args.namespace:
        config.data["namespace"] = args.namespace
    config.enable = set(_split(args.enable))
    config.disable = set(_split(args.disable))
    rules, plugin_errors = all_rules()  # printed with the run's other errors, or here on exit 2
    problems = _rule_config_problems(config, rules)
    if problems:
        for line in [*plugin_errors, *problems]:
            _err(line)
        return EXIT_USAGE
    from pullcheck.inventory import InventoryError, prepare

    try:
        prepare(config, args.inventory, cwd, pin_digests=args.pin_digests)  # loaded once, before linting
    except InventoryError as exc:
        _err(str(exc))
        return EXIT_USAGE
    reports: list[list[str | None]] = args.reports or [["text", None]]
    if reports[0][0] is None:  # -o FILE before any --format: the text report's file, if alone
        if len(reports) > 1:
            _err(f"--output {reports[0][1]} comes before any --format: put each --output after its --format")
            return EXIT_USAGE
        reports[0][0] = "text"
    formats = [str(fmt) for fmt, _ in reports]
    options = RunOptions(
        all_documents=args.all_documents,
        max_depth=args.max_depth or int(config.data.get("max-depth", 1000)),
        max_file_size=args.max_file_size or int(config.data.get("max-file-size", 64 * 1024 * 1024)),
        jobs=args.jobs,
    )
    sources: list[Source] = []
    notices: list[Notice] = []
    try:
        walk = expand(args.paths or ["."], args.exclude, cwd, not args.no_gitignore, config.exclusions(cwd))
        for item in walk:
            if isinstance(item, Source):
                sources.append(item)
            else:
                notices.append(item)
    except UsageError as exc:
        _err(str(exc))
        return EXIT_USAGE
    from pullcheck.progress import progress_bar

    baseline: Counter[str] | None = None
    if args.baseline:
        from pullcheck.baseline import BaselineError
        from pullcheck.baseline import load as load_baseline

        try:
            baseline = load_baseline(args.baseline)
        except BaselineError as exc:
            _err(str(exc))
            return EXIT_USAGE
    engine = Engine(config, rules, options)
    engine.errors.extend(plugin_errors)  # a plug-in that did not load: its findings are missing too
    if args.fix or args.diff:
        from pullcheck.fixer import fix_sources

        fixed = fix_sources(engine, sources, write=not args.diff)
        for message in fixed.messages:
            _err(message)
        if args.diff:
            _write_stdout(fixed.diff())
            for e in engine.errors:
                _err(e)
            return EXIT_USAGE if engine.errors else EXIT_FINDINGS if fixed.changes else EXIT_CLEAN
        findings, stats = fixed.findings, fixed.stats
    else:
        with progress_bar(len(sources), quiet=args.quiet, color=args.color != "never") as tick:
            findings, stats = engine.run(sources, tick)
    if args.write_baseline:
        return _write_baseline(args.write_baseline, findings, engine.errors)
    if baseline is not None:
        from pullcheck.suppress import by_baseline

        findings, hidden = by_baseline(findings, baseline)
        if hidden and not args.quiet:
            _err(f"{hidden} finding{'' if hidden == 1 else 's'} in the baseline {args.baseline} not reported")
    stats.seconds = time.perf_counter() - started
    report = Report(
        findings=findings,
        rules=[_info(r, config, with_docs="sarif" in formats) for r in rules],
        stats=stats,
        notices=notices,
        errors=engine.errors,
        root=repo_root(cwd),
        cwd=cwd,
        version=__version__,
        quiet=args.quiet,
        statistics=args.statistics,
    )
    for fmt, target in zip(formats, (file for _, file in reports), strict=True):
        report.color = fmt == "text" and target is None and use_color(args.color, sys.stdout)
        if target is None:
            write(fmt, report, _Stdout())
            sys.stdout.flush()
        else:
            try:  # errors: file names that are not UTF-8 are written as their original bytes
                with open(target, "w", encoding="utf-8", errors="surrogateescape") as out:
                    write(fmt, report, out)
            except OSError as exc:
                _err(f"cannot write {target}: {exc.strerror or exc}")
                return EXIT_USAGE
    if "text" not in formats or any(fmt == "text" and file is not None for fmt, file in reports):
        for n in notices:
            print(f"{n.path}: notice: {n.message}", file=sys.stderr)
    for e in engine.errors:
        _err(e)
    if engine.errors:
        return EXIT_USAGE
    return EXIT_FINDINGS if engine.failed(findings) else EXIT_CLEAN


def _rule_config_problems(config: Config, rules: Sequence[type[Rule]]) -> list[str]:
    """Rule ids the config or the command line name that no rule has, and rule options of the wrong
    name or type: each a line for stderr (exit 2)."""
    known = {r.id for r in rules}
    unknown = sorted((config.enable | config.disable | set(config.data.get("rules") or {})) - known)
    lines = [f"unknown rule id(s): {', '.join(unknown)} (see `pullcheck rules`)"] if unknown else []
    return lines + config.option_problems(rules)


def _write_baseline(path: Path, findings: list[Finding], errors: list[str]) -> int:
    """``--write-baseline``: save the findings (not when a rule crashed: the baseline would miss some)."""
    from pullcheck.baseline import BaselineError, write

    for e in errors:
        _err(e)
    if errors:
        _err(f"baseline not written to {path}: the run was incomplete")
        return EXIT_USAGE
    try:
        n = write(path, findings)
    except BaselineError as exc:
        _err(str(exc))
        return EXIT_USAGE
    _err(f"wrote {n} finding{'' if n == 1 else 's'} to the baseline {path}")
    return EXIT_CLEAN


def _info(rule: type[Rule], config: Config, with_docs: bool = True) -> RuleInfo:
    """The metadata a reporter may see about a rule; the rendered help only when a format prints it
    (SARIF), since rendering every rule's docs costs more than linting one small file."""

    from pullcheck.report import RuleInfo
    from pullcheck.rule import render_docs

    docs = render_docs(rule) if with_docs else ""
    return RuleInfo(
        id=rule.id,
        name=rule.name,
        summary=rule.summary,
        default_level=rule.level,
        level=config.rule_level(rule),
        tags=tuple(rule.tags),
        precision=rule.precision,
        security_severity=rule.security_severity,
        description=" ".join(" ".join(rule.what.split()).split("\n")) or rule.summary,
        help_markdown=docs,
        help_text=docs,
        origin=rule.origin,
    )


def _subcommand(name: str, argv: list[str]) -> int:
    from pullcheck.config import ConfigError, load
    from pullcheck.rule import all_rules, render_docs

    if name == "inventory":
        from pullcheck.inventory_import import main as inventory_main

        return inventory_main(argv)
    if name == "diagnose":
        from pullcheck.diagnose import main as diagnose_main

        return diagnose_main(argv)
    if name == "explain":
        p = argparse.ArgumentParser(prog="pullcheck explain", description="Print a rule's documentation.")
        p.add_argument("rule")
        a = p.parse_args(argv)
        rules, _ = all_rules()
        for r in rules:
            if r.id == a.rule:
                sys.stdout.write(render_docs(r))
                return EXIT_CLEAN
        _err(f"unknown rule {a.rule!r} (see `pullcheck rules`)")
        return EXIT_USAGE
    p = argparse.ArgumentParser(prog="pullcheck rules", description="List every rule.")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--config", "-c", type=Path)
    a = p.parse_args(argv)
    try:
        config = load(a.config)
    except ConfigError as exc:
        _err(str(exc))
        return EXIT_USAGE
    rules, errors = all_rules()
    for e in errors:
        _err(e)
    problems = _rule_config_problems(config, rules)
    if problems:
        for line in problems:
            _err(line)
        return EXIT_USAGE
    rows = [
        {
            "id": r.id,
            "defaultLevel": r.level,
            "level": config.rule_level(r),
            "enabled": config.rule_level(r) is not None,
            "summary": r.summary,
            "origin": r.origin,
        }
        for r in rules
    ]
    if a.format == "json":
        import json

        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return EXIT_CLEAN
    from rich.console import Console
    from rich.table import Table

    table = Table(title="pullcheck rules", show_lines=False)
    for col in ("id", "level", "default", "summary"):  # level: as configured, "off" when switched off
        table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(str(row["id"]), str(row["level"] or "off"), str(row["defaultLevel"]), str(row["summary"]))
    Console(no_color=bool(os.environ.get("NO_COLOR")), width=max(100, _width())).print(table)
    return EXIT_CLEAN


def _width() -> int:
    try:
        return os.get_terminal_size().columns
    except OSError:
        return 120
