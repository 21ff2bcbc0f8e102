"""Kubelet keyring matching, docker config decoding and registry classes, unit by unit."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from pullcheck import pullsecrets
from pullcheck.dockerconfig import go_b64decode, parse
from pullcheck.imageref import parse as parse_image
from pullcheck.pullsecrets import access, is_default_registry_match, matching_keys, normalize_key, urls_match

# pull-secrets.md §6: (key, normalized image repository, match?)
KEYRING_TABLE = [
    ("registry.example.com", "registry.example.com/team/app", True),
    ("*.example.com", "eu.example.com/app", True),
    ("*.example.com", "example.com/app", False),
    ("*.example.com", "a.b.example.com/app", False),
    ("*.*.example.com", "a.b.example.com/app", True),
    ("prefix.*.io", "prefix.kubernetes.io/app", True),
    ("registry.example.com", "registry.example.com:5000/app", False),
    ("registry.example.com:5000", "registry.example.com:5000/app", True),
    ("registry.example.com/team", "registry.example.com/team/app", True),
    ("registry.example.com/team", "registry.example.com/teammate/app", True),
    ("registry.example.com/team", "registry.example.com/other/app", False),
    ("ghcr.io", "ghcr.io/org/app", True),
    ("https://ghcr.io", "ghcr.io/org/app", True),
    # Docker Hub spellings.
    ("https://index.docker.io/v1/", "docker.io/library/nginx", True),
    ("index.docker.io", "docker.io/acme/app", True),
    ("docker.io", "docker.io/library/nginx", True),
    ("docker.io/acme", "docker.io/acme/app", True),
    ("docker.io/acme", "docker.io/library/nginx", False),
    ("registry-1.docker.io", "docker.io/acme/app", False),
    ("https://registry-1.docker.io/v2/", "registry-1.docker.io/acme/app", True),
    ("https://index.docker.io/v1/", "registry-1.docker.io/acme/app", False),
    ("http://registry.example.com/v2/", "registry.example.com/app", True),
    ("reg[0-9].example.com", "reg7.example.com/app", True),
    ("reg[^0-9].example.com", "reg7.example.com/app", False),
    ("registry.example.com:*", "registry.example.com:5000/app", False),  # ports are compared, not globbed
]


@pytest.mark.parametrize(("key", "image", "expected"), KEYRING_TABLE)
def test_keyring_matching(key: str, image: str, expected: bool) -> None:
    assert bool(matching_keys([key], image)) is expected


@pytest.mark.parametrize(
    ("key", "normalized"),
    [
        ("https://index.docker.io/v1/", "index.docker.io"),
        ("https://registry.example.com/v2/", "registry.example.com"),
        ("quay.io/myorg", "quay.io/myorg"),
        ("registry.example.com:5000", "registry.example.com:5000"),
        ("http://r.example.com/v2/team/", "r.example.com/team/"),
        ("registry example.com", None),
        ("registry.example.com:abc", None),
        ("r.example.com/%zz", None),
    ],
)
def test_normalize_key(key: str, normalized: str | None) -> None:
    assert normalize_key(key) == normalized


def test_default_registry_fallback_only_when_nothing_else_matched() -> None:
    assert is_default_registry_match("docker.io/library/nginx")
    assert is_default_registry_match("acme/app")
    assert not is_default_registry_match("quay.io/acme/app")
    keys = ["https://index.docker.io/v1/", "docker.io/acme"]
    assert matching_keys(keys, "docker.io/acme/app") == ["docker.io/acme"]
    assert matching_keys(keys, "docker.io/library/nginx") == ["https://index.docker.io/v1/"]
    assert not urls_match("index.docker.io", "docker.io/library/nginx")


def _b64(s: str) -> str:
    return base64.b64encode(s.encode()).decode()


def test_go_base64_semantics() -> None:
    assert go_b64decode("cm9ib3Q6czNjcmV0") == b"robot:s3cret"
    assert go_b64decode("dTpw", padded=False) == b"u:p"
    assert go_b64decode("dTpwMQ", padded=False) == b"u:p1"
    assert go_b64decode("dTpwMQ") is None  # StdEncoding wants padding
    assert go_b64decode("dTpwMQ==", padded=False) is None  # RawStdEncoding refuses it
    assert go_b64decode("cm9ib3Q6\nczNjcmV0") == b"robot:s3cret"  # \n is ignored as in Go
    assert go_b64decode("cm9i b3Q6czNjcmV0") is None


def test_docker_config_entries() -> None:
    ok = parse(json.dumps({"auths": {"r.example.com": {"auth": _b64("u:p:with:colons")}}}), legacy=False)
    assert ok.keys == ("r.example.com",) and ok.problems == ()
    unpadded = parse(json.dumps({"auths": {"r.example.com": {"auth": _b64("u:p1").rstrip("=")}}}), legacy=False)
    assert unpadded.problems == ()
    fields = parse(json.dumps({"Auths": {"r.example.com": {"Username": "u", "Password": "p"}}}), legacy=False)
    assert fields.keys == ("r.example.com",) and fields.problems == ()  # Go matches field names case-insensitively
    nocolon = parse(json.dumps({"auths": {"r.example.com": {"auth": _b64("token-only")}}}), legacy=False)
    assert nocolon.fatal and "user:password" in nocolon.problems[0].message
    notobj = parse(json.dumps({"auths": {"r.example.com": "u:p"}}), legacy=False)
    assert notobj.fatal
    number = parse(json.dumps({"auths": {"r.example.com": {"username": "u", "password": 1234}}}), legacy=False)
    assert number.fatal and '"password"' in number.problems[0].message
    empty = parse(json.dumps({"auths": {"r.example.com": {"email": "a@b.c", "identitytoken": "x"}}}), legacy=False)
    assert not empty.fatal and "no credentials" in empty.problems[0].message and "identitytoken" in empty.problems[0].message
    badkey = parse(json.dumps({"auths": {"r example.com": {"auth": _b64("u:p")}}}), legacy=False)
    assert badkey.keys == () and "not a valid URL" in badkey.problems[0].message


def test_docker_config_formats() -> None:
    legacy = {"r.example.com": {"auth": _b64("u:p")}}
    assert parse(json.dumps(legacy), legacy=True).keys == ("r.example.com",)
    swapped = parse(json.dumps(legacy), legacy=False)
    assert swapped.keys == () and "legacy .dockercfg format" in swapped.problems[0].message
    wrapped = parse(json.dumps({"auths": legacy}), legacy=True)
    assert wrapped.keys == () and '"auths" section' in wrapped.problems[0].message
    helpers = parse(json.dumps({"auths": {}, "credsStore": "osxkeychain"}), legacy=False)
    assert "credsStore" in helpers.problems[0].message
    assert parse("[]", legacy=False).problems[0].refused
    assert parse("{", legacy=False).problems[0].refused
    assert parse('{"auths": {"{{ .Values.registry }}": {}}}', legacy=False).unknown


def test_problem_messages_never_quote_values() -> None:
    secret = "s3cr3t-Pa55"
    texts = [
        json.dumps({"auths": {"r.example.com": {"auth": _b64(secret)}}}),
        json.dumps({"auths": {"r.example.com": {"auth": secret + "!"}}}),
        json.dumps({"auths": {"r.example.com": {"password": [secret]}}}),
        json.dumps({"auths": {"r.example.com": secret}}),
        '{"auths": {"r.example.com": {"password": "' + secret + '"}},}',
    ]
    for text in texts:
        for p in parse(text, legacy=False).problems:
            assert secret not in p.message and _b64(secret)[:8] not in p.message


@pytest.mark.parametrize(
    ("image", "config", "expected"),
    [
        ("nginx:1.27", {}, "public"),
        ("quay.io/acme/app:1", {}, "public"),
        ("registry.example.com/app:1", {}, "private"),
        ("localhost:5000/app:1", {}, "public"),
        ("123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1", {}, "provider"),
        ("acme.azurecr.io/app:1", {}, "provider"),
        ("us-central1-docker.pkg.dev/proj/repo/app:1", {}, "provider"),
        ("gcr.io/my-project/app:1", {}, "provider"),
        ("gcr.io/distroless/static:nonroot", {}, "public"),
        ("us-docker.pkg.dev/google-samples/containers/gke/hello-app:1.0", {}, "public"),
        ("acme/app:1", {"private": ["docker.io/acme"]}, "private"),
        ("acme/app:1", {"private": ["index.docker.io/acme/*"]}, "private"),
        ("other/app:1", {"private": ["docker.io/acme"]}, "public"),
        ("registry.example.com:5000/app:1", {"public": ["registry.example.com"]}, "public"),
        ("registry.example.com:5000/app:1", {"public": ["registry.example.com:443"]}, "private"),
        ("harbor.corp.example/app:1", {"providers": ["*.corp.example"]}, "provider"),
        ("gcr.io/my-project/app:1", {"private": ["gcr.io"]}, "private"),
    ],
)
def test_access(image: str, config: dict[str, list[str]], expected: str) -> None:
    assert access(parse_image(image), **config) == expected


@given(st.text(alphabet="ab.-*?[]^\\/", max_size=6), st.text(alphabet="ab.-/", max_size=6))
@example("*", "a/b")
@example("a\\b", "ab")
def test_label_globs_without_regex_match_as_the_regex_does(pattern: str, label: str) -> None:
    """A literal label or a lone ``*`` is judged without compiling: as filepath.Match's regex would."""
    rx = pullsecrets._glob(pattern)
    assert pullsecrets._label_match(pattern, label) == (rx is not None and rx.fullmatch(label) is not None)


