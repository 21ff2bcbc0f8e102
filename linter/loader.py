"""Parse text into positioned YAML nodes, one document at a time, with the C parser of ruamel.yaml.

Streams are split on document markers before parsing, so a syntax error in one document does not
hide the others, and documents whose top-level ``kind`` cannot hold anything the rules read (CRDs,
RBAC, Services...) are skipped before paying for their parse unless ``all_documents`` is set. A
document that libyaml 0.1.7 refuses only for a ':' inside a plain scalar of a flow collection (valid
YAML) is parsed again, by libyaml still, with those ':' hidden from it.
"""

from __future__ import annotations

import re
import sys
from bisect import bisect_left
from collections.abc import Callable, Iterator
from itertools import chain, islice, pairwise
from typing import Any, TypeVar

from ruamel.yaml.cyaml import CParser
from ruamel.yaml.docinfo import DocInfo
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import CollectionNode
from ruamel.yaml.reader import Reader, ReaderError
from ruamel.yaml.resolver import BaseResolver
from ruamel.yaml.scanner import Scanner, ScannerError
from ruamel.yaml.tag import Tag
from ruamel.yaml.tokens import (
    FlowMappingEndToken,
    FlowMappingStartToken,
    FlowSequenceEndToken,
    FlowSequenceStartToken,
    ScalarToken,
    StreamEndToken,
    Token,
)

from pullcheck.finding import Finding, Span
from pullcheck.nodes import MappingNode, Node, ScalarNode, SequenceNode, span_of
from pullcheck.records import field, record

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

_KIND = re.compile(r"^kind:[ \t]*([\"']?)([A-Za-z][A-Za-z0-9]*)\1[ \t]*(?:#.*)?\r?$", re.M)
_API_VERSION = re.compile(r"^apiVersion:[ \t]*([\"']?)([A-Za-z0-9./-]+)\1[ \t]*(?:#.*)?\r?$", re.M)
_SOURCE = re.compile(r"^# Source: (\S.*?)\s*$")
_DEEP_PREFIX_CACHE: dict[int, re.Pattern[str]] = {}
_BLANK_PROBE = 2048
_BREAKS = "\r\n\x85\u2028\u2029"
LINE_BREAK = re.compile(rf"\r\n|[{_BREAKS}]")  # line breaks as libyaml counts them
_BLANKS = " \t\ufeff" + _BREAKS  # and a byte-order mark, which libyaml skips at a line's start
# What ``_value_marks`` moves, found before its walk: an anchor or tag where a token may start, then
# a quote, a comment or the end of its line (``span_of`` places a plain value after it on the same
# line); or a block scalar's header. Most documents with a "&", "!", "|" or ">" (URLs, descriptions,
# shell lines) have none and skip the walk. Linear: a match starts only at a token's first character.
_PROPERTY_BEFORE_VALUE = re.compile(rf"(?<![^{_BLANKS}\[{{,:])[&!][^{_BLANKS}]*(?:[ \t]+[\"'#]|[ \t]*[{_BREAKS}])")
# a block scalar's header (``|``, ``>-``, ``|2`` and a comment), ending its line
BLOCK_HEADER = re.compile(rf"(?<![^{_BLANKS}])[|>][-+0-9]*[ \t]*(?:#[^{_BREAKS}]*)?(?![^{_BREAKS}])")
_DISPLACED_VALUE = (
    ("&", _PROPERTY_BEFORE_VALUE),
    ("!", _PROPERTY_BEFORE_VALUE),
    ("|", BLOCK_HEADER),
    (">", BLOCK_HEADER),
)
# A block scalar's value: its leading empty lines, then the spaces its first line has past the indentation.
_BLOCK_LEAD = re.compile(r"([\n\u2028\u2029]*)( *)")
_SPACES = re.compile(" *")
# Hard ceiling of ``max_depth``: libyaml's composer recurses on the C stack and crashes (SIGSEGV)
# between 20,000 and 30,000 levels with an 8 MiB stack; ``_too_deep`` lets through at most about
# 3x its limit (2x by indentation, 1x by brackets), so 5,000 keeps every parse under 15,000 levels.
MAX_DEPTH = 5000
# libyaml 0.1.7, the one ruamel.yaml.clib bundles, refuses a ':' inside a plain scalar of a flow
# collection (``{image: nginx:1.25}``, ``args: [--listen=:8080]``), which YAML, libyaml 0.2.1 and
# later, and kubectl accept; ``_compose_hiding_flow_colons`` works around it. Like libyaml 0.2, it
# still refuses a ':' followed by one of ``_COLON_BEFORE_INDICATOR`` (``[a:, b]``).
_FLOW_COLON = "found unexpected ':'"
_COLON_BEFORE_INDICATOR = ",?[]{}"
_FLOW_START = (FlowSequenceStartToken, FlowMappingStartToken)
_FLOW_END = (FlowSequenceEndToken, FlowMappingEndToken)
_STAND_INS = range(0xE000, 0xF900)  # private-use characters: plain-scalar content to libyaml
# The pure-Python scan that finds those ':' costs about 3 s of CPU per MB: a file scans at most this
# many characters of such documents; the others keep libyaml's error (a hostile 64 MB file of flow
# lines must not take minutes).
FLOW_COLON_RESCAN_MAX = 1 << 20


