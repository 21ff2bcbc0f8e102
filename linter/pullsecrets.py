"""Which credentials the kubelet would present for an image, and which registries need any.

Two jobs shared by every pull-secret rule:

* kubelet-style matching of docker config keys to images (``pkg/credentialprovider/keyring.go``:
  ``Add``, ``URLsMatch``, ``isDefaultRegistryMatch``): URL or bare host keys, ports that must be
  equal, path prefixes, ``*.`` globs per host label, the ``index.docker.io`` fallback for Docker Hub;
* classifying an image's registry as public, private, or served by a kubelet credential provider,
  from ``registries.*`` config patterns and the built-in knowledge below.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from typing import Literal
from urllib.parse import unquote

from pullcheck.imageref import ImageRef

Access = Literal["public", "private", "provider"]

#: Docker Hub's registry after normalization, and the legacy host whose key the kubelet falls back to.
HUB = "docker.io"
HUB_FALLBACK_KEY = "index.docker.io"
#: Hosts people write meaning Docker Hub whose keys never match an image normalized to docker.io.
HUB_LOOKALIKE_KEY_HOSTS = frozenset({"registry-1.docker.io", "registry.hub.docker.com", "hub.docker.com", "www.docker.com"})
#: Registries where an image name reaches Docker Hub itself (rate limits apply).
HUB_REGISTRIES = frozenset({HUB, "registry-1.docker.io", "registry.hub.docker.com"})

# Registries (and public projects on otherwise private hosts) that serve images without credentials.
BUILTIN_PUBLIC: tuple[str, ...] = (
    "docker.io",
    "registry-1.docker.io",
    "registry.hub.docker.com",
    "mirror.gcr.io",
    "quay.io",
    "ghcr.io",
    "registry.k8s.io",
    "k8s.gcr.io",
    "gke.gcr.io",
    "registry.gitlab.com",
    "public.ecr.aws",
    "mcr.microsoft.com",
    "nvcr.io",
    "registry.access.redhat.com",
    "registry.suse.com",
    "docker.elastic.co",
    "docker-registry.nginx.com",
    "registry.istio.io",
    "cgr.dev",
    "lscr.io",
    "ttl.sh",
    "registry.opensource.zalan.do",
    "*.docker.scarf.sh",
    "localhost",
    "127.0.0.1",
    "[::1]",
    # Public projects on Google's registries (everything else there is served by a credential provider).
    *(
        f"{host}/{project}"
        for host in ("gcr.io", "*.gcr.io", "*-docker.pkg.dev")
        for project in (
            "google-samples",
            "google_samples",
            "google-containers",
            "google_containers",
            "distroless",
            "kaniko-project",
            "cloud-builders",
            "knative-releases",
            "tekton-releases",
            "istio-release",
            "istio-testing",
            "go-containerregistry",
            "k8s-artifacts-prod",
            "k8s-staging-*",
            "gke-release",
            "google.com/cloudsdktool",
            "cloudsql-docker",
            "cloud-sql-connectors",
            "tfx-oss-public",
            "ml-pipeline",
            "kubeflow-images-public",
            "deeplearning-platform-release",
            "cloud-tpu-images",
            "cloud-tpu-v2-images",
            "projectsigstore",
            "cadvisor",
            "spiffe-io",
            "kubebuilder",
            "etcd-development",
            "heptio-images",
            "kuar-demo",
            "stackdriver-agents",
            "gke-on-prem-release",
        )
    ),
)

# Registries usually served by a kubelet credential provider plugin (node identity, no Secret).
BUILTIN_PROVIDERS: tuple[str, ...] = (
    "*.dkr.ecr.*.amazonaws.com",
    "*.dkr.ecr.*.amazonaws.com.cn",
    "*.dkr.ecr-fips.*.amazonaws.com",
    "*.dkr.ecr.*.c2s.ic.gov",
    "*.dkr.ecr.*.sc2s.sgov.gov",
    "*.azurecr.io",
    "*.azurecr.cn",
    "*.azurecr.de",
    "*.azurecr.us",
    "gcr.io",
    "*.gcr.io",
    "*-docker.pkg.dev",
    "container.cloud.google.com",
)

_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_CTL = re.compile(r"[\x00-\x1f\x7f]")
#: The schemes a key may be written with; the kubelet reads any other key as ``https://`` + key.
_SCHEMES = ("https://", "http://")


@functools.cache
def _host_chars() -> re.Pattern[str]:
    """What Go's ``url.Parse`` accepts in a host (compiled on first use: the range up to U+10FFFF
    takes milliseconds, more than a run without pull secrets spends on them)."""
    return re.compile(r"[A-Za-z0-9\-_.~!$&'()*+,;=:\[\]<>\"%\x80-\U0010ffff]*")


def _split_url(value: str) -> tuple[str, str] | None:
    """Go's ``url.Parse`` of ``scheme://authority/path`` reduced to (host, unescaped path); None on error."""
    if _CTL.search(value):
        return None
    value = value.split("#", 1)[0]
    rest = value.split("://", 1)[1] if "://" in value else value
    rest = rest.split("?", 1)[0]
    authority, slash, path = rest.partition("/")
    host = authority.rsplit("@", 1)[-1]
    if host.startswith("["):
        close = host.find("]")
        if close < 0:
            return None
        after = host[close + 1 :]
        if after and not re.fullmatch(r":[0-9]*", after):
            return None
    elif ":" in host:
        if not re.fullmatch(r"[0-9]*", host.rsplit(":", 1)[1]):
            return None
    if not _host_chars().fullmatch(host) or _BAD_ESCAPE.search(host) or _BAD_ESCAPE.search(path):
        return None
    return unquote(host), unquote(slash + path)


