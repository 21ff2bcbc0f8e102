"""Benchmark pullcheck against the cost of parsing the same YAML at all (issue 6).

In one run, on the same machine and the same bytes, for each corpus (``../shared/corpus/real`` when
present, and generated corpora of N documents, see ``bench/generate.py``) it measures:

- ``floor``: read every file and compose it with PyYAML's libyaml ``CSafeLoader`` (``compose_all``),
  nothing else. Timed inside the process, from the first read to the last node, so interpreter
  start-up and the directory walk are not counted: the floor is as low as it can be.
- ``jobs1``: ``pullcheck --jobs 1``; ``default``: ``pullcheck`` with default settings (``--jobs auto``);
  ``jobs2``: ``pullcheck --jobs 2``; ``all-docs``: ``pullcheck --all-documents --jobs 1``. Each is the
  real command in a fresh process (``python -m pullcheck --format json -o /dev/null .`` in the corpus
  directory), timed wall-clock from spawn to exit, start-up included.
- ``small`` (once per run): ``pullcheck small.yaml`` (default text output, piped: the pre-commit case)
  against ``python -c pass``.
- peak RSS of every process (``wait4`` resource usage: the largest of the process and its workers).
- ``--checkov``: Checkov on the real corpus, once (slow: minutes).
- every round, the machine's own two-process speed-up (``measure_ceiling``): context for ``jobs2``.

Before measuring, the installed package is compiled to bytecode (``compileall``), as pip and
pre-commit leave it: a source tree without fresh ``.pyc`` files (an editable install under
``PYTHONDONTWRITEBYTECODE``) would compile ~60 ms of source in every process.

Runs are interleaved (every line once per round) so machine noise spreads over all lines. It prints
a table of medians with min and max and the ratios against the targets, and writes JSON.

    python bench/run.py --runs 5 --json-out bench-result.json
    python bench/run.py --sizes 1000 --no-real --runs 3          # quick
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REAL = HERE.parent.parent / "shared" / "corpus" / "real"
EXTENSIONS = (".yaml", ".yml", ".json")
ISSUE_CHECKOV = "240-265 s wall, 1.6 GB peak (issue 6, 2026-11-29; not re-measured in this run)"

# pullcheck lines: name -> extra arguments
LINES: dict[str, list[str]] = {
    "jobs1": ["--jobs", "1"],
    "default": [],
    "jobs2": ["--jobs", "2"],
    "all-docs": ["--all-documents", "--jobs", "1"],
}
DESCRIPTIONS = {
    "floor": "floor: read + PyYAML CSafeLoader compose_all",
    "jobs1": "pullcheck --jobs 1",
    "default": "pullcheck (default settings)",
    "jobs2": "pullcheck --jobs 2",
    "all-docs": "pullcheck --all-documents --jobs 1",
    "python": "python -c pass",
    "small": "pullcheck small.yaml (text, piped)",
    "checkov": "checkov -d DIR --framework kubernetes",
}
SMALL_YAML = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  labels:
    app.kubernetes.io/name: web
spec:
  replicas: 2
  selector:
    matchLabels:
      app.kubernetes.io/name: web
  template:
    metadata:
      labels:
        app.kubernetes.io/name: web
    spec:
      serviceAccountName: web
      containers:
        - name: web
          image: ghcr.io/acme/web:1.4.2
          ports:
            - containerPort: 8080
          resources:
            requests: {cpu: 100m, memory: 128Mi}
        - name: proxy
          image: nginx:1.27.3
"""


@dataclass(slots=True)
class Sample:
    """One timed process: wall seconds (or the in-process time of the floor), CPU seconds (user +
    system of the process and its workers: robust when other work shares the machine), peak RSS."""

    seconds: float
    rss_mb: float
    exit_code: int
    cpu_s: float = 0.0


