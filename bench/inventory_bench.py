"""How much a large registry inventory adds to a pullcheck run (issue 8: under 0.2 s for 50,000 tags).

It generates, in a temporary folder:

- an inventory of ``--tags`` tags (default 50,000), each with a digest, in two shapes: ``spread``
  (``--repos`` repositories, 500 by default, 100 tags each) and ``one-repo`` (every tag in a single
  repository: the worst case for tag suggestions), each written as JSON (what
  ``pullcheck inventory import`` writes by default) and as YAML;
- ``--files`` manifests (default 50), each a Deployment with 4 containers: three images of the
  inventory with existing tags and one outside it; every ``--miss-every``-th manifest (default
  10) has instead a missing tag (so suggestions are computed) and a covered but unknown repository.

Then it measures, on the same machine in one run:

1. in-process, cold (caches cleared): reading + parsing, validating and building each inventory;
2. the real command in fresh processes (``python -m pullcheck --jobs 1 --format json -o /dev/null
   DIR``) without and with ``--inventory``, interleaved, ``--runs`` times each; the median
   difference is what the inventory adds to a run (loading, checking every image, reporting the
   extra findings), in wall-clock time and in CPU time (user + system: unaffected by other load
   on the machine, which stretches wall-clock time).

    python bench/inventory_bench.py                 # 50,000 tags, 15 runs
    python bench/inventory_bench.py --tags 200000 --runs 3
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 0.2


def digest(seed: str) -> str:
    """A well-formed, deterministic sha256 digest."""
    return "sha256:" + hashlib.sha256(seed.encode()).hexdigest()


def repo_names(repos: int) -> list[str]:
    """Repository names under one covered organisation."""
    return [f"registry.example.com/team{r % 25}/service-{r}" for r in range(repos)]


def inventory_data(tags: int, repos: int) -> dict[str, object]:
    """An inventory of ``tags`` tags over ``repos`` repositories, with digests, like an import writes."""
    names = repo_names(repos)
    per = tags // repos
    data: dict[str, dict[str, object]] = {}
    for name in names:
        entry: dict[str, str] = {}
        for i in range(per):
            entry[f"{i // 100}.{(i // 10) % 10}.{i % 10}"] = digest(f"{name}:{i}")
        data[name] = {"tags": entry}
    return {"version": 1, "covers": ["registry.example.com/*"], "repositories": data}


def manifest(n: int, names: list[str], miss_every: int) -> str:
    """A Deployment with 4 containers: images of the inventory with existing tags and one outside it;
    every ``miss_every``-th file has instead a missing tag and a misspelled covered repository."""
    a, b = names[n % len(names)], names[(n * 7 + 3) % len(names)]
    second = f"{b}:0.2.{n % 10}"
    third = f"{names[(n * 13 + 5) % len(names)]}:0.3.{n % 10}"
    if miss_every and n % miss_every == 0:
        second = f"{b}:0.{n % 10}"  # `0.x` was never pushed: suggestions are computed
        third = f"registry.example.com/team{n % 25}/servce-{n}:0.1.0"  # one edit from service-{n}
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{n}
spec:
  selector:
    matchLabels: {{app: app-{n}}}
  template:
    metadata:
      labels: {{app: app-{n}}}
    spec:
      containers:
        - name: one
          image: {a}:0.1.{n % 10}
        - name: two
          image: {second}
        - name: three
          image: {third}
        - name: outside
          image: quay.io/prometheus/node-exporter:v1.8.1
"""


def write_corpus(root: Path, tags: int, repos: int, files: int, miss_every: int = 10) -> dict[str, Path]:
    """The manifests and the inventories; returns inventory paths by label."""
    from ruamel.yaml import YAML

    mdir = root / "manifests"
    mdir.mkdir()
    names = repo_names(repos)
    for n in range(files):
        (mdir / f"app-{n}.yaml").write_text(manifest(n, names, miss_every), encoding="utf-8")
    out: dict[str, Path] = {}
    for shape, r in (("spread", repos), ("one-repo", 1)):
        data = inventory_data(tags, r)
        if shape == "one-repo":  # the manifests' repositories, the one big one aside, stay listed (empty)
            first = names[0]
            big = data["repositories"]
            assert isinstance(big, dict)
            only = next(iter(big.values()))
            data["repositories"] = {first: only, **{n: [] for n in names[1:]}}
        js = root / f"inventory-{shape}.json"
        js.write_text(json.dumps(data, indent=2), encoding="utf-8")
        out[f"{shape} json"] = js
        ym = root / f"inventory-{shape}.yaml"
        with ym.open("w", encoding="utf-8") as fh:
            y = YAML(typ="safe")
            y.default_flow_style = False
            y.width = 4096
            y.dump(data, fh)
        out[f"{shape} yaml"] = ym
    return out


