"""pullcheck agrees with the peer linters' own fixtures on every comparable tag, digest and parse entry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import SHARED, lint, lint_files

TAG_CHECKS = (
    "latest-tag",
    "container-image-tag",
    "tagNotSpecified",
    "CKV_K8S_14",
    "KSV-0013",
    "disallow-latest-tag",
    "CONTAINERS_MISSING_IMAGE_VALUE_VERSION",
)
DIGEST_CHECKS = ("CKV_K8S_43", "require-image-checksum")
FAMILIES = {
    "tag": {"missing-image-tag", "latest-tag"},
    "digest": {"digest-not-pinned"},
    "parse": {"yaml-syntax"},
}


def _family(entry: dict[str, Any]) -> str | None:
    check = entry["peer_check"]
    if "parse error" in check:
        return "parse"
    if any(c in check for c in DIGEST_CHECKS):
        return "digest"
    if any(c in check for c in TAG_CHECKS):
        return "tag"
    return None


def _entries() -> list[dict[str, Any]]:
    path = SHARED / "corpus" / "peers" / "expected.json"
    if not path.is_file():
        return []
    return [e for e in json.loads(path.read_text()) if e["comparable"] and _family(e)]


ENTRIES = _entries()


def _id(e: dict[str, Any]) -> str:
    return f"{e['tool']}:{e['file'] or 'table'}:{e['object']}:{e['container']}:{e['image']}"


@pytest.mark.parametrize("entry", ENTRIES, ids=[_id(e) for e in ENTRIES])
def test_agrees_with_peer(entry: dict[str, Any], shared: Path) -> None:
    family = _family(entry)
    assert family is not None
    config = {"rules": {"digest-not-pinned": "on"}} if family == "digest" else {}
    if entry["file"] is None:
        text = f"apiVersion: v1\nkind: Pod\nmetadata: {{name: t}}\nspec:\n  containers:\n  - name: c\n    image: {json.dumps(entry['image'])}\n"
        findings = lint(text, config)
        got = {f.rule for f in findings if f.rule in FAMILIES[family]}
    else:
        findings = lint_files([shared / "corpus" / "peers" / entry["file"]], config)
        kind, _, name = entry["object"].partition("/")
        got = {
            f.rule
            for f in findings
            if f.rule in FAMILIES[family]
            and (
                family == "parse"
                or (
                    f.obj is not None
                    and f.obj.kind == kind
                    and f.obj.name == name
                    and (entry["container"] is None or f.container == entry["container"])
                    and f.image == entry["image"]
                )
            )
        }
    assert got == set(entry["pullcheck_rules"]), entry["note"]


def test_peer_set_is_not_empty(shared: Path) -> None:
    assert len(ENTRIES) >= 60
