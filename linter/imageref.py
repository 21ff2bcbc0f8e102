"""Parse container image references exactly as the kubelet does.

This is a port of ``github.com/distribution/reference`` v0.6.0
(``ParseNormalizedNamed`` + ``Parse``) together with the digest validation of
``github.com/opencontainers/go-digest`` v1.0.0 with ``sha256``, ``sha384`` and
``sha512`` registered, which is what the kubelet's ``ParseImageName`` runs.  A
reference accepted here is accepted by the kubelet and vice versa; for the ones
that are refused, :class:`InvalidReference` carries both Go's error string and a
precise human explanation with the character offset where the problem starts.

The valid path costs a few string operations and a single regular-expression
match; the slower diagnosis only runs for references that are refused.
"""

from __future__ import annotations

import functools
import re
from typing import NamedTuple

from pullcheck.records import record

__all__ = [
    "REFERENCE_RE",
    "ImageRef",
    "InvalidReference",
    "parse",
    "traps",
]

# --------------------------------------------------------------------------
# Grammar (distribution/reference regexp.go).  Go's ``\w`` is ASCII-only and
# ``[[:xdigit:]]`` is ``[0-9A-Fa-f]``; Go's ``$`` is end-of-text, i.e. ``\Z``.
# --------------------------------------------------------------------------
_ALNUM = r"[a-z0-9]+"
_SEPARATOR = r"(?:[._]|__|[-]+)"
_COMPONENT = _ALNUM + r"(?:" + _SEPARATOR + _ALNUM + r")*"
_PATH = _COMPONENT + r"(?:/" + _COMPONENT + r")*"
_LABEL = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_HOST = r"(?:" + _LABEL + r"(?:\." + _LABEL + r")*|\[(?:[a-fA-F0-9:]+)\])"
_DOMAIN = _HOST + r"(?::[0-9]+)?"
_NAME = r"(?:" + _DOMAIN + r"/)?" + _PATH
_TAG = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"
_ALGORITHM = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*"
_DIGEST = _ALGORITHM + r":[0-9a-fA-F]{32,}"

#: The full anchored reference grammar of distribution/reference (groups: name, tag, digest).
REFERENCE_RE: re.Pattern[str] = re.compile(r"^(" + _NAME + r")(?::(" + _TAG + r"))?(?:@(" + _DIGEST + r"))?\Z")

# Same language as REFERENCE_RE, but the name is split into domain and path the
# way Go's anchoredNameRegexp splits it (both prefer a domain when one fits), so
# that one match yields every part.  Used with fullmatch().
_SPLIT_RE = re.compile(r"(?:(" + _DOMAIN + r")/)?(" + _PATH + r")(?::(" + _TAG + r"))?(?:@(" + _DIGEST + r"))?")
_IDENTIFIER_RE = re.compile(r"[a-f0-9]{64}")
_DOMAIN_RE = re.compile(_DOMAIN)
_COMPONENT_RE = re.compile(_COMPONENT)
_SEPARATOR_RE = re.compile(_SEPARATOR)
_SEPARATOR_RUN_RE = re.compile(r"[._-]+")
_TAG_RUN_RE = re.compile(r"[A-Za-z0-9_.-]*")
_ALGORITHM_RE = re.compile(_ALGORITHM)
_HEX_RUN_RE = re.compile(r"[0-9a-fA-F]*")
_LOWER_HEX_RE = re.compile(r"[0-9a-f]*")
_SCHEME_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
# go-digest v1.0.0 DigestRegexpAnchored, consulted for unregistered algorithms.
_GO_DIGEST_RE = re.compile(r"[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+")
_IPV4_RE = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}")
_NUMERIC_RE = re.compile(r"[0-9]+")

_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_HEX_COLON = frozenset("0123456789abcdefABCDEF:")
_LABEL_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")