def shown_key(key: str) -> str:
    """A registry key as messages show it: userinfo masked (``https://***@host``), as it may hold a password.

    Everything between the scheme and the key's last ``@`` is masked, not only what Go's parser
    reads as userinfo: a password with a ``/``, ``?`` or ``#`` in it would otherwise show up as
    the key's path (and make the key one the kubelet ignores, whose message shows it).
    """
    at = key.rfind("@")
    if at < 0:
        return key
    return next((s for s in _SCHEMES if key.startswith(s)), "") + "***" + key[at:]


@functools.lru_cache(maxsize=4096)
def normalize_key(key: str) -> str | None:
    """The keyring key the kubelet files a docker config entry under (``BasicDockerKeyring.Add``).

    ``https://index.docker.io/v1/`` → ``index.docker.io``; ``quay.io/org`` → ``quay.io/org``;
    None when Go's URL parser refuses the key (the kubelet then ignores the entry).
    """
    value = key if key.startswith(_SCHEMES) else "https://" + key
    parts = _split_url(value)
    if parts is None:
        return None
    host, path = parts
    if path.startswith(("/v2/", "/v1/")):
        path = path[3:]
    return host + path if path and path != "/" else host


def _host_port(host: str) -> tuple[str, str]:
    """Go's ``net.SplitHostPort`` as SplitURL uses it: no port (or an error) → the whole host."""
    if host.startswith("["):
        close = host.find("]")
        if close >= 0 and host[close + 1 : close + 2] == ":":
            return host[1:close], host[close + 2 :]
        return host, ""
    if host.count(":") == 1:
        h, _, p = host.partition(":")
        return h, p
    return host, ""


@functools.lru_cache(maxsize=1024)
def _glob(pattern: str) -> re.Pattern[str] | None:
    """Go's ``path/filepath.Match`` pattern as a regex (``*``, ``?``, ``[^a-z]``, ``\\``); None if malformed."""
    out = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "\\":
            if i + 1 >= n:
                return None
            i += 1
            out.append(re.escape(pattern[i]))
        elif c == "[":
            j = pattern.find("]", i + 2 if pattern[i + 1 : i + 2] == "^" else i + 1)
            if j < 0:
                return None
            body = pattern[i + 1 : j]
            neg = body.startswith("^")
            if neg:
                body = body[1:]
            if not body:
                return None
            # "[", "&", "~" and "|" are literal in a Go class; escaped, Python's re reads them so too
            # (and does not warn of the nested sets and set operations it may one day read there)
            body = body.replace("\\", "\\\\")
            for c in "[&~|":
                body = body.replace(c, "\\" + c)
            out.append("[" + ("^" if neg else "") + body + "]")
            i = j
        else:
            out.append(re.escape(c))
        i += 1
    try:
        return re.compile("".join(out))
    except re.error:
        return None


def _label_match(pattern: str, label: str) -> bool:
    if "*" not in pattern and "?" not in pattern and "[" not in pattern and "\\" not in pattern:
        return pattern == label  # a literal matches itself only: no regex (a run met 59 to compile)
    if pattern == "*":
        return "/" not in label
    rx = _glob(pattern)
    return rx is not None and rx.fullmatch(label) is not None


def urls_match(key: str, image_name: str) -> bool:
    """``URLsMatchStr(key, image)``: same port, same label count, label globs, key path a string prefix."""
    k = _split_url("https://" + key)
    t = _split_url("https://" + image_name)
    if k is None or t is None:
        return False
    (khost, kport), (thost, tport) = _host_port(k[0]), _host_port(t[0])
    if kport != tport:
        return False
    klabels, tlabels = khost.split("."), thost.split(".")
    if len(klabels) != len(tlabels):
        return False
    if not t[1].startswith(k[1]):
        return False
    return all(_label_match(p, lab) for p, lab in zip(klabels, tlabels, strict=True))


def is_default_registry_match(image_name: str) -> bool:
    """``isDefaultRegistryMatch``: whether ``index.docker.io`` credentials apply to this image."""
    first, slash, _ = image_name.partition("/")
    if not first:
        return False
    if not slash:
        return True
    if first in (HUB, HUB_FALLBACK_KEY):
        return True
    return not any(c in first for c in ".:")


