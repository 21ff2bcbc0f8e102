"""Start-up cost of the pre-commit case (issue 6): one small file loads only what linting it needs,
and each shortcut taken for that gives exactly what the slower path gives."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from pullcheck import catalogue, config, pullfields
from pullcheck.data import read_text
from pullcheck.finding import Finding, ObjectRef, Span
from pullcheck.report import Report, Stats, render
from pullcheck.rule import _may_have_plugins, plugin_rules
from pullcheck.sources import Notice
from pullcheck.typos import KnownNames, Pool, one_edit

SMALL = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: ghcr.io/acme/web:1.4.2
        - name: proxy
          image: nginx:latest
        - name: api
          image: registry.acme.corp/shop/api:2.0.1
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: default, namespace: shop}
imagePullSecrets: [{name: regcred}]
secrets: [{name: web-token}]
"""

# Loaded only for what a small piped text run never does: colour or a table (rich), a config file
# or a malformed pull field (jsonschema), plug-ins (importlib.metadata), exclusions (pathspec), the inventory schema, and a
# typo search over more candidates than a few files hold (rapidfuzz). Records are not dataclasses
# (dataclasses and the inspect it imports cost a third of start-up); argparse is sized without shutil.
NOT_LOADED = (
    "rich", "jsonschema", "importlib.metadata", "pathspec", "importlib.resources", "rapidfuzz", "dataclasses", "inspect",
    "shutil",
)


@pytest.mark.parametrize("config_file", ["", "fail-on: error\nrules: {image-typo: {level: note}}\n"])
def test_linting_one_small_file_loads_no_heavy_module(tmp_path: Path, config_file: str) -> None:
    (tmp_path / "small.yaml").write_text(SMALL, encoding="utf-8")
    if config_file:
        (tmp_path / ".pullcheck.yaml").write_text(config_file, encoding="utf-8")
    code = textwrap.dedent(
        f"""
        import io, sys
        from pullcheck.cli import main
        out, sys.stdout = sys.stdout, io.StringIO()
        rc = main(["small.yaml"])
        text, sys.stdout = sys.stdout.getvalue(), out
        print(rc, [m for m in {NOT_LOADED!r} if m in sys.modules])
        print(text, end="")
        """
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    env.pop("NO_COLOR", None)
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, env=env, check=True
    )
    status, *report = proc.stdout.split("\n")
    assert status == ("0 []" if config_file else "1 []"), proc.stderr
    assert report[0].startswith("small.yaml:13:18: warning [latest-tag] ")
    assert report[1:3] == [" 13 |           image: nginx:latest", "    |                  ^^^^^^^^^^^^"]


def _finding(**kw: object) -> Finding:
    base: dict[str, object] = dict(
        rule="latest-tag",
        level="warning",
        message="tag\tlatest in 日本\tis mutable",
        path="dir\twith tab/app.yaml",
        span=Span(2, 12, 2, 18),
        obj=ObjectRef("Deployment", "shop", "wéb"),
        container="c\t1",
        snippet=("a:\t日本", "\timage: 日本:latest\tx"),
        snippet_start=1,
    )
    base.update(kw)
    return Finding(**base)  # type: ignore[arg-type]


def test_json_and_sarif_fingerprint_without_loading_hashlib(tmp_path: Path) -> None:
    """hashlib loads OpenSSL (3-6 ms); the fingerprints of a JSON or SARIF run come from CPython's own SHA-256."""
    (tmp_path / "small.yaml").write_text(SMALL, encoding="utf-8")
    code = textwrap.dedent(
        """
        import json, sys
        from pullcheck.cli import main
        rc = main(["small.yaml", "--format", "json", "-o", "out.json", "--format", "sarif", "-o", "out.sarif"])
        prints = [f["fingerprint"] for f in json.load(open("out.json"))["findings"]]
        print(rc, [m for m in ("hashlib", "_hashlib") if m in sys.modules], len(prints), len(set(prints)))
        """
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, env=env, check=True)
    assert proc.stdout == "1 [] 2 2\n", proc.stderr


