"""Small, fast accessors over composed ruamel.yaml nodes, so rules never touch YAML itself."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any

from ruamel.yaml.nodes import CollectionNode, MappingNode, Node, ScalarNode, SequenceNode

from pullcheck.finding import Span

__all__ = [
    "MappingNode",
    "Node",
    "ScalarNode",
    "SequenceNode",
    "get",
    "items",
    "key_span",
    "scalar_text",
    "scalar_type",
    "span_of",
]

STR_TAG = "tag:yaml.org,2002:str"
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF)$")
_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9_]*|0o[0-7]+|0x[0-9a-fA-F]+|0b[01]+)$")
_FLOAT = re.compile(
    r"^(?:[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)


def get(node: Node | None, key: str) -> Node | None:
    """Value node of ``key`` in a mapping node (the last one wins, as the API server would not)."""
    if not isinstance(node, MappingNode):
        return None
    found = merge = None
    for k, v in node.value:
        if isinstance(k, ScalarNode):
            if k.value == key:
                found = v
            elif k.value == "<<" and not k.style:
                merge = v
    if found is None and merge is not None:
        return _merged(merge, key)
    return found


def _merged(merge: Node, key: str) -> Node | None:
    """``key`` from the mappings a ``<<`` merge key brings in (YAML 1.1, which kubectl reads): the
    first mapping of a list wins; merges nest, and a merge that includes itself is not re-entered."""
    seen: set[int] = set()
    queue: list[Node] = [merge]
    while queue:
        m = queue.pop(0)
        if id(m) in seen:
            continue
        seen.add(id(m))
        if isinstance(m, SequenceNode):
            queue[:0] = m.value
        elif isinstance(m, MappingNode):
            inner = None
            for k, v in m.value:
                if isinstance(k, ScalarNode):
                    if k.value == key:
                        return v
                    if k.value == "<<" and not k.style:
                        inner = v
            if inner is not None:
                queue.insert(0, inner)
    return None


def get_path(node: Node | None, keys: Iterable[str]) -> Node | None:
    """The node reached from ``node`` through these mapping keys, one ``get`` each, or None."""
    for key in keys:
        node = get(node, key)
    return node


def get_key(node: Node | None, key: str) -> Node | None:
    """Key node of ``key`` in a mapping node, to position findings on the key itself."""
    if not isinstance(node, MappingNode):
        return None
    for k, _ in node.value:
        if isinstance(k, ScalarNode) and k.value == key:
            return k
    return None


def items(node: Node | None) -> list[Node]:
    """Items of a sequence node; anything else has none."""
    return list(node.value) if isinstance(node, SequenceNode) else []


def scalar_type(node: Node) -> str:
    """YAML type of a scalar as the safe loader would resolve it: str, int, float, bool or null."""
    if not isinstance(node, ScalarNode):
        return "sequence" if isinstance(node, SequenceNode) else "mapping"
    if node.tag != STR_TAG:
        tag = str(node.tag)
        return tag.rsplit(":", 1)[-1] if tag.startswith("tag:yaml.org,2002:") else tag
    if node.style not in (None, ""):
        return "str"
    v = node.value
    if _NULL.match(v):
        return "null"
    if _BOOL.match(v):
        return "bool"
    if _INT.match(v):
        return "int"
    if _FLOAT.match(v):
        return "float"
    return "str"


def scalar_text(node: Node | None) -> str | None:
    """The string value of a scalar that resolves to a string, else None."""
    if isinstance(node, ScalarNode) and scalar_type(node) == "str":
        return str(node.value)
    return None


def span_of(node: Node, line_offset: int = 0) -> Span:
    """1-based span of a node; a one-line quoted scalar's span excludes its quotes, a block
    collection's ends at its last content character."""
    if not isinstance(node, ScalarNode):
        s, e = node.start_mark, _content_end(node)
        return Span(s.line + 1 + line_offset, s.column + 1, e.line + 1 + line_offset, e.column + 1)
    s, e = node.start_mark, node.end_mark
    line, col, end_col = s.line + 1 + line_offset, s.column + 1, e.column + 1
    end_line = line if e.line == s.line else e.line + 1 + line_offset  # one int object when equal
    if end_line == line:
        if node.style in ('"', "'") and end_col - col >= 2:
            col += 1
            end_col -= 1
        elif node.style in (None, "") and end_col - len(node.value) > col:
            col = end_col - len(node.value)  # skip an anchor or tag written before the value
    return Span(line, col, end_line, end_col)


def _content_end(node: Node) -> Any:
    """End mark of a collection's last content character. libyaml ends a block collection at the next
    token, past blank lines and comments: follow the last items down to a scalar or a flow collection,
    which end exactly. A collection whose last item is an alias (written earlier) keeps libyaml's end."""
    while isinstance(node, CollectionNode) and not node.flow_style:
        entries = node.value
        if isinstance(node, MappingNode):
            key, last = entries[-1]
            floor = key.end_mark.index
        else:
            last = entries[-1]
            floor = entries[-2].end_mark.index if len(entries) > 1 else node.start_mark.index
        if last.start_mark.index < max(floor, node.start_mark.index):
            break
        node = last
    return node.end_mark


def key_span(mapping: Node, key: str, line_offset: int = 0) -> Span | None:
    """Span of a key in a mapping, for findings that belong on the key (misspelled fields)."""
    k = get_key(mapping, key)
    return span_of(k, line_offset) if k is not None else None


def walk(root: Node) -> Iterator[tuple[Node, tuple[Any, ...]]]:
    """Every node once with its path (keys and indices), iteratively: aliases are not re-entered."""
    seen: set[int] = set()
    stack: list[tuple[Node, tuple[Any, ...]]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node, path
        if isinstance(node, MappingNode):
            for k, v in reversed(node.value):
                key = k.value if isinstance(k, ScalarNode) else "?"
                stack.append((v, (*path, key)))
        elif isinstance(node, SequenceNode):
            for i in range(len(node.value) - 1, -1, -1):
                stack.append((node.value[i], (*path, i)))


def format_path(path: tuple[Any, ...]) -> str:
    """Render a node path as ``spec.template.spec.containers[1].image``."""
    out = ""
    for p in path:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            out += f".{p}" if out else str(p)
    return out