#: Digest algorithms registered in the kubelet, with their hex length.
_DIGEST_HEX_LENGTH: dict[str, int] = {"sha256": 64, "sha384": 96, "sha512": 128}
_SUPPORTED = ", ".join(_DIGEST_HEX_LENGTH)

_DEFAULT_DOMAIN = "docker.io"
_LEGACY_DEFAULT_DOMAIN = "index.docker.io"
_OFFICIAL_PREFIX = "library/"
_LOCALHOST = "localhost"
_MAX_PATH = 255
_MAX_TAG = 128

# Go error strings.
_E_FORMAT = "invalid reference format"
_E_UPPER = "repository name must be lowercase"
_E_TOO_LONG = f"repository name must not be more than {_MAX_PATH} characters"
_E_DIGEST_FORMAT = "invalid checksum digest format"
_E_DIGEST_LENGTH = "invalid checksum digest length"
_E_DIGEST_UNSUPPORTED = "unsupported digest algorithm"

# Top-level domains that make a lone, slash-less name look like a registry host
# ("example.com", "registry.io:5000").  "app" is left out on purpose.
_HOSTLIKE_TLDS = frozenset(
    "com net org io dev cloud local localdomain internal lan corp home co us eu uk de fr nl cn jp in ru br "
    "au ca ch se no fi dk pl it es be at cz kr tw sg hk me ai xyz tech site online svc cluster".split()
)
# Hosts that are Docker Hub's web site, not a registry.
_HUB_WEBSITES = frozenset({"hub.docker.com", "docker.com", "www.docker.com"})


class InvalidReference(ValueError):
    """An image reference the kubelet refuses (container reason ``InvalidImageName``).

    ``reason`` names the wrong part; ``position`` is the 0-based offset in the
    original string of the first offending character (the start of the tag or
    digest for length/algorithm problems, the ``:`` of an empty tag, the ``@``
    of an empty digest, 0 for problems with the whole string); ``go_error`` is
    the exact error text of the Go library (the kubelet wraps it in
    ``couldn't parse image name "...": ...``).
    """

    ref: str
    reason: str
    position: int
    go_error: str

    def __init__(self, ref: str, reason: str, position: int, go_error: str) -> None:
        """Record the reference, the explanation, its 0-based offset and Go's error text."""
        super().__init__(f"invalid image reference {ref!r}: {reason} (at position {position})")
        self.ref = ref
        self.reason = reason
        self.position = position
        self.go_error = go_error

    def __reduce__(self) -> tuple[type[InvalidReference], tuple[str, str, int, str]]:
        """Pickle by constructor arguments (for process pools)."""
        return (type(self), (self.ref, self.reason, self.position, self.go_error))


@record(frozen=True)
class ImageRef:
    """A parsed image reference: the parts as written plus the kubelet's normalized view.

    ``registry`` is Go's ``Domain()`` after normalization and ``repository`` its
    ``Path()``.  ``registry`` is the empty string in the one case where Go finds
    no registry in a name that has a slash (a dotted first component that is not
    a legal host, e.g. ``reg_istry.io/app``); then the whole name is the path.
    """

    raw: str
    domain: str | None
    path: str
    tag: str | None
    digest: str | None
    registry: str
    repository: str

    @property
    def name(self) -> str:
        """Fully qualified repository name, e.g. ``docker.io/library/nginx`` (Go's ``Name()``)."""
        return f"{self.registry}/{self.repository}" if self.registry else self.repository

    @property
    def familiar(self) -> str:
        """Short name as Docker shows it: ``nginx``, ``acme/app``, ``quay.io/x/y`` (no tag/digest)."""
        if self.registry != _DEFAULT_DOMAIN:
            return self.name
        repo = self.repository
        if repo.startswith(_OFFICIAL_PREFIX) and "/" not in repo[len(_OFFICIAL_PREFIX) :]:
            return repo[len(_OFFICIAL_PREFIX) :]
        return repo

    @property
    def familiar_string(self) -> str:
        """Go's ``FamiliarString``: the familiar name with ``:tag`` and ``@digest``."""
        out = self.familiar
        if self.tag is not None:
            out += ":" + self.tag
        if self.digest is not None:
            out += "@" + self.digest
        return out

    @property
    def host(self) -> str:
        """The registry without its port (IPv6 hosts keep their brackets)."""
        return _split_port(self.registry)[0]

    @property
    def port(self) -> int | None:
        """The registry port as a number, or None (the range is not checked, as in Go)."""
        port = _split_port(self.registry)[1]
        return int(port) if port is not None else None

    @property
    def is_docker_hub(self) -> bool:
        """True when the normalized registry is exactly ``docker.io``."""
        return self.registry == _DEFAULT_DOMAIN

    def format(self) -> str:
        """Reassemble the reference as written; ``parse(s).format() == s``."""
        out = self.path if self.domain is None else f"{self.domain}/{self.path}"
        if self.tag is not None:
            out += ":" + self.tag
        if self.digest is not None:
            out += "@" + self.digest
        return out