T = TypeVar("T")


class _ScalarNode(ScalarNode):
    """ruamel's ScalarNode, set up in one call: its own ``__init__`` calls ``Node.__init__`` with
    keywords, two Python frames for each of the hundreds of thousands of nodes a run composes."""

    __slots__ = ()

    def __init__(self, tag: Any, value: Any, start_mark: Any = None, end_mark: Any = None, style: Any = None,
                 comment: Any = None, anchor: Any = None) -> None:
        self.ctag = tag if isinstance(tag, Tag) else Tag(suffix=tag)
        self.value = value
        self.start_mark = start_mark
        self.end_mark = end_mark
        self.comment = comment
        self.anchor = anchor
        self.style = style


class _SequenceNode(SequenceNode):
    """ruamel's SequenceNode, set up in one call (see ``_ScalarNode``; the same fields but the last,
    written out again: a shared helper would be the second call per node these classes remove)."""

    __slots__ = ()

    def __init__(self, tag: Any, value: Any, start_mark: Any = None, end_mark: Any = None, flow_style: Any = None,
                 comment: Any = None, anchor: Any = None) -> None:
        self.ctag = tag if isinstance(tag, Tag) else Tag(suffix=tag)
        self.value = value
        self.start_mark = start_mark
        self.end_mark = end_mark
        self.comment = comment
        self.anchor = anchor
        self.flow_style = flow_style


class _MappingNode(MappingNode):
    """ruamel's MappingNode: a sequence's fields, and no merge keys yet (fewer than a quarter of the
    nodes are mappings: one call more for them is not worth a third copy of the fields)."""

    __slots__ = ()

    def __init__(self, tag: Any, value: Any, start_mark: Any = None, end_mark: Any = None, flow_style: Any = None,
                 comment: Any = None, anchor: Any = None) -> None:
        _SequenceNode.__init__(self, tag, value, start_mark, end_mark, flow_style, comment, anchor)  # type: ignore[arg-type]
        self.merge = None


# The C composer builds nodes with the classes its module's globals name ScalarNode, SequenceNode
# and MappingNode: while one of our composers runs, they name the classes above (5% of a run's
# time). Only when ruamel's nodes hold exactly the fields those set; with any other ruamel, its own.
_C_MODULE = sys.modules[CParser.__module__]
_STOCK_NODES = (ScalarNode, SequenceNode, MappingNode)
_NODE_FIELDS = {
    Node: ("ctag", "value", "start_mark", "end_mark", "comment", "anchor"),
    ScalarNode: ("style",),
    CollectionNode: ("flow_style",),
    SequenceNode: (),
    MappingNode: ("merge",),
}
_FAST_NODES = (
    (_ScalarNode, _SequenceNode, _MappingNode)
    if all(tuple(cls.__dict__.get("__slots__", ())) == fields for cls, fields in _NODE_FIELDS.items())
    and all(getattr(_C_MODULE, cls.__name__, None) is cls for cls in _STOCK_NODES)
    else None
)