@dataclass(slots=True)
class Line:
    """All samples of one benchmark line on one corpus."""

    samples: list[Sample] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """Median, min and max of time and RSS."""
        t = [s.seconds for s in self.samples]
        r = [s.rss_mb for s in self.samples]
        return {
            "median_s": statistics.median(t),
            "min_s": min(t),
            "max_s": max(t),
            "cpu_median_s": statistics.median(s.cpu_s for s in self.samples),
            "rss_median_mb": statistics.median(r),
            "rss_max_mb": max(r),
            "runs": [round(x, 4) for x in t],
            "exit_codes": sorted({s.exit_code for s in self.samples}),
        }


# -- measuring --------------------------------------------------------------------------------------
def run_process(cmd: list[str], cwd: Path | None = None, stdout: Any = subprocess.DEVNULL) -> tuple[Sample, str]:
    """Run a command to completion; wall time, peak RSS (largest of it and its children), stderr."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=stdout, stderr=err, stdin=subprocess.DEVNULL)
        _pid, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    cpu = usage.ru_utime + usage.ru_stime
    return Sample(seconds, usage.ru_maxrss / 1024, proc.returncode, cpu), stderr


def floor_main(root: str) -> int:
    """The floor, in this (child) process: read every file and compose it with CSafeLoader."""
    import yaml

    files = corpus_files(Path(root))
    start = time.perf_counter()
    cpu_start = time.process_time()
    documents = errors = 0
    for p in files:
        with open(p, "rb") as fh:
            data = fh.read()
        try:
            for _ in yaml.compose_all(data, Loader=yaml.CSafeLoader):
                documents += 1
        except yaml.YAMLError:
            errors += 1
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    print(json.dumps({"seconds": seconds, "cpu": cpu, "files": len(files), "documents": documents, "errors": errors}))
    return 0


def corpus_files(root: Path) -> list[str]:
    """Every file pullcheck lints in a directory: ``*.yaml *.yml *.json``, recursively."""
    out: list[str] = []
    for d, dirs, names in os.walk(root):
        dirs[:] = sorted(x for x in dirs if x not in (".git", ".hg", ".svn"))
        out.extend(os.path.join(d, n) for n in sorted(names) if n.endswith(EXTENSIONS))
    return out


def compile_package(python: str) -> list[str]:
    """Compile pullcheck's package directories (``pullcheck`` and ``pullcheck.rules``, which an
    editable install maps to separate trees) to bytecode with ``compileall``, as an install does;
    a no-op when the ``.pyc`` files are fresh. Returns the directories."""
    find = (
        "import importlib.util as u\n"
        "for m in ('pullcheck', 'pullcheck.rules'):\n"
        "    print(*u.find_spec(m).submodule_search_locations, sep='\\n')"
    )
    dirs = subprocess.run([python, "-c", find], check=True, capture_output=True, text=True).stdout.split()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # compile step only
    subprocess.run([python, "-m", "compileall", "-q", *dict.fromkeys(dirs)], check=True, env=env)
    return dirs


def measure_floor(python: str, corpus: Path) -> tuple[Sample, dict[str, Any]]:
    """One floor sample: the in-process compose time, with the process's peak RSS."""
    with tempfile.TemporaryFile() as out:
        sample, stderr = run_process([python, str(Path(__file__).resolve()), "--floor", str(corpus)], stdout=out)
        out.seek(0)
        text = out.read().decode()
    if sample.exit_code != 0:
        raise SystemExit(f"floor failed on {corpus}:\n{stderr}")
    info = json.loads(text)
    return Sample(info["seconds"], sample.rss_mb, 0, info["cpu"]), info


def measure_pullcheck(python: str, corpus: Path, extra: list[str]) -> Sample:
    """One run of the real command over a corpus directory; exit 0 or 1 (findings) is success."""
    cmd = [python, "-m", "pullcheck", "--format", "json", "--output", os.devnull, *extra, "."]
    sample, stderr = run_process(cmd, cwd=corpus)
    if sample.exit_code not in (0, 1):
        raise SystemExit(f"pullcheck {' '.join(extra)} failed ({sample.exit_code}) on {corpus}:\n{stderr[-3000:]}")
    return sample