def _split_port(registry: str) -> tuple[str, str | None]:
    if registry.startswith("["):
        close = registry.find("]")
        rest = registry[close + 1 :]
        if rest.startswith(":"):
            return registry[: close + 1], rest[1:]
        return registry, None
    host, colon, port = registry.partition(":")
    return (host, port) if colon else (registry, None)


class _Failure(NamedTuple):
    reason: str
    position: int
    go_error: str


def parse(ref: str) -> ImageRef:
    """Parse ``ref`` as the kubelet does; raise :class:`InvalidReference` if it is refused."""
    if not isinstance(ref, str):
        raise TypeError(f"image reference must be a string, not {type(ref).__name__}")
    result = _parse_cached(ref)
    if isinstance(result, _Failure):
        raise InvalidReference(ref, result.reason, result.position, result.go_error)
    return result


def parsed(ref: object) -> ImageRef | None:
    """``ref`` parsed, or None when it is not a string or the kubelet would refuse it."""
    if not isinstance(ref, str):
        return None
    try:
        return parse(ref)
    except InvalidReference:
        return None


@functools.lru_cache(maxsize=4096)
def _parse_cached(s: str) -> ImageRef | _Failure:
    return _parse_uncached(s)


def _go_lower(s: str) -> str:
    """Go's ``strings.ToLower`` (simple per-rune case mapping)."""
    if s.isascii():
        return s.lower()
    return "".join("i" if c == "\u0130" else (c.lower() if len(c.lower()) == 1 else c) for c in s)


def _is_go_domain(first: str) -> bool:
    """splitDockerDomain: is the text before the first '/' taken as a registry?"""
    return (
        first == _LOCALHOST
        or first == _LEGACY_DEFAULT_DOMAIN
        or "." in first
        or ":" in first
        or _go_lower(first) != first
    )


