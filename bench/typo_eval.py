"""Measure `image-typo` on a real corpus: false positives untouched, recall on injected typos.

    python bench/typo_eval.py [--corpus ../shared/corpus/real] [--n 400] [--seed 7] [--sweep]

1. Lints every file of the corpus (believed typo-free) with only `image-typo` on and lists each
   finding: all of them are false positives unless they are real typos.
2. Injects one-edit typos (insertion, deletion, substitution, adjacent transposition) into the
   registry host or the repository path of image values picked at random, in in-memory copies of
   the corpus files (the original files are never written), a batch at a time (one typo per file
   and per image name in a batch), lints each whole copy, and counts a typo as found when
   `image-typo` reports it at its exact line and column with a fix restoring the original image.
   Typos that turn a name into another name that exists (in the catalogue or the corpus) are
   set aside: no tool can tell them from a deliberate choice.
3. With `--sweep`, repeats 1-2 for a grid of thresholds, on the same injected typos.
"""

from __future__ import annotations

import argparse
import random
import string
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pullcheck.catalogue import catalogue, is_private_host
from pullcheck.config import Config, validate
from pullcheck.engine import Engine, RunOptions
from pullcheck.finding import Finding
from pullcheck.imageref import parse, parsed
from pullcheck.index import ImageUse, Index
from pullcheck.loader import LoadOptions, load_text
from pullcheck.model import resources
from pullcheck.rules.names import ImageTypo
from pullcheck.sources import Source, expand, read
from pullcheck.typos import view

ROOT = Path(__file__).resolve().parents[1]
HOST_ALPHABET = string.ascii_lowercase + string.digits + ".-"
PATH_ALPHABET = string.ascii_lowercase + string.digits + "._-"


@dataclass(frozen=True)
class Injection:
    """One typo put into one image value of one file."""

    use: ImageUse
    part: str  # "registry" or "repository"
    op: str
    original: str
    typo: str
    from_catalogue: bool
    intended: str  # the host or path (as compared) the typo should be read as
    knowable: bool  # catalogued, or still used at least twice elsewhere in the copy


def corpus_sources(corpus: Path) -> list[Source]:
    """Every lintable file of the corpus, as in-memory sources."""
    out: list[Source] = []
    for item in expand([str(corpus)], [], corpus, use_gitignore=False):
        if isinstance(item, Source):
            text = read(item)
            if isinstance(text, str):
                out.append(Source(item.display, None, text))
    return out


def index_of(sources: list[Source]) -> Index:
    """The run index of the corpus (every image use with its span)."""
    idx = Index()
    for s in sources:
        assert s.text is not None
        for doc in load_text(s.text, s.display, LoadOptions()).documents:
            for res in resources(doc):
                idx.add(res, "default")
    return idx


def lint(sources: list[Source], options: dict[str, Any] | None = None) -> list[Finding]:
    """Lint with only image-typo switched on (thresholds as rule options)."""
    cfg = Config(validate({"rules": {"image-typo": {"level": "error", **(options or {})}}}, "bench"))
    engine = Engine(cfg, [ImageTypo], RunOptions(jobs=0))
    findings, _ = engine.run(sources)
    if engine.errors:
        raise SystemExit("\n".join(engine.errors))
    return [f for f in findings if f.rule == "image-typo"]


def mutate(text: str, alphabet: str, rng: random.Random) -> tuple[str, str]:
    """One random edit of ``text``: (operation, result)."""
    op = rng.choice(("insert", "delete", "substitute", "transpose"))
    i = rng.randrange(len(text))
    if op == "insert":
        return op, text[:i] + rng.choice(alphabet) + text[i:]
    if op == "delete":
        return op, text[:i] + text[i + 1 :]
    if op == "substitute":
        return op, text[:i] + rng.choice(alphabet.replace(text[i], "")) + text[i + 1 :]
    if len(text) < 2:
        return op, text
    i = min(i, len(text) - 2)
    return op, text[:i] + text[i + 1] + text[i] + text[i + 2 :]


@dataclass(slots=True)
class RunNames:
    """Hosts and (space, path) names that exist (catalogue plus corpus), and how often the corpus uses each."""

    hosts: set[str]
    names: set[tuple[str, str]]
    host_uses: Counter[str]
    name_uses: Counter[tuple[str, str]]