def _with_fast_nodes(compose: Callable[[], T]) -> T:
    """``compose()`` with the C composer building the one-call node classes."""
    if _FAST_NODES is None:
        return compose()
    module: Any = _C_MODULE
    try:
        module.ScalarNode, module.SequenceNode, module.MappingNode = _FAST_NODES
        return compose()
    finally:
        module.ScalarNode, module.SequenceNode, module.MappingNode = _STOCK_NODES


_DEFAULT_TAGS: dict[type, object] = {
    ScalarNode: BaseResolver.DEFAULT_SCALAR_TAG,
    SequenceNode: BaseResolver.DEFAULT_SEQUENCE_TAG,
    MappingNode: BaseResolver.DEFAULT_MAPPING_TAG,
    _ScalarNode: BaseResolver.DEFAULT_SCALAR_TAG,
    _SequenceNode: BaseResolver.DEFAULT_SEQUENCE_TAG,
    _MappingNode: BaseResolver.DEFAULT_MAPPING_TAG,
}


class _Composer(CParser, BaseResolver):
    """libyaml through ruamel's CParser with a resolver that does no per-scalar version lookup.

    BaseResolver has no implicit and no path resolvers, so every untagged node gets its kind's
    default tag; the three hooks the C composer calls per node are reduced to exactly that (one
    dict lookup instead of three Python methods), which makes composing about 25% faster.
    """

    def __init__(self, stream: str) -> None:
        CParser.__init__(self, stream)

    def resolve(self, kind: type, value: object, implicit: object, _tags: dict[type, object] = _DEFAULT_TAGS) -> object:
        """The default tag of the node's kind (scalars stay strings; nodes.scalar_type types them)."""
        return _tags[kind]

    def roots(self) -> list[Node]:
        """The root node of every document of the stream."""
        out: list[Node] = []
        while self.check_node():
            node = self.get_node()
            if node is not None:
                out.append(node)
        return out

    def descend_resolver(self, current_node: object, current_index: object) -> None:
        """No path resolvers: nothing to track."""

    def ascend_resolver(self) -> None:
        """No path resolvers: nothing to track."""


class _TokenScanner(Reader, Scanner):
    """ruamel's pure-Python scanner, set up to cut a text into the tokens libyaml would."""

    processing_version = (1, 1)  # libyaml's token rules, as a constant: no per-token version lookup
    forward = Reader.forward_1_1  # NEL, LS and PS end a line, as in libyaml (and in line numbers)

    def __init__(self, text: str) -> None:
        self.doc_infos = [DocInfo()]  # where the scanner writes a %YAML directive's version
        Reader.__init__(self, text, loader=self)
        Scanner.__init__(self, loader=self)

    def scan_to_next_token(self) -> None:
        """Skip the blanks and tabs after a token on its line (``type: LoadBalancer<TAB>``) as
        libyaml does, then what ruamel skips (which takes a tab outside a flow for a token)."""
        if not self.allow_simple_key:
            while self.reader.peek() in " \t":
                self.reader.forward()
        Scanner.scan_to_next_token(self)


def _tokens(text: str) -> Iterator[Token]:
    """The tokens of a text, up to a syntax error (and those scanned ahead of it); none if the
    text holds a character YAML does not allow."""
    try:
        scanner = _TokenScanner(text)
    except ReaderError:
        return
    try:
        while not scanner.check_token(StreamEndToken):
            yield scanner.get_token()
    except YAMLError:
        yield from scanner.tokens