def _parse_uncached(s: str) -> ImageRef | _Failure:
    # ParseNormalizedNamed, step by step.
    if len(s) == 64 and _IDENTIFIER_RE.fullmatch(s):
        return _Failure(
            "64-character hex string looks like an image ID, not a repository name",
            0,
            f"invalid repository name ({s}), cannot specify 64-byte hexadecimal strings",
        )
    slash = s.find("/")
    written_domain: str | None
    if slash < 0:
        go_domain, remainder, written_domain = _DEFAULT_DOMAIN, s, None
    else:
        first = s[:slash]
        if _is_go_domain(first):
            go_domain = _DEFAULT_DOMAIN if first == _LEGACY_DEFAULT_DOMAIN else first
            remainder, written_domain = s[slash + 1 :], first
        else:
            go_domain, remainder, written_domain = _DEFAULT_DOMAIN, s, None
    prefixed = go_domain == _DEFAULT_DOMAIN and "/" not in remainder
    if prefixed:
        remainder = _OFFICIAL_PREFIX + remainder
    remote = remainder.partition(":")[0]
    if _go_lower(remote) != remote:
        return _diagnose(s, f"{_E_FORMAT}: repository name ({remote}) must be lowercase")

    # Parse(domain + "/" + remainder)
    match = _SPLIT_RE.fullmatch(go_domain + "/" + remainder)
    if match is None:
        candidate = go_domain + "/" + remainder
        lowered = _go_lower(candidate)
        if lowered != candidate and _SPLIT_RE.fullmatch(lowered):
            return _diagnose(s, _E_UPPER)
        return _diagnose(s, _E_FORMAT)
    domain, path, tag, digest = match.groups()
    if len(path) > _MAX_PATH:
        start = slash + 1 if written_domain is not None and domain is not None else 0
        extra = '; Docker Hub adds "library/" to a one-component name' if prefixed else ""
        return _Failure(
            f"repository path is {len(path)} characters (maximum {_MAX_PATH}){extra}",
            start,
            _E_TOO_LONG,
        )
    if digest is not None:
        failure = _check_digest(digest, s.index("@") + 1)
        if failure is not None:
            return failure

    if domain is None:
        # Go found no registry: the dotted-but-illegal first component is path.
        written_domain = None
    written_path = path[len(_OFFICIAL_PREFIX) :] if prefixed else path
    return ImageRef(
        raw=s,
        domain=written_domain,
        path=written_path,
        tag=tag,
        digest=digest,
        registry=domain or "",
        repository=path,
    )


def _check_digest(digest: str, start: int) -> _Failure | None:
    """go-digest v1.0.0 ``Digest.Validate`` with sha256/sha384/sha512 registered."""
    algorithm, _, encoded = digest.partition(":")
    size = _DIGEST_HEX_LENGTH.get(algorithm)
    if size is None:
        if _GO_DIGEST_RE.fullmatch(digest) is None:
            upper = _first_changed_by_lower(algorithm)
            if upper is not None:
                return _Failure(f'digest algorithm "{algorithm}" must be lowercase', start + upper, _E_DIGEST_FORMAT)
            return _Failure(  # pragma: no cover - unreachable after REFERENCE_RE
                f'digest "{digest}" is malformed', start, _E_DIGEST_FORMAT
            )
        return _Failure(
            f'digest algorithm "{algorithm}" is not supported ({_SUPPORTED})',
            start,
            _E_DIGEST_UNSUPPORTED,
        )
    if len(encoded) != size:
        return _Failure(
            f"{algorithm} digest must be {size} hex characters, got {len(encoded)}",
            start,
            _E_DIGEST_LENGTH,
        )
    hex_start = start + len(algorithm) + 1
    lower_end = _LOWER_HEX_RE.match(encoded)
    if lower_end is not None and lower_end.end() != len(encoded):
        return _Failure(f"{algorithm} digest must be lowercase hex", hex_start + lower_end.end(), _E_DIGEST_FORMAT)
    return None


# --------------------------------------------------------------------------
# Diagnosis of refused references: find the first wrong character and say why.
# --------------------------------------------------------------------------


def _diagnose(s: str, go_error: str) -> _Failure:
    if s == "":
        return _Failure("image reference is empty", 0, go_error)
    scheme = _SCHEME_RE.match(s)
    if scheme is not None:
        return _Failure(f'scheme "{scheme.group()}" is not allowed in an image reference', 0, go_error)
    found = _scan(s)
    if found is None:  # pragma: no cover - the scanner covers the whole grammar
        return _Failure(go_error, 0, go_error)
    return _Failure(found[0], found[1], go_error)


_Problem = tuple[str, int]


def _first_changed_by_lower(s: str) -> int | None:
    for i, c in enumerate(s):
        if _go_lower(c) != c:
            return i
    return None


def _describe_char(c: str) -> str:
    if c.isascii():
        return f'"{c}"'
    return f'"{c}" (U+{ord(c):04X})'