def run_names(idx: Index) -> RunNames:
    """The names of the catalogue and the corpus, read once for every injection."""
    cat = catalogue()
    out = RunNames(
        set(cat.hosts) | set(cat.docker_hub_hosts),
        {(reg, p) for reg, paths in cat.repositories.items() for p in paths},
        Counter(),
        Counter(),
    )
    for text, count in idx.image_counts.items():
        ref = parsed(text)
        if ref is None:
            continue
        host, v = ref.host.lower(), view(ref)
        out.hosts.add(host)
        out.names.add((v.space, v.path))
        out.host_uses[host] += count
        out.name_uses[(v.space, v.path)] += count
    return out


def mutate_n(text: str, alphabet: str, rng: random.Random, edits: int) -> tuple[str, str]:
    """``edits`` random edits of ``text`` one after the other: (their names joined by "+", the result)."""
    ops = []
    for _ in range(edits):
        op, text = mutate(text, alphabet, rng)
        ops.append(op)
    return "+".join(ops), text


def injections(idx: Index, known_names: RunNames, n: int, part: str, rng: random.Random, edits: int = 1) -> list[Injection]:
    """``n`` typos in distinct image uses, in the given part, that still parse and name nothing real."""
    cat = catalogue()
    uses = list(idx.images)
    rng.shuffle(uses)
    out: list[Injection] = []
    seen_uses: set[tuple[str, int, int]] = set()
    for use in uses:
        if len(out) >= n:
            break
        ref = parsed(use.image)
        if ref is None:
            continue
        key = (use.path, use.span.line, use.span.column)
        if key in seen_uses or use.span.line != use.span.end_line:
            continue
        if part == "registry":
            if ref.domain is None or is_private_host(ref.host.lower()) or ref.domain != ref.host:
                continue
            ops, bad = mutate_n(ref.domain, HOST_ALPHABET, rng, edits)
            typo = bad + use.image[len(ref.domain) :]
            tref = parsed(typo)
            if tref is None or tref.domain != bad or bad.lower() in known_names.hosts or bad == ref.domain:
                continue
            known = cat.is_known_host(ref.host.lower())
            intended = ref.host
            remaining = known_names.host_uses[ref.host.lower()] - 1
        else:
            v = view(ref)
            ops, bad = mutate_n(v.path, PATH_ALPHABET, rng, edits)
            if bad == v.path or not bad:
                continue
            domain = ref.domain + "/" if ref.domain is not None else ""
            typo = domain + v.written_prefix + bad + use.image[len(domain) + len(ref.path) :]
            tref = parsed(typo)
            if tref is None:
                continue
            tv = view(tref)
            if tref.registry != ref.registry or tv.space != v.space or (tv.space, tv.path) in known_names.names:
                continue
            known = v.path in cat.repositories.get(v.space, ())
            intended = v.path
            remaining = known_names.name_uses[(v.space, v.path)] - 1
        seen_uses.add(key)
        out.append(Injection(use, part, ops, use.image, typo, known, intended, known or remaining >= 2))
    return out


def batches(items: list[Injection]) -> list[list[Injection]]:
    """Group injections so that no batch touches a file or an image name twice."""
    rounds: list[list[Injection]] = []
    used: list[tuple[set[str], set[str]]] = []
    for inj in items:
        name = parse(inj.original).name
        for i, (files, imgs) in enumerate(used):
            if inj.use.path not in files and name not in imgs:
                rounds[i].append(inj)
                files.add(inj.use.path)
                imgs.add(name)
                break
        else:
            rounds.append([inj])
            used.append(({inj.use.path}, {name}))
    return rounds


def apply(text: str, inj: Injection) -> str:
    """Replace the image value at the injection's span (checked) with the typo."""
    lines = text.splitlines(keepends=True)
    line = lines[inj.use.span.line - 1]
    start, end = inj.use.span.column - 1, inj.use.span.end_column - 1
    assert line[start:end] == inj.original, (inj.use.path, line, inj.original)
    lines[inj.use.span.line - 1] = line[:start] + inj.typo + line[end:]
    return "".join(lines)


