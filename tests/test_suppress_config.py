"""Suppression by annotation and comment (lines cut as YAML cuts them); config levels, on/off,
mutable tags and validation."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import pullcheck.engine as engine_mod
from conftest import lint, where
from pullcheck.config import ConfigError, discover, load
from pullcheck.engine import frame_lines
from pullcheck.finding import Finding, Span
from pullcheck.suppress import ALL, comment_ignores

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
{annotations}spec:
  containers:
    - name: a
      image: nginx{c1}
    - name: b
      image: busybox:latest{c2}
"""


def pod(annotations: str = "", c1: str = "", c2: str = "") -> str:
    return POD.format(annotations=annotations, c1=c1, c2=c2)


def test_baseline_findings() -> None:
    assert where(lint(pod())) == [("missing-image-tag", 8, 14), ("latest-tag", 10, 14)]


def test_annotation_suppresses_listed_rules_only() -> None:
    ann = '  annotations:\n    pullcheck.dev/ignore: "latest-tag"\n'
    assert where(lint(pod(ann))) == [("missing-image-tag", 10, 14)]


def test_annotation_all() -> None:
    ann = '  annotations:\n    pullcheck.dev/ignore: "*"\n'
    assert lint(pod(ann)) == []


def test_inline_comment_on_line_and_line_above() -> None:
    assert where(lint(pod(c1="  # pullcheck: ignore[missing-image-tag]"))) == [("latest-tag", 10, 14)]
    text = pod().replace("    - name: b\n", "    - name: b\n      # pullcheck: ignore[latest-tag]\n")
    assert where(lint(text)) == [("missing-image-tag", 8, 14)]


def test_comment_for_another_rule_does_not_suppress() -> None:
    assert len(lint(pod(c1="  # pullcheck: ignore[latest-tag]"))) == 2


@pytest.mark.parametrize(
    ("ann", "left"),
    [
        ("all", []),
        ("latest-tag, missing-image-tag", []),
        ("missing-image-tag", [("latest-tag", 12, 14)]),
        # a Helm value that rendered to nothing must not switch the linter off for the object
        ("", [("missing-image-tag", 10, 14), ("latest-tag", 12, 14)]),
        (" , ", [("missing-image-tag", 10, 14), ("latest-tag", 12, 14)]),
    ],
)
def test_annotation_forms(ann: str, left: list[tuple[str, int, int]]) -> None:
    assert where(lint(pod(f'  annotations:\n    pullcheck.dev/ignore: "{ann}"\n'))) == left


@pytest.mark.parametrize(
    ("line", "ids"),
    [
        ("      image: nginx  # pullcheck: ignore[missing-image-tag]", {"missing-image-tag"}),
        ("      # pullcheck: ignore[latest-tag]", {"latest-tag"}),
        ("\t# pullcheck: ignore[latest-tag]", {"latest-tag"}),
        ('      image: "postgres" #pullcheck:ignore', {ALL}),
        ("      # pullcheck: ignore  (vendored chart)", {ALL}),
        ("      # pullcheck: ignore[]", set()),  # an empty list names no rule
        ("      # pullcheck: ignore[ , ]", set()),
        ("  - {name: a, image: x}  # pullcheck: ignore[ latest-tag , image-typo ]", {"latest-tag", "image-typo"}),
        ("      # pullcheck: ignore [latest-tag]", {"latest-tag"}),  # a space before the list: still the list
        ("      a: don't # pullcheck: ignore[latest-tag]", {"latest-tag"}),  # a quote inside a plain scalar
        ("      a: 'it''s' # pullcheck: ignore[latest-tag]", {"latest-tag"}),
        ('      a: "say \\"hi\\"" # pullcheck: ignore[latest-tag]', {"latest-tag"}),
        ('      a: "dir\\\\" # pullcheck: ignore[latest-tag]', {"latest-tag"}),
        ("      a: b#c # pullcheck: ignore[latest-tag]", {"latest-tag"}),
        ("      a: b # see # pullcheck: ignore[latest-tag]", {"latest-tag"}),
    ],
)
def test_comment_forms(line: str, ids: set[str]) -> None:
    assert comment_ignores(line) == ids


