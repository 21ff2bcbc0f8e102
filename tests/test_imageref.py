"""Tests for pullcheck.imageref: the kubelet's image-reference grammar, ported from Go."""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from pullcheck.imageref import REFERENCE_RE, InvalidReference, parse, parsed, traps

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
VECTORS_FILE = SHARED / "reference" / "image-reference-vectors.json"

HEX64 = "0123456789abcdef" * 4
HEX96 = "0123456789abcdef" * 6
HEX128 = "0123456789abcdef" * 8
SHA256 = "sha256:" + HEX64
SHA384 = "sha384:" + HEX96
SHA512 = "sha512:" + HEX128

FORMAT = "invalid reference format"
TOO_LONG = "repository name must not be more than 255 characters"
DIGEST_LENGTH = "invalid checksum digest length"
DIGEST_FORMAT = "invalid checksum digest format"
DIGEST_UNSUPPORTED = "unsupported digest algorithm"


def lowercase_error(remote: str) -> str:
    return f"invalid reference format: repository name ({remote}) must be lowercase"


# ---------------------------------------------------------------------------
# (1) The Go vectors from ../shared (skipped when ../shared is absent)
# ---------------------------------------------------------------------------


def _vector_params() -> list[Any]:
    if not VECTORS_FILE.is_file():
        return [pytest.param(None, id="vectors-absent")]
    vectors = json.loads(VECTORS_FILE.read_text(encoding="utf-8"))["vectors"]
    return [pytest.param(v, id=f"v{i:03d}-{v['input'][:40]!r}") for i, v in enumerate(vectors)]


# Errors of reference.Parse that come from the regular expression itself.
REGEX_ERRORS = {FORMAT, "repository name must be lowercase", "repository name must have at least one component"}


@pytest.mark.parametrize("vector", _vector_params())
def test_go_vector(vector: dict[str, Any] | None) -> None:
    if vector is None:
        pytest.skip(f"{VECTORS_FILE} not available")
    raw: str = vector["input"]
    go_raw = vector["parse"]
    go = vector["parse_normalized_named"]

    # REFERENCE_RE is the raw grammar that reference.Parse applies first.
    assert (REFERENCE_RE.match(raw) is not None) == (go_raw["ok"] or go_raw["error"] not in REGEX_ERRORS)

    if go["ok"]:
        ref = parse(raw)
        assert ref.name == go["name"]
        assert ref.registry == go["domain"]
        assert ref.repository == go["path"]
        assert (ref.tag or "") == go["tag"]
        assert (ref.digest or "") == go["digest"]
        assert ref.familiar_string == go["familiar"]
        assert ref.format() == raw
    else:
        with pytest.raises(InvalidReference) as info:
            parse(raw)
        assert info.value.go_error == go["error"]


def test_go_vectors_file_is_complete() -> None:
    if not VECTORS_FILE.is_file():
        pytest.skip(f"{VECTORS_FILE} not available")
    vectors = json.loads(VECTORS_FILE.read_text(encoding="utf-8"))["vectors"]
    assert len(vectors) == 101
    assert len({v["input"] for v in vectors}) == 101


# ---------------------------------------------------------------------------
# (2) In-file table: every example of image-references.md §6 and §9, and more
# ---------------------------------------------------------------------------


class Valid(NamedTuple):
    ref: str
    registry: str
    repository: str
    tag: str | None
    digest: str | None
    name: str
    familiar: str
    domain: str | None  # as written
    path: str  # as written


class Invalid(NamedTuple):
    ref: str
    go_error: str
    reason: str  # substring of InvalidReference.reason
    position: int


HUB = "docker.io"