def test_fingerprints_are_hashlibs_sha256(monkeypatch: pytest.MonkeyPatch) -> None:
    import hashlib

    from pullcheck import finding

    findings = [_finding(), _finding(path="bad\udcff.yaml", obj=None, image=None, message="line 12: x")]
    own = [f.fingerprint for f in findings]
    monkeypatch.setattr(finding, "_sha256", lambda: hashlib.sha256)
    assert [f.fingerprint for f in findings] == own
    assert all(len(p) == 32 and int(p, 16) >= 0 for p in own)


@pytest.mark.parametrize("quiet", [False, True])
def test_plain_text_is_the_colour_text_without_escapes(quiet: bool) -> None:
    """The plain writer (no rich) prints what rich prints, tabs and wide characters included."""
    import re

    findings = [_finding(), _finding(level="error", rule="x", snippet=(), span=Span(1, 1, 1, 1))]
    stats = Stats(files=2, documents=3, containers=4, seconds=0.25)

    def report(color: bool) -> Report:
        return Report(findings, [], stats, [Notice("b\tin.yaml", "not\tUTF-8")], color=color, quiet=quiet)

    coloured = render("text", report(True))
    assert "\x1b[" in coloured
    plain = render("text", report(False))
    assert "\t" not in plain
    assert plain == re.sub(r"\x1b\[[0-9;]*m", "", coloured)


@pytest.mark.parametrize("name", ["known-images.yaml", "moved-registries.yaml"])
def test_catalogue_files_load_as_a_yaml_safe_load_does(name: str) -> None:
    """The catalogues are composed only (every scalar kept a string); a typed value would differ here."""
    assert catalogue._load(name) == YAML(typ="safe").load(read_text(name))


def test_no_plugin_scan_without_a_declaring_distribution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = tmp_path / "other-1.0.dist-info"
    other.mkdir()
    (other / "entry_points.txt").write_text("[console_scripts]\nother = other:main\n", encoding="utf-8")
    monkeypatch.setattr(sys, "path", [str(tmp_path), str(tmp_path / "missing")])
    assert not _may_have_plugins()
    assert plugin_rules() == ([], [])


def test_plugin_scan_when_a_distribution_declares_the_group(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dist = tmp_path / "acme_rules-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-rules\nVersion: 1.0\n", encoding="utf-8")
    (dist / "entry_points.txt").write_text("[pullcheck.rules]\nacme = acme_rules_missing:Rule\n", encoding="utf-8")
    monkeypatch.setattr(sys, "path", [str(tmp_path)])
    assert _may_have_plugins()
    found, errors = plugin_rules()  # importlib.metadata finds it and reports the broken plug-in
    assert found == [] and len(errors) == 1 and "'acme'" in errors[0]


def test_plugin_scan_reads_an_egg_directory_on_the_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    info = tmp_path / "acme_rules-1.0-py3.11.egg" / "EGG-INFO"
    info.mkdir(parents=True)
    (info / "entry_points.txt").write_text("[pullcheck.rules]\nacme = acme_rules:Rule\n", encoding="utf-8")
    monkeypatch.setattr(sys, "path", [str(info.parent)])
    assert _may_have_plugins()


def test_plugin_scan_is_conservative_for_a_zip_on_the_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    archive = tmp_path / "plugins.zip"
    archive.write_bytes(b"PK\x05\x06" + b"\x00" * 18)
    monkeypatch.setattr(sys, "path", [str(archive)])
    assert _may_have_plugins()


@settings(max_examples=3000, deadline=None)
@given(st.text("ab-/.", max_size=7), st.text("ab-/.", max_size=7))
def test_one_edit_is_rapidfuzz_distance_one(a: str, b: str) -> None:
    """The search a small run does without importing rapidfuzz finds exactly what rapidfuzz finds."""
    from rapidfuzz.distance import DamerauLevenshtein

    assert one_edit(a, b) == (DamerauLevenshtein.distance(a, b) == 1)


@settings(max_examples=300, deadline=None)
@given(st.text("abc/", min_size=1, max_size=6), st.lists(st.text("abc/", max_size=7), max_size=30))
def test_close_candidates_are_the_same_with_and_without_rapidfuzz(query: str, pool: list[str]) -> None:
    known = KnownNames({})
    in_python = known._close(query, Pool(pool))
    known._python_left = 0  # spent: rapidfuzz from here on
    assert known._close(query, Pool(pool)) == in_python