@pytest.mark.parametrize(
    "line",
    [
        """      command: ["sh", "-c", "grep -v '# pullcheck: ignore' x"]""",
        '      image: "redis # pullcheck: ignore"',
        "      image: 'redis # pullcheck: ignore'",
        "      - {name: a, image: 'x # pullcheck: ignore'}",
        "      a: 'it'' # pullcheck: ignore",  # '' is a quote inside the scalar, which goes on
        '      a: "x\\" # pullcheck: ignore',  # so is an escaped double quote
        "      a: b# pullcheck: ignore",  # no blank before "#": part of the plain scalar
        "      # pullcheck: ignoreme",
        "      # pullcheck: ignore, see below",
        "      # pullcheck: ignore[latest-tag",
        "      # pullcheck: ignore [latest-tag",
    ],
)
def test_not_a_suppression_comment(line: str) -> None:
    assert comment_ignores(line) == frozenset()


def test_a_line_of_unclosed_rule_lists_is_read_in_linear_time() -> None:
    line = "      image: nginx  # " + "# pullcheck: ignore[latest-tag" * 20_000  # 600 KB: 40 s if quadratic
    start = time.perf_counter()
    assert comment_ignores(line) == frozenset()
    assert time.perf_counter() - start < 1.0


def test_comment_text_inside_a_string_on_the_line_above_does_not_suppress() -> None:
    cmd = """      command: ["sh", "-c", "grep -v '# pullcheck: ignore' x"]\n"""
    text = pod().replace("    - name: a\n", "    - name: a\n" + cmd)
    assert where(lint(text)) == [("missing-image-tag", 9, 14), ("latest-tag", 11, 14)]


def test_comment_text_inside_the_quoted_image_does_not_suppress_it() -> None:
    text = pod().replace("image: nginx", 'image: "nginx # pullcheck: ignore"')
    assert where(lint(text)) == [("invalid-image-reference", 8, 15), ("latest-tag", 10, 14)]


@pytest.mark.parametrize(
    ("comment", "left"),
    [
        ("# pullcheck: ignore [latest-tag]", [("missing-image-tag", 8, 14)]),
        ("# pullcheck: ignoreme", [("missing-image-tag", 8, 14), ("latest-tag", 10, 14)]),
        ("# pullcheck: ignore[latest-tag", [("missing-image-tag", 8, 14), ("latest-tag", 10, 14)]),
    ],
)
def test_comment_rule_list_after_a_space_and_malformed_markers(comment: str, left: list[tuple[str, int, int]]) -> None:
    assert where(lint(pod(c1=f"  {comment}", c2=f"  {comment}"))) == left


# A ConfigMap value holding a character str.splitlines breaks at and YAML does not, then a Pod
# silenced on its image line, one silenced from the line above, and one reported.
SHIFTED = """\
apiVersion: v1
kind: ConfigMap
metadata: {{name: c}}
data:
  x: "a{ch}b"
---
kind: Pod
metadata: {{name: p}}
spec:
  containers:
    - name: a
      image: nginx  # pullcheck: ignore[missing-image-tag]
    - name: b
      # pullcheck: ignore[missing-image-tag]
      image: redis
    - name: c
      image: alpine
{tail}"""