# fmt: off
VALID: list[Valid] = [
    # §9 rows 1-34, 60
    Valid("nginx", HUB, "library/nginx", None, None, "docker.io/library/nginx", "nginx", None, "nginx"),
    Valid("nginx:1.27.0", HUB, "library/nginx", "1.27.0", None, "docker.io/library/nginx", "nginx", None, "nginx"),
    Valid("nginx:latest", HUB, "library/nginx", "latest", None, "docker.io/library/nginx", "nginx", None, "nginx"),
    Valid(
        "library/nginx:1.27", HUB, "library/nginx", "1.27", None, "docker.io/library/nginx", "nginx", None,
        "library/nginx",
    ),
    Valid("docker.io/nginx:1.27", HUB, "library/nginx", "1.27", None, "docker.io/library/nginx", "nginx", HUB, "nginx"),
    Valid(
        "index.docker.io/library/nginx:1.27", HUB, "library/nginx", "1.27", None, "docker.io/library/nginx", "nginx",
        "index.docker.io", "library/nginx",
    ),
    Valid(
        "registry-1.docker.io/library/nginx:1.27", "registry-1.docker.io", "library/nginx", "1.27", None,
        "registry-1.docker.io/library/nginx", "registry-1.docker.io/library/nginx", "registry-1.docker.io",
        "library/nginx",
    ),
    Valid(
        "bitnami/redis:7.2", HUB, "bitnami/redis", "7.2", None, "docker.io/bitnami/redis", "bitnami/redis", None,
        "bitnami/redis",
    ),
    Valid("ghcr.io/org/app:v1.2.3", "ghcr.io", "org/app", "v1.2.3", None, "ghcr.io/org/app", "ghcr.io/org/app",
          "ghcr.io", "org/app"),
    Valid(
        "registry.k8s.io/ingress-nginx/controller:v1.11.2", "registry.k8s.io", "ingress-nginx/controller", "v1.11.2",
        None, "registry.k8s.io/ingress-nginx/controller", "registry.k8s.io/ingress-nginx/controller",
        "registry.k8s.io", "ingress-nginx/controller",
    ),
    Valid("localhost/app:dev", "localhost", "app", "dev", None, "localhost/app", "localhost/app", "localhost", "app"),
    Valid(
        "localhost:5000/app:dev", "localhost:5000", "app", "dev", None, "localhost:5000/app", "localhost:5000/app",
        "localhost:5000", "app",
    ),
    Valid(
        "myregistry:5000/team/app:1.0", "myregistry:5000", "team/app", "1.0", None, "myregistry:5000/team/app",
        "myregistry:5000/team/app", "myregistry:5000", "team/app",
    ),
    Valid(
        "127.0.0.1:5000/app", "127.0.0.1:5000", "app", None, None, "127.0.0.1:5000/app", "127.0.0.1:5000/app",
        "127.0.0.1:5000", "app",
    ),
    Valid("[::1]:5000/app:1.0", "[::1]:5000", "app", "1.0", None, "[::1]:5000/app", "[::1]:5000/app", "[::1]:5000",
          "app"),
    Valid(
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1.0", "123456789012.dkr.ecr.us-east-1.amazonaws.com",
        "app", "1.0", None, "123456789012.dkr.ecr.us-east-1.amazonaws.com/app",
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/app", "123456789012.dkr.ecr.us-east-1.amazonaws.com", "app",
    ),
    Valid(
        "us-docker.pkg.dev/proj/repo/img:tag", "us-docker.pkg.dev", "proj/repo/img", "tag", None,
        "us-docker.pkg.dev/proj/repo/img", "us-docker.pkg.dev/proj/repo/img", "us-docker.pkg.dev", "proj/repo/img",
    ),
    Valid("MyRegistry.io/app:1", "MyRegistry.io", "app", "1", None, "MyRegistry.io/app", "MyRegistry.io/app",
          "MyRegistry.io", "app"),
    Valid("MyOrg/app:1", "MyOrg", "app", "1", None, "MyOrg/app", "MyOrg/app", "MyOrg", "app"),
    Valid("Docker.io/nginx", "Docker.io", "nginx", None, None, "Docker.io/nginx", "Docker.io/nginx", "Docker.io",
          "nginx"),
    Valid("nginx@" + SHA256, HUB, "library/nginx", None, SHA256, "docker.io/library/nginx", "nginx", None, "nginx"),
    Valid("nginx:1.27@" + SHA256, HUB, "library/nginx", "1.27", SHA256, "docker.io/library/nginx", "nginx", None,
          "nginx"),
    Valid("nginx:latest@" + SHA256, HUB, "library/nginx", "latest", SHA256, "docker.io/library/nginx", "nginx", None,
          "nginx"),
    Valid("nginx@" + SHA512, HUB, "library/nginx", None, SHA512, "docker.io/library/nginx", "nginx", None, "nginx"),
    Valid("nginx@" + SHA384, HUB, "library/nginx", None, SHA384, "docker.io/library/nginx", "nginx", None, "nginx"),
    Valid("app:" + "t" * 128, HUB, "library/app", "t" * 128, None, "docker.io/library/app", "app", None, "app"),
    Valid("nginx:V1", HUB, "library/nginx", "V1", None, "docker.io/library/nginx", "nginx", None, "nginx"),
    Valid("nginx:Latest", HUB, "library/nginx", "Latest", None, "docker.io/library/nginx", "nginx", None, "nginx"),
    Valid("nginx:v1_2.3-rc.1", HUB, "library/nginx", "v1_2.3-rc.1", None, "docker.io/library/nginx", "nginx", None,
          "nginx"),
    Valid("my_app:1.0", HUB, "library/my_app", "1.0", None, "docker.io/library/my_app", "my_app", None, "my_app"),
    Valid("my__app:1.0", HUB, "library/my__app", "1.0", None, "docker.io/library/my__app", "my__app", None,
          "my__app"),
    Valid("my-app:1.0", HUB, "library/my-app", "1.0", None, "docker.io/library/my-app", "my-app", None, "my-app"),
    Valid("my--app:1.0", HUB, "library/my--app", "1.0", None, "docker.io/library/my--app", "my--app", None,
          "my--app"),
    Valid("my.app:1.0", HUB, "library/my.app", "1.0", None, "docker.io/library/my.app", "my.app", None, "my.app"),
    Valid("registry.io:5000", HUB, "library/registry.io", "5000", None, "docker.io/library/registry.io",
          "registry.io", None, "registry.io"),
    Valid("localhost", HUB, "library/localhost", None, None, "docker.io/library/localhost", "localhost", None,
          "localhost"),
    Valid("example.com", HUB, "library/example.com", None, None, "docker.io/library/example.com", "example.com",
          None, "example.com"),
    Valid("reg_istry.io/app", "", "reg_istry.io/app", None, None, "reg_istry.io/app", "reg_istry.io/app", None,
          "reg_istry.io/app"),
    Valid("ngnix:1.27", HUB, "library/ngnix", "1.27", None, "docker.io/library/ngnix", "ngnix", None, "ngnix"),
    Valid("k8s.gcr.io/pause:3.9", "k8s.gcr.io", "pause", "3.9", None, "k8s.gcr.io/pause", "k8s.gcr.io/pause",
          "k8s.gcr.io", "pause"),
    Valid(
        "registry.example.com/" + "q" * 250 + "/x", "registry.example.com", "q" * 250 + "/x", None, None,
        "registry.example.com/" + "q" * 250 + "/x", "registry.example.com/" + "q" * 250 + "/x",
        "registry.example.com", "q" * 250 + "/x",
    ),
    # §6 (pull-policy table) rows not already above
    Valid("nginx:LATEST", HUB, "library/nginx", "LATEST", None, "docker.io/library/nginx", "nginx", None, "nginx"),
    Valid("nginx:1.27", HUB, "library/nginx", "1.27", None, "docker.io/library/nginx", "nginx", None, "nginx"),
    # more
    Valid("docker.io/library/nginx:1.27", HUB, "library/nginx", "1.27", None, "docker.io/library/nginx", "nginx",
          HUB, "library/nginx"),
    Valid("index.docker.io/nginx", HUB, "library/nginx", None, None, "docker.io/library/nginx", "nginx",
          "index.docker.io", "nginx"),
    Valid("docker.io/library/a/b", HUB, "library/a/b", None, None, "docker.io/library/a/b", "library/a/b", HUB,
          "library/a/b"),
    Valid("a/b/c", HUB, "a/b/c", None, None, "docker.io/a/b/c", "a/b/c", None, "a/b/c"),
    Valid("[::1]/app", "[::1]", "app", None, None, "[::1]/app", "[::1]/app", "[::1]", "app"),
    Valid("registry.io:0/app", "registry.io:0", "app", None, None, "registry.io:0/app", "registry.io:0/app",
          "registry.io:0", "app"),
    Valid("registry.io:65536/app", "registry.io:65536", "app", None, None, "registry.io:65536/app",
          "registry.io:65536/app", "registry.io:65536", "app"),
    Valid("xn--bcher-kva.example/app:1", "xn--bcher-kva.example", "app", "1", None, "xn--bcher-kva.example/app",
          "xn--bcher-kva.example/app", "xn--bcher-kva.example", "app"),
    Valid("gcr.io/google_containers/pause:3.1", "gcr.io", "google_containers/pause", "3.1", None,
          "gcr.io/google_containers/pause", "gcr.io/google_containers/pause", "gcr.io", "google_containers/pause"),
    Valid("foo/bar:baz@" + SHA256, HUB, "foo/bar", "baz", SHA256, "docker.io/foo/bar", "foo/bar", None, "foo/bar"),
    Valid("LOCALHOST/app", "LOCALHOST", "app", None, None, "LOCALHOST/app", "LOCALHOST/app", "LOCALHOST", "app"),
    Valid("a", HUB, "library/a", None, None, "docker.io/library/a", "a", None, "a"),
    Valid("0", HUB, "library/0", None, None, "docker.io/library/0", "0", None, "0"),
    Valid("nginx:_", HUB, "library/nginx", "_", None, "docker.io/library/nginx", "nginx", None, "nginx"),
    Valid("p" * 247, HUB, "library/" + "p" * 247, None, None, "docker.io/library/" + "p" * 247, "p" * 247, None,
          "p" * 247),
    Valid("1.2.3.4/x", "1.2.3.4", "x", None, None, "1.2.3.4/x", "1.2.3.4/x", "1.2.3.4", "x"),
    Valid("registry.io:5000/app:5000", "registry.io:5000", "app", "5000", None, "registry.io:5000/app",
          "registry.io:5000/app", "registry.io:5000", "app"),
    Valid("hub.docker.com/library/nginx", "hub.docker.com", "library/nginx", None, None,
          "hub.docker.com/library/nginx", "hub.docker.com/library/nginx", "hub.docker.com", "library/nginx"),
    Valid("quay.io/x/y:1@" + SHA512, "quay.io", "x/y", "1", SHA512, "quay.io/x/y", "quay.io/x/y", "quay.io", "x/y"),
    Valid("a" * 64 + ":1", HUB, "library/" + "a" * 64, "1", None, "docker.io/library/" + "a" * 64, "a" * 64, None,
          "a" * 64),
]

