#!/usr/bin/env python3
"""Write the large adversarial inputs into a directory, and optionally measure pullcheck on each.

The big files are never committed: tests call :func:`generate` into a temporary directory once per
session, and this script does the same from the command line::

    tests/adversarial/generate.py OUTDIR                 # write every large input
    tests/adversarial/generate.py OUTDIR --measure       # ... then lint each one in a fresh process
                                                         # and print outcome, exit code, peak RSS, time
    tests/adversarial/generate.py OUTDIR --measure --cases   # the small hand-written cases too

The expected outcome of every input (large or small) is in ``expected.json`` beside this script.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
MiB = 1024 * 1024
SCOPE = frozenset(json.loads((HERE / "expected.json").read_text(encoding="utf-8"))["scope"])

POD = """apiVersion: v1
kind: Pod
metadata:
  name: p{i}
spec:
  containers:
    - name: c
      image: {image}
"""

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-{i}
  namespace: team-{ns}
  labels: {{app: web-{i}, tier: frontend}}
  annotations:
    description: "a generated deployment used to make a large stream of realistic documents"
spec:
  replicas: 3
  selector:
    matchLabels: {{app: web-{i}}}
  template:
    metadata:
      labels: {{app: web-{i}}}
    spec:
      containers:
        - name: web
          image: {image}
          imagePullPolicy: IfNotPresent
          ports: [{{containerPort: 8080}}]
          env:
            - {{name: MODE, value: production}}
            - {{name: REPLICA, value: "{i}"}}
          resources: {{limits: {{cpu: 500m, memory: 256Mi}}}}
        - name: sidecar
          image: registry.k8s.io/pause:3.9
"""


def _image(i: int) -> str:
    """Mostly valid pinned images; every 997th has no tag, so the stream has findings to report."""
    return f"ghcr.io/acme/web:{i % 50}.0.{i % 7}" if i % 997 else "ghcr.io/acme/web"


def big_stream(path: Path, size: int = 50 * MiB) -> None:
    """A ~50 MB stream of nothing but Deployments (two containers each): the worst case per byte."""
    with path.open("w", encoding="utf-8") as fh:
        written, i = 0, 0
        while written < size:
            doc = ("---\n" if i else "") + DEPLOYMENT.format(i=i, ns=i % 13, image=_image(i))
            fh.write(doc)
            written += len(doc)
            i += 1


def _crd(i: int, props: int = 400) -> str:
    """A CustomResourceDefinition of about 60 KB, like those that fill rendered installs."""
    fields = "".join(
        f"                field{j}:\n"
        f"                  type: string\n"
        f"                  description: Field {j} of resource {i}; a long description as controller-gen writes them.\n"
        for j in range(props)
    )
    return (
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
        f"metadata:\n  name: things{i}.example.com\nspec:\n  group: example.com\n"
        f"  names: {{kind: Thing{i}, plural: things{i}}}\n  scope: Namespaced\n  versions:\n"
        "    - name: v1\n      served: true\n      storage: true\n      schema:\n        openAPIV3Schema:\n"
        "          type: object\n          properties:\n            spec:\n              type: object\n"
        "              properties:\n" + fields
    )


def big_install(path: Path, size: int = 50 * MiB) -> None:
    """A ~50 MB rendered install: three quarters CRDs, then ConfigMaps, Services and Deployments."""
    with path.open("w", encoding="utf-8") as fh:
        written, i = 0, 0
        while written < size:
            if i % 4 == 0:
                doc = _crd(i)
            elif i % 4 == 1:
                doc = f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm{i}\ndata:\n  config.yaml: |\n" + "    key: value\n" * 200
            elif i % 4 == 2:
                doc = f"apiVersion: v1\nkind: Service\nmetadata:\n  name: svc{i}\nspec:\n  ports: [{{port: 80}}]\n"
            else:
                doc = DEPLOYMENT.format(i=i, ns=i % 13, image="ghcr.io/acme/web" if i % 40 == 3 else _image(i))
            doc = ("---\n" if i else "") + doc
            fh.write(doc)
            written += len(doc)
            i += 1


def long_image_line(path: Path, size: int = 10 * MiB) -> None:
    """One Pod whose image is a single 10 MB line (a repository path 40,000 times too long)."""
    path.write_text(POD.format(i=0, image="a" * size), encoding="utf-8")


def long_flow_line(path: Path, size: int = 10 * MiB) -> None:
    """A ``List`` of Pods written as one 10 MB flow-style line; every 1000th image has no tag."""
    parts: list[str] = []
    total, i = 0, 0
    while total < size:
        image = "nginx" if i % 1000 == 999 else f"nginx:1.{i % 30}"
        item = f'{{apiVersion: v1, kind: Pod, metadata: {{name: p{i}}}, spec: {{containers: [{{name: c, image: "{image}"}}]}}}}'
        parts.append(item)
        total += len(item) + 2
        i += 1
    path.write_text("{apiVersion: v1, kind: List, items: [" + ", ".join(parts) + "]}\n", encoding="utf-8")