@pytest.mark.parametrize("ch", ["\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x0c\x1c\x1d"])
@pytest.mark.parametrize("how", ["whole", "head", "pieces"])
def test_comments_and_frames_follow_yaml_lines(ch: str, how: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Whole text split, a prefix split (a long text), or pieces (a big one): the same lines."""
    tail = "---\n" + "# padding\n" * 2000 if how == "head" else ""
    if how == "pieces":
        monkeypatch.setattr(engine_mod, "FRAME_PIECE", 16)
    findings = lint(SHIFTED.format(ch=ch, tail=tail))
    assert where(findings) == [("missing-image-tag", 17, 14)]
    assert (findings[0].snippet_start, findings[0].snippet) == (17, ("      image: alpine",))


# Every line break YAML knows (LF, CRLF, CR, NEL, LS, PS) and the five it does not, in lines long
# enough (> 128 characters each on average) that frames near the start split only a prefix.
UNIT = "a\x0cb\r\nc\rd\x85e\u2028f\u2029g\x1ch\x0bi\x1dj\x1ek" + "-" * 900 + "\n"
UNIT_LINES = ["a\x0cb", "c", "d", "e", "f", "g\x1ch\x0bi\x1dj\x1ek" + "-" * 900]


def _at(line: int) -> Finding:
    return Finding("r", "error", "m", "p.yaml", Span(line, 1, line, 2))


def test_frame_lines_pieces_cut_lines_where_yaml_does(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever the piece size, no piece boundary splits a line break and no other character breaks."""
    text = UNIT * 3
    for piece in [1, 2, 3, 4, 5, 16, 901, 907, 908, 909, 1000]:
        monkeypatch.setattr(engine_mod, "FRAME_PIECE", piece)
        assert frame_lines(text, [_at(n) for n in range(1, 19)]) == UNIT_LINES * 3, piece


def test_frame_lines_head_cuts_lines_where_yaml_does() -> None:
    text = UNIT * 30
    for last in range(1, 180, 7):
        got = frame_lines(text, [_at(last)])
        assert len(got) > last and got[:last] == (UNIT_LINES * 30)[:last], last


def test_levels_and_off() -> None:
    findings = lint(pod(), {"rules": {"latest-tag": "error", "missing-image-tag": "off"}})
    assert [(f.rule, f.level) for f in findings] == [("latest-tag", "error")]


def test_mutable_tags() -> None:
    text = pod().replace("busybox:latest", "busybox:stable")
    assert where(lint(text), "latest-tag") == []
    assert where(lint(text, {"mutable-tags": ["latest", "stable"]}), "latest-tag") == [("latest-tag", 10, 14)]


def test_digest_pinned_latest_is_not_flagged() -> None:
    digest = "sha256:" + "a" * 64
    text = pod().replace("busybox:latest", f"busybox:latest@{digest}")
    assert where(lint(text), "latest-tag") == []


def test_bad_config_names_key_and_reason(tmp_path: Path) -> None:
    cfg = tmp_path / ".pullcheck.yaml"
    cfg.write_text("rules:\n  latest-tag: sometimes\nfail-on: never\n")
    with pytest.raises(ConfigError) as exc:
        load(cfg)
    text = str(exc.value)
    assert "fail-on: 'never' is not one of" in text
    assert "rules.latest-tag" in text


def test_config_yaml_error_is_positioned(tmp_path: Path) -> None:
    cfg = tmp_path / ".pullcheck.yaml"
    cfg.write_text("rules: [\n")
    with pytest.raises(ConfigError, match=r"\.pullcheck\.yaml:2:1: config is not valid YAML"):
        load(cfg)


def test_discovery_walks_up_and_stops_at_repo_root(tmp_path: Path) -> None:
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    sub = tmp_path / "repo" / "a" / "b"
    sub.mkdir(parents=True)
    (tmp_path / ".pullcheck.yaml").write_text("fail-on: error\n")
    assert discover(sub) is None
    (tmp_path / "repo" / ".pullcheck.yaml").write_text("fail-on: error\n")
    assert discover(sub) == tmp_path / "repo" / ".pullcheck.yaml"


def test_annotation_silences_a_duplicate_key_inside_its_object_only() -> None:
    """duplicate-key comes from the loader, not a rule's check: the object's annotation applies too."""
    text = """\
        apiVersion: v1
        kind: List
        items:
        - apiVersion: v1
          kind: Pod
          metadata:
            name: p
            annotations: {pullcheck.dev/ignore: "duplicate-key,latest-tag"}
          spec:
            containers:
            - {name: a, image: "nginx:latest", image: "nginx:latest"}
        - apiVersion: v1
          kind: Pod
          metadata: {name: q}
          spec:
            containers:
            - {name: a, image: "nginx:1.27", image: "nginx:1.27"}
        """
    assert where(lint(text)) == [("duplicate-key", 17, 38)]


def test_a_comment_above_a_block_scalars_key_silences_its_value() -> None:
    """A block scalar's value starts a line below its key: the comment above the key still counts,
    and no other line does."""
    text = """\
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          containers:
          - name: d
            # pullcheck: ignore[latest-tag]
            image: >-
              nginx:latest
          - name: e
            image: |-
              nginx:latest
          - name: f
            # pullcheck: ignore[latest-tag]
            command: [x]
            image: nginx:latest
        """
    assert where(lint(text)) == [("latest-tag", 12, 7), ("latest-tag", 16, 12)]
