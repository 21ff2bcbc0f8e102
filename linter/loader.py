"""Parse text into positioned YAML nodes, one document at a time, with the C parser of ruamel.yaml.

Streams are split on document markers before parsing, so a syntax error in one document does not
hide the others, and documents whose top-level ``kind`` cannot hold anything the rules read (CRDs,
RBAC, Services...) are skipped before paying for their parse unless ``all_documents`` is set.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise

from ruamel.yaml.cyaml import CParser
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.resolver import BaseResolver

from pullcheck.finding import Finding, Span
from pullcheck.nodes import MappingNode, Node, ScalarNode, SequenceNode, span_of

# Kinds that can hold no container, image, pull secret or service account. A kind whose name a
# custom resource also uses (Knative's ``Service``) is skipped only with the API version given here.
SKIP_ONLY_WITH_API_VERSION = {"Service": "v1", "Gateway": "gateway.networking.k8s.io/"}
SKIPPABLE_KINDS = frozenset(
    """
    CustomResourceDefinition APIService ClusterRole ClusterRoleBinding Role RoleBinding Service
    ConfigMap Namespace Endpoints EndpointSlice Ingress IngressClass NetworkPolicy
    PodDisruptionBudget HorizontalPodAutoscaler VerticalPodAutoscaler PriorityClass StorageClass
    PersistentVolume PersistentVolumeClaim LimitRange ResourceQuota Lease CSIDriver CSINode
    VolumeAttachment RuntimeClass VolumeSnapshotClass MutatingWebhookConfiguration
    ValidatingWebhookConfiguration ValidatingAdmissionPolicy ValidatingAdmissionPolicyBinding
    MutatingAdmissionPolicy MutatingAdmissionPolicyBinding FlowSchema PriorityLevelConfiguration
    Gateway GatewayClass HTTPRoute GRPCRoute TCPRoute TLSRoute UDPRoute ReferenceGrant
    BackendTLSPolicy ServiceMonitor PodMonitor PrometheusRule Probe Certificate CertificateRequest
    Issuer ClusterIssuer VirtualService DestinationRule ServiceEntry PeerAuthentication
    AuthorizationPolicy RequestAuthentication Sidecar Telemetry EnvoyFilter WorkloadEntry
    """.split()
)

_MARKER = re.compile(r"^(---|\.\.\.)(?=[ \t\r\n]|$)", re.M)
_KIND = re.compile(r"^kind:[ \t]*([\"']?)([A-Za-z][A-Za-z0-9]*)\1[ \t]*(?:#.*)?\r?$", re.M)
_API_VERSION = re.compile(r"^apiVersion:[ \t]*([\"']?)([A-Za-z0-9./-]+)\1[ \t]*(?:#.*)?\r?$", re.M)
_SOURCE = re.compile(r"^# Source: (\S.*?)\s*$")
_DIRECTIVE = re.compile(r"^%", re.M)
_DEEP_PREFIX_CACHE: dict[int, re.Pattern[str]] = {}


class _Composer(CParser, BaseResolver):
    """libyaml through ruamel's CParser with a resolver that does no per-scalar version lookup."""

    def __init__(self, stream: str) -> None:
        CParser.__init__(self, stream)
        BaseResolver.__init__(self, self)


@dataclass(slots=True)
class Document:
    """One YAML document of a file: its root node and where it sits in the file."""

    path: str
    index: int
    root: Node | None
    line_offset: int
    helm_source: str | None = None
    kind_hint: str | None = None


@dataclass(slots=True)
class LoadOptions:
    """How much of each stream to parse and where to stop on hostile input."""

    all_documents: bool = False
    max_depth: int = 1000
    skip_kinds: frozenset[str] = SKIPPABLE_KINDS


@dataclass(slots=True)
class LoadResult:
    """What one file yields: documents to model and findings the loader itself made."""

    documents: list[Document] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    skipped: int = 0


def _chunks(text: str) -> list[tuple[int, int, int]]:
    """Split a stream into (start, end, first line) per document, on ``---`` and ``...`` lines."""
    if _DIRECTIVE.search(text):
        return [(0, len(text), 0)]
    bounds: list[int] = [0]
    for m in _MARKER.finditer(text):
        if m.group(1) == "---":
            bounds.append(m.start())
        else:
            nl = text.find("\n", m.end())
            bounds.append(len(text) if nl < 0 else nl + 1)
    bounds.append(len(text))
    out: list[tuple[int, int, int]] = []
    line = 0
    prev = 0
    for a, b in pairwise(bounds):
        if b <= a:
            continue
        line += text.count("\n", prev, a)
        prev = a
        out.append((a, b, line))
    return out


def _skippable(kind: str, chunk: str) -> bool:
    """Whether a document of a skippable kind really is the built-in kind (not a look-alike CR)."""
    need = SKIP_ONLY_WITH_API_VERSION.get(kind)
    if need is None:
        return True
    m = _API_VERSION.search(chunk)
    return m is not None and (m.group(2) == need or (need.endswith("/") and m.group(2).startswith(need)))