_CONFIG_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-2, 5002),
    st.sampled_from([1.0, 0.5, 5000.0, 5001.0, float("nan"), float("inf"), 64e6]),
    st.sampled_from(["", "error", "warning", "note", "off", "on", "Error", "ghcr.io/*", "a/b\n", "/b"]),
    st.text(max_size=3),
)
_ANY = st.recursive(
    _CONFIG_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.one_of(st.text(max_size=3), st.integers(0, 2)), inner, max_size=3)
    ),
    max_leaves=6,
)
_STRINGS = st.lists(st.one_of(st.text(max_size=3), st.text(min_size=1, max_size=3), _CONFIG_SCALARS), max_size=3)


def _section(keys: list[str], value: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.dictionaries(st.one_of(st.sampled_from(keys), st.integers(0, 1)), value, max_size=4) | _ANY


_RULE = st.one_of(
    st.sampled_from(["error", "warning", "note", "off", "on"]),
    _CONFIG_SCALARS,
    st.dictionaries(st.sampled_from(["level", "max-distance"]), _CONFIG_SCALARS, max_size=2),
)
# Mostly near-valid configs (each key with values of about the right shape), so that the two
# checks are compared on both sides of every rule of the schema.
_CONFIG = st.fixed_dictionaries(
    {},
    optional={
        "fail-on": st.sampled_from(["error", "warning", "note"]) | _CONFIG_SCALARS,
        "namespace": st.text(max_size=3) | _CONFIG_SCALARS,
        "exclude": _STRINGS | _ANY,
        "rules": _section(["latest-tag", "image-typo", "Latest", "-x", "a\n", "a b"], _RULE),
        "mutable-tags": _STRINGS,
        "registries": _section(["allowed", "private", "public", "credential-providers", "other"], _STRINGS),
        "images": _section(["allowed", "other"], _STRINGS),
        "pull-secrets": _section(["external", "complete", "other"], _STRINGS | _CONFIG_SCALARS),
        "service-accounts": _section(["shop/web", "a/b/c", "/b", "x", "a/b\n"], _STRINGS),
        "inventory": _STRINGS,
        "plugins": _STRINGS | _ANY,
        "max-file-size": _CONFIG_SCALARS,
        "max-depth": _CONFIG_SCALARS,
        "other": _ANY,
    },
)
VALID_CONFIG = {
    "fail-on": "error",
    "namespace": "shop",
    "exclude": ["vendor/"],
    "rules": {"latest-tag": "off", "image-typo": {"level": "note", "max-distance": 1}, "pin-digest": True},
    "mutable-tags": ["latest", "main"],
    "registries": {"allowed": ["ghcr.io/acme/*"], "private": ["registry.internal"]},
    "images": {"allowed": ["nginx"]},
    "pull-secrets": {"external": ["vault-*"], "complete": True},
    "service-accounts": {"shop/web": ["regcred"]},
    "inventory": ["inventory.yaml"],
    "max-file-size": 1024,
    "max-depth": 5000.0,
}


@settings(max_examples=3000, deadline=None)
@given(_CONFIG | _ANY)
@example(VALID_CONFIG)
@example({"rules": {1: "on"}, "max-depth": 5001})
def test_quick_config_check_agrees_with_the_schema(data: Any) -> None:
    """A config that passes the quick check is what jsonschema accepts, and no other."""
    import jsonschema

    assert config.quick_valid(data) == jsonschema.Draft202012Validator(config._schema()).is_valid(data)


_PULL_KEYS = st.sampled_from(
    ["imagePullSecrets", "ImagePullSecrets", "image_pull_secrets", "imagePullSecret", "image-pull-secrets",
     "secrets", "pullSecrets", "imagePullPolicy", "imagePullPolicies", "pullPolicy", "automountServiceAccountToken"]
)
_REF = st.one_of(
    st.fixed_dictionaries({"name": st.sampled_from(["regcred", "", "a"])}),
    st.dictionaries(st.sampled_from(["name", "Name", "namespace"]), st.one_of(st.just("x"), st.just(""), st.integers(0, 1), st.none()), max_size=2),
    st.just("regcred"),
    st.none(),
)
_PULL_VALUES = st.one_of(
    st.none(), st.sampled_from(["Always", "always", "", "regcred", "{{ .Values.policy }}"]), st.integers(0, 1), st.lists(_REF, max_size=3)
)
_CONTAINERS = st.lists(st.one_of(st.dictionaries(_PULL_KEYS, _PULL_VALUES, max_size=2), st.just("x")), max_size=2)


@settings(max_examples=2000, deadline=None)
@given(st.dictionaries(_PULL_KEYS, _PULL_VALUES, max_size=3))
def test_quick_service_account_check_passes_only_what_the_schema_accepts(data: dict[str, Any]) -> None:
    """A ServiceAccount skips jsonschema (and its import) only when the schema would find nothing."""
    if pullfields._quick_ok_service_account(data):
        assert pullfields._validator("serviceAccount").is_valid(data)


@settings(max_examples=2000, deadline=None)
@given(
    st.dictionaries(_PULL_KEYS, _PULL_VALUES, max_size=2),
    st.dictionaries(st.sampled_from(["containers", "initContainers", "ephemeralContainers"]), st.one_of(st.none(), _CONTAINERS), max_size=2),
)
def test_quick_pod_spec_check_passes_only_what_the_schema_accepts(fields: dict[str, Any], lists: dict[str, Any]) -> None:
    """A pod spec skips jsonschema only when the schema would find nothing."""
    data = {**fields, **lists}
    if pullfields._quick_ok_pod(data):
        # nothing, or only what _describe drops: an unrendered imagePullPolicy
        for err in pullfields._validator("podSpec").iter_errors(data):
            assert err.validator == "enum" and err.absolute_path[-1] == "imagePullPolicy"
            assert pullfields._TEMPLATE.search(err.instance)


def test_quick_checks_reject_the_misspellings_the_schema_reports() -> None:
    assert pullfields._quick_ok_service_account({"imagePullSecrets": [{"name": "regcred"}], "secrets": None})
    assert not pullfields._quick_ok_service_account({"image_pull_secrets": [{"name": "regcred"}]})
    assert not pullfields._quick_ok_service_account({"imagePullSecrets": ["regcred"]})
    assert not pullfields._validator("serviceAccount").is_valid({"image_pull_secrets": [{"name": "regcred"}]})


_SECRET_KEYS = st.sampled_from(["type", "data", "stringData", "metadata", "string_data", "StringData", "imagePullSecrets", "immutable"])
_DATA = st.one_of(
    st.none(),
    st.just("x"),
    st.dictionaries(
        st.sampled_from([".dockerconfigjson", ".dockercfg", "config.json", "bad key", "a\n", ""]),
        st.one_of(st.none(), st.just("e30="), st.integers(0, 1), st.dictionaries(st.just("auths"), st.none(), max_size=1)),
        max_size=3,
    ),
)


@settings(max_examples=2000, deadline=None)
@given(st.dictionaries(_SECRET_KEYS, st.one_of(_DATA, st.sampled_from(["kubernetes.io/dockerconfigjson", ""]), st.integers(0, 1))))
def test_quick_secret_check_passes_only_what_the_schema_accepts(data: dict[str, Any]) -> None:
    """A docker-typed Secret skips jsonschema only when the schema would find nothing."""
    if pullfields._quick_ok_secret(data):
        assert pullfields._validator("secret").is_valid(data)


def test_quick_container_check_passes_an_unrendered_pull_policy_the_schema_report_drops() -> None:
    data = {"imagePullPolicy": "${IMAGE_PULL_POLICY:-Always}"}
    assert pullfields._quick_ok_container(data) and not pullfields._quick_ok_container({"imagePullPolicy": "always"})
    assert not pullfields._validator("container").is_valid(data)  # the schema's error, which _describe drops


@pytest.mark.parametrize("columns", ["50", "", "x", "-3"])
def test_help_is_sized_as_argparse_sizes_it(monkeypatch: pytest.MonkeyPatch, columns: str) -> None:
    """The lint parser's formatter skips shutil but wraps help where argparse's own would."""
    import argparse

    from pullcheck.cli import lint_parser

    monkeypatch.setenv("COLUMNS", columns)
    parser = lint_parser()
    ours = parser.format_help()
    parser.formatter_class = argparse.HelpFormatter
    assert ours == parser.format_help()
    if columns == "50":  # and the width is the one asked for
        monkeypatch.setenv("COLUMNS", "200")
        assert lint_parser().format_help() != ours