def many_documents(path: Path, count: int = 100_000) -> None:
    """100,000 small Pods in one stream; every 10,000th has no tag."""
    with path.open("w", encoding="utf-8") as fh:
        for i in range(count):
            image = "nginx" if i % 10_000 == 9_999 else "nginx:1.27"
            fh.write("---\n" + POD.format(i=i, image=image))


def deep_block(path: Path, depth: int = 10_000) -> None:
    """10,000 levels of nested block mappings inside a Pod, indented one space a level (48 MiB)."""
    lines = ["apiVersion: v1", "kind: Pod", "metadata: {name: deep}", "spec:"]
    lines += [" " * (d + 1) + "a:" for d in range(depth)]
    lines[-1] += " end"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def deep_flow(path: Path, depth: int = 10_000) -> None:
    """10,000 levels of nested flow sequences on one line."""
    path.write_text("apiVersion: v1\nkind: Pod\nspec: " + "[" * depth + "]" * depth + "\n", encoding="utf-8")


def deep_flow_100k(path: Path, depth: int = 100_000) -> None:
    """100,000 levels of flow nesting: enough to crash libyaml's recursive composer if it saw them."""
    path.write_text("kind: Pod\nspec: " + "{a: " * depth + "b" + "}" * depth + "\n", encoding="utf-8")


def deep_sequence_dashes(path: Path, depth: int = 10_000) -> None:
    """10,000 levels of compact block sequences (``- - - - x``) on one line."""
    path.write_text("kind: Pod\nspec:\n  x:\n  " + "- " * depth + "x\n", encoding="utf-8")


