#!/usr/bin/env python3
"""Run the atheris fuzz target for a given time, seeded from the adversarial corpus and fixtures.

    pip install '.[fuzz]'        # atheris
    tests/fuzz/run.py --seconds 600 [--workdir DIR] [--reports]

The growing corpus and any crash artifacts live in ``--workdir`` (default: a folder under the
system temp dir, kept between runs so the coverage accumulates); nothing is written into the repo.
A crash prints its artifact path; minimize it, add it to ``tests/adversarial/cases/`` with its
expected outcome in ``expected.json``, and fix the engine.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
TESTS = HERE.parent
SEEDS = (TESTS / "adversarial" / "cases", TESTS / "fixtures" / "model")


def seed(corpus: Path) -> int:
    """Copy the small hand-written inputs into the working corpus; how many were copied."""
    corpus.mkdir(parents=True, exist_ok=True)
    n = 0
    for d in SEEDS:
        if not d.is_dir():
            continue
        for p in sorted(d.iterdir()):
            if p.is_file() and p.stat().st_size <= 64 * 1024 and not p.name.endswith(".json"):
                shutil.copyfile(p, corpus / f"seed-{d.name}-{p.name}")
                n += 1
    return n


def main(argv: list[str] | None = None) -> int:
    """Parse the options, seed the corpus and run libFuzzer until the time is up."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=int, default=60, help="total fuzzing time (default 60)")
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "pullcheck-fuzz")
    ap.add_argument("--reports", action="store_true", help="also render every output format")
    ap.add_argument("--timeout", type=int, default=10, help="seconds one input may take before it is a hang")
    ap.add_argument("--rss-limit-mb", type=int, default=2048)
    ap.add_argument("--max-len", type=int, default=16384, help="largest generated input in bytes")
    ap.add_argument("extra", nargs="*", help="further libFuzzer arguments (e.g. a crash file to replay)")
    args = ap.parse_args(argv)
    corpus = args.workdir / "corpus"
    crashes = args.workdir / "crashes"
    crashes.mkdir(parents=True, exist_ok=True)
    print(f"seeded {seed(corpus)} inputs into {corpus}", flush=True)
    env = dict(os.environ, PULLCHECK_FUZZ_REPORTS="1" if args.reports else "0")
    cmd = [
        sys.executable,
        str(HERE / "fuzz_lint.py"),
        f"-max_total_time={args.seconds}",
        f"-timeout={args.timeout}",
        f"-rss_limit_mb={args.rss_limit_mb}",
        f"-max_len={args.max_len}",
        f"-dict={HERE / 'yaml.dict'}",
        f"-artifact_prefix={crashes}/",
        "-print_final_stats=1",
        *args.extra,
        str(corpus),
    ]
    print(" ".join(cmd), flush=True)
    return subprocess.call(cmd, env=env)


if __name__ == "__main__":
    sys.exit(main())