INVALID: list[Invalid] = [
    # §9 rows 35-59
    Invalid("my___app:1.0", FORMAT, 'invalid separator "___"', 2),
    Invalid("my..app:1.0", FORMAT, 'invalid separator ".."', 2),
    Invalid("-app:1.0", FORMAT, 'must start with a lowercase letter or digit, not "-"', 0),
    Invalid("_app:1.0", FORMAT, 'must start with a lowercase letter or digit, not "_"', 0),
    Invalid("app-:1.0", FORMAT, 'component "app-" must end with a lowercase letter or digit', 3),
    Invalid("Nginx:1.27", lowercase_error("library/Nginx"), 'repository name "Nginx" must be lowercase', 0),
    Invalid("myregistry.io/App:1", lowercase_error("App"), 'repository name "App" must be lowercase', 14),
    Invalid("nginx:.hidden", FORMAT, 'tag ".hidden" must start with a letter, digit or "_"', 6),
    Invalid("nginx:-dash", FORMAT, 'tag "-dash" must start with', 6),
    Invalid("nginx:", FORMAT, 'tag "" is empty', 5),
    Invalid("app:" + "t" * 129, FORMAT, "tag is 129 characters (maximum 128)", 4),
    Invalid("nginx:1.27:extra", FORMAT, 'a tag cannot contain ":"', 10),
    Invalid("nginx 1.27", FORMAT, "whitespace at position 5", 5),
    Invalid(" nginx:1.27", FORMAT, "whitespace at position 0", 0),
    Invalid("nginx:1.27 ", FORMAT, "whitespace at position 10", 10),
    Invalid("http://registry.io/app:1", FORMAT, 'scheme "http://" is not allowed in an image reference', 0),
    Invalid("registry.io//app:1", FORMAT, "empty path component", 12),
    Invalid("registry.io/app/:1", FORMAT, 'repository path must not end with "/"', 15),
    Invalid("registry.io:abc/app", FORMAT, 'port "abc" must be a number', 12),
    Invalid("-registry.io/app", FORMAT, 'registry host label "-registry" must not start or end with "-"', 0),
    Invalid("registry-.io/app", FORMAT, 'registry host label "registry-" must not start or end with "-"', 8),
    Invalid("[fe80::1%eth0]:5000/app", FORMAT, 'IPv6 zone id "%eth0" is not allowed', 8),
    Invalid("::1/app", FORMAT, 'IPv6 address "::1" must be enclosed in brackets', 0),
    Invalid("nginx@sha256:" + HEX64[:63], DIGEST_LENGTH, "sha256 digest must be 64 hex characters, got 63", 6),
    Invalid("nginx@sha256:" + HEX128, DIGEST_LENGTH, "sha256 digest must be 64 hex characters, got 128", 6),
    Invalid("nginx@sha256:" + "ABCDEF" + "a" * 58, DIGEST_FORMAT, "sha256 digest must be lowercase hex", 13),
    Invalid("nginx@sha256:" + "g" * 64, FORMAT, 'digest contains non-hex character "g"', 13),
    Invalid("nginx@md5:" + "c" * 32, DIGEST_UNSUPPORTED,
            'digest algorithm "md5" is not supported (sha256, sha384, sha512)', 6),
    Invalid("nginx@" + SHA256 + ":1.0", FORMAT, "tag must come before the digest", 77),
    Invalid("app@sha256", FORMAT, 'digest "sha256" has no ":<hex>" part', 4),
    Invalid(HEX64, f"invalid repository name ({HEX64}), cannot specify 64-byte hexadecimal strings",
            "64-character hex string looks like an image ID", 0),
    Invalid("p" * 255, TOO_LONG, "repository path is 263 characters (maximum 255)", 0),
    Invalid("p" * 256, TOO_LONG, "repository path is 264 characters (maximum 255)", 0),
    Invalid("", FORMAT, "image reference is empty", 0),
    Invalid("nginx:1.27\n", FORMAT, "whitespace at position 10 (newline)", 10),
    Invalid("nginx:1.27\t", FORMAT, "whitespace at position 10 (tab)", 10),
    # more
    Invalid("docker.io/Library/nginx", lowercase_error("Library/nginx"),
            'repository name "Library/nginx" must be lowercase', 10),
    Invalid("myorg/App:1", lowercase_error("myorg/App"), 'repository name "myorg/App" must be lowercase', 6),
    Invalid("reg.io/a/B", lowercase_error("a/B"), 'repository name "a/B" must be lowercase', 9),
    Invalid("My_Org/app", "repository name must be lowercase", 'repository name "My_Org/app" must be lowercase', 0),
    Invalid("nginx:1.0+build", FORMAT, 'tag must not contain "+"', 9),
    Invalid("nginx@sha256:abc123abc123", FORMAT, "sha256 digest must be 64 hex characters, got 12", 6),
    Invalid("nginx@", FORMAT, 'digest after "@" is empty', 5),
    Invalid("@" + SHA256, FORMAT, "repository name is empty", 0),
    Invalid(":tag", FORMAT, "repository name is empty", 0),
    Invalid("/app", FORMAT, 'repository path must not start with "/"', 0),
    Invalid("app/", FORMAT, 'repository path must not end with "/"', 3),
    Invalid("registry.io/", FORMAT, "repository path is empty", 11),
    Invalid("registry.io/:1", FORMAT, "repository path is empty", 11),
    Invalid("a..b.io/x", FORMAT, 'registry host "a..b.io" has an empty label', 2),
    Invalid("registry.io:/app", FORMAT, 'port after ":" is empty', 11),
    Invalid("[::1/app", FORMAT, 'IPv6 address "[::1" has no closing "]"', 0),
    Invalid("[::1]x/app", FORMAT, 'invalid character "x" in registry host', 5),
    Invalid("a.b.c:443:5000/x", FORMAT, 'registry "a.b.c:443:5000" has more than one ":"', 9),
    Invalid("https://ghcr.io/x/y", FORMAT, 'scheme "https://" is not allowed in an image reference', 0),
    Invalid("docker://nginx", FORMAT, 'scheme "docker://" is not allowed', 0),
    Invalid("nginx:1\x00", FORMAT, "control character U+0000 at position 7", 7),
    Invalid("nginx:1.27\u2013alpine", FORMAT, 'invalid character "\u2013" (U+2013) in tag', 10),
    Invalid("\uff4eginx", FORMAT, 'invalid character "\uff4e" (U+FF4E) in repository path', 0),
    Invalid("app:" + "t" * 130, FORMAT, "tag is 130 characters (maximum 128)", 4),
    Invalid("r.io/" + "p" * 260, TOO_LONG, "repository path is 260 characters (maximum 255)", 5),
    Invalid("p" * 248, TOO_LONG, 'repository path is 256 characters (maximum 255); Docker Hub adds "library/"', 0),
    Invalid("nginx@SHA256:" + HEX64, lowercase_error("library/nginx@SHA256"),
            'digest algorithm "SHA256" must be lowercase', 6),
    Invalid("nginx:1@SHA256:" + HEX64, DIGEST_FORMAT, 'digest algorithm "SHA256" must be lowercase', 8),
    Invalid("nginx:1@md5:" + "c" * 32, DIGEST_UNSUPPORTED, 'digest algorithm "md5" is not supported', 8),
    Invalid("nginx@sha256-x:" + HEX64, DIGEST_UNSUPPORTED, 'digest algorithm "sha256-x" is not supported', 6),
    Invalid("nginx@1sha:" + HEX64, FORMAT, 'digest algorithm must start with a letter, not "1"', 6),
    Invalid("nginx@" + SHA256 + "@" + SHA256, FORMAT, 'only one "@digest" is allowed', 77),
    Invalid("nginx@" + SHA384[:-32], DIGEST_LENGTH, "sha384 digest must be 96 hex characters, got 64", 6),
    Invalid("nginx@" + SHA512[:-32], DIGEST_LENGTH, "sha512 digest must be 128 hex characters, got 96", 6),
    Invalid("nginx:{{ .Values.tag }}", FORMAT, 'invalid character "{" in tag', 6),
    Invalid("${IMAGE}", lowercase_error("library/${IMAGE}"), 'invalid character "$" in repository path', 0),
    Invalid("localhost:5000:tag", FORMAT, 'tag "5000" must not be followed by another ":"', 14),
    Invalid("Nginx 1.27", lowercase_error("library/Nginx 1.27"), 'repository name "Nginx 1.27" must be lowercase', 0),
    Invalid("registry.io:5000 /x", FORMAT, "whitespace at position 16 (space)", 16),
    Invalid("[0]/app", FORMAT, 'bracketed host "[0]" is not read as a registry: an IPv6 address needs ":"', 0),
    Invalid("ngin\u00e9x", FORMAT, 'invalid character "\u00e9" (U+00E9) in repository path', 4),
]
# fmt: on


