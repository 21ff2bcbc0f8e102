"""Suggestions for a missing tag or repository: the existing names the author most likely meant."""

from __future__ import annotations

import re

from pullcheck.imageref import parsed
from pullcheck.inventory import Inventory, Repository

_VERSION_RE = re.compile(r"([vV]?)([0-9]+(?:\.[0-9]+)*)(.*)", re.S)
Version = tuple[str, tuple[int, ...], str]
_DIGITS_RE = re.compile(r"[0-9]+")


def _version(tag: str) -> Version | None:
    """A tag read as ``[v]N(.N)*suffix``: (prefix, numbers, suffix), or None."""
    m = _VERSION_RE.fullmatch(tag)
    if m is None:
        return None
    return m.group(1).lower(), tuple(int(n) for n in m.group(2).split(".")), m.group(3)


def _rank(written: Version, cand: Version) -> tuple[int, ...] | None:
    """Sort key of a candidate that is the written version spelled otherwise, made more precise,
    or its sibling on the same release line; None for any other tag.

    Best first: the written version made more precise with the same suffix (``1.25`` ->
    ``1.25.3``, ``v1.25``), then the newest sibling (``1.25.9`` -> ``1.25.4``), then another
    suffix (``1.2.3-alpine`` -> ``1.2.3-alpine3.19``). Within each, the author's own ``v``
    convention first, newest first (the closest version in the other convention).
    """
    (wp, wn, ws), (cp, cn, cs) = written, cand
    if (cp, cn, cs) == (wp, wn, ws):
        return None
    if cn[: len(wn)] == wn and cs == ws:
        group = 0
    elif len(wn) >= 3 and cn[: len(wn) - 1] == wn[:-1] and cs == ws:
        group = 1
    elif cn[: len(wn)] == wn and cs.startswith(ws):
        group = 2
    else:
        return None
    other = int(cp != wp)
    suffix_numbers = tuple(-int(n) for n in _DIGITS_RE.findall(cs[len(ws) :]))
    return (group, other, abs(len(cn) - len(wn)) * other, *(-n for n in cn), 0, *suffix_numbers)


def suggest_tags(written: str, repo: Repository, limit: int = 3) -> list[str]:
    """The existing tags closest to a missing one, best first.

    Version-aware (see ``_rank``; one tag per spelling and suffix: ``1.25`` suggests ``1.25.3``
    and ``v1.25``, not every ``1.25.x``); when nothing matches that way, by edit distance.
    """
    ranked: list[tuple[tuple[int, ...], str, tuple[str, str]]] = []
    wv = _version(written)
    if wv is not None:
        lead = _DIGITS_RE.search(written)
        first = lead.group() if lead is not None else ""
        for tag in repo.tags:
            if not tag.lstrip("vV").startswith(first):  # a cheap filter: the same first number
                continue
            cv = _version(tag)
            if cv is not None:
                key = _rank(wv, cv)
                if key is not None:
                    ranked.append((key, tag, (cv[0], cv[2])))
    ranked.sort()
    out: list[str] = []
    seen: set[tuple[int, str, str]] = set()
    for key, tag, spelling in ranked:
        if (key[0], *spelling) not in seen and len(out) < limit:
            seen.add((key[0], *spelling))
            out.append(tag)
    if not out:  # no version-aware match: the nearest spellings (`lates` -> `latest`)
        from rapidfuzz import process
        from rapidfuzz.distance import Levenshtein

        cutoff = max(1, min(3, len(written) // 3))
        near = process.extract(written, list(repo.tags), scorer=Levenshtein.distance, score_cutoff=cutoff, limit=limit * 4)
        for tag, _dist, _ in sorted(near, key=lambda m: (m[1], m[0])):
            if tag not in out and len(out) < limit:
                out.append(tag)
    return out


def suggest_repositories(name: str, inventory: Inventory, limit: int = 3) -> list[str]:
    """Listed repositories whose normalized names are within a few edits of ``name``, closest first."""
    from rapidfuzz import process
    from rapidfuzz.distance import DamerauLevenshtein

    path = name.rsplit("/", 1)[-1]
    cutoff = max(1, min(3, len(path) // 4))
    near = process.extract(
        name, list(inventory.repositories), scorer=DamerauLevenshtein.distance, score_cutoff=cutoff, limit=limit * 4
    )
    return [n for n, _d, _ in sorted(near, key=lambda m: (m[1], m[0]))][:limit]


def familiar(name: str) -> str:
    """A normalized repository name as people write it (``nginx``, ``ghcr.io/acme/app``)."""
    ref = parsed(name)
    return ref.familiar if ref is not None else name