def matching_keys(keys: Iterable[str], image_name: str) -> list[str]:
    """The keys (as written) whose credentials the kubelet would try for ``image_name`` (normalized)."""
    normalized = [(k, normalize_key(k)) for k in keys]
    hits = [k for k, n in normalized if n is not None and urls_match(n, image_name)]
    if hits:
        return hits
    if is_default_registry_match(image_name):
        return [k for k, n in normalized if n == HUB_FALLBACK_KEY]
    return []


def explain_miss(key: str, ref: ImageRef) -> str | None:
    """Why a key that looks meant for this image's registry does not match it (for messages)."""
    norm = normalize_key(key)
    if norm is None:
        return None
    shown = shown_key(key)
    khost, _, kpath = norm.partition("/")
    kname, kport = _split_host(khost)
    iname, iport = _split_host(ref.registry)
    if kname == iname and kport != iport:
        if not kport:
            return f'"{shown}" has no port, and the kubelet matches ports exactly ({ref.registry} has one)'
        return f'"{shown}" is for port {kport}, the image uses {"port " + iport if iport else "no port"}'
    if ref.is_docker_hub and kname in HUB_LOOKALIKE_KEY_HOSTS:
        return f'"{shown}" never matches Docker Hub images; write the key as "https://index.docker.io/v1/" or "docker.io"'
    if kname == iname and kpath and not ref.repository.startswith(kpath):
        return f'"{shown}" covers only repositories under "{shown_key(kpath)}"'
    if "*" in kname and kname.count(".") != iname.count("."):
        return f'"{shown}": a "*" matches exactly one host label, and {iname} has {iname.count(".") + 1} labels'
    return None


# -- registry classes --------------------------------------------------------------------------------


def _split_host(registry: str) -> tuple[str, str | None]:
    """A registry as (host without brackets, port or None when none is written)."""
    if registry.startswith("["):
        close = registry.find("]")
        if close > 0:
            rest = registry[close + 1 :]
            return registry[1:close], (rest[1:] if rest.startswith(":") else None)
        return registry, None
    name, colon, port = registry.partition(":")
    return name, (port if colon else None)


@functools.lru_cache(maxsize=256)
def _compile_pattern(pattern: str) -> tuple[list[str], str | None, list[str]] | None:
    """Split a registry pattern into host labels (lower case: hosts are matched as DNS names, unlike
    the kubelet's credential keys), port (None = any) and repository path segments."""
    if pattern == "*":
        return None
    host, _, path = pattern.partition("/")
    if host.lower() == HUB_FALLBACK_KEY:
        host = HUB  # images written with index.docker.io are normalized to docker.io
    name, port = _split_host(host)
    return name.lower().split("."), port, [p for p in path.split("/") if p]  # DNS ignores case


def _any(patterns: tuple[str, ...], ref: ImageRef) -> bool:
    """Whether a config/built-in registry pattern covers an image.

    Host labels match one by one with globs (``*.example.com`` is exactly one label deeper); a
    pattern without a port covers every port; a path covers the repositories under it.
    """
    whole, paths = _host_hits(patterns, ref.registry)
    if whole:
        return True
    if not paths:
        return False
    parts = ref.repository.split("/")
    return any(
        len(parts) >= len(segments) and all(_label_match(p, s) for p, s in zip(segments, parts, strict=False))
        for segments in paths
    )


@functools.lru_cache(maxsize=1024)
def _host_hits(patterns: tuple[str, ...], registry: str) -> tuple[bool, tuple[list[str], ...]]:
    """Whether a pattern without a path covers every image of ``registry``, and the path segments of
    the patterns whose host and port match it (their repositories decide): a run has a few dozen
    registries and thousands of images."""
    name, iport = _split_host(registry)
    ilabels = name.lower().split(".")
    paths = []
    for pattern in patterns:
        compiled = _compile_pattern(pattern)
        if compiled is None:
            return True, ()
        labels, port, segments = compiled
        if port is not None and port != (iport or ""):
            continue
        if len(labels) != len(ilabels) or not all(_label_match(p, lab) for p, lab in zip(labels, ilabels, strict=True)):
            continue
        if not segments:
            return True, ()
        paths.append(segments)
    return False, tuple(paths)


def access(ref: ImageRef, private: Sequence[str] = (), public: Sequence[str] = (), providers: Sequence[str] = ()) -> Access:
    """How an image is expected to authenticate: config first (private, providers, public), then built-ins.

    A registry that is neither a known public one nor served by a credential provider is private.
    """
    return _access(ref, tuple(private), tuple(public), tuple(providers))


@functools.lru_cache(maxsize=4096)
def _access(ref: ImageRef, private: tuple[str, ...], public: tuple[str, ...], providers: tuple[str, ...]) -> Access:
    if _any(private, ref):
        return "private"
    if _any(providers, ref):
        return "provider"
    if _any(public, ref) or _any(BUILTIN_PUBLIC, ref):
        return "public"
    if _any(BUILTIN_PROVIDERS, ref):
        return "provider"
    return "private"


def is_docker_hub(ref: ImageRef) -> bool:
    """Whether the pull goes to Docker Hub (subject to its pull rate limits)."""
    return ref.registry in HUB_REGISTRIES