def test_table_is_large_enough() -> None:
    assert len(VALID) + len(INVALID) >= 80
    assert len({row.ref for row in VALID + INVALID}) == len(VALID) + len(INVALID)  # no accidental duplicates


@pytest.mark.parametrize("row", VALID, ids=[repr(r.ref[:50]) for r in VALID])
def test_valid(row: Valid) -> None:
    ref = parse(row.ref)
    assert ref.raw == row.ref
    assert ref.registry == row.registry
    assert ref.repository == row.repository
    assert ref.tag == row.tag
    assert ref.digest == row.digest
    assert ref.name == row.name
    assert ref.familiar == row.familiar
    assert ref.domain == row.domain
    assert ref.path == row.path
    assert REFERENCE_RE.match(row.ref) is not None


@pytest.mark.parametrize("row", INVALID, ids=[repr(r.ref[:50]) for r in INVALID])
def test_invalid(row: Invalid) -> None:
    with pytest.raises(InvalidReference) as info:
        parse(row.ref)
    err = info.value
    assert row.reason in err.reason
    assert err.position == row.position
    assert err.go_error == row.go_error
    assert err.ref == row.ref
    assert row.reason in str(err)


def test_invalid_reference_is_a_value_error_and_pickles() -> None:
    with pytest.raises(ValueError) as info:
        parse("Nginx:1.27")
    err = info.value
    assert isinstance(err, InvalidReference)
    clone = pickle.loads(pickle.dumps(err))
    assert (clone.ref, clone.reason, clone.position, clone.go_error) == (
        err.ref,
        err.reason,
        err.position,
        err.go_error,
    )