_WHITESPACE_NAMES = {" ": "space", "\t": "tab", "\n": "newline", "\r": "carriage return"}


def _bad_char(s: str, p: int, part: str, path_start: int = 0) -> _Problem:
    c = s[p]
    if c.isspace():
        what = _WHITESPACE_NAMES.get(c, f"U+{ord(c):04X}")
        return f"whitespace at position {p} ({what})", p
    if part == "repository path" and _go_lower(c) != c:
        end = p
        while end < len(s) and s[end] not in ":@":
            end += 1
        return f'repository name "{s[path_start:end]}" must be lowercase', p
    if ord(c) < 32 or ord(c) == 127:
        return f"control character U+{ord(c):04X} at position {p}", p
    return f"invalid character {_describe_char(c)} in {part}", p


def _scan(s: str) -> _Problem | None:
    """Walk the reference left to right the way Go splits it; report the first problem."""
    slash = s.find("/")
    if slash >= 0:
        first = s[:slash]
        if first.startswith("[") and ":" not in first:
            return f'bracketed host "{first}" is not read as a registry: an IPv6 address needs ":"', 0
        if _is_go_domain(first):
            if _DOMAIN_RE.fullmatch(first):
                return _scan_path(s, slash + 1)
            if _COMPONENT_RE.fullmatch(first):
                return _scan_path(s, 0)  # Go reads the whole name as a path
            if _COMPONENT_RE.fullmatch(_go_lower(first)):
                return _bad_char(s, _first_changed_by_lower(first) or 0, "repository path")
            return _scan_domain(first)
    return _scan_path(s, 0)


def _scan_domain(first: str) -> _Problem:
    if first.startswith("["):
        close = first.find("]")
        if close < 0:
            return f'IPv6 address "{first}" has no closing "]"', 0
        for j in range(1, close):
            c = first[j]
            if c == "%":
                return f'IPv6 zone id "{first[j:close]}" is not allowed in a registry host', j
            if c not in _HEX_COLON:
                if c.isspace():
                    return _bad_char(first, j, "IPv6 address")
                return f"invalid character {_describe_char(c)} in IPv6 address", j
        if close == 1:
            return "IPv6 address is empty", 0
        rest_at = close + 1
        if rest_at < len(first) and first[rest_at] != ":":
            return _bad_char(first, rest_at, "registry host")
        return _scan_port(first, rest_at + 1)
    if first.count(":") >= 2:
        if all(c in _HEX_COLON for c in first):
            return f'IPv6 address "{first}" must be enclosed in brackets, e.g. "[::1]"', 0
        second = first.index(":", first.index(":") + 1)
        return f'registry "{first}" has more than one ":"', second
    host, colon, _ = first.partition(":")
    start = 0
    for label in host.split("."):
        if label == "":
            where = start if start < len(host) else max(start - 1, 0)
            return f'registry host "{host}" has an empty label', where
        for j, c in enumerate(label):
            if c not in _LABEL_CHARS:
                return _bad_char(first, start + j, f'registry host "{host}"')
        if label[0] == "-":
            return f'registry host label "{label}" must not start or end with "-"', start
        if label[-1] == "-":
            return (
                f'registry host label "{label}" must not start or end with "-"',
                start + len(label) - 1,
            )
        start += len(label) + 1
    if colon:
        return _scan_port(first, len(host) + 1)
    return f'invalid registry host "{first}"', 0  # pragma: no cover - DOMAIN matched


def _scan_port(first: str, p: int) -> _Problem:
    port = first[p:]
    if port == "":
        return 'port after ":" is empty', p - 1
    for j, c in enumerate(port):
        if not ("0" <= c <= "9"):
            if c.isspace():
                return _bad_char(first, p + j, "port")
            return f'port "{port}" must be a number', p + j
    return f'invalid registry port "{port}"', p  # pragma: no cover - DOMAIN matched


