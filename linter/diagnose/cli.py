"""Arguments and exit codes of ``pullcheck diagnose DUMP... [--manifests PATH...]``.

Exit 0 when no container is failing to pull, 1 when one is, 2 on a usage error or an input that
could not be read or looks truncated (whatever could be read is still reported).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from pullcheck.sources import STDIN

EXIT_CLEAN, EXIT_FAILING, EXIT_USAGE = 0, 1, 2


def parser() -> argparse.ArgumentParser:
    """The parser of ``pullcheck diagnose``."""
    p = argparse.ArgumentParser(
        prog="pullcheck diagnose",
        description="Explain failing image pulls from what kubectl printed, offline: the output of "
        "`kubectl get pods -o yaml|json`, `kubectl get events -o yaml|json` or `kubectl describe pod` "
        "(recognised automatically). Each failing container gets a cause family, the evidence quoted "
        "and what to check next; with --manifests, the static findings for the same pod and image.",
    )
    p.add_argument("dumps", nargs="+", metavar="DUMP", help="files kubectl wrote, '-' for stdin")
    p.add_argument("--manifests", "-m", nargs="+", action="extend", default=[], metavar="PATH",
                   help="also lint these manifests (files or directories) and show their findings for each failing image")
    p.add_argument("--format", "-f", choices=("text", "json"), default="text", help="output format (default: text)")
    p.add_argument("--output", "-o", type=Path, metavar="FILE", help="write the report to FILE")
    p.add_argument("--config", "-c", type=Path, metavar="FILE", help="config for linting the manifests")
    p.add_argument("--namespace", "-n", metavar="NS", help="namespace of manifest objects that name none")
    p.add_argument("--inventory", action="append", type=Path, default=[], metavar="FILE",
                   help="registry inventory for unknown-image-tag when linting the manifests")
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto", help="colour in text output")
    return p


def _err(message: str) -> None:
    print(f"pullcheck diagnose: {message}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``pullcheck diagnose``; returns the exit code."""
    try:
        args = parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:  # argparse: --help exits 0, a usage error 2
        return int(exc.code or 0)
    try:
        return _run(args)
    except BrokenPipeError:
        return EXIT_FAILING


def _run(args: argparse.Namespace) -> int:
    from pullcheck.diagnose.classify import classify
    from pullcheck.diagnose.collect import collect
    from pullcheck.diagnose.inputs import Dump, DumpError, read_dump
    from pullcheck.diagnose.related import ManifestError, ManifestRun, links, lint_manifests
    from pullcheck.diagnose.report import Result, render_json, render_text

    if args.dumps.count(STDIN) + args.manifests.count(STDIN) > 1:
        _err("'-' (stdin) can be given only once")
        return EXIT_USAGE
    for arg in args.dumps:
        if arg != STDIN and not os.path.lexists(arg):
            _err(f"{arg}: no such file")
            return EXIT_USAGE
    dumps: list[Dump] = []
    broken = False
    for arg in args.dumps:
        try:
            dump = read_dump(arg)
        except DumpError as exc:
            _err(str(exc))
            broken = True
            continue
        for problem in dump.problems:
            _err(problem)
        broken = broken or bool(dump.problems)
        dumps.append(dump)
    manifests: ManifestRun | None = None
    if args.manifests:
        try:
            manifests = lint_manifests(args.manifests, args.config, args.namespace, args.inventory, Path.cwd())
        except ManifestError as exc:
            _err(str(exc))
            return EXIT_USAGE
        for n in manifests.notices:
            _err(n)
        for e in manifests.errors:
            _err(e)
    collected = collect(dumps)
    results = [
        Result(f, classify(f), links(f, manifests) if manifests is not None else [])
        for f in collected.failures
    ]
    if args.format == "json":
        text = render_json(results)
    else:
        from pullcheck.cli import use_color

        color = args.output is None and use_color(args.color, sys.stdout)
        text = render_text(results, pods=collected.pods, containers=collected.containers, manifests=manifests, color=color)
    if args.output is not None:
        try:
            args.output.write_text(text, encoding="utf-8")
        except OSError as exc:
            _err(f"cannot write {args.output}: {exc.strerror or exc}")
            return EXIT_USAGE
    else:
        sys.stdout.write(text)
        sys.stdout.flush()
    if broken or (manifests is not None and manifests.errors):
        return EXIT_USAGE
    return EXIT_FAILING if results else EXIT_CLEAN
