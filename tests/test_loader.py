"""The loader: positions, streams, helm sources, syntax errors, duplicate keys, skipping and aliases."""

from __future__ import annotations

import datetime
import time
from typing import Any

import pytest
import ruamel.yaml

from conftest import lint, where
from pullcheck import loader
from pullcheck.loader import LoadOptions, load_text
from pullcheck.nodes import MappingNode, ScalarNode, SequenceNode, get, span_of


def test_multi_document_positions_are_file_lines() -> None:
    text = "a: 1\n---\nkind: Pod\nb: 2\n---\n\n---\n# only a comment\n---\nkind: Job\nimage: x\n"
    loaded = load_text(text, "s.yaml", LoadOptions())
    assert [d.index for d in loaded.documents] == [0, 1, 4]
    last = loaded.documents[-1]
    node = get(last.root, "image")
    assert node is not None
    s = span_of(node, last.line_offset)
    assert (s.line, s.column, s.end_line, s.end_column) == (11, 8, 11, 9)


def test_helm_source_comment_is_kept_per_document() -> None:
    text = "---\n# Source: chart/templates/a.yaml\nkind: Pod\n---\n# Source: chart/templates/b.yaml\nkind: Job\n"
    loaded = load_text(text, "r.yaml", LoadOptions())
    assert [d.helm_source for d in loaded.documents] == ["chart/templates/a.yaml", "chart/templates/b.yaml"]


def test_syntax_error_is_positioned_and_other_documents_still_load() -> None:
    text = "kind: Pod\na: [1, 2\n---\nkind: Job\nb: 1\n"
    loaded = load_text(text, "e.yaml", LoadOptions())
    assert len(loaded.documents) == 1
    (f,) = loaded.findings
    assert f.rule == "yaml-syntax"
    assert (f.span.line, f.span.column) == (3, 1)
    assert "flow sequence" in f.message


def test_duplicate_key_points_at_second_key() -> None:
    text = "kind: Pod\nmetadata:\n  name: a\n  name: b\n"
    loaded = load_text(text, "d.yaml", LoadOptions())
    (f,) = loaded.findings
    assert (f.rule, f.span.line, f.span.column) == ("duplicate-key", 4, 3)
    assert "first at line 3" in f.message


def test_quoted_scalar_span_excludes_quotes() -> None:
    loaded = load_text('kind: Pod\nimage: "nginx:1"\n', "q.yaml", LoadOptions())
    doc = loaded.documents[0]
    s = span_of(get(doc.root, "image"), doc.line_offset)  # type: ignore[arg-type]
    assert (s.line, s.column, s.end_column) == (2, 9, 16)


def test_skippable_kinds_are_not_parsed_unless_all_documents() -> None:
    text = "kind: ConfigMap\ndata: {a: 1, a: 2}\n---\nkind: Pod\n"
    fast = load_text(text, "c.yaml", LoadOptions())
    assert fast.skipped == 1 and fast.findings == []
    full = load_text(text, "c.yaml", LoadOptions(all_documents=True))
    assert full.skipped == 0
    assert [(f.rule, f.span.line) for f in full.findings] == [("duplicate-key", 2)]


def test_list_documents_are_never_skipped() -> None:
    text = "apiVersion: v1\nkind: List\nitems: []\n"
    assert len(load_text(text, "l.yaml", LoadOptions()).documents) == 1


def test_billion_laughs_finishes_fast() -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 30):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 9)}]")
    text = "kind: Pod\n" + "\n".join(lines) + "\nspec: {containers: [{name: x, image: *a29}]}\n"
    start = time.perf_counter()
    findings = lint(text)
    assert time.perf_counter() - start < 1.0
    # an alias points at the anchored value it repeats (line 31), never expanded
    assert where(findings) == [("invalid-image-reference", 31, 6)]


def test_recursive_alias_does_not_hang() -> None:
    findings = lint("kind: Pod\nspec: &s\n  containers: [{name: a, image: 'nginx:1'}]\n  self: *s\n")
    assert findings == []


def test_too_deep_document_is_reported_not_parsed() -> None:
    text = "apiVersion: v1\nkind: Pod\nx: " + "[" * 2000 + "]" * 2000 + "\n"
    findings = lint(text)
    assert where(findings) == [("input-error", 1, 1)]
    assert "deeper than 1000" in findings[0].message


def test_crlf_and_bom() -> None:
    findings = lint("\ufeffkind: Pod\r\napiVersion: v1\r\nspec:\r\n  containers:\r\n  - {name: a, image: nginx}\r\n")
    assert where(findings) == [("missing-image-tag", 5, 22)]


_NODE_SAMPLE = """\
%YAML 1.1
---
plain: 1
quoted: "two"
single: 'three'
tagged: !!str 4
custom: !thing {a: b}
anchored: &a [x, {y: z}]
alias: *a
merged:
  <<: {k: v}
  own: w
literal: |
  text
folded: >
  more
empty:
seq:
- !!int "5"
- ~
"""


def _state(node: Any) -> Any:
    """Everything a composed node holds, recursively (marks as positions)."""
    marks = [(m.line, m.column, m.index) for m in (node.start_mark, node.end_mark)]
    extra = [getattr(node, name, "<unset>") for name in ("style", "flow_style", "merge")]
    if isinstance(node.value, list):
        value: Any = [_state(v) if not isinstance(v, tuple) else (_state(v[0]), _state(v[1])) for v in node.value]
    else:
        value = node.value
    ruamel_class = next(c for c in type(node).__mro__ if c.__module__ == "ruamel.yaml.nodes")
    return (ruamel_class, str(node.tag), value, marks, node.anchor, node.comment, extra)


def test_one_call_node_classes_compose_what_ruamel_composes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The composer's node classes hold exactly what ruamel's own would (every field, tags included);
    with a ruamel whose nodes have other fields, its own classes are used."""
    fast_roots = loader._with_fast_nodes(loader._Composer(_NODE_SAMPLE).roots)
    expected = loader._MappingNode if loader._FAST_NODES is not None else MappingNode
    assert type(fast_roots[0]) is expected
    monkeypatch.setattr(loader, "_FAST_NODES", None)
    stock_roots = loader._with_fast_nodes(loader._Composer(_NODE_SAMPLE).roots)
    assert type(stock_roots[0]) is MappingNode
    assert [_state(r) for r in fast_roots] == [_state(r) for r in stock_roots]


def _stock_classes_back() -> bool:
    return (loader._C_MODULE.ScalarNode, loader._C_MODULE.SequenceNode, loader._C_MODULE.MappingNode) == (
        ScalarNode, SequenceNode, MappingNode,
    )


def test_ruamel_gets_its_own_node_classes_back() -> None:
    """After a parse, a parse that failed and one interrupted, other users of ruamel's C parser are
    untouched."""
    load_text("a: [1\n", "bad.yaml", LoadOptions())
    assert _stock_classes_back()

    def interrupted() -> None:
        assert loader._FAST_NODES is None or loader._C_MODULE.ScalarNode is loader._ScalarNode
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        loader._with_fast_nodes(interrupted)
    assert _stock_classes_back()
    load_text("a: 1\n", "good.yaml", LoadOptions())
    assert _stock_classes_back()
    yaml = ruamel.yaml.YAML(typ="safe", pure=False)
    assert yaml.load("n: 1\nf: 1.5\nb: true\nd: 2001-01-01\n") == {"n": 1, "f": 1.5, "b": True, "d": datetime.date(2001, 1, 1)}
