"""The shipped catalogue of well-known image locations, the table of moved ones, and the allowlist.

The data lives in ``data/known-images.yaml`` and ``data/moved-registries.yaml`` (read once per
process); the allowlist comes from ``registries.allowed`` / ``images.allowed`` in the config. Rules
query these typed views and never read the files themselves.
"""

from __future__ import annotations

import functools
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any

from pullcheck.records import record

if TYPE_CHECKING:
    from ruamel.yaml.nodes import Node

    from pullcheck.config import Config
    from pullcheck.imageref import ImageRef

DOCKER_HUB = "docker.io"
_GLOB_CHARS = frozenset("*?[")


def _load(name: str) -> Any:
    """A catalogue file as plain data: mappings, lists and strings, each scalar as it is written.

    The catalogues hold nothing else (a test compares them with a YAML safe load), so libyaml only
    composes them, without the per-scalar type resolution and construction a safe load pays for.
    """
    from ruamel.yaml.nodes import MappingNode, SequenceNode

    from pullcheck.data import read_text
    from pullcheck.loader import compose_single

    def plain(node: Node | None) -> Any:
        if node is None:  # an empty file
            return None
        if isinstance(node, MappingNode):
            return {plain(k): plain(v) for k, v in node.value}
        if isinstance(node, SequenceNode):
            return [plain(item) for item in node.value]
        return node.value

    return plain(compose_single(read_text(name)))


@record(frozen=True)
class Catalogue:
    """Well-known registries (exact hosts and cloud patterns) and repositories per registry.

    ``repositories`` maps a registry to exact repository paths (Docker Hub paths in their familiar
    form: ``nginx``, ``bitnami/redis``); ``namespaces`` maps a registry to well-known
    organisation prefixes (``bitnami``), from the catalogue's ``ns/*`` entries.
    """

    hosts: frozenset[str]
    docker_hub_hosts: frozenset[str]
    patterns: tuple[str, ...]
    local: tuple[str, ...]
    repositories: dict[str, frozenset[str]]
    namespaces: dict[str, frozenset[str]]

    def is_known_host(self, host: str) -> bool:
        """Whether ``host`` (lowercase, no port) is a catalogued registry or matches a cloud pattern."""
        return host in self.hosts or host in self.docker_hub_hosts or any(fnmatchcase(host, p) for p in self.patterns)


@functools.lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    """The built-in catalogue, parsed once per process."""
    data = _load("known-images.yaml")
    regs = data["registries"]
    repos: dict[str, set[str]] = {}
    spaces: dict[str, set[str]] = {}
    for registry, entries in (data.get("repositories") or {}).items():
        for entry in entries:
            if entry.endswith("/*"):
                spaces.setdefault(registry, set()).add(entry[:-2])
            else:
                repos.setdefault(registry, set()).add(entry)
    repos.setdefault(DOCKER_HUB, set()).update(data.get("official-images") or ())
    return Catalogue(
        hosts=frozenset(
            [h.lower() for h in regs["hosts"]]
            + [f"{loc}-docker.pkg.dev" for loc in regs.get("artifact-registry-locations") or ()]
        ),
        docker_hub_hosts=frozenset(regs["docker-hub"]),
        patterns=tuple(regs.get("patterns") or ()),
        local=tuple(regs.get("local") or ()),
        repositories={k: frozenset(v) for k, v in repos.items()},
        namespaces={k: frozenset(v) for k, v in spaces.items()},
    )


@functools.lru_cache(maxsize=1024)
def is_private_host(host: str) -> bool:
    """Hosts never checked for typos: no dot (``registry:5000``), IP addresses, local/example domains
    (asked once per distinct image, for a few dozen hosts)."""
    import ipaddress

    if "." not in host:
        return True
    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        pass
    return any(fnmatchcase(host, p) for p in catalogue().local)


# -- moved locations ------------------------------------------------------------------------------


@record(frozen=True)
class Move:
    """One frozen, deprecated or moved location (a row of ``moved-registries.yaml``)."""

    prefix: str
    to: str
    when: str
    what: str
    rewrite: str | None = None
    option: str | None = None

    def matches(self, name: str) -> bool:
        """Whether a normalized image name lies under this location."""
        if self.prefix.endswith("*"):
            return name.startswith(self.prefix[:-1])
        return name == self.prefix or name.startswith(self.prefix + "/")


@functools.lru_cache(maxsize=1)
def moves() -> tuple[Move, ...]:
    """Every moved location, most specific (longest prefix) first."""
    data = _load("moved-registries.yaml")
    rows = [
        Move(
            prefix=str(m["from"]),
            to=str(m["to"]),
            when=str(m["when"]),
            what=str(m["what"]),
            rewrite=m.get("rewrite"),
            option=m.get("option"),
        )
        for m in data["moves"]
    ]
    return tuple(sorted(rows, key=lambda m: -len(m.prefix.rstrip("*"))))