def _helm_source(chunk: str) -> str | None:
    """The ``# Source:`` comment that ``helm template`` writes at the top of each document."""
    for raw in chunk.splitlines()[:4]:
        m = _SOURCE.match(raw)
        if m:
            return m.group(1)
    return None


def _is_blank(chunk: str) -> bool:
    """True when a chunk holds only markers, comments and whitespace (an empty document)."""
    for raw in chunk.splitlines():
        s = raw.strip()
        if s and not s.startswith("#") and s not in ("---", "..."):
            return False
    return True


def _too_deep(chunk: str, limit: int) -> bool:
    """Cheap upper bound on nesting, checked before libyaml recurses (it has no depth guard)."""
    if chunk.count("[") + chunk.count("{") >= limit:
        depth = peak = 0
        for m in re.finditer(r"[\[\]{}]", chunk):
            depth += 1 if m.group() in "[{" else -1
            peak = max(peak, depth)
        if peak >= limit:
            return True
    pat = _DEEP_PREFIX_CACHE.get(limit)
    if pat is None:
        pat = _DEEP_PREFIX_CACHE[limit] = re.compile(rf"^[ \t?:-]{{{2 * limit}}}", re.M)
    return pat.search(chunk) is not None


def _syntax_finding(path: str, err: YAMLError, chunk: str, line_offset: int) -> Finding:
    """Turn a parser exception into a positioned ``yaml-syntax`` finding."""
    if isinstance(err, MarkedYAMLError) and err.problem_mark is not None:
        mark = err.problem_mark
        line, col = mark.line + line_offset + 1, mark.column + 1
        msg = str(err.problem or "invalid YAML")
        if err.context:
            ctx_mark = err.context_mark
            where = f" at line {ctx_mark.line + line_offset + 1}" if ctx_mark is not None else ""
            msg = f"{msg} ({err.context}{where})"
    elif isinstance(err, ReaderError):
        pos = int(err.position)
        line = chunk.count("\n", 0, pos) + line_offset + 1
        col = pos - (chunk.rfind("\n", 0, pos) + 1) + 1
        msg = f"character {err.character!r} is not allowed in YAML ({err.reason})"
    else:
        line, col, msg = line_offset + 1, 1, str(err) or "invalid YAML"
    return Finding("yaml-syntax", "error", msg, path, Span(line, col, line, col + 1))


def duplicate_keys(root: Node, path: str, line_offset: int) -> list[Finding]:
    """A ``duplicate-key`` finding on every repeated key of every mapping under ``root``."""
    out: list[Finding] = []
    seen: set[int] = set()
    stack: list[Node] = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            first: dict[str, int] = {}
            for k, v in node.value:
                if isinstance(k, ScalarNode):
                    key = k.value
                    if key in first:
                        out.append(
                            Finding(
                                "duplicate-key",
                                "warning",
                                f'duplicate key "{key}" (first at line {first[key]}); the API server '
                                "rejects it under strict field validation and other tools keep only the last",
                                path,
                                span_of(k, line_offset),
                            )
                        )
                    else:
                        first[key] = k.start_mark.line + line_offset + 1
                if not isinstance(v, ScalarNode):
                    stack.append(v)
                if not isinstance(k, ScalarNode):
                    stack.append(k)
        elif isinstance(node, SequenceNode):
            stack.extend(n for n in node.value if not isinstance(n, ScalarNode))
    return out


def load_text(text: str, path: str, options: LoadOptions) -> LoadResult:
    """Compose every (relevant) document of a stream; never raises on bad YAML."""
    result = LoadResult()
    for index, (a, b, line0) in enumerate(_chunks(text)):
        chunk = text[a:b]
        if _is_blank(chunk):
            continue
        kinds = _KIND.findall(chunk)
        kind_hint = kinds[0][1] if len(kinds) == 1 else None
        if kind_hint in options.skip_kinds and not options.all_documents and _skippable(kind_hint, chunk):
            result.skipped += 1
            continue
        helm = _helm_source(chunk)
        if _too_deep(chunk, options.max_depth):
            result.findings.append(
                Finding(
                    "input-error",
                    "error",
                    f"document nests deeper than {options.max_depth} levels; not parsed (raise --max-depth to allow it)",
                    path,
                    Span(line0 + 1, 1, line0 + 1, 2),
                    doc=index,
                )
            )
            continue
        try:
            composer = _Composer(chunk)
            roots: list[Node] = []
            while composer.check_node():
                node = composer.get_node()
                if node is not None:
                    roots.append(node)
        except YAMLError as err:
            f = _syntax_finding(path, err, chunk, line0)
            f.doc = index
            f.helm_source = helm
            result.findings.append(f)
            continue
        except RecursionError:
            result.findings.append(
                Finding("input-error", "error", "document nests too deeply to parse", path,
                        Span(line0 + 1, 1, line0 + 1, 2), doc=index)
            )
            continue
        for root in roots:
            for dup in duplicate_keys(root, path, line0):
                dup.doc = index
                dup.helm_source = helm
                result.findings.append(dup)
            result.documents.append(Document(path, index, root, line0, helm, kind_hint))
    return result