def test_parse_rejects_non_strings() -> None:
    with pytest.raises(TypeError):
        parse(None)  # type: ignore[arg-type]


def test_invalid_results_are_cached_but_raised_fresh() -> None:
    errors = []
    for _ in range(2):
        with pytest.raises(InvalidReference) as info:
            parse("nginx:")
        errors.append(info.value)
    assert errors[0] is not errors[1]
    assert errors[0].reason == errors[1].reason


@pytest.mark.parametrize(
    ("ref", "host", "port", "is_hub", "familiar_string"),
    [
        ("nginx", "docker.io", None, True, "nginx"),
        ("index.docker.io/nginx:1", "docker.io", None, True, "nginx:1"),
        ("Docker.io/nginx", "Docker.io", None, False, "Docker.io/nginx"),
        ("localhost:5000/app:dev", "localhost", 5000, False, "localhost:5000/app:dev"),
        ("[::1]:5000/app", "[::1]", 5000, False, "[::1]:5000/app"),
        ("[::1]/app", "[::1]", None, False, "[::1]/app"),
        ("registry.io:0/app", "registry.io", 0, False, "registry.io:0/app"),
        ("registry.io:65536/app", "registry.io", 65536, False, "registry.io:65536/app"),
        ("reg_istry.io/app", "", None, False, "reg_istry.io/app"),
        ("bitnami/redis:7.2@" + SHA256, "docker.io", None, True, "bitnami/redis:7.2@" + SHA256),
    ],
)
def test_host_port_hub(ref: str, host: str, port: int | None, is_hub: bool, familiar_string: str) -> None:
    parsed = parse(ref)
    assert parsed.host == host
    assert parsed.port == port
    assert parsed.is_docker_hub is is_hub
    assert parsed.familiar_string == familiar_string