def measure_small(python: str, path: Path) -> tuple[Sample, Sample]:
    """``python -c pass`` then ``pullcheck small.yaml`` with text output piped (as pre-commit runs it)."""
    bare, _ = run_process([python, "-c", "pass"])
    with tempfile.TemporaryFile() as out:
        small, stderr = run_process([python, "-m", "pullcheck", str(path)], cwd=path.parent, stdout=out)
    if small.exit_code not in (0, 1):
        raise SystemExit(f"pullcheck on one small file failed ({small.exit_code}):\n{stderr}")
    return bare, small


SPIN = "x = 0\nfor i in range(4_000_000):\n    x += i\n"


def measure_ceiling(python: str) -> float:
    """What two processes get from this machine right now: how much faster two concurrent copies of
    a CPU-bound Python loop finish than two copies one after the other (2.0 on two idle cores; less
    when the host shares its cores), the bound any ``--jobs 2`` speed-up of the same round is under."""
    before, _ = run_process([python, "-c", SPIN])
    start = time.perf_counter()
    procs = [subprocess.Popen([python, "-c", SPIN]) for _ in range(2)]
    for proc in procs:
        proc.wait()
    pair = time.perf_counter() - start
    after, _ = run_process([python, "-c", SPIN])
    return 2 * min(before.seconds, after.seconds) / pair  # the faster single run: noise only slows


def measure_checkov(checkov: str, corpus: Path) -> Sample:
    """Checkov on the corpus, as the issue ran it."""
    cmd = [checkov, "-d", str(corpus), "--framework", "kubernetes", "--quiet", "--compact", "-o", "json"]
    sample, _ = run_process(cmd)
    return sample


# -- reporting --------------------------------------------------------------------------------------
@dataclass(slots=True)
class Target:
    """One target of the issue and whether this run met it."""

    what: str
    value: float | None
    bound: str
    met: bool | None

    def row(self) -> str:
        """A table row."""
        val = "n/a" if self.value is None else f"{self.value:.3f}"
        verdict = "n/a" if self.met is None else "met" if self.met else "NOT MET"
        return f"  {self.what:<62} {val:>9}  {self.bound:<12} {verdict}"


