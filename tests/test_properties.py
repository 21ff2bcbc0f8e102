"""Property tests: the image-reference parser against its grammar, and the loader's positions.

Image references are generated from the grammar's own pieces (so most are valid and every part is
known), from the raw regular expression, and from a small alphabet of troublesome characters; the
parser must agree with ``REFERENCE_RE`` on all of them and ``parse -> format`` must round-trip.
Manifests are generated with every formatting YAML allows (indentation, flow or block, quoting,
anchors, tags, comments, CRLF or CR line ends, a BOM, several documents); every finding must point
inside the file, and the text at a finding's span must be exactly the image it names.
"""

from __future__ import annotations

import codecs
import os
import re
from dataclasses import dataclass

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from conftest import lint
from pullcheck.config import Config, validate
from pullcheck.engine import Engine, RunOptions
from pullcheck.finding import Finding
from pullcheck.imageref import REFERENCE_RE, ImageRef, InvalidReference, parse
from pullcheck.loader import LoadOptions, load_text
from pullcheck.nodes import STR_TAG, MappingNode, ScalarNode, SequenceNode, scalar_type, span_of
from pullcheck.rule import all_rules
from pullcheck.sources import Source, decode

# PULLCHECK_STRESS=N multiplies every example count (a long hypothesis-based stress run).
STRESS = int(os.environ.get("PULLCHECK_STRESS", "1"))
# Line breaks as YAML (libyaml) counts them; the same set Python's splitlines() uses on valid YAML.
YAML_BREAK = re.compile(r"\r\n|[\r\n\x85\u2028\u2029]")

# --------------------------------------------------------------------------------------------------
# Image references
# --------------------------------------------------------------------------------------------------

ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789"
alnum_run = st.text(ALNUM, min_size=1, max_size=6)
separator = st.sampled_from([".", "_", "__", "-", "--", "---"])
component = st.builds(
    lambda first, rest: first + "".join(s + a for s, a in rest),
    alnum_run,
    st.lists(st.tuples(separator, alnum_run), max_size=3),
)
repo_path = st.lists(component, min_size=1, max_size=4).map("/".join)
label = st.from_regex(r"[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,8}[a-zA-Z0-9])?", fullmatch=True)
host = st.one_of(
    st.lists(label, min_size=2, max_size=4).map(".".join),  # a dotted name: always a registry
    st.just("localhost"),
    st.from_regex(r"\[[0-9a-f]{1,4}(?::[0-9a-f]{0,4}){1,7}\]", fullmatch=True),  # IPv6
)
domain = st.builds(lambda h, port: h + (f":{port}" if port is not None else ""), host, st.none() | st.integers(0, 99999))
tag = st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}", fullmatch=True)
digest = st.one_of(
    st.text("0123456789abcdef", min_size=64, max_size=64).map(lambda h: "sha256:" + h),
    st.text("0123456789abcdef", min_size=128, max_size=128).map(lambda h: "sha512:" + h),
)


@dataclass(frozen=True)
class Parts:
    """The pieces a generated reference was built from."""

    domain: str | None
    path: str
    tag: str | None
    digest: str | None

    def text(self) -> str:
        out = self.path if self.domain is None else f"{self.domain}/{self.path}"
        if self.tag is not None:
            out += ":" + self.tag
        if self.digest is not None:
            out += "@" + self.digest
        return out


parts = st.builds(Parts, st.none() | domain, repo_path, st.none() | tag, st.none() | digest)


def _agrees_with_grammar(ref: str) -> ImageRef | None:
    """Parse ``ref``; check it against REFERENCE_RE whichever way it goes; the result or None."""
    try:
        parsed = parse(ref)
    except InvalidReference as err:
        assert 0 <= err.position <= max(len(ref) - 1, 0)
        assert err.reason and err.go_error
        if REFERENCE_RE.match(ref) is None:
            assert err.go_error.startswith("invalid reference format") or err.go_error.startswith("repository name")
        return None
    assert REFERENCE_RE.match(ref) is not None, ref  # nothing outside the grammar is accepted
    assert parsed.format() == ref
    return parsed


@settings(max_examples=100 * STRESS)
@given(parts)
def test_references_built_from_the_grammar_parse_into_their_parts(p: Parts) -> None:
    ref = p.text()
    parsed = _agrees_with_grammar(ref)
    too_long = len(p.path) + (0 if p.domain is not None or "/" in p.path else len("library/")) > 255
    if too_long:
        assert parsed is None
        return
    assert parsed is not None, ref
    assert (parsed.tag, parsed.digest) == (p.tag, p.digest)
    if p.domain is not None:
        assert parsed.domain == p.domain
        assert parsed.path == p.path
    else:
        # Without a written registry the first component may still be read as one ("a.b/c"): the
        # parser and Go's splitDockerDomain decide; either way the written text is kept whole.
        assert (parsed.path if parsed.domain is None else f"{parsed.domain}/{parsed.path}") == p.path