def test_class_characters_that_python_may_one_day_read_as_set_syntax_are_literal() -> None:
    """``[``, ``&``, ``~`` and ``|`` in a pattern's class are plain characters, as in Go, and compile
    without Python's FutureWarning about nested sets and set operations."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rx = pullsecrets._glob("[[&&~~||a]")
    assert rx is not None and all(rx.fullmatch(c) for c in "[&~|a") and not rx.fullmatch("b")


@pytest.mark.parametrize(
    ("image", "public", "expected"),
    [
        ("registry.example.com/app:1.0", ("Registry.Example.com",), "public"),
        ("Registry.Example.COM/app:1.0", ("registry.example.com/*",), "public"),
        ("K8s.GCR.io/pause:3.9", (), "public"),  # the built-in list too
        ("registry.hub.docker.com/library/nginx:1.27", (), "public"),  # Docker Hub under another name
        ("registry.example.com/app:1.0", (), "private"),
    ],
)
def test_registry_patterns_match_hosts_whatever_their_case(image: str, public: tuple[str, ...], expected: str) -> None:
    """Config and built-in registry patterns are DNS names (the kubelet's credential keys are not)."""
    ref = parse_image(image)
    assert access(ref, public=public) == expected
    assert not urls_match("Registry.example.com", "registry.example.com/app")  # keys stay exact