# ---------------------------------------------------------------------------
# (3) Round trip
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("ref", [r.ref for r in VALID], ids=[repr(r.ref[:50]) for r in VALID])
def test_round_trip_table(ref: str) -> None:
    assert parse(ref).format() == ref


@settings(max_examples=300, deadline=None)
@given(st.from_regex(REFERENCE_RE, fullmatch=True))
def test_round_trip_and_errors_of_grammatical_strings(ref: str) -> None:
    # A string in the raw grammar can only be refused for reasons outside the
    # regular expression: length, digest validation, the image-ID rule, an
    # uppercase digest algorithm caught by ParseNormalizedNamed's lowercase check,
    # or a bracketed "host" without ":" (splitDockerDomain does not take "[0]" as
    # a registry, so it becomes a path component, which cannot contain "[").
    try:
        parsed = parse(ref)
    except InvalidReference as err:
        allowed = {TOO_LONG, DIGEST_FORMAT, DIGEST_LENGTH, DIGEST_UNSUPPORTED}
        if err.go_error.startswith("invalid reference format: repository name ("):
            assert "@" in err.go_error
        elif err.go_error.startswith("invalid repository name ("):
            assert len(ref) == 64
        elif err.go_error == FORMAT:
            first = ref.split("/", 1)[0]
            assert first.startswith("[") and ":" not in first
            assert err.position == 0 and "IPv6" in err.reason
        else:
            assert err.go_error in allowed
        return
    assert parsed.format() == ref
    assert parsed.name == (f"{parsed.registry}/{parsed.repository}" if parsed.registry else parsed.repository)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="aAz09._-/:@[]%+ \tgé$", max_size=24))
