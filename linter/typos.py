"""Find the registry host or repository path an image most likely meant, when it names an unknown one.

Known names come from three places, each with a weight: the built-in catalogue and the config
allowlist (certain), and the images used in the run (their number of uses). An unknown name is a
typo of a known one when they are within a small Damerau-Levenshtein distance (``rapidfuzz``;
a transposition counts as one edit), the known one outweighs it (a name seen several times in the
run is never the typo of one seen once), and the difference is not one that distinct real names
often have: digits only (``app-v1``/``app-v2``), separators only (``google_samples``/
``google-samples``), or a whole extra segment (``kube-proxy``/``kube-proxy-amd64``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Literal

from pullcheck.catalogue import DOCKER_HUB, Allowlist, Catalogue, catalogue, is_glob, is_private_host
from pullcheck.imageref import ImageRef, parsed, traps
from pullcheck.records import field, record

CERTAIN = math.inf
RUN = "run"
# A cloud pattern's fixed suffix (``azurecr.io``) is compared with the host's tail only when it is
# this long: shorter ones (``icr.io``, ``ocir.io``) are one edit away from other registries.
PATTERN_SUFFIX_MIN = 8
SEPARATORS = frozenset("-_.")
# With the default max-distance of 1, a run compares up to this many candidates in Python before it
# loads rapidfuzz: a small run's whole search then costs less than importing rapidfuzz would.
PYTHON_CANDIDATES = 20_000
# Spaces whose repositories are Docker Hub's, written under another prefix.
_MIRRORS: dict[str, str] = {"mirror.gcr.io": "", "public.ecr.aws": "docker/library/"}


@record(frozen=True)
class Thresholds:
    """How close is close: decided from the real corpus and injected typos (bench/typo_eval.py).

    On ../shared/corpus/real (1,929 image uses, one run) these defaults report nothing, and they
    find 98.7% of 300 one-edit typos injected into registry hosts and 84.3% of 300 injected into
    repository paths (99.1% of those whose intended name is catalogued or used twice elsewhere).
    ``max_distance`` 2 found no more one-edit typos and reported a real name (``foo/bar`` as
    ``rook/bar``); ``min_length`` 3 gained one typo and made one wrong suggestion, 5 lost 20.
    """

    max_distance: int = 1
    min_length: int = 4  # shortest path component (or host) that can be the intended name
    min_host_length: int = 6
    run_ratio: float = 1.0  # a run name must be used more than ratio x the unknown one's uses (and twice)


@record(frozen=True)
class Typo:
    """An unknown host or repository path and the known name(s) it most likely meant."""

    part: Literal["registry", "repository"]
    written: str
    suggestions: tuple[str, ...]
    replacement: str | None  # None unless there is exactly one suggestion
    source: str


@record
class _Space:
    exact: dict[str, float] = field(default_factory=dict)  # weight: uses in the run, or CERTAIN
    prefixes: dict[str, float] = field(default_factory=dict)
    origin: dict[str, str] = field(default_factory=dict)


def _add_weight(weights: dict[str, float], name: str, weight: float) -> bool:
    """Add ``weight`` to a name's weight (certain wins over any count); whether it was not certain before."""
    old = weights.get(name, 0)
    weights[name] = CERTAIN if CERTAIN in (old, weight) else old + weight
    return old != CERTAIN


@record(frozen=True)
class View:
    """How an image is compared: its name space, its path in that space, and what precedes it."""

    space: str
    path: str
    written_prefix: str
    official_only: bool = False


def view(ref: ImageRef) -> View:
    """The comparison view of a reference; Docker Hub mirrors share Docker Hub's space."""
    registry = ref.registry.lower()
    repo = ref.repository
    written = ref.path
    if registry == DOCKER_HUB or registry in _MIRRORS:
        mirror_prefix = _MIRRORS.get(registry, "")
        if registry == "public.ecr.aws":
            if not repo.startswith(mirror_prefix):
                return View(registry, repo, "")
            repo = repo[len(mirror_prefix) :]
        if repo.startswith("library/") and "/" not in repo[8:]:
            repo = repo[8:]
        return View(DOCKER_HUB, repo, written[: len(written) - len(repo)], registry == "public.ecr.aws")
    return View(registry, repo, written[: len(written) - len(repo)])