def _flow_colons(text: str) -> list[int]:
    """Offsets of the ':' that plain scalars of flow collections hold and libyaml 0.1.7 refuses."""
    out: list[int] = []
    depth = 0
    for token in _tokens(text):
        if isinstance(token, _FLOW_START):
            depth += 1
        elif isinstance(token, _FLOW_END):
            depth -= 1
        elif depth and isinstance(token, ScalarToken) and token.plain:
            i, end = token.start_mark.index, token.end_mark.index
            while (i := text.find(":", i, end)) >= 0:
                if text[i + 1 : i + 2] not in _COLON_BEFORE_INDICATOR:
                    out.append(i)
                i += 1
    return out


def _unused_character(text: str) -> str | None:
    """A private-use character the text does not hold (None if it holds them all)."""
    present = set(text)
    return next((c for c in map(chr, _STAND_INS) if c not in present), None)


def _compose_hiding_flow_colons(chunk: str, err: ScannerError) -> list[Node]:
    """The root nodes of a chunk libyaml refused with ``err``, its ':' bug (``err`` again when no such
    ':' is found), composed by libyaml with each such ':' replaced by a character the chunk does not hold,
    then put back: the text keeps its length, so every node and mark is libyaml's own, and so is
    any other error of the chunk (where libyaml 0.2 reports it)."""
    colons = _flow_colons(chunk)
    stand_in = _unused_character(chunk) if colons else None
    if stand_in is None:
        raise err
    hidden = stand_in.join(chunk[a + 1 : b] for a, b in pairwise([-1, *colons, len(chunk)]))
    roots = _with_fast_nodes(_Composer(hidden).roots)
    for root in roots:
        for node in _every_node(root):  # plain scalars: a quoted one may write it as an escape
            if isinstance(node, ScalarNode) and not node.style and stand_in in node.value:
                node.value = node.value.replace(stand_in, ":")
    return roots


def compose_single(text: str) -> Node | None:
    """The root node of a text that holds one document (a bundled data file), composed as the lint
    composes manifests."""
    root: Node | None = _with_fast_nodes(_Composer(text).get_single_node)
    return root


@record
class Document:
    """One YAML document of a file: its root node and where it sits in the file."""

    path: str
    index: int
    root: Node | None
    line_offset: int
    helm_source: str | None = None
    kind_hint: str | None = None
    # A kind that holds nothing the rules read, composed only because of ``--all-documents`` (for
    # yaml-syntax and duplicate-key): the engine does not model it, so rules see what they see without.
    inert: bool = False


@record
class LoadOptions:
    """How much of each stream to parse and where to stop on hostile input."""

    all_documents: bool = False
    max_depth: int = 1000
    skip_kinds: frozenset[str] = SKIPPABLE_KINDS


@record
class LoadResult:
    """What one file yields: documents to model and findings the loader itself made."""

    documents: list[Document] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    skipped: int = 0


def _line_starts(text: str, prefix: str) -> Iterator[int]:
    """Offsets of the lines that begin with ``prefix``, found with ``str.find`` (a multi-line
    regex tries every character of the text; this is the same rule at a fraction of the cost)."""
    needle = "\n" + prefix
    if text.startswith(prefix):
        yield 0
    i = text.find(needle)
    while i >= 0:
        yield i + 1
        i = text.find(needle, i + len(needle))


def _chunks(text: str) -> list[tuple[int, int, int]]:
    """Split a stream into (start, end, first line) per document, on ``---`` and ``...`` lines."""
    if text.startswith("%") or "\n%" in text:
        return [(0, len(text), 0)]
    n = len(text)
    cuts: list[int] = []
    for mark in ("---", "..."):
        for start in _line_starts(text, mark):
            end = start + 3
            if end == n or text[end] in " \t\r\n":
                if mark == "---":
                    cuts.append(start)
                else:
                    nl = text.find("\n", end)
                    cuts.append(n if nl < 0 else nl + 1)
    if not cuts:  # one document (most files): no lines to count
        return [(0, n, 0)] if n else []
    bounds = [0, *sorted(cuts), n]
    out: list[tuple[int, int, int]] = []
    line = 0
    prev = 0
    # a lone CR, NEL, LS or PS is a line break to libyaml (and to splitlines), not only LF
    odd = ("\r" in text and text.count("\r") != text.count("\r\n")) or (
        not text.isascii() and ("\x85" in text or "\u2028" in text or "\u2029" in text)
    )
    for a, b in pairwise(bounds):
        if b <= a:
            continue
        line += len(LINE_BREAK.findall(text, prev, a)) if odd else text.count("\n", prev, a)
        prev = a
        out.append((a, b, line))
    return out