@example("[0]/0")
def test_every_refusal_is_explained(ref: str) -> None:
    try:
        parsed = parse(ref)
    except InvalidReference as err:
        assert err.reason != err.go_error  # a specific diagnosis, not the generic fallback
        assert 0 <= err.position < max(len(ref), 1)
        if REFERENCE_RE.match(ref) is not None and err.go_error == FORMAT:
            # the one refusal of a grammar-valid text that Go words generically (as in the test
            # above): a bracketed first component without ":" is not split off as a registry
            first = ref.split("/", 1)[0]
            assert first.startswith("[") and ":" not in first
            assert err.position == 0 and "IPv6" in err.reason
        return
    assert REFERENCE_RE.match(ref) is not None
    assert parsed.format() == ref


# ---------------------------------------------------------------------------
# (4) Traps: parse, but cannot be what the author meant
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("MyOrg/app:1", [('read as a registry host "MyOrg", not as a Docker Hub namespace', 0)]),
        ("registry.io:5000", [('Docker Hub image "docker.io/library/registry.io" with tag "5000"', 0)]),
        ("localhost:5000", [('"docker.io/library/localhost" with tag "5000"', 0)]),
        ("127.0.0.1:5000", [('"docker.io/library/127.0.0.1" with tag "5000"', 0)]),
        ("localhost", [('Docker Hub image "docker.io/library/localhost", not as a registry host', 0)]),
        ("example.com", [('Docker Hub image "docker.io/library/example.com"', 0)]),
        ("docker.io", [('Docker Hub image "docker.io/library/docker.io"', 0)]),
        ("reg_istry.io/app", [('"_" is not allowed in a host name', 3)]),
        ("Docker.io/nginx", [('registry host "Docker.io" is not normalized to "docker.io"', 0)]),
        ("INDEX.DOCKER.IO/library/nginx", [('"INDEX.DOCKER.IO" is not normalized', 0)]),
        ("hub.docker.com/library/nginx", [("Docker Hub web site, not a registry", 0)]),
        ("docker.com/nginx", [("Docker Hub web site", 0)]),
    ],
)
def test_traps(ref: str, expected: list[tuple[str, int]]) -> None:
    found = traps(parse(ref))
    assert len(found) == len(expected)
    for (message, position), (want, want_position) in zip(found, expected, strict=True):
        assert want in message
        assert position == want_position


@pytest.mark.parametrize(
    "ref",
    [
        "nginx",
        "nginx:1.27",
        "my.app:1.0",
        "python3.11",
        "myapp:5000",
        "localhost/app:dev",
        "localhost:5000/app",
        "LOCALHOST/app",
        "myregistry:5000/team/app:1.0",
        "MyRegistry.io/app:1",
        "docker.io/nginx",
        "index.docker.io/nginx",
        "registry-1.docker.io/library/nginx:1.27",
        "ghcr.io/org/app",
        "bitnami/redis:7.2",
        "[::1]:5000/app",
        "nginx@" + SHA256,
    ],
)
def test_no_traps(ref: str) -> None:
    assert traps(parse(ref)) == []


def test_parsed_is_parse_or_none() -> None:
    """What rules use for images they judge only when valid: no exception for a refused or non-string value."""
    ref = parsed("nginx:1.27")
    assert ref is not None and (ref.name, ref.tag) == ("docker.io/library/nginx", "1.27")
    assert parsed("nginx:") is None
    assert parsed("Nginx") is None
    assert parsed(5) is None and parsed(None) is None
