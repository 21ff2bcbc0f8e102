"""Put a failing container in one cause family, with the evidence quoted and a confidence.

The message table is data (``data/pull-failures.yaml``): an ordered list of patterns (a kubelet
reason, a regex on the runtime's message, or both), each naming a family. The first pattern that
matches any clue of the failure wins; what it matched is the quoted evidence. Other families that
matched further down are kept as ``also`` (a missing pull secret next to an ``unauthorized``, say).
"""

from __future__ import annotations

import functools
import re
from typing import Any

from pullcheck.diagnose.collect import Clue, Failure
from pullcheck.imageref import parsed
from pullcheck.records import field, record

#: The stable family ids, in the order the documentation lists them.
FAMILIES = (
    "name-or-tag",
    "auth",
    "missing-secret",
    "network",
    "registry-unavailable",
    "rate-limit",
    "invalid-reference",
    "never-pull",
    "platform",
    "disk",
    "unknown",
)
CONFIDENCES = ("high", "medium", "low")
MAX_EVIDENCE = 200
_PLACEHOLDER = re.compile(r"\{(image|name|registry|namespace|pod)\}")


@record(frozen=True)
class Family:
    """A cause family: its id, a short title and what to check next."""

    id: str
    title: str
    next: tuple[str, ...]


@record(frozen=True)
class Pattern:
    """One row of the message table."""

    family: str
    confidence: str
    reason: str | None = None
    regex: re.Pattern[str] | None = None
    registry: str | None = None
    note: str | None = None


@record(frozen=True)
class Table:
    """The whole message table, as shipped."""

    families: dict[str, Family]
    patterns: tuple[Pattern, ...]


@record
class Diagnosis:
    """The verdict on one failure."""

    family: str
    title: str
    confidence: str
    evidence: str | None = None
    clue: Clue | None = None
    note: str | None = None
    next: list[str] = field(default_factory=list)
    also: list[tuple[str, str]] = field(default_factory=list)


class TableError(ValueError):
    """The shipped message table is broken (a test guards against it)."""


def _build(data: Any) -> Table:
    if not isinstance(data, dict) or not isinstance(data.get("families"), dict) or not isinstance(data.get("patterns"), list):
        raise TableError("pull-failures.yaml: needs `families` (a mapping) and `patterns` (a list)")
    families: dict[str, Family] = {}
    for fid, body in data["families"].items():
        if fid not in FAMILIES:
            raise TableError(f"pull-failures.yaml: unknown family {fid!r}")
        steps = body.get("next") if isinstance(body, dict) else None
        if not isinstance(body, dict) or not isinstance(body.get("title"), str) or not isinstance(steps, list) \
                or not steps or not all(isinstance(x, str) for x in steps):
            raise TableError(f"pull-failures.yaml: family {fid!r} needs a `title` and a non-empty `next` list of strings")
        families[fid] = Family(fid, body["title"], tuple(steps))
    missing = set(FAMILIES) - set(families)
    if missing:
        raise TableError(f"pull-failures.yaml: families without an entry: {', '.join(sorted(missing))}")
    patterns: list[Pattern] = []
    for n, row in enumerate(data["patterns"]):
        where = f"pull-failures.yaml: patterns[{n}]"
        if not isinstance(row, dict) or row.get("family") not in families:
            raise TableError(f"{where}: needs a known `family`")
        if row.get("confidence") not in CONFIDENCES:
            raise TableError(f"{where}: `confidence` must be one of {', '.join(CONFIDENCES)}")
        if not row.get("reason") and not row.get("match"):
            raise TableError(f"{where}: needs `reason` or `match`")
        if not all(isinstance(row.get(k), str) for k in ("reason", "match", "registry", "note") if k in row):
            raise TableError(f"{where}: `reason`, `match`, `registry` and `note` must be strings")
        try:
            regex = re.compile(row["match"], re.I) if row.get("match") else None
        except re.error as exc:
            raise TableError(f"{where}: bad regex: {exc}") from None
        patterns.append(Pattern(row["family"], row["confidence"], row.get("reason"), regex, row.get("registry"), row.get("note")))
    return Table(families, tuple(patterns))


@functools.lru_cache(maxsize=1)
def table() -> Table:
    """The shipped message table, read and checked once per process."""
    from ruamel.yaml import YAML

    from pullcheck.data import read_text

    return _build(YAML(typ="safe").load(read_text("pull-failures.yaml")))


def _registry(image: str | None) -> str | None:
    ref = parsed(image)
    return ref.registry if ref is not None else None


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_EVIDENCE else text[: MAX_EVIDENCE - 3] + "..."


def _match(p: Pattern, failure: Failure, registry: str | None) -> tuple[str, Clue | None] | None:
    """The evidence fragment and its clue when ``p`` matches the failure, else None."""
    if p.registry is not None and p.registry != registry:
        return None
    if p.regex is None:
        if p.reason not in failure.reasons and p.reason != failure.reason:
            return None
        clue = next((c for c in failure.clues if c.reason == p.reason), None)
        return p.reason or "", clue
    for clue in failure.clues:
        if p.reason is not None and clue.reason != p.reason:
            continue
        m = p.regex.search(clue.text)
        if m:
            return _quote(m.group(0)), clue
    return None


def fill(text: str, failure: Failure) -> str:
    """``text`` with {image}, {name}, {registry}, {namespace} and {pod} of the failure put in."""
    name = failure.image or "IMAGE"
    registry = "the registry"
    ref = parsed(failure.image)
    if ref is not None:
        name, registry = ref.name, ref.registry or registry
    values = {"image": failure.image or "IMAGE", "name": name, "registry": registry, "namespace": failure.namespace, "pod": failure.pod}
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


def classify(failure: Failure) -> Diagnosis:
    """The cause family of one failure, with evidence, confidence, note and next steps."""
    t = table()
    registry = _registry(failure.image)
    winner: tuple[Pattern, str, Clue | None] | None = None
    also: list[tuple[str, str]] = []
    for p in t.patterns:
        hit = _match(p, failure, registry)
        if hit is None:
            continue
        if winner is None:
            winner = (p, hit[0], hit[1])
        elif p.family != winner[0].family and p.family not in {f for f, _ in also}:
            also.append((p.family, hit[0]))
    if winner is None:
        fam = t.families["unknown"]
        clue = next((c for c in failure.clues if c.text and c.text != c.reason), failure.clues[0] if failure.clues else None)
        return Diagnosis("unknown", fam.title, "low", None, clue, None, [fill(x, failure) for x in fam.next])
    p, fragment, clue = winner
    fam = t.families[p.family]
    return Diagnosis(
        p.family,
        fam.title,
        p.confidence,
        fragment,
        clue,
        fill(p.note, failure) if p.note else None,
        [fill(x, failure) for x in fam.next],
        also,
    )


def classify_message(message: str, reason: str | None = None, image: str | None = None) -> Diagnosis:
    """Classify one bare message (and reason) - what ``classify`` does for a one-clue failure."""
    f = Failure("default", "pod", "c", "container", image, reason or "")
    f.add(Clue(message or reason or "", reason, "<message>"))
    return classify(f)