def _kind_hint(chunk: str) -> str | None:
    """The value of the one top-level ``kind:`` line of a document (None when absent or repeated)."""
    found: str | None = None
    count = 0
    for pos in _line_starts(chunk, "kind:"):
        m = _KIND.match(chunk, pos)
        if m is not None:
            count += 1
            found = m.group(2)
    return found if count == 1 else None


def _skippable(kind: str, chunk: str) -> bool:
    """Whether a document of a skippable kind really is the built-in kind (not a look-alike CR)."""
    need = SKIP_ONLY_WITH_API_VERSION.get(kind)
    if need is None:
        return True
    for pos in _line_starts(chunk, "apiVersion:"):
        m = _API_VERSION.match(chunk, pos)
        if m is not None:
            return m.group(2) == need or (need.endswith("/") and m.group(2).startswith(need))
    return False


def _helm_source(chunk: str) -> str | None:
    """The ``# Source:`` comment that ``helm template`` writes at the top of each document."""
    end = -1
    for _ in range(4):  # split only the first four lines, not a whole CRD
        end = chunk.find("\n", end + 1)
        if end < 0:
            break
    head = chunk if end < 0 else chunk[: end + 1]
    for raw in head.splitlines()[:4]:
        m = _SOURCE.match(raw)
        if m:
            return sys.intern(m.group(1))  # every document of a chart's install repeats a few paths
    return None


def document_starts(text: str) -> list[int]:
    """Where the documents' chunks start, as ``iter_documents`` numbers them: the n-th holds document
    n (an empty one after "---" too), or, after a % directive (one chunk, the whole text), all."""
    return [a for a, _, _, _ in _document_chunks(text)]


def _document_chunks(text: str) -> Iterator[tuple[int, int, int, bool]]:
    """The chunks that are documents, as (start, end, first line, empty): comments after "..." or
    before the first "---" are none; "---" and nothing is an empty one."""
    for a, b, line0 in _chunks(text):
        blank = _is_blank(text[a:b])
        if not blank or text.startswith("---", a):
            yield a, b, line0, blank


def _is_blank(chunk: str) -> bool:
    """True when a chunk holds only markers, comments and whitespace (an empty document)."""
    head = chunk[:_BLANK_PROBE]
    lines = head.splitlines()
    if len(head) < len(chunk):
        lines.pop()  # may be cut short; the full check below sees it whole
    if any(map(_has_content, lines)):  # almost every document has content in its first lines
        return False
    return len(head) == len(chunk) or not any(map(_has_content, chunk.splitlines()))


def _has_content(line: str) -> bool:
    """Whether a line holds more than a document marker, a comment or whitespace."""
    s = line.strip()
    return bool(s) and not s.startswith("#") and s not in ("---", "...")


def _too_deep(chunk: str, limit: int) -> bool:
    """Cheap upper bound on nesting, checked before libyaml recurses (it has no depth guard)."""
    if len(chunk) < limit:
        return False  # neither ``limit`` brackets nor ``2 * limit`` indentation fit
    if chunk.count("[") + chunk.count("{") >= limit:
        depth = peak = 0
        for m in re.finditer(r"[\[\]{}]", chunk):
            depth += 1 if m.group() in "[{" else -1
            peak = max(peak, depth)
        if peak >= limit:
            return True
    if limit >= 64 and not any(  # a run of 2*limit such characters holds an aligned block of limit
        not chunk[k : k + limit].strip(" \t?:-") for k in range(0, len(chunk) - limit + 1, limit)
    ):
        return False  # one C pass, where the multi-line regex below tries every character
    pat = _DEEP_PREFIX_CACHE.get(limit)
    if pat is None:
        pat = _DEEP_PREFIX_CACHE[limit] = re.compile(rf"^[ \t?:-]{{{2 * limit}}}", re.M)
    return pat.search(chunk) is not None