def time_load(path: Path, rounds: int = 3) -> tuple[float, float, float, int]:
    """Cold in-process load: (parse, validate, build) seconds (best of ``rounds``) and tag count."""
    from pullcheck import inventory as inv

    best = [float("inf")] * 3
    count = 0
    for _ in range(rounds):
        t0 = time.perf_counter()
        data = inv.parse_text(path.read_text(encoding="utf-8"), str(path))
        t1 = time.perf_counter()
        inv.validate(data, str(path))
        t2 = time.perf_counter()
        count = inv.build(data, str(path)).tag_count
        t3 = time.perf_counter()
        best = [min(x, y) for x, y in zip(best, (t1 - t0, t2 - t1, t3 - t2), strict=True)]
    return best[0], best[1], best[2], count


def run_cli(args: list[str], cwd: Path) -> tuple[float, float]:
    """Wall-clock and CPU (user + system) seconds of one fresh ``pullcheck`` process.

    CPU time is what the run costs whatever else the machine does; wall time also counts the
    waiting for a CPU on a busy machine.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "pullcheck", *args], cwd=cwd, capture_output=True, text=True)
    elapsed = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"pullcheck failed ({proc.returncode}): {proc.stderr.strip()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed, cpu


def main() -> int:
    """Generate, measure, print the table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tags", type=int, default=50_000)
    ap.add_argument("--repos", type=int, default=500)
    ap.add_argument("--files", type=int, default=50)
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--miss-every", type=int, default=10,
                    help="every N-th manifest has a missing tag and an unknown repository (0: none)")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="pullcheck-inventory-bench-") as tmp:
        root = Path(tmp)
        inventories = write_corpus(root, a.tags, a.repos, a.files, a.miss_every)
        misses = len(range(0, a.files, a.miss_every)) if a.miss_every else 0
        print(f"inventory: {a.tags:,} tags with digests; {a.files} manifests x 4 containers, "
              f"{misses} with a missing tag and an unknown repository\n")
        print("1. loading, in-process, cold (best of 3)")
        print(f"   {'inventory':<16}{'size':>10}{'parse':>10}{'validate':>10}{'build':>10}{'total':>10}")
        for label, path in inventories.items():
            p, v, b, n = time_load(path)
            assert n == a.tags, (label, n)
            size = path.stat().st_size / 1e6
            print(f"   {label:<16}{size:>8.1f}MB{p:>9.3f}s{v:>9.3f}s{b:>9.3f}s{p + v + b:>9.3f}s")
        base = ["--jobs", "1", "--format", "json", "--output", "/dev/null", "manifests"]
        whole = [k for k in inventories if k != "one-repo yaml"]  # YAML once is enough to make the point
        lines = {"without": base, **{k: [*base, "--inventory", str(inventories[k])] for k in whole}}
        walls: dict[str, list[float]] = {k: [] for k in lines}
        cpus: dict[str, list[float]] = {k: [] for k in lines}
        for _ in range(a.runs):
            for label, args in lines.items():
                wall, cpu = run_cli(args, root)
                walls[label].append(wall)
                cpus[label].append(cpu)
        print(f"\n2. whole runs, fresh processes, {a.runs} runs each, interleaved (load average {os.getloadavg()[0]:.1f})")
        print(f"   {'run':<16}{'wall median':>12}{'min':>8}{'max':>8}{'CPU median':>12}{'adds: wall':>12}{'CPU':>9}")
        base_wall, base_cpu = statistics.median(walls["without"]), statistics.median(cpus["without"])
        for label in lines:
            wall, cpu = statistics.median(walls[label]), statistics.median(cpus[label])
            adds = "" if label == "without" else f"{wall - base_wall:>+11.3f}s{cpu - base_cpu:>+8.3f}s"
            print(f"   {label:<16}{wall:>11.3f}s{min(walls[label]):>7.3f}s{max(walls[label]):>7.3f}s{cpu:>11.3f}s{adds}")
        json_lines = [k for k in lines if k.endswith("json")]
        worst_wall = max(statistics.median(walls[k]) - base_wall for k in json_lines)
        worst_cpu = max(statistics.median(cpus[k]) - base_cpu for k in json_lines)
        ok = {True: "met", False: "MISSED"}
        print(f"\n   a JSON inventory of {a.tags:,} tags adds at most {worst_wall:.3f}s wall, {worst_cpu:.3f}s CPU (medians)")
        print(
            f"   target < {TARGET_SECONDS} s: CPU time {ok[worst_cpu < TARGET_SECONDS]}, wall-clock "
            f"{ok[worst_wall < TARGET_SECONDS]} (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs: "
            f"the run without inventory took {base_wall / base_cpu:.1f}x its CPU time)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