def evaluate(sources: list[Source], items: list[Injection], options: dict[str, Any]) -> dict[str, Any]:
    """Found / wrong suggestion / missed per part, plus findings away from the injected values."""
    by_path = {s.display: i for i, s in enumerate(sources)}
    result: dict[str, Counter[str]] = defaultdict(Counter)
    misses: list[Injection] = []
    stray: list[Finding] = []
    for batch in batches(items):
        copy = list(sources)
        for inj in batch:
            i = by_path[inj.use.path]
            assert copy[i].text is not None
            copy[i] = Source(copy[i].display, None, apply(copy[i].text or "", inj))
        found = lint(copy, options)
        at = {(f.path, f.span.line, f.span.column): f for f in found}
        targets = set()
        for inj in batch:
            key = (inj.use.path, inj.use.span.line, inj.use.span.column)
            targets.add(key)
            f = at.get(key)
            tags = [
                inj.part,
                inj.part + (" intended name catalogued" if inj.from_catalogue else " intended name run-only"),
                inj.part + (" intended name knowable" if inj.knowable else " intended name unknowable"),
                inj.part + " op " + inj.op,
            ]
            if f is not None and f.fix is not None and f.fix.replacement == inj.original:
                outcome = "found"
            elif f is not None and f.fix is None and f'"{inj.intended}"' in f.message.split("did you mean", 1)[-1]:
                outcome = "ambiguous"
            elif f is not None:
                outcome = "wrong"
            else:
                outcome = "missed"
                misses.append(inj)
            for tag in tags:
                result[tag]["n"] += 1
                result[tag][outcome] += 1
        stray.extend(f for f in found if (f.path, f.span.line, f.span.column) not in targets)
    return {"result": result, "misses": misses, "stray": stray}


def show(result: dict[str, Counter[str]]) -> None:
    """Print one recall table."""
    print("  found = reported with the fix restoring the original; ambiguous = reported, original among")
    print("  several suggestions, no fix; wrong = reported with another suggestion; recall = found + ambiguous")
    head = f"  {'injected into':44} {'n':>5} {'found':>6} {'ambig':>6} {'wrong':>6} {'missed':>6} {'recall':>7}"
    print(head)
    for key in sorted(result):
        c = result[key]
        rate = (c["found"] + c["ambiguous"]) / c["n"] if c["n"] else 0.0
        print(
            f"  {key:44} {c['n']:>5} {c['found']:>6} {c['ambiguous']:>6} {c['wrong']:>6} {c['missed']:>6} {rate:>7.1%}"
        )


SWEEP: list[dict[str, Any]] = [
    {},
    {"min-length": 3},
    {"min-length": 5},
    {"min-host-length": 4},
    {"run-ratio": 2.0},
    {"max-distance": 2},
    {"max-distance": 2, "min-length": 6},
]


def main(argv: list[str] | None = None) -> int:
    """Run the measurement and print the tables."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "real")
    ap.add_argument("--n", type=int, default=400, help="typos per part (registry, repository)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--edits", type=int, default=1, help="edits per injected typo")
    ap.add_argument("--sweep", action="store_true", help="also evaluate a grid of thresholds")
    ap.add_argument("--show-misses", type=int, default=15)
    args = ap.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"no corpus at {args.corpus}", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    sources = corpus_sources(args.corpus)
    idx = index_of(sources)
    print(f"corpus: {len(sources)} files, {len(idx.images)} image uses, {len(idx.image_counts)} distinct images")
    rng = random.Random(args.seed)
    names = run_names(idx)
    items = injections(idx, names, args.n, "registry", rng, args.edits) + injections(
        idx, names, args.n, "repository", rng, args.edits
    )
    print(f"injected: {len(items)} typos with {args.edits} edit(s) each "
          f"({sum(i.part == 'registry' for i in items)} registry hosts, {sum(i.part == 'repository' for i in items)} repositories)")
    for options in SWEEP if args.sweep else [{}]:
        label = ", ".join(f"{k}={v}" for k, v in options.items()) or "defaults"
        print(f"\n== thresholds: {label}")
        untouched = lint(sources, options)
        print(f"untouched corpus: {len(untouched)} image-typo finding(s) over {len(idx.images)} image uses")
        for f in untouched:
            print(f"  {f.path}:{f.span.line}:{f.span.column}: {f.message}")
        ev = evaluate(sources, items, options)
        show(ev["result"])
        print(f"findings away from injected values in the injected copies: {len(ev['stray'])}")
        for f in ev["stray"][:10]:
            print(f"  {f.path}:{f.span.line}:{f.span.column}: {f.message}")
        if not options:
            for inj in ev["misses"][: args.show_misses]:
                print(f"  missed {inj.part:10} {inj.op:10} {inj.typo!r:60} (was {inj.original!r})")
    print(f"\n{time.perf_counter() - t0:.0f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