def _displaced_values(text: str) -> list[int]:
    """Where the patterns of ``_DISPLACED_VALUE`` match, in order; each tried only where its character is."""
    at: list[int] = []
    for ch, pattern in _DISPLACED_VALUE:
        i = text.find(ch)
        while i >= 0:
            if pattern.match(text, i):
                at.append(i)
            i = text.find(ch, i + 1)
    return sorted(at)


def _line_col(text: str, pos: int) -> tuple[int, int]:
    """0-based line and column of offset ``pos``, counting line breaks as libyaml does."""
    line = start = 0
    for m in LINE_BREAK.finditer(text, 0, pos):
        line += 1
        start = m.end()
    return line, pos - start


def _syntax_finding(path: str, err: YAMLError, chunk: str, line_offset: int) -> Finding:
    """Turn a parser exception into a positioned ``yaml-syntax`` finding."""
    if isinstance(err, MarkedYAMLError) and err.problem_mark is not None:
        mark = err.problem_mark
        line, col = mark.line + line_offset + 1, mark.column + 1
        # "end of stream": libyaml may count a line the text does not have (count("\n") <= breaks)
        last, end_col = (mark.line, 0) if mark.line <= chunk.count("\n") else _line_col(chunk, len(chunk))
        if mark.line > last:
            line, col = last + line_offset + 1, end_col + 1
        elif mark.line == 0 and chunk.startswith("\ufeff"):
            col += 1  # libyaml did not count the BOM this document starts with
        msg = str(err.problem or "invalid YAML")
        if err.context:
            ctx_mark = err.context_mark
            ctx_line = min(ctx_mark.line, last) if ctx_mark is not None else 0
            where = f" at line {ctx_line + line_offset + 1}" if ctx_mark is not None else ""
            msg = f"{msg} ({err.context}{where})"
    elif isinstance(err, ReaderError):
        # libyaml gives a byte offset into the UTF-8 text, and the character as a number
        pos = len(chunk.encode("utf-8", "surrogatepass")[: int(err.position)].decode("utf-8", "ignore"))
        line0, col0 = _line_col(chunk, pos)
        line, col = line0 + line_offset + 1, col0 + 1
        char = err.character
        shown = f"U+{char:04X}" if isinstance(char, int) else repr(char)
        msg = f"character {shown} is not allowed in YAML ({err.reason})"
    else:
        line, col, msg = line_offset + 1, 1, str(err) or "invalid YAML"
    return Finding("yaml-syntax", "error", msg, path, Span(line, col, line, col + 1))


def duplicate_keys(root: Node, path: str, line_offset: int, shared: bool = True) -> list[Finding]:
    """A ``duplicate-key`` finding on every repeated key of every mapping under ``root``.

    ``shared=False`` says the document has no anchor, so no node can be reached twice and the walk
    need not remember what it has seen; a mapping whose keys are all distinct is passed over with one
    set comprehension.
    """
    out: list[Finding] = []
    seen: set[int] = set()
    stack: list[Node] = [root]
    pop, push = stack.pop, stack.append
    while stack:
        node = pop()
        if shared:
            if id(node) in seen:
                continue
            seen.add(id(node))
        if isinstance(node, MappingNode):
            pairs = node.value
            try:
                repeated = len({k.value for k, _ in pairs}) != len(pairs)
            except TypeError:  # a collection as a key
                repeated = True
            if repeated:
                out.extend(_repeated_keys(pairs, path, line_offset))
            for k, v in pairs:
                if not isinstance(v, ScalarNode):
                    push(v)
                if not isinstance(k, ScalarNode):
                    push(k)
        elif isinstance(node, SequenceNode):
            stack.extend(n for n in node.value if not isinstance(n, ScalarNode))
    return out