@settings(max_examples=100 * STRESS)
@given(st.from_regex(REFERENCE_RE, fullmatch=True))
def test_strings_of_the_raw_grammar_round_trip_or_fail_for_a_stated_reason(ref: str) -> None:
    _agrees_with_grammar(ref)


@settings(max_examples=100 * STRESS)
@given(st.text(alphabet="abz09AZ._-/:@[]+ \t%${}é\u0130\x00", max_size=40))
def test_arbitrary_strings_agree_with_the_grammar(ref: str) -> None:
    _agrees_with_grammar(ref)


@settings(max_examples=100 * STRESS)
@given(parts, st.data())
def test_mutated_references_agree_with_the_grammar(p: Parts, data: st.DataObject) -> None:
    ref = p.text()
    i = data.draw(st.integers(0, len(ref)))
    op = data.draw(st.sampled_from(["insert", "delete", "replace", "upper"]))
    ch = data.draw(st.sampled_from([*"A:/@._-+ #%é", "\u212a", "\t"]))
    if op == "insert":
        ref = ref[:i] + ch + ref[i:]
    elif op == "delete":
        ref = ref[:i] + ref[i + 1 :]
    elif op == "replace":
        ref = ref[:i] + ch + ref[i + 1 :]
    else:
        ref = ref[:i] + ref[i:].upper()
    _agrees_with_grammar(ref)


@settings(max_examples=100 * STRESS)
@given(parts)
def test_normalization_is_idempotent(p: Parts) -> None:
    try:
        first = parse(p.text())
    except InvalidReference:
        return
    # The fully qualified and the familiar forms name the same repository, tag and digest.
    for again in (first.familiar_string, first.format()):
        second = parse(again)
        assert (second.name, second.tag, second.digest) == (first.name, first.tag, first.digest)
    qualified = first.name + (f":{first.tag}" if first.tag else "") + (f"@{first.digest}" if first.digest else "")
    if first.registry:
        third = parse(qualified)
        assert (third.registry, third.repository) == (first.registry, first.repository)


# --------------------------------------------------------------------------------------------------
# Loader positions
# --------------------------------------------------------------------------------------------------

PLAIN_IMAGE = st.one_of(
    parts.map(Parts.text).filter(lambda s: len(s) < 120),
    st.from_regex(r"[a-z][a-z0-9]{0,10}", fullmatch=True),  # no tag: missing-image-tag
    st.sampled_from(["nginx:latest", "Nginx", "nginx:", "https://x/y", "a b", "{{ .Values.image }}"]),
)


SAFE_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/@:+-]*[A-Za-z0-9_]")


def _span_text(lines: list[str], f: Finding) -> str:
    s = f.span
    assert s.line == s.end_line, f
    return lines[s.line - 1][s.column - 1 : s.end_column - 1]


