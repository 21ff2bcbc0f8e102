"""The loader: positions, streams, helm sources, syntax errors, duplicate keys, skipping, aliases,
and the ':' inside plain scalars of flow collections that libyaml 0.1.7 refuses."""

from __future__ import annotations

import datetime
import json
import time
from pathlib import Path
from typing import Any

import pytest
import ruamel.yaml
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import lint, run_cli, where
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


# -- ':' inside plain scalars of flow collections ------------------------------------------------
# libyaml 0.1.7 (bundled by ruamel.yaml.clib) refuses them; YAML, libyaml >= 0.2.1 and kubectl do not.

FLOW_POD = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - {name: a, image: nginx:1.25}\n"
BLOCK_POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: p
spec:
  containers:
  - name: a
    image: nginx
    args: [--listen=:8080, http://x]
    env: [{name: A, value: a:b}]
"""


def test_flow_colon_pod_is_linted_by_the_cli(tmp_path: Path) -> None:
    (tmp_path / "pod.yaml").write_text(FLOW_POD)
    (tmp_path / "untagged.yaml").write_text(FLOW_POD.replace("nginx:1.25", "nginx"))
    clean = run_cli("pod.yaml", cwd=tmp_path)
    assert clean.returncode == 0, clean.stdout
    assert "1 file, 1 document (0 skipped), 1 container" in clean.stdout
    untagged = run_cli("--format", "json", "untagged.yaml", cwd=tmp_path)
    spans = [(f["rule"], f["line"], f["column"], f["endColumn"]) for f in json.loads(untagged.stdout)["findings"]]
    assert (untagged.returncode, spans) == (1, [("missing-image-tag", 6, 22, 27)])


def test_flow_colon_image_is_fixed_in_place(tmp_path: Path) -> None:
    (tmp_path / "pod.yaml").write_text(FLOW_POD.replace("nginx:1.25", "regsitry.k8s.io/pause:3.9"))
    r = run_cli("--diff", "pod.yaml", cwd=tmp_path)
    changed = [x for x in r.stdout.splitlines() if x[:1] in "+-" and x[:3] not in ("---", "+++")]
    assert changed == ["-  - {name: a, image: regsitry.k8s.io/pause:3.9}", "+  - {name: a, image: registry.k8s.io/pause:3.9}"]


def test_flow_colons_in_a_block_pod_keep_their_values_and_spans() -> None:
    assert where(lint(BLOCK_POD)) == [("missing-image-tag", 8, 12)]
    (doc,) = load_text(BLOCK_POD, "b.yaml", LoadOptions()).documents
    container = get(get(doc.root, "spec"), "containers").value[0]  # type: ignore[union-attr]
    scalars = [*get(container, "args").value, get(get(container, "env").value[0], "value")]  # type: ignore[union-attr]
    assert {type(n) for n in scalars} == {loader._ScalarNode if loader._FAST_NODES else ScalarNode}  # libyaml's own
    spans = [(n.value, span_of(n, doc.line_offset)) for n in scalars]
    assert [(v, s.line, s.column, s.end_line, s.end_column) for v, s in spans] == [
        ("--listen=:8080", 9, 12, 9, 26),
        ("http://x", 9, 28, 9, 36),
        ("a:b", 10, 28, 10, 31),
    ]


def test_documents_around_a_flow_colon_document_keep_their_positions() -> None:
    text = (
        "kind: Pod\nspec: {containers: [{name: x, image: busybox}]}\n---\n"
        + BLOCK_POD
        + "---\napiVersion: v1\nkind: Pod\nmetadata: {name: q}\nspec:\n  containers: [{name: b, image: redis}]\n"
    )
    assert where(lint(text)) == [("missing-image-tag", 2, 38), ("missing-image-tag", 11, 12), ("missing-image-tag", 19, 33)]


def test_flow_colon_document_keeps_merges_duplicate_keys_and_skipping() -> None:
    pod = "apiVersion: v1\nkind: Pod\nbase: &b {name: a, image: nginx}\nspec:\n  containers:\n  - {<<: *b, name: c, name: d, args: [a:b]}\n"
    assert where(lint(pod)) == [("missing-image-tag", 3, 27), ("duplicate-key", 6, 23)]
    config_map = "kind: ConfigMap\ndata: {url: http://x, url: http://y}\n"
    skipped = load_text(config_map, "c.yaml", LoadOptions())
    assert (skipped.skipped, skipped.findings) == (1, [])
    full = load_text(config_map, "c.yaml", LoadOptions(all_documents=True))
    assert [d.inert for d in full.documents] == [True]
    assert [(f.rule, f.span.line, f.span.column) for f in full.findings] == [("duplicate-key", 2, 23)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(  # a tab after a value, which ruamel's own scanner takes for a token
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\t\nspec:\n  containers: [{name: a, image: nginx, args: [a:b]}]\n",
            ("missing-image-tag", 6, 33),
            id="tab-after-value",
        ),
        pytest.param(  # LS line breaks, which ruamel's own reader does not count
            "apiVersion: v1\u2028kind: Pod\u2028spec:\u2028  containers: [{name: a, image: nginx, args: [a:b]}]\u2028",
            ("missing-image-tag", 4, 33),
            id="line-separators",
        ),
        pytest.param(  # a BOM after "...": a column of its own, and a character before every ':'
            "kind: Pod\n...\n\ufeff{apiVersion: v1, kind: Pod, spec: {containers: [{name: a, image: nginx, args: [a:b]}]}}\n",
            ("missing-image-tag", 3, 67),
            id="bom-after-document-end",
        ),
    ],
)
def test_flow_colons_are_found_as_libyaml_reads_the_text(text: str, expected: tuple[str, int, int]) -> None:
    assert where(lint(text)) == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # no ':' libyaml refused: its own error, as before
        ("apiVersion: v1\nkind: Pod\na: [b: c: d\n", (3, 9, "did not find expected ',' or ']'")),
        # a valid ':' then a real error: the real one, where libyaml 0.2 reports it (0.1.7 stopped at the ':')
        ("kind: Pod\nspec: {containers: [{name: a, image: nginx:1.25}]}\na: [b:c, d\n", (4, 1, "did not find expected ',' or ']'")),
        ("kind: Pod\nspec:\n  containers:\n  - {name: a, image: nginx:1.25} @x\n", (4, 34, "found character that cannot start any token")),
        # a ':' before a flow indicator, which libyaml 0.2 refuses as well
        ("kind: Pod\nargs: [a:, b]\n", (2, 9, "found unexpected ':'")),
        # text the pure-Python scanner refuses (a control character past libyaml's first read): libyaml's error
        ("x: [a:b]\n" + "y: z\n" * 30000 + "\x01\n", (1, 6, "found unexpected ':'")),
        # a text that holds every stand-in character: libyaml's error
        ("kind: Pod\n# " + "".join(map(chr, loader._STAND_INS)) + "\nx: [a:b]\n", (3, 6, "found unexpected ':'")),
    ],
)
def test_invalid_yaml_is_one_positioned_finding(text: str, expected: tuple[int, int, str]) -> None:
    loaded = load_text(text, "e.yaml", LoadOptions())
    assert loaded.documents == []
    (f,) = loaded.findings
    assert (f.rule, f.span.line, f.span.column) == ("yaml-syntax", *expected[:2])
    assert f.message.startswith(expected[2])


def test_a_quoted_escape_of_the_stand_in_character_is_left_alone() -> None:
    (doc,) = load_text('kind: Pod\nx: ["\\ue000", a:b]\n', "s.yaml", LoadOptions()).documents
    assert [n.value for n in get(doc.root, "x").value] == ["\ue000", "a:b"]  # type: ignore[union-attr]


def test_flow_colon_at_the_depth_limit_is_composed_by_libyaml() -> None:
    depth = loader.MAX_DEPTH - 1  # nested over lines: one line is quadratic for any YAML scanner
    text = "apiVersion: v1\nkind: Pod\nx: " + "[\n  " * depth + "a:b" + "]" * depth + "\n"
    loaded = load_text(text, "d.yaml", LoadOptions(max_depth=loader.MAX_DEPTH))
    assert loaded.findings == []
    node = get(loaded.documents[0].root, "x")
    for _ in range(depth):
        node = node.value[0]  # type: ignore[union-attr]
    s = span_of(node)  # type: ignore[arg-type]
    assert (node.value, s.line, s.column) == ("a:b", depth + 3, 3)  # type: ignore[union-attr]


def _libyaml_view(node: Any, line_offset: int) -> Any:
    """What libyaml composes for a node, from ruamel's or PyYAML's node classes alike."""
    marks = [(m.line + line_offset, m.column) for m in (node.start_mark, node.end_mark)]
    if isinstance(node.value, str):
        value: Any = node.value
    else:
        value = [_libyaml_view(v, line_offset) if not isinstance(v, tuple) else tuple(_libyaml_view(x, line_offset) for x in v)
                 for v in node.value]
    style = getattr(node, "style", None) or getattr(node, "flow_style", None) or ""
    return type(node).__name__.lstrip("_"), str(node.tag), value, marks, style


def _libyaml_0_2(text: str) -> list[Any]:
    """The documents of a text as libyaml 0.2 composes them (PyYAML's C loader)."""
    if not getattr(yaml, "__with_libyaml__", False) or yaml._yaml.get_version() < (0, 2, 1):
        pytest.skip("PyYAML without libyaml 0.2")
    return [_libyaml_view(root, 0) for root in yaml.compose_all(text, Loader=yaml.CBaseLoader)]


def _ours(text: str) -> list[Any]:
    """The documents of a text as the loader composes them (every one of them parsed)."""
    loaded = load_text(text, "o.yaml", LoadOptions(all_documents=True))
    assert [f.rule for f in loaded.findings if f.rule != "duplicate-key"] == []
    return [_libyaml_view(d.root, d.line_offset) for d in loaded.documents]


SCALARS_WITH_COLONS = st.sampled_from(
    ["nginx:1.25", "http://x:80/y", "--listen=:8080", "a:b:c", "a::b", "k8s.gcr.io/pause:3.1", "a:b c:d", "x", "'q:r'", '"s: t"']
)
FLOW_BREAK = st.sampled_from([", ", ",", ",\n      ", " ,\n    # comment\n      "])


def _flow(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Flow sequences and mappings of ``children``, written over one line or several."""
    items = st.lists(children, max_size=4)
    pairs = st.lists(st.tuples(SCALARS_WITH_COLONS, children).map(": ".join), max_size=4)
    return st.one_of(
        st.tuples(FLOW_BREAK, items).map(lambda t: "[" + t[0].join(t[1]) + "]"),
        st.tuples(FLOW_BREAK, pairs).map(lambda t: "{" + t[0].join(t[1]) + "}"),
    )


FLOW_NODE = st.recursive(SCALARS_WITH_COLONS, _flow, max_leaves=12)


@settings(max_examples=150, deadline=None)
@given(st.lists(FLOW_NODE, min_size=1, max_size=3), st.sampled_from(["\n", "\r\n", "\u2028"]))
def test_flow_colons_compose_exactly_as_libyaml_0_2_does(values: list[str], eol: str) -> None:
    body = "".join(f"  k{i}: {v}\n" for i, v in enumerate(values))
    text = ("apiVersion: v1\nkind: Pod\nspec:\n" + body + "---\nkind: Pod\nx: [a:b]\n").replace("\n", eol)
    assert _ours(text) == _libyaml_0_2(text)


def test_a_flow_colon_document_over_the_rescan_limit_keeps_libyamls_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pure-Python scan is bounded: past FLOW_COLON_RESCAN_MAX characters of a file, a document
    is the yaml-syntax libyaml reports (a 64 MB hostile file of flow lines must not take minutes)."""
    from pullcheck import loader

    def load(limit: int) -> list[str]:
        monkeypatch.setattr(loader, "FLOW_COLON_RESCAN_MAX", limit)
        result = loader.LoadResult()
        docs = list(loader.iter_documents(FLOW_POD, "p.yaml", loader.LoadOptions(), result))
        return [f"{f.rule} {f.span.line}:{f.span.column}" for f in result.findings] + [d.kind_hint or "" for d in docs]

    assert load(len(FLOW_POD)) == ["Pod"]
    assert load(len(FLOW_POD) - 1) == ["yaml-syntax 6:27"]  # the ":" of nginx:1.25
    monkeypatch.setattr(loader, "FLOW_COLON_RESCAN_MAX", len(FLOW_POD) + 10)  # one document's worth
    result = loader.LoadResult()
    docs = list(loader.iter_documents(FLOW_POD + "---\n" + FLOW_POD, "p.yaml", loader.LoadOptions(), result))
    assert [d.index for d in docs] == [0] and [(f.rule, f.span.line) for f in result.findings] == [("yaml-syntax", 13)]


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\n...\n# trailing comment\n---\nb: 2\n",  # comments between "..." and "---": no document
        "# head comment\n---\na: 1\n---\n\n---\nb: 2\n",  # an empty document after "---" counts
        "%YAML 1.1\n---\na: 1\n---\nb: 2\n",  # after a directive: one chunk, a document per root
        "a: 1\n---\nkind: Pod\nb: 2\n---\n\n---\n# only a comment\n---\nkind: Job\nimage: x\n",
    ],
)
def test_document_indexes_are_libyamls(text: str) -> None:
    """The JSON ``document`` of a finding is the index PyYAML's libyaml 0.2 gives the document."""
    nodes = list(yaml.compose_all(text, Loader=yaml.CSafeLoader))
    expected = [i for i, node in enumerate(nodes) if not (isinstance(node, yaml.ScalarNode) and node.value == "")]
    assert [d.index for d in load_text(text, "s.yaml", LoadOptions()).documents] == expected