def _repeated_keys(pairs: list[tuple[Node, Node]], path: str, line_offset: int) -> Iterator[Finding]:
    """The findings of one mapping's repeated scalar keys, each on its second (third...) occurrence."""
    first: dict[str, int] = {}
    for k, _ in pairs:
        if isinstance(k, ScalarNode):
            key = k.value
            if key in first:
                yield Finding(
                    "duplicate-key",
                    "warning",
                    f'duplicate key "{key}" (first at line {first[key]}); the API server '
                    "rejects it under strict field validation and other tools keep only the last",
                    path,
                    span_of(k, line_offset),
                )
            else:
                first[key] = k.start_mark.line + line_offset + 1


def _after_bom(root: Node) -> None:
    """Count the BOM a document starts with (after a ``...`` line) as the column it is in the file:
    libyaml, parsing the document as a stream of its own, skips it without counting it."""
    for node in _every_node(root):
        for attr in ("start_mark", "end_mark"):
            m = getattr(node, attr)
            if m.line == 0:
                setattr(node, attr, type(m)(m.name, m.index + 1, 0, m.column + 1, None, None))


def _every_node(root: Node, near: Callable[[Node], bool] | None = None) -> Iterator[Node]:
    """Every node of a tree once, mapping keys included (an alias's node is shared, not repeated);
    with ``near``, only the children it accepts are entered."""
    seen: set[int] = set()
    stack: list[Node] = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        if isinstance(node, (MappingNode, SequenceNode)):
            children = chain.from_iterable(node.value) if isinstance(node, MappingNode) else node.value
            stack += children if near is None else filter(near, children)


def _value_marks(root: Node, text: str, at: list[int]) -> None:
    """Mark each scalar written after an anchor or tag from its value, and each block scalar by its content.

    libyaml starts such a node at its properties (``&a "x"``, or ``!!str`` and a line break before
    ``redis``), so a span (and a fix) would take them in; it starts a block scalar at its header and
    ends it at the next token, past the blank lines after it. ``text`` is the document as libyaml
    counts it (without the byte-order mark it skips); only the nodes around the offsets ``at``, where
    ``_displaced_values`` found a property or a header, are visited.
    """

    def near(child: Node) -> bool:
        k = bisect_left(at, child.start_mark.index)
        return k < len(at) and at[k] <= child.end_mark.index

    for node in _every_node(root, near):
        if not isinstance(node, ScalarNode):
            continue
        m = node.start_mark
        i = _after_properties(text, m.index) if text[m.index : m.index + 1] in ("&", "!") else m.index
        if node.style in ("|", ">"):
            _block_marks(node, text, i)
        elif m.index < i < node.end_mark.index:  # an empty value ends at its properties
            node.start_mark = _moved(m, text, i)


def _after_properties(text: str, i: int) -> int:
    """Offset of the value after the anchor and tag at ``i``: anchors and tags hold no whitespace;
    what separates them from the value is blanks, line breaks and comments."""
    n = len(text)
    while i < n:
        c = text[i]
        if c in "&!":
            while i < n and text[i] not in _BLANKS:
                i += 1
        elif c == "#":
            while i < n and text[i] not in _BREAKS:
                i += 1
        elif c in _BLANKS:
            i += 1
        else:
            break
    return i


def _block_marks(node: ScalarNode, text: str, header: int) -> None:
    """Mark a block scalar (its header at ``header``) from the first character of its content, past
    the header line and the indentation, to just after the last, before the line breaks and blank
    lines after it (which ``|+`` keeps); an empty one by its indicator. The lines of a folded ``>``
    value are not the text's, so the value gives only how many empty lines lead and how many spaces
    past the indentation the first line has; the rest is read from the text near both ends."""
    m, e = node.start_mark, node.end_mark
    head = _moved(m, text, header)
    lead = _BLOCK_LEAD.match(node.value)
    assert lead is not None  # it matches every string
    if lead.end(1) == len(node.value):
        node.start_mark, node.end_mark = head, _moved(head, text, header + 1)
        return
    empty = len(lead.group(1))
    begin = next(islice(LINE_BREAK.finditer(text, header, e.index), empty, None)).end()
    spaces = _SPACES.match(text, begin)
    assert spaces is not None  # it matches everywhere
    indent = spaces.end() - begin - len(lead.group(2))
    last, breaks = _block_end(text, e.index, indent)
    line_start = max(begin, *(text.rfind(c, begin, last) + 1 for c in _BREAKS))
    make = type(m)
    node.start_mark = make(m.name, begin + indent, head.line + 1 + empty, indent, None, None)
    node.end_mark = make(m.name, last, e.line - breaks, last - line_start, None, None)