@st.composite
def manifest(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A stream of Pods in varied formatting, and the images it holds (in order)."""
    docs: list[str] = []
    images: list[str] = []
    for d in range(draw(st.integers(1, 4))):
        ind = " " * draw(st.integers(1, 4))
        pre = draw(st.sampled_from(["", "# leading comment\n", "\n\n", "# Source: chart/templates/x.yaml\n"]))
        n = draw(st.integers(1, 3))
        flow = draw(st.booleans())
        cont = []
        for c in range(n):
            image = draw(PLAIN_IMAGE)
            style = draw(st.sampled_from(["plain", "single", "double", "anchor", "tag"]))
            if style == "plain" and not (SAFE_PLAIN.fullmatch(image) and scalar_type(ScalarNode(STR_TAG, image)) == "str"):
                style = "single"  # would not be a plain string (0, true, "a: b", "x:"...)
            if style == "plain" and flow and ":" in image:
                style = "double"  # libyaml ends a plain scalar at ':' in flow context
            value = {
                "plain": image,
                "single": f"'{image}'",
                "double": f'"{image}"',
                "anchor": f'&img{d}x{c} "{image}"',
                "tag": f'!!str "{image}"',
            }[style]
            images.append(image)
            if flow:
                cont.append(f"{{name: c{c}, image: {value}}}")
            else:
                cont.append(f"{ind * 2}- name: c{c}\n{ind * 2}  image: {value}  # trailing comment\n")
        body = f" [{', '.join(cont)}]\n" if flow else "\n" + "".join(cont)
        docs.append(f"{pre}apiVersion: v1\nkind: Pod\nmetadata:\n{ind}name: p{d}\nspec:\n{ind}containers:{body}")
    text = "---\n".join(docs)
    return text, images


@settings(max_examples=150 * STRESS, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(manifest(), st.sampled_from(["\n", "\r\n", "\r"]), st.booleans())
def test_a_finding_span_is_exactly_the_image_it_names(m: tuple[str, list[str]], eol: str, bom: bool) -> None:
    text, images = m
    text = text.replace("\n", eol)
    data = (codecs.BOM_UTF8 if bom else b"") + text.encode("utf-8")
    decoded = decode(data, "p.yaml")
    assert isinstance(decoded, str)
    findings = lint(decoded, {"rules": {"digest-not-pinned": "note"}}, path="p.yaml")
    lines = YAML_BREAK.split(decoded)
    named = [f for f in findings if f.field and f.field.endswith(".image") and f.image is not None]
    for f in findings:
        assert 1 <= f.span.line <= f.span.end_line <= len(lines), f
    for f in named:
        if f.rule in ("image-typo", "moved-registry"):
            continue  # these may point at the host or path inside the image
        assert _span_text(lines, f) == f.image, f
        assert f.snippet[0] == lines[f.span.line - 1]
    # not vacuous: every image without a digest is named by some finding (digest-not-pinned at least)
    assert {f.image for f in named} >= {i for i in images if "@" not in i}


def _scalars(node: object) -> list[ScalarNode]:
    out: list[ScalarNode] = []
    seen: set[int] = set()
    stack = [node]
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        if isinstance(n, ScalarNode):
            out.append(n)
        elif isinstance(n, MappingNode):
            for k, v in n.value:
                stack += [k, v]
        elif isinstance(n, SequenceNode):
            stack += n.value
    return out


YAML_TOKENS = [
    *"ab:- \n\t#&*!|>'\"[]{},?.%@`\r",
    "\r\n", "\u2028", "\x85", "\ufeff", "é", "---\n", "...\n", "&x ", "*x", "!!str ", "!!binary ", "!t ",
    "  ", "kind: Pod\n", "apiVersion: v1\n", "spec:\n", "containers:\n", "- image: ", "image: ", "nginx",
    "%YAML 1.1\n", "<<: ",
]
yaml_text = st.lists(st.sampled_from(YAML_TOKENS), max_size=60).map("".join)


@settings(max_examples=300 * STRESS, deadline=None)
@given(yaml_text)
def test_every_node_and_finding_of_any_text_points_inside_it(text: str) -> None:
    # sources.decode strips the BOM a file starts with; libyaml would skip it without counting it
    assume(not text.startswith("\ufeff"))
    lines = YAML_BREAK.split(text)
    loaded = load_text(text, "t.yaml", LoadOptions(all_documents=True))
    for doc in loaded.documents:
        for node in _scalars(doc.root):
            s = span_of(node, doc.line_offset)
            if node.value == "" and s.line == len(lines) + 1 and s.column == 1:
                continue  # an empty node at the very end ("?" or "a:" with no final line break)
            assert 1 <= s.line <= s.end_line <= len(lines), (s, doc.line_offset)
            assert 1 <= s.column <= len(lines[s.line - 1]) + 1
            if s.line == s.end_line and node.style in (None, "") and node.value and "\n" not in node.value:
                # a one-line plain scalar: the text at its span is its value
                assert lines[s.line - 1][s.column - 1 : s.end_column - 1] == node.value
    for f in loaded.findings:
        assert 1 <= f.span.line <= len(lines), f
        assert 1 <= f.span.column <= len(lines[f.span.line - 1]) + 1, f


RULES, _ = all_rules(with_plugins=False)
ALL_ON = Config(validate({"rules": {r.id: r.level for r in RULES}}, "all rules"))


@settings(max_examples=200 * STRESS, deadline=None)
@given(st.binary(max_size=300) | yaml_text.map(str.encode))
def test_whole_lint_of_any_bytes_never_raises_and_stays_in_the_file(data: bytes) -> None:
    text = decode(data, "b.yaml")
    if not isinstance(text, str):
        assert text.rule == "input-error"
        return
    assume(text)
    engine = Engine(ALL_ON, RULES, RunOptions(jobs=1, all_documents=True))
    findings, _ = engine.run([Source("b.yaml", None, text)])
    assert engine.errors == []
    lines = YAML_BREAK.split(text)
    for f in findings:
        assert 1 <= f.span.line <= len(lines), f