def find_move(name: str, options: frozenset[str] = frozenset()) -> Move | None:
    """The most specific moved location containing ``name`` (entries behind an unset option skipped)."""
    for m in moves():
        if (m.option is None or m.option in options) and m.matches(name):
            return m
    return None


# -- allowlist ------------------------------------------------------------------------------------


def is_glob(text: str) -> bool:
    """Whether a pattern holds a shell wildcard (`*`, `?`, `[`)."""
    return any(c in _GLOB_CHARS for c in text)


def _looks_like_host(first: str) -> bool:
    return "." in first or ":" in first or first == "localhost"


def normalize_name_pattern(pattern: str) -> str:
    """A name glob in the normalized form image names take (``nginx`` -> ``docker.io/library/nginx``)."""
    if pattern in ("*", "**"):
        return "*"
    first, slash, rest = pattern.partition("/")
    if slash and _looks_like_host(first):
        host = first.lower()
        if host in catalogue().docker_hub_hosts:
            host = DOCKER_HUB
        if host == DOCKER_HUB and "/" not in rest and not is_glob(rest):
            rest = "library/" + rest
        return f"{host}/{rest}"
    if "/" not in pattern and not is_glob(pattern):
        return f"{DOCKER_HUB}/library/{pattern}"
    return f"{DOCKER_HUB}/{pattern}"


def literal_prefix(pattern: str) -> str:
    """The part of a normalized name glob before its first wildcard, cut back to a ``/``."""
    for i, c in enumerate(pattern):
        if c in _GLOB_CHARS:
            return pattern[: pattern.rfind("/", 0, i) + 1].rstrip("/") if "/" in pattern[:i] else ""
    return pattern


@record(frozen=True)
class Allowlist:
    """``registries.allowed`` and ``images.allowed``: host globs and normalized name globs; and
    ``images.known``: names that exist, for ``image-typo`` only (they allow nothing)."""

    hosts: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    known: tuple[str, ...] = ()

    @property
    def configured(self) -> bool:
        """Whether any allowlist is set (``registry-not-allowed`` is silent otherwise)."""
        return bool(self.hosts or self.names)

    def allows(self, ref: ImageRef) -> bool:
        """Whether the image's registry or name is allowed."""
        host = ref.host.lower()
        registry = ref.registry.lower()
        if any(fnmatchcase(host, p) or fnmatchcase(registry, p) for p in self.hosts):
            return True
        return any(fnmatchcase(ref.name, p) for p in self.names)

    def knows(self, ref: ImageRef) -> bool:
        """Whether ``images.known`` says the image's name exists (it is then no typo of another;
        being known, unlike allowed, makes no other name a typo of it)."""
        return any(fnmatchcase(ref.name, p) for p in self.known)

    def exact_names(self) -> list[str]:
        """Allowed names written without a wildcard (known names for ``image-typo``)."""
        return [p for p in self.names if not is_glob(p)]

    def name_prefixes(self) -> list[str]:
        """Literal prefixes of the globbed names (``ghcr.io/acme/*`` -> ``ghcr.io/acme``)."""
        return [q for q in (literal_prefix(p) for p in self.names if is_glob(p)) if q]

    def literal_hosts(self) -> list[str]:
        """Allowed hosts written without a wildcard, and the hosts of allowed names."""
        out = [h for h in self.hosts if not is_glob(h)]
        for p in self.names:
            host = p.split("/", 1)[0]
            if not is_glob(host):
                out.append(host)
        return out


def _name_only(image: str) -> str:
    """An image written with a tag or digest, as its name (``ngnix:1.25`` -> ``docker.io/library/ngnix``);
    a glob, which no reference parses as, as written."""
    from pullcheck.imageref import parsed

    ref = parsed(image)
    return image if ref is None else ref.name


def allowlist(config: Config) -> Allowlist:
    """The allowlist of a config; entries of ``registries.allowed`` with a ``/`` are name globs."""
    hosts: list[str] = []
    names: list[str] = []
    for entry in config.get("registries.allowed") or ():
        text = str(entry).strip().rstrip("/")
        if "/" in text:
            names.append(normalize_name_pattern(text))
        else:
            host = text.lower()
            hosts.append(DOCKER_HUB if host in catalogue().docker_hub_hosts else host)
    for entry in config.get("images.allowed") or ():
        text = str(entry).strip()
        names.append(normalize_name_pattern(text))
    known = tuple(normalize_name_pattern(_name_only(str(entry).strip())) for entry in config.get("images.known") or ())
    return Allowlist(tuple(hosts), tuple(names), known)