def _block_end(text: str, end: int, indent: int) -> tuple[int, int]:
    """Where the content of a block scalar libyaml ends at ``end`` ends, and how many line breaks lie
    between: the lines there are blank (no more spaces than the indentation, ``indent``)."""
    j, breaks = end, 0
    while True:
        if text[j - 1] in _BREAKS:
            j -= 2 if text[j - 2 : j] == "\r\n" else 1
            breaks += 1
        k = j
        while text[k - 1] == " ":
            k -= 1
        if text[k - 1] not in _BREAKS or j - k > indent:
            return j, breaks
        j = k


def _moved(m: Any, text: str, pos: int) -> Any:
    """Mark ``m`` moved forward to offset ``pos`` of ``text``, counting line breaks as libyaml does."""
    line, start = m.line, m.index - m.column
    for b in LINE_BREAK.finditer(text, m.index, pos):
        line, start = line + 1, b.end()
    return type(m)(m.name, pos, line, pos - start, None, None)


def load_text(text: str, path: str, options: LoadOptions) -> LoadResult:
    """Compose every (relevant) document of a stream; never raises on bad YAML."""
    result = LoadResult()
    result.documents = list(iter_documents(text, path, options, result))
    return result


def iter_documents(text: str, path: str, options: LoadOptions, result: LoadResult) -> Iterator[Document]:
    """Compose the (relevant) documents of a stream one at a time, so only one document's nodes
    need be alive; the loader's findings and the skipped count go to ``result``. Never raises on bad YAML."""
    limit = max(1, min(options.max_depth, MAX_DEPTH))
    rescan_left = FLOW_COLON_RESCAN_MAX  # characters the pure-Python flow-colon scan may still read
    index = -1  # of the document (a chunk's; each root's after a % directive)
    for a, b, line0, empty in _document_chunks(text):
        index += 1
        if empty:
            continue  # counted, nothing to lint
        chunk = text[a:b]
        kind_hint = _kind_hint(chunk)
        inert = kind_hint in options.skip_kinds and _skippable(kind_hint, chunk)
        if inert and not options.all_documents:
            result.skipped += 1
            continue
        helm = _helm_source(chunk)
        if _too_deep(chunk, limit):
            result.findings.append(
                Finding(
                    "input-error",
                    "error",
                    f"document nests deeper than {limit} levels; not parsed ("
                    + ("raise --max-depth to allow it)" if limit < MAX_DEPTH else "the most that parses safely)"),
                    path,
                    Span(line0 + 1, 1, line0 + 1, 2),
                    doc=index,
                )
            )
            continue
        try:
            try:
                roots = _with_fast_nodes(_Composer(chunk).roots)
            except ScannerError as err:
                if err.problem != _FLOW_COLON or len(chunk) > rescan_left:
                    raise
                rescan_left -= len(chunk)
                roots = _compose_hiding_flow_colons(chunk, err)
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
        # a chunk holds several roots only after a % directive (then it is the whole file): scanned once
        bom, shared = chunk.startswith("\ufeff"), "&" in chunk
        counted = chunk[1:] if bom else chunk  # as libyaml counts it: without the byte-order mark it skips
        displaced = _displaced_values(counted)
        for n, root in enumerate(roots):
            if n:
                index += 1
            if displaced:
                _value_marks(root, counted, displaced)
            if bom:
                _after_bom(root)
            for dup in duplicate_keys(root, path, line0, shared=shared):
                dup.doc = index
                dup.helm_source = helm
                result.findings.append(dup)
            yield Document(path, index, root, line0, helm, kind_hint, inert)
