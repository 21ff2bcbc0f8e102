"""Suppression by annotation and comment; config levels, on/off, mutable tags and validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import lint, where
from pullcheck.config import ConfigError, discover, load

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
