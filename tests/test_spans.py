"""Spans of values libyaml marks too widely: block scalars, block collections, properties on their own line.

libyaml starts a block scalar at its header and ends it, like a block collection, at the next token
(past blank lines, comments and the next item's indentation); a scalar whose anchor or tag is on the
line before starts at that property. Every span here is read from the real command's output.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_cli

POD = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
Where = tuple[str, int, int, int, int]


def _spans(path: Path, text: str) -> list[Where]:
    """(rule, line, column, end line, end column) of each finding on ``text``, as ``--format json`` gives them."""
    path.write_bytes(text.encode())
    proc = run_cli("--format", "json", str(path))
    assert proc.returncode == 1, proc.stderr
    findings = json.loads(proc.stdout)["findings"]
    return sorted((f["rule"], f["line"], f["column"], f["endLine"], f["endColumn"]) for f in findings)


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_block_scalars_span_their_content(tmp_path: Path, newline: str) -> None:
    text = POD + (
        "  - name: d\n"
        "    image: >-\n"  # 7
        "      nginx:latest\n"
        "  - name: e\n"
        "    image: |+  # kept\n"  # 10
        "      nginx:1.27\n"
        "\n"
        "    \n"
        "  # comment\n"
        "  - name: f\n"  # 15
        "    image: >-\n"
        "\n"
        "      nginx\n"
        "        :1.27  \n"
        "\n"  # 20
        "  - name: g\n"
        "    image: &a !!str |2-\n"
        "        busybox:1.36\n"
        "  - name: h\n"
        "    image:\n"  # 25
        "    - |\n"
        "      nginx\n"
        "\n"
        "  restartPolicy: Always\n"
    )
    assert _spans(tmp_path / "b.yaml", text.replace("\n", newline)) == [
        # "nginx:1.27\n\n\n": the blank lines |+ keeps are in the value, not in the span
        ("invalid-image-reference", 11, 7, 11, 17),
        # folded over two lines after an empty one; the trailing blanks are content
        ("invalid-image-reference", 18, 7, 19, 16),
        # "  busybox:1.36": the spaces past the indentation that |2 sets are content
        ("invalid-image-reference", 23, 7, 23, 21),
        # a list, up to the end of its last item: a block scalar
        ("invalid-image-reference", 26, 5, 27, 12),
        ("latest-tag", 8, 7, 8, 19),
    ]


def test_block_collections_end_at_their_last_content_character(tmp_path: Path) -> None:
    text = POD + (
        "  - name: a\n"
        "    image:\n"
        "      repository: nginx\n"
        '      tag: "1.25"\n'
        "\n"  # 10
        "  # comment\n"
        "\n"
        "  - name: b\n"
        "    image:\n"
        "    - nginx\n"  # 15
        "    - nginx:1.27  # c\n"
        "\n"
        "\n"
        "    imagePullPolicy: Always\n"
        "  imagePullSecrets:\n"  # 20
        "    name: foo\n"
        "    other:\n"
        "  restartPolicy: Always\n"
    )
    assert _spans(tmp_path / "c.yaml", text) == [
        ("invalid-image-reference", 8, 7, 9, 18),  # up to the closing quote
        ("invalid-image-reference", 15, 5, 16, 17),  # up to the last item, before its comment
        ("pull-field-invalid", 21, 5, 22, 11),  # up to the colon of an empty last value
    ]


def test_scalar_after_a_property_on_an_earlier_line_starts_at_its_value(tmp_path: Path) -> None:
    text = POD + (
        "  - name: a\n"
        "    image: &a\n"
        "      nginx\n"
        "  - name: b\n"
        "    image: !!str  # a comment\n"
        "      # another\n"  # 11
        "      redis\n"
    )
    assert _spans(tmp_path / "p.yaml", text) == [
        ("missing-image-tag", 8, 7, 8, 12),
        ("missing-image-tag", 12, 7, 12, 12),
    ]


def test_pull_secret_block_value_spans_its_lines(tmp_path: Path) -> None:
    text = (
        "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: kubernetes.io/dockerconfigjson\n"
        "stringData:\n"
        "  .dockerconfigjson: |\n"
        "    {\n"
        '      "auths": {"ghcr.io": {"auth": "bm9jb2xvbg=="}}\n'
        "    }\n"
        "\n"  # 10
        "---\n"
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
        "spec:\n"  # 15
        "  imagePullSecrets: [{name: s}]\n"
        '  containers: [{name: a, image: "ghcr.io/x/y:1"}]\n'
    )
    assert _spans(tmp_path / "s.yaml", text) == [("pull-secret-invalid", 7, 5, 9, 6)]


def test_text_and_github_reports_point_at_the_block_content(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(POD + "  - name: d\n    image: >-\n      nginx:latest\n  - name: e\n    image: nginx:1.27\n")
    text = run_cli(str(path)).stdout.splitlines()
    frame = text.index(" 8 |       nginx:latest")
    assert text[frame - 1].startswith(f"{path}:8:7: warning [latest-tag] ")
    assert text[frame + 1] == "   |       ^^^^^^^^^^^^"
    assert text[frame + 2].startswith("  = object:")  # no other line of the file in the frame
    github = run_cli("--format", "github", str(path)).stdout
    assert f"::warning file={path},line=8,col=7,endLine=8,endColumn=19,title=pullcheck latest-tag::" in github


def test_fix_rewrites_exactly_the_value_of_a_block_or_after_a_property_line(tmp_path: Path) -> None:
    path = tmp_path / "f.yaml"
    before = (
        POD + "  - name: a\n    image: >-\n      k8s.gcr.io/pause:3.9\n\n"
        "  - name: b\n    image: |-  # c\n      k8s.gcr.io/pause:3.9\n"
        "  - name: c\n    image: !!str\n      k8s.gcr.io/pause:3.9\n"
    )
    path.write_text(before)
    proc = run_cli("--fix", str(path))
    assert proc.stderr == "pullcheck: fixed 3 problem(s) in 1 file(s)\n"
    assert path.read_text() == before.replace("k8s.gcr.io", "registry.k8s.io")