def _scan_path(s: str, path_start: int) -> _Problem | None:
    n = len(s)
    pos = path_start
    while True:
        comp = _COMPONENT_RE.match(s, pos)
        if comp is None:
            return _bad_component_start(s, pos, path_start)
        q = comp.end()
        if q == n:
            return None
        c = s[q]
        if c == "/":
            pos = q + 1
            continue
        if c == ":":
            return _scan_tag(s, q + 1)
        if c == "@":
            return _scan_digest(s, q + 1)
        if c in "._-":
            run = _SEPARATOR_RUN_RE.match(s, q)
            r = run.end() if run is not None else q + 1
            if r == n or s[r] in "/:@":
                return (
                    f'repository path component "{s[pos:r]}" must end with a lowercase letter or digit',
                    q,
                )
            if _SEPARATOR_RE.fullmatch(s, q, r) is None:
                return (
                    f'invalid separator "{s[q:r]}" in repository path (allowed: ".", "_", "__" or a run of "-")',
                    q,
                )
            return _bad_char(s, r, "repository path", path_start)
        return _bad_char(s, q, "repository path", path_start)


def _bad_component_start(s: str, pos: int, path_start: int) -> _Problem:
    n = len(s)
    c = s[pos] if pos < n else ""
    if pos == path_start and (c == "" or c in ":@"):
        if path_start == 0:
            return "repository name is empty", 0
        return "repository path is empty", path_start - 1
    if c == "":
        return 'repository path must not end with "/"', pos - 1
    if c == "/":
        if pos == 0:
            return 'repository path must not start with "/"', 0
        return 'empty path component ("//") in repository path', pos
    if c in ":@":
        return 'repository path must not end with "/"', pos - 1
    if c in "._-":
        return f'repository path component must start with a lowercase letter or digit, not "{c}"', pos
    return _bad_char(s, pos, "repository path", path_start)


def _scan_tag(s: str, t: int) -> _Problem | None:
    n = len(s)
    if t == n or s[t] == "@":
        return 'tag "" is empty', t - 1
    c = s[t]
    run = _TAG_RUN_RE.match(s, t)
    u = run.end() if run is not None else t
    if c not in _WORD_CHARS:
        if c in ".-":
            return f'tag "{s[t:u]}" must start with a letter, digit or "_"', t
        if c == ":":
            return 'tag must not contain ":"', t
        return _bad_char(s, t, "tag")
    if u - t > _MAX_TAG:
        return f"tag is {u - t} characters (maximum {_MAX_TAG})", t
    if u == n:
        return None
    c = s[u]
    if c == "@":
        return _scan_digest(s, u + 1)
    if c == ":":
        return f'tag "{s[t:u]}" must not be followed by another ":" (a tag cannot contain ":")', u
    if c == "+":
        return 'tag must not contain "+" (semver build metadata such as "1.0+build" is not allowed)', u
    if c == "/":
        return 'tag must not contain "/"', u
    return _bad_char(s, u, "tag")


def _scan_digest(s: str, d: int) -> _Problem | None:
    n = len(s)
    if d == n:
        return 'digest after "@" is empty', d - 1
    alg = _ALGORITHM_RE.match(s, d)
    if alg is None:
        c = s[d]
        if c == ":":
            return "digest algorithm is empty", d
        if c.isspace():
            return _bad_char(s, d, "digest")
        return f"digest algorithm must start with a letter, not {_describe_char(c)}", d
    e = alg.end()
    algorithm = s[d:e]
    if e == n:
        return f'digest "{algorithm}" has no ":<hex>" part', d
    if s[e] != ":":
        if s[e] in "-_+.":
            return f'invalid digest algorithm "{s[d : e + 1]}"', e
        return _bad_char(s, e, "digest algorithm")
    upper = _first_changed_by_lower(algorithm)
    if upper is not None:
        return f'digest algorithm "{algorithm}" must be lowercase', d + upper
    h = e + 1
    hex_run = _HEX_RUN_RE.match(s, h)
    f = hex_run.end() if hex_run is not None else h
    if f < n:
        c = s[f]
        if c == ":" and f - h >= 32:
            return 'tag must come before the digest ("name:tag@digest")', f
        if c == "@":
            return 'only one "@digest" is allowed', f
        if c.isspace():
            return _bad_char(s, f, "digest")
        if c.isascii() and c.isalnum():
            return f"digest contains non-hex character {_describe_char(c)}", f
        return _bad_char(s, f, "digest")
    size = _DIGEST_HEX_LENGTH.get(algorithm)
    if f - h < 32:
        if size is not None:
            return f"{algorithm} digest must be {size} hex characters, got {f - h}", d
        return f'digest algorithm "{algorithm}" is not supported ({_SUPPORTED})', d
    return None