def _ratio(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None or b == 0 else a / b


def targets(result: dict[str, Any]) -> list[Target]:
    """Evaluate every target of issue 6 on a result."""
    out: list[Target] = []
    corpora: dict[str, Any] = result["corpora"]

    def stat(key: str, corpus: str, line: str) -> float | None:
        c = corpora.get(corpus)
        return c["lines"][line][key] if c and line in c["lines"] else None

    def med(corpus: str, line: str) -> float | None:
        return stat("median_s", corpus, line)

    def rss(corpus: str, line: str) -> float | None:
        return stat("rss_max_mb", corpus, line)

    def cpu(corpus: str, line: str) -> float | None:
        return stat("cpu_median_s", corpus, line)

    def check(what: str, value: float | None, bound: str, ok: bool | None) -> None:
        out.append(Target(what, value, bound, None if value is None else ok))

    for name in corpora:
        floor = med(name, "floor")
        for line, limit in (("default", 0.5), ("jobs1", 0.8), ("all-docs", 1.6)):
            r = _ratio(med(name, line), floor)
            check(f"{name}: {line} / floor", r, f"<= {limit}", r is not None and r <= limit)
        for line, limit in (("jobs1", 0.8), ("all-docs", 1.6)):  # one process: CPU time is wall time minus waiting
            r = _ratio(cpu(name, line), cpu(name, "floor"))
            check(f"{name}: {line} / floor, CPU seconds (robust under load)", r, f"<= {limit}", r is not None and r <= limit)
        s = _ratio(med(name, "jobs1"), med(name, "jobs2"))
        check(f"{name}: jobs1 / jobs2 (speed-up on {result['machine']['cpus']} cpus)", s, ">= 1.7",
              s is not None and s >= 1.7)
    if "real" in corpora:
        for line in LINES:
            r = rss("real", line)
            check(f"real: peak RSS MB, {line}", r, "<= 100", r is not None and r <= 100)
    big = next((n for n in corpora if corpora[n].get("generated") == 100_000), None)
    ten = next((n for n in corpora if corpora[n].get("generated") == 10_000), None)
    if big and "real" in corpora:
        for line in LINES:
            r = _ratio(rss(big, line), rss("real", line))
            check(f"{big}: peak RSS / real's, {line}", r, "<= 1.2", r is not None and r <= 1.2)
    if big and ten:
        for line in ("floor", *LINES):
            r = _ratio(med(big, line), med(ten, line))
            check(f"time {big} / {ten}, {line}", r, "<= 11", r is not None and r <= 11)
    small = result.get("small")
    if small:
        check("small file: wall seconds", small["small"]["median_s"], "<= 0.2", small["small"]["median_s"] <= 0.2)
        extra = small["small"]["median_s"] - small["python"]["median_s"]
        check("small file: seconds above python -c pass", extra, "<= 0.12", extra <= 0.12)
        extra_cpu = small["small"]["cpu_median_s"] - small["python"]["cpu_median_s"]
        check("small file: CPU seconds above python -c pass", extra_cpu, "<= 0.12", extra_cpu <= 0.12)
    ck = result.get("checkov")
    if ck and ck.get("median_s") and "real" in corpora:
        r = _ratio(ck["median_s"], med("real", "default"))
        check("real: checkov / default (times faster)", r, ">= 100", r is not None and r >= 100)
    return out


def table(result: dict[str, Any]) -> str:
    """The human-readable result: one row per line and corpus, then the targets."""
    m = result["machine"]
    load = m["loadavg_start"][0]  # before the first run (at the end it counts the benchmark itself)
    rows = [f"{m['cpus']} cpus, Python {m['python']}, {result['runs']} runs; load average at start {load:.2f}"
            + (" -- other work was running: wall times and the jobs2 speed-up are pessimistic" if load > 0.7 else "")]
    rows.append(f"{'corpus':<10} {'line':<44} {'median':>8} {'min':>8} {'max':>8} {'RSS MB':>7} {'x floor':>8} {'cpu s':>7}")
    for name, c in result["corpora"].items():
        floor = c["lines"].get("floor", {}).get("median_s")
        for line, s in c["lines"].items():
            x = f"{s['median_s'] / floor:8.2f}" if floor else ""
            rows.append(
                f"{name:<10} {DESCRIPTIONS[line]:<44} {s['median_s']:8.3f} {s['min_s']:8.3f} {s['max_s']:8.3f} "
                f"{s['rss_max_mb']:7.1f} {x:>8} {s['cpu_median_s']:7.3f}"
            )
        docs = c.get("documents", c.get("generated", "?"))
        rows.append(f"{'':<10} ({c['files']} files, {docs} documents, {c['bytes'] / 1e6:.1f} MB)")
    small = result.get("small")
    if small:
        for line in ("python", "small"):
            s = small[line]
            rows.append(
                f"{'1 file':<10} {DESCRIPTIONS[line]:<44} {s['median_s']:8.3f} {s['min_s']:8.3f} {s['max_s']:8.3f} "
                f"{s['rss_max_mb']:7.1f}"
            )
    ck = result.get("checkov")
    if ck and ck.get("median_s"):
        rows.append(f"{'real':<10} {DESCRIPTIONS['checkov']:<44} {ck['median_s']:8.1f} {ck['min_s']:8.1f} "
                    f"{ck['max_s']:8.1f} {ck['rss_max_mb']:7.1f}")
    else:
        rows.append(f"{'real':<10} {DESCRIPTIONS['checkov']:<44} {ISSUE_CHECKOV}")
    rows.append("")
    rows.append("targets (ratios of medians):")
    rows.extend(t.row() for t in targets(result))
    rows.append("")
    rows.append("context for the --jobs 2 speed-up (not targets):")
    two = m.get("two_process_speedup")
    if two:
        runs = ", ".join(f"{x:.2f}" for x in two["runs"])
        what = "machine: 2 concurrent CPU-bound processes vs 2 in a row"
        rows.append(f"  {what:<62} {two['median']:9.3f}  rounds: {runs}")
    for name, c in result["corpora"].items():
        lines = c["lines"]
        if "jobs1" in lines and "jobs2" in lines:
            paired = [x / y for x, y in zip(lines["jobs1"]["runs"], lines["jobs2"]["runs"], strict=True)]
            rounds = ", ".join(f"{x:.2f}" for x in paired)
            what = f"{name}: jobs1 / jobs2 of the same round, median"
            rows.append(f"  {what:<62} {statistics.median(paired):9.3f}  rounds: {rounds}")
    return "\n".join(rows)


# -- driving ----------------------------------------------------------------------------------------
def corpus_info(root: Path) -> dict[str, int]:
    """Files and bytes of a corpus (documents come from the floor)."""
    files = corpus_files(root)
    return {"files": len(files), "bytes": sum(os.path.getsize(f) for f in files)}


def prepare_generated(sizes: list[int], gen_dir: Path, seed: int) -> dict[str, tuple[Path, int]]:
    """Generate (or reuse, when the stamp matches) one corpus per size under ``gen_dir``."""
    sys.path.insert(0, str(HERE))
    from generate import GENERATOR_VERSION, generate

    out: dict[str, tuple[Path, int]] = {}
    for n in sizes:
        target = gen_dir / f"gen-{n}"
        stamp = target / ".stamp.json"
        want = {"n": n, "seed": seed, "version": GENERATOR_VERSION}
        if not (stamp.is_file() and json.loads(stamp.read_text()) == want):
            shutil.rmtree(target, ignore_errors=True)
            t = time.perf_counter()
            stats = generate(n, target, seed)
            stamp.write_text(json.dumps(want))
            print(f"generated {n} documents: {stats['files']} files, {stats['bytes'] / 1e6:.1f} MB "
                  f"in {time.perf_counter() - t:.1f}s", file=sys.stderr)
        out[_label(n)] = (target, n)
    return out


def _label(n: int) -> str:
    return f"gen-{n // 1000}k" if n % 1000 == 0 else f"gen-{n}"


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run every line ``--runs`` times (interleaved), print and save the result."""
    p = argparse.ArgumentParser(description="pullcheck benchmark (issue 6)")
    p.add_argument("--runs", type=int, default=3, help="rounds of every line (default 3)")
    p.add_argument("--sizes", default="1000,10000,100000", help="generated corpora, in documents ('' for none)")
    p.add_argument("--no-real", action="store_true", help="skip ../shared/corpus/real")
    p.add_argument("--corpus", action="append", type=Path, default=[], help="another corpus directory")
    p.add_argument("--gen-dir", type=Path, help="where generated corpora live (kept; default: a temp dir, removed)")
    p.add_argument("--seed", type=int, default=6)
    p.add_argument("--lines", default="floor,jobs1,default,jobs2,all-docs", help="lines to run")
    p.add_argument("--checkov", action="store_true", help="also run Checkov once on the real corpus (minutes)")
    p.add_argument("--checkov-bin", default=shutil.which("checkov"), help="checkov executable")
    p.add_argument("--python", default=sys.executable, help="interpreter with pullcheck and PyYAML installed")
    p.add_argument("--json-out", type=Path, help="write the result as JSON here")
    p.add_argument("--floor", metavar="DIR", help=argparse.SUPPRESS)  # internal: the floor's child process
    a = p.parse_args(argv)
    if a.floor:
        return floor_main(a.floor)

    corpora: dict[str, tuple[Path, int | None]] = {}
    if not a.no_real and REAL.is_dir():
        corpora["real"] = (REAL, None)
    for extra in a.corpus:
        corpora[extra.name] = (extra.resolve(), None)
    sizes = [int(x) for x in a.sizes.split(",") if x.strip()]
    tmp: str | None = None
    if sizes:
        gen_dir = a.gen_dir or Path(tmp := tempfile.mkdtemp(prefix="pullcheck-bench-"))
        corpora.update(prepare_generated(sizes, gen_dir, a.seed))
    lines = [x for x in a.lines.split(",") if x]
    print(f"compiled {', '.join(compile_package(a.python))} to bytecode", file=sys.stderr)
    try:
        result = run_all(a, corpora, lines)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
    print(table(result))
    result["targets"] = [
        {"what": t.what, "value": t.value, "bound": t.bound, "met": t.met} for t in targets(result)
    ]
    if a.json_out:
        a.json_out.write_text(json.dumps(result, indent=2) + "\n")
    return 0


def run_all(a: argparse.Namespace, corpora: dict[str, tuple[Path, int | None]], lines: list[str]) -> dict[str, Any]:
    """Every round: each corpus, each line; then the small-file pair; Checkov once at the end."""
    result: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "loadavg_start": os.getloadavg(),
        },
        "runs": a.runs,
        "corpora": {},
    }
    samples: dict[str, dict[str, Line]] = {name: {line: Line() for line in lines} for name in corpora}
    info: dict[str, dict[str, Any]] = {
        name: {**corpus_info(path), **({"generated": n} if n else {})} for name, (path, n) in corpora.items()
    }
    small_lines = {"python": Line(), "small": Line()}
    ceiling: list[float] = []
    with tempfile.TemporaryDirectory() as d:
        small = Path(d) / "small.yaml"
        small.write_text(SMALL_YAML)
        for r in range(a.runs):
            if r:  # again each round: a source edited meanwhile gets fresh bytecode
                compile_package(a.python)
            for name, (path, _n) in corpora.items():
                for line in lines:
                    if line == "floor":
                        s, fi = measure_floor(a.python, path)
                        info[name]["documents"] = fi["documents"]
                        info[name]["floor_parse_errors"] = fi["errors"]
                    else:
                        s = measure_pullcheck(a.python, path, LINES[line])
                    samples[name][line].samples.append(s)
                    print(f"round {r + 1}/{a.runs} {name:<8} {line:<9} {s.seconds:8.3f}s {s.rss_mb:7.1f} MB",
                          file=sys.stderr)
            ceiling.append(measure_ceiling(a.python))
            print(f"round {r + 1}/{a.runs} machine: two processes {ceiling[-1]:.2f}x one", file=sys.stderr)
            for _ in range(5):  # short and noisy: five pairs a round
                bare, one = measure_small(a.python, small)
                small_lines["python"].samples.append(bare)
                small_lines["small"].samples.append(one)
    for name in corpora:
        result["corpora"][name] = {**info[name], "path": str(corpora[name][0]),
                                   "lines": {line: samples[name][line].summary() for line in lines}}
    result["small"] = {k: v.summary() for k, v in small_lines.items()}
    result["machine"]["two_process_speedup"] = {"median": statistics.median(ceiling), "runs": [round(x, 3) for x in ceiling]}
    if a.checkov and "real" in corpora:
        if a.checkov_bin:
            print("running checkov on the real corpus (minutes)...", file=sys.stderr)
            ck = Line([measure_checkov(a.checkov_bin, corpora["real"][0])])
            result["checkov"] = ck.summary()
        else:
            result["checkov"] = {"note": "checkov not installed; " + ISSUE_CHECKOV}
    else:
        result["checkov"] = {"note": ISSUE_CHECKOV}
    result["machine"]["loadavg_end"] = os.getloadavg()
    return result


if __name__ == "__main__":
    sys.exit(main())