def deep_ok(path: Path, depth: int = 900) -> None:
    """900 levels of nesting (under the default limit of 1000) above a real container: still linted."""
    lines = ["apiVersion: example.com/v1", "kind: Nested", "metadata: {name: n}", "spec:"]
    lines += ["  " * (d + 1) + "a:" for d in range(depth)]
    pad = "  " * (depth + 1)
    lines += [pad + "containers:", pad + "  - name: c", pad + "    image: nginx"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def billion_laughs_big(path: Path, levels: int = 40) -> None:
    """An alias bomb of 40 levels, 10 aliases each: 10**40 nodes if anything expanded it."""
    lines = ["apiVersion: v1", "kind: Pod", "metadata: {name: lol}", 'a0: &a0 ["lol", "lol", "lol"]']
    for n in range(1, levels + 1):
        lines.append(f"a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 10) + "]")
    lines += ["spec:", "  containers:", "    - name: c", "      image: nginx:1.27", f"      args: *a{levels}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def many_duplicate_keys(path: Path, count: int = 100_000) -> None:
    """One mapping repeating the same key 100,000 times: many findings, still linear."""
    path.write_text(
        "apiVersion: v1\nkind: Pod\nmetadata:\n" + "  name: x\n" * count + "spec:\n  containers: []\n",
        encoding="utf-8",
    )


def many_containers(path: Path, count: int = 100_000) -> None:
    """One Pod with 100,000 containers (a single huge mapping and list)."""
    items = "".join(f"    - name: c{i}\n      image: {'nginx' if i % 10_000 == 0 else 'nginx:1.27'}\n" for i in range(count))
    path.write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: wide}\nspec:\n  containers:\n" + items, encoding="utf-8")


def oversize(path: Path, size: int = 65 * MiB) -> None:
    """A file just over the default 64 MiB limit (sparse: no disk space is really used)."""
    with path.open("wb") as fh:
        fh.write(b"kind: Pod\n")
        fh.truncate(size)


def many_syntax_errors(path: Path, count: int = 20_000) -> None:
    """20,000 documents, each with an unclosed flow: one yaml-syntax finding per document."""
    path.write_text("".join(f"---\nkind: Pod\nspec: {{containers: [{i}\n" for i in range(count)), encoding="utf-8")


GENERATORS: dict[str, Callable[[Path], None]] = {
    "big-50mb-install.yaml": big_install,
    "big-50mb-workloads.yaml": big_stream,
    "long-line-image-10mb.yaml": long_image_line,
    "long-line-flow-10mb.yaml": long_flow_line,
    "documents-100k.yaml": many_documents,
    "nesting-block-10k.yaml": deep_block,
    "nesting-flow-10k.yaml": deep_flow,
    "nesting-flow-100k.yaml": deep_flow_100k,
    "nesting-dashes-10k.yaml": deep_sequence_dashes,
    "nesting-900-ok.yaml": deep_ok,
    "alias-bomb-10e40.yaml": billion_laughs_big,
    "duplicate-keys-100k.yaml": many_duplicate_keys,
    "containers-100k.yaml": many_containers,
    "oversize-65mb.yaml": oversize,
    "syntax-errors-20k.yaml": many_syntax_errors,
}


def generate(outdir: Path, only: list[str] | None = None) -> dict[str, Path]:
    """Write the large inputs (all, or the ``only`` names) into ``outdir``; their paths by name."""
    outdir.mkdir(parents=True, exist_ok=True)
    out: dict[str, Path] = {}
    for name, gen in GENERATORS.items():
        if only and name not in only:
            continue
        path = outdir / name
        if not path.exists():
            gen(path)
        out[name] = path
    return out


def expectations() -> dict[str, dict[str, object]]:
    """The table of expected outcomes, by input name."""
    data = json.loads((HERE / "expected.json").read_text(encoding="utf-8"))
    return {**data["inputs"], **data["generated"]}


# Runs the command and prints its rusage. Linux charges a child the peak RSS of the memory it was
# forked from (the high-water mark is copied at fork and kept across exec), so measuring straight
# from this (large) process would report our own size; this small interpreter forks it instead.
_WRAPPER = r"""
import json, os, sys, time
out, err, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    fd1 = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    fd2 = os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(fd1, 1)
    os.dup2(fd2, 2)
    os.execv(cmd[0], cmd)
_, status, ru = os.wait4(pid, 0)
print(json.dumps({"status": status, "maxrss_kb": ru.ru_maxrss, "cpu": ru.ru_utime + ru.ru_stime,
                  "seconds": time.perf_counter() - start}))
"""


def measure(path: Path, extra: list[str]) -> dict[str, object]:
    """Lint one file in a fresh process: exit code, rule counts, stderr, its own peak RSS, wall and CPU time."""
    cmd = [sys.executable, "-m", "pullcheck", "--format", "json", "--jobs", "1", *extra, str(path)]
    out_path, err_path = Path(str(path) + ".out"), Path(str(path) + ".err")
    proc = subprocess.run(
        [sys.executable, "-c", _WRAPPER, str(out_path), str(err_path), *cmd],
        capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"}, check=True,
    )
    usage = json.loads(proc.stdout)
    out = out_path.read_bytes()
    err = err_path.read_text(encoding="utf-8", errors="replace")
    out_path.unlink()
    err_path.unlink()
    rules: dict[str, int] = {}
    try:
        for f in json.loads(out or b"{}").get("findings", []):
            rules[f["rule"]] = rules.get(f["rule"], 0) + 1
    except json.JSONDecodeError:
        rules = {"<output is not JSON>": 1}
    return {
        "exit": os.waitstatus_to_exitcode(usage["status"]),
        "rules": rules,
        "stderr": err.strip().splitlines()[:2],
        "traceback": "Traceback" in err,
        "rss_mb": usage["maxrss_kb"] / 1024,
        "seconds": usage["seconds"],
        "cpu": usage["cpu"],
    }


def main(argv: list[str] | None = None) -> int:
    """Command line: generate, and with ``--measure`` print a Markdown table of the results."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("outdir", type=Path)
    ap.add_argument("--only", action="append", help="generate/measure only this input (repeatable)")
    ap.add_argument("--measure", action="store_true", help="lint each input in a fresh process and print a table")
    ap.add_argument("--cases", action="store_true", help="also measure the small cases in cases/")
    args = ap.parse_args(argv)
    paths = generate(args.outdir, args.only)
    if not args.measure:
        for name, p in paths.items():
            print(f"{p}  {p.stat().st_size / MiB:.1f} MiB  {name}")
        return 0
    table = expectations()
    todo: list[tuple[str, Path]] = list(paths.items())
    if args.cases:
        todo += [(p.name, p) for p in sorted((HERE / "cases").iterdir()) if p.name in table and p.is_file()]
    print("| input | size | outcome | exit | peak RSS | wall | CPU |")
    print("|---|---:|---|---:|---:|---:|---:|")
    for name, p in todo:
        copy = args.outdir / ("case-" + name) if p.parent != args.outdir else p
        if copy != p:
            shutil.copyfile(p, copy)
        exp = table.get(name, {})
        extra = [str(a) for a in exp.get("args", [])]  # type: ignore[union-attr]
        r = measure(copy, extra)
        rules = ", ".join(f"{k}×{v}" for k, v in sorted(r["rules"].items())) or "clean"  # type: ignore[union-attr]
        if r["traceback"]:
            rules += " TRACEBACK"
        size = copy.stat().st_size
        size_s = f"{size / MiB:.1f} MiB" if size >= MiB else f"{size} B"
        counts = exp.get("counts")
        if counts is None and "findings" in exp:
            counts = {}
            for rule, *_ in exp["findings"]:  # type: ignore[attr-defined]
                counts[rule] = counts.get(rule, 0) + 1
        scope = {k: v for k, v in r["rules"].items() if counts is not None and k in SCOPE}  # type: ignore[union-attr]
        if counts is not None and (scope != counts or r["exit"] != exp.get("exit")):
            rules += " **UNEXPECTED**"
        print(
            f"| {name} | {size_s} | {rules} | {r['exit']} | {r['rss_mb']:.0f} MB | {r['seconds']:.2f} s | {r['cpu']:.2f} s |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