def one_edit(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` are exactly one Damerau-Levenshtein edit apart (rapidfuzz's distance 1):
    one character substituted, inserted or deleted, or two adjacent characters swapped."""
    if len(a) > len(b):
        a, b = b, a
    n = len(a)
    if len(b) - n > 1:
        return False
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    if len(b) > n:
        return a[i:] == b[i + 1 :]
    if i == n:
        return False
    if a[i + 1 :] == b[i + 1 :]:
        return True
    return i + 1 < n and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2 :] == b[i + 2 :]


def _diff(a: str, b: str) -> tuple[int, str, str]:
    """Common prefix length and the differing middles of two strings."""
    n = min(len(a), len(b))
    p = 0
    while p < n and a[p] == b[p]:
        p += 1
    s = 0
    while s < n - p and a[len(a) - 1 - s] == b[len(b) - 1 - s]:
        s += 1
    return p, a[p : len(a) - s], b[p : len(b) - s]


def _digits_benign(longer: str, start: int, end: int) -> bool:
    """Digits inserted at [start, end) of ``longer`` look like a version: next to a digit, or ending a token."""
    before = longer[start - 1] if start > 0 else ""
    after = longer[end] if end < len(longer) else ""
    if before.isdigit() or after.isdigit():
        return True
    return before.isalnum() and (after == "" or after in SEPARATORS or after == "/")


def benign_difference(a: str, b: str, host: bool = False) -> bool:
    """Differences real, distinct names often have: a version number, separators, an extra segment.

    Version-like digits: a digit replaced by a digit (``app-v1``/``app-v2``), or digits added
    next to a digit or at the end of a token (``python``/``python3``). One separator for another
    (``google_samples``/``google-samples``) or a doubled one, in repository paths; in host names a
    dot or dash more or less is no other real registry. An extra segment: ``kube-proxy-amd64``.
    """
    p, am, bm = _diff(a, b)
    changed = am + bm
    if not changed:
        return True
    if all(c.isdigit() or c in SEPARATORS for c in changed):
        if am and bm and any(c.isdigit() for c in am) and any(c.isdigit() for c in bm):
            return True  # one version for another: "v1"/"v2", "cu121.1-4"/"cu121.2-1"
        if not (am and bm) and all(c.isdigit() for c in changed):
            return _digits_benign(a if am else b, p, p + len(changed))
    if all(c in SEPARATORS for c in changed):
        if host:
            return False
        if am and bm:  # one separator for another
            return True
        longer = a if am else b
        end = p + len(changed)
        return (p > 0 and longer[p - 1] in SEPARATORS) or (end < len(longer) and longer[end] in SEPARATORS)
    if not am or not bm:  # pure insertion: a whole extra segment such as "-amd64" or "/v2"
        extra = am or bm
        longer = a if am else b
        before = longer[p - 1] if p > 0 else ""
        after = longer[p + len(extra)] if p + len(extra) < len(longer) else ""
        bounds = SEPARATORS | {"/", ""}
        if (extra[0] in bounds or extra[-1] in bounds) and (before in bounds or after in bounds):
            return True
    return False


def _component_length(known: str, start: int, end: int, seps: str = "/") -> int:
    """Length of the component(s) of ``known`` that hold the region [start, end)."""
    lo = max((known.rfind(c, 0, start) for c in seps), default=-1) + 1
    his = [i for i in (known.find(c, max(end, start)) for c in seps) if i >= 0]
    hi = min(his) if his else len(known)
    return hi - lo


class Pool:
    """Candidate names in their order, grouped for the search in Python. A name one edit away from a
    query is at most one character longer or shorter and, when both have three characters or more,
    shares its first or its last character (one edit cannot change both ends of such strings), so
    the search reads a few small groups, not every name."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = list(names)
        self.by_length: dict[int, list[tuple[int, str]]] = {}
        self.by_end: dict[tuple[int, str, str], list[tuple[int, str]]] = {}
        for i, name in enumerate(self.names):
            n = len(name)
            self.by_length.setdefault(n, []).append((i, name))
            if n >= 3:
                self.by_end.setdefault((n, "first", name[0]), []).append((i, name))
                self.by_end.setdefault((n, "last", name[-1]), []).append((i, name))

    def near(self, query: str) -> list[tuple[int, str]]:
        """(position, name) of every name that may be one edit away from ``query`` (and some that are not)."""
        n = len(query)
        if n <= 3:  # candidates of two characters or fewer are not grouped by their ends
            get_length = self.by_length.get
            return [*get_length(n - 1, ()), *get_length(n, ()), *get_length(n + 1, ())]
        get = self.by_end.get
        out: dict[int, str] = {}
        for k in (n - 1, n, n + 1):
            out.update(get((k, "first", query[0]), ()))
            out.update(get((k, "last", query[-1]), ()))
        return list(out.items())


class KnownNames:
    """Every name an image could have meant in one run, with weights, and the typo search."""

    def __init__(
        self,
        run_images: Mapping[str, int],
        allow: Allowlist | None = None,
        thresholds: Thresholds | None = None,
        cat: Catalogue | None = None,
    ) -> None:
        """Build the known sets from the catalogue, the allowlist and the run's image uses."""
        self.cat = cat or catalogue()
        self.allow = allow or Allowlist()
        self.t = thresholds or Thresholds()
        self.hosts: dict[str, float] = {}
        self.host_origin: dict[str, str] = {}
        self.spaces: dict[str, _Space] = {}
        self._pools: dict[tuple[str, str, int], Pool] = {}
        self._python_left = PYTHON_CANDIDATES
        for h in self.cat.hosts | self.cat.docker_hub_hosts:
            self._host(h, CERTAIN, "a well-known registry")
        for h in self.allow.literal_hosts():
            self._host(h.split(":")[0], CERTAIN, "allowed in the config")
        for registry, paths in self.cat.repositories.items():
            for path in paths:
                official = registry == DOCKER_HUB and "/" not in path
                self._exact(registry, path, CERTAIN, "a Docker Hub official image" if official else "a well-known image")
        for registry, spaces in self.cat.namespaces.items():
            for q in spaces:
                self._prefix(registry, q, CERTAIN, "a well-known namespace")
        self._prefix(DOCKER_HUB, "library", CERTAIN, "the namespace of Docker Hub's official images")
        for name in self.allow.exact_names():
            ref = parsed(name)
            if ref is not None:
                v = view(ref)
                self._exact(v.space, v.path, CERTAIN, "allowed in the config")
        for name in self.allow.name_prefixes():
            ref = parsed(name + "/x")
            if ref is None:
                continue
            v = view(ref)
            if "/" in v.path:
                self._prefix(v.space, v.path.rsplit("/", 1)[0], CERTAIN, "allowed in the config")
        for text, uses in run_images.items():
            ref = parsed(text)
            if ref is None:
                continue
            if ref.domain is not None:
                self._host(ref.host.lower(), uses, RUN)  # a certain host stays certain
            v = view(ref)
            self._exact(v.space, v.path, uses, RUN)
            parts = v.path.split("/")
            for k in range(1, len(parts)):
                self._prefix(v.space, "/".join(parts[:k]), uses, RUN)

    # -- building --------------------------------------------------------------------------------
    def _host(self, host: str, weight: float, origin: str) -> None:
        if _add_weight(self.hosts, host, weight):
            self.host_origin[host] = origin

    def _space(self, name: str) -> _Space:
        return self.spaces.setdefault(name, _Space())

    def _exact(self, space: str, path: str, weight: float, origin: str) -> None:
        s = self._space(space)
        if _add_weight(s.exact, path, weight):
            s.origin[path] = origin

    def _prefix(self, space: str, prefix: str, weight: float, origin: str) -> None:
        s = self._space(space)
        if _add_weight(s.prefixes, prefix, weight):
            s.origin["ns:" + prefix] = origin

    # -- querying --------------------------------------------------------------------------------
    def _qualifies(self, candidate: float, mine: float) -> bool:
        """A candidate may be the intended name: certain, or used more (and at least twice)."""
        return candidate == CERTAIN or (candidate >= 2 and candidate > self.t.run_ratio * mine)

    def _pool(self, kind: str, space: str, depth: int) -> Pool:
        """The candidate strings of one kind, listed once per run."""
        key = (kind, space, depth)
        pool = self._pools.get(key)
        if pool is None:
            if kind == "host":
                pool = Pool(self.hosts)
            elif kind == "exact":
                pool = Pool(self.spaces[space].exact)
            else:
                pool = Pool(q for q in self.spaces[space].prefixes if q.count("/") == depth - 1)
            self._pools[key] = pool
        return pool

    def _close(self, query: str, pool: Pool) -> list[tuple[str, int]]:
        """The candidates within ``max_distance`` of ``query`` (itself excluded), with their distance,
        in pool order."""
        if self.t.max_distance == 1:
            near = pool.near(query)
            if len(near) <= self._python_left:
                self._python_left -= len(near)
                return [(c, 1) for _, c in sorted((i, c) for i, c in near if one_edit(query, c))]
        from rapidfuzz import process
        from rapidfuzz.distance import DamerauLevenshtein

        found = process.extract(
            query, pool.names, scorer=DamerauLevenshtein.distance, score_cutoff=self.t.max_distance, limit=None
        )
        return [(str(c), int(d)) for c, d, _ in found if c != query]

    def known_host(self, host: str) -> bool:
        """Whether a host is known for certain (catalogue, cloud pattern or allowlist)."""
        if self.hosts.get(host) == CERTAIN or self.cat.is_known_host(host):
            return True
        return any(_host_glob_match(host, p) for p in self.allow.hosts)

    def host_typo(self, ref: ImageRef) -> Typo | None:
        """The registry host the reference most likely meant, if its own host is an unknown near miss."""
        if ref.domain is None:
            return None
        host = ref.host.lower()
        if is_private_host(host) or self.known_host(host):
            return None
        mine = self.hosts.get(host, 1)
        found: dict[str, tuple[int, str]] = {}
        for cand, d in self._close(host, self._pool("host", "", 0)):
            if not self._qualifies(self.hosts[cand], mine) or len(cand) < self.t.min_host_length:
                continue
            if benign_difference(host, cand, host=True):
                continue
            found[cand] = (d, _describe(self.host_origin.get(cand, ""), self.hosts[cand]))
        for pattern in self.cat.patterns if not found else ():
            split = _pattern_tail(host, pattern)
            if split is None:
                continue
            head, tail, suffix = split
            if len(suffix) < PATTERN_SUFFIX_MIN:
                continue
            for _, d in self._close(tail, Pool([suffix])):  # the one-edit check in Python, like the hosts above
                if not benign_difference(tail, suffix, host=True):
                    found[head + suffix] = (d, f"the cloud registry pattern {pattern}")
        if not found:
            return None
        best = min(d for d, _ in found.values())
        winners = sorted(c for c, (d, _) in found.items() if d == best)
        domain = ref.domain
        port = domain[len(ref.host) :] if domain.lower().startswith(host) else ""
        replacement = None
        if len(winners) == 1:
            replacement = winners[0] + port + ref.format()[len(domain) :]
        return Typo("registry", ref.host, tuple(winners), replacement, found[winners[0]][1])

    def repository_typo(self, ref: ImageRef) -> Typo | None:
        """The repository path the reference most likely meant, if its own path is an unknown near miss."""
        v = view(ref)
        space = self.spaces.get(v.space)
        if space is None:
            return None
        mine = space.exact.get(v.path, 1)  # its uses in the run; CERTAIN: a known name
        if mine == CERTAIN:
            return None
        found: dict[str, tuple[int, str]] = {}
        for cand, d in self._close(v.path, self._pool("exact", v.space, 0)):
            if v.official_only and "/" in cand:
                continue
            if self._qualifies(space.exact[cand], mine) and self._plausible(v.path, cand):
                found[cand] = (d, _describe(space.origin.get(cand, ""), space.exact[cand]))
        parts = v.path.split("/")
        for k in range(1, len(parts)):
            mine_prefix = "/".join(parts[:k])
            if space.prefixes.get(mine_prefix) == CERTAIN or v.official_only:
                continue
            my_weight = space.prefixes.get(mine_prefix, mine)
            for cand, d in self._close(mine_prefix, self._pool("prefix", v.space, k)):
                if self._qualifies(space.prefixes[cand], my_weight) and self._plausible(mine_prefix, cand):
                    corrected = cand + v.path[len(mine_prefix) :]
                    origin = _describe(space.origin.get("ns:" + cand, ""), space.prefixes[cand])
                    found.setdefault(corrected, (d, f'"{cand}/" is {origin}'))
        if not found:
            return None
        best = min(d for d, _ in found.values())
        winners = sorted(c for c, (d, _) in found.items() if d == best)
        replacement = None
        if len(winners) == 1:
            prefix = v.written_prefix
            if prefix.endswith("library/") and "/" in winners[0] and not v.official_only:
                prefix = prefix[: -len("library/")]
            domain = ref.domain + "/" if ref.domain is not None else ""
            tail = ref.format()[len(domain) + len(ref.path) :]
            replacement = domain + prefix + winners[0] + tail
        return Typo("repository", v.path, tuple(winners), replacement, found[winners[0]][1])

    def _plausible(self, mine: str, cand: str) -> bool:
        """Long enough where they differ, and not a difference distinct real names often have."""
        if benign_difference(mine, cand):
            return False
        p, _am, bm = _diff(mine, cand)
        return _component_length(cand, p, p + len(bm)) >= self.t.min_length

    def typo(self, ref: ImageRef) -> Typo | None:
        """The host typo of a reference, else its repository typo, else None."""
        if traps(ref) or self.allow.knows(ref):
            return None
        return self.host_typo(ref) or self.repository_typo(ref)


def _describe(origin: str, weight: float) -> str:
    """Where a suggestion is known from, for the message."""
    if origin == RUN:
        return f"used {int(weight)} times in this run"
    return origin


def _host_glob_match(host: str, pattern: str) -> bool:
    from fnmatch import fnmatchcase

    return fnmatchcase(host, pattern) or fnmatchcase(host, pattern.split(":")[0])


def _pattern_tail(host: str, pattern: str) -> tuple[str, str, str] | None:
    """Split a host the way a ``*.suffix`` / ``*-suffix`` pattern reads it: (head, tail, suffix)."""
    if len(pattern) < 3 or pattern[0] != "*" or pattern[1] not in ".-" or is_glob(pattern[2:]):
        return None
    suffix = pattern[2:]
    n = suffix.count(".") + 1
    labels = host.split(".")
    if len(labels) < n:
        return None
    tail_labels, head_labels = labels[-n:], labels[:-n]
    if pattern[1] == ".":
        if not head_labels:
            return None
        return ".".join(head_labels) + ".", ".".join(tail_labels), suffix
    if head_labels:
        return None
    first = tail_labels[0]
    cut = first.rfind("-")
    if cut <= 0:
        return None
    return first[: cut + 1], ".".join([first[cut + 1 :], *tail_labels[1:]]), suffix