# --------------------------------------------------------------------------
# Traps: references that parse but cannot be what the author meant.
# --------------------------------------------------------------------------


def traps(ref: ImageRef) -> list[tuple[str, int]]:
    """List (message, 0-based position) for valid references that are almost surely mistakes."""
    found: list[tuple[str, int]] = []
    domain = ref.domain
    if domain is not None:
        if "." not in domain and ":" not in domain and domain.lower() != _LOCALHOST and domain.lower() != domain:
            found.append(
                (
                    f'"{domain}" contains uppercase letters, so it is read as a registry '
                    f'host "{domain}", not as a Docker Hub namespace (namespaces are '
                    f'lowercase: "{domain.lower()}/{ref.path}")',
                    0,
                )
            )
        host = ref.host
        lowered = host.lower()
        if lowered in (_DEFAULT_DOMAIN, _LEGACY_DEFAULT_DOMAIN) and host not in (
            _DEFAULT_DOMAIN,
            _LEGACY_DEFAULT_DOMAIN,
        ):
            found.append(
                (
                    f'registry host "{host}" is not normalized to "docker.io" (host names '
                    f'are compared exactly): the reference names "{ref.name}", without '
                    'the "library/" prefix and without docker.io pull secrets',
                    0,
                )
            )
        elif lowered in _HUB_WEBSITES:
            found.append(
                (
                    f'"{host}" is the Docker Hub web site, not a registry; Docker Hub '
                    f'images are pulled from "docker.io" (e.g. "{ref.path}")',
                    0,
                )
            )
    elif ref.registry == "":
        first = ref.path.split("/", 1)[0]
        bad = first.find("_")
        found.append(
            (
                f'"{first}" looks like a registry host, but "_" is not allowed in a host '
                f'name, so no registry is read at all: "{ref.path}" is taken as a '
                "repository path",
                max(bad, 0),
            )
        )
    elif ref.is_docker_hub and "/" not in ref.path:
        message = _hostlike_single_name(ref)
        if message is not None:
            found.append((message, 0))
    return found


def _hostlike_single_name(ref: ImageRef) -> str | None:
    name = ref.path
    labels = name.split(".")
    numeric_tag = ref.tag is not None and _NUMERIC_RE.fullmatch(ref.tag) is not None
    hostlike = (
        name == _LOCALHOST
        or _IPV4_RE.fullmatch(name) is not None
        or (len(labels) > 1 and labels[-1] in _HOSTLIKE_TLDS)
        or (len(labels) > 1 and numeric_tag and labels[-1].isalpha())
    )
    if not hostlike:
        return None
    read_as = f'the Docker Hub image "{ref.name}"'
    if numeric_tag:
        return (
            f'"{name}:{ref.tag}" has no "/", so it is read as {read_as} with tag "{ref.tag}", '
            f'not as registry "{name}:{ref.tag}"; add the repository path '
            f'("{name}:{ref.tag}/<image>")'
        )
    return (
        f'"{name}" has no "/", so it is read as {read_as}, not as a registry host; '
        f'add the repository path ("{name}/<image>")'
    )
