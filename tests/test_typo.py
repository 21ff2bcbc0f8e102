"""image-typo and registry-not-allowed: near misses of known names, the allowlist, and the real corpus."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from conftest import lint, lint_files, where
from pullcheck.catalogue import Allowlist, allowlist, catalogue, normalize_name_pattern
from pullcheck.config import Config
from pullcheck.imageref import parse
from pullcheck.sources import EXTENSIONS
from pullcheck.typos import KnownNames, benign_difference

ONLY_NAMES = {"rules": {"missing-pull-secret": "off", "dockerhub-rate-limit": "off", "latest-tag": "off"}}


def pod(*images: str, name: str = "web") -> str:
    """A Pod with one container per image (line of the n-th image: 8 + n)."""
    lines = ["apiVersion: v1", "kind: Pod", "metadata:", f"  name: {name}", "spec:", "  containers:"]
    for i, image in enumerate(images):
        lines += [f"    - name: c{i}", f"      image: {image}"]
    return "\n".join(lines) + "\n"


def docs(*texts: str) -> str:
    return "---\n".join(texts)


def typos(text: str, config: dict[str, object] | None = None) -> list:
    return [f for f in lint(text, {**ONLY_NAMES, **(config or {})}) if f.rule == "image-typo"]


# -- the catalogue -----------------------------------------------------------------------------


def test_catalogue_entries_are_valid_names() -> None:
    cat = catalogue()
    assert {"docker.io", "registry.k8s.io", "quay.io", "ghcr.io", "gcr.io", "mcr.microsoft.com", "public.ecr.aws",
            "nvcr.io", "registry.gitlab.com", "docker.elastic.co"} <= cat.hosts | cat.docker_hub_hosts
    assert "index.docker.io" in cat.docker_hub_hosts
    assert cat.is_known_host("123456789012.dkr.ecr.eu-west-1.amazonaws.com")
    assert cat.is_known_host("acme.azurecr.io")
    assert cat.is_known_host("us-central1-docker.pkg.dev")
    assert not cat.is_known_host("us-centrall-docker.pkg.dev")
    for registry, paths in cat.repositories.items():
        for path in paths:
            ref = parse(f"{registry}/{path}")
            assert ref.registry == registry, path
    for registry, spaces in cat.namespaces.items():
        for space in spaces:
            parse(f"{registry}/{space}/x")
    assert {"nginx", "redis", "busybox", "postgres"} <= cat.repositories["docker.io"]


# -- what is reported, where, with which fix ----------------------------------------------------


@pytest.mark.parametrize(
    ("image", "part", "suggestion", "fixed"),
    [
        ("ngnix:1.27.3", "ngnix", "nginx", "nginx:1.27.3"),
        ("docker.io/library/ngnix:1.27", "ngnix", "nginx", "docker.io/library/nginx:1.27"),
        ("gcr.oi/distroless/static:nonroot", "gcr.oi", "gcr.io", "gcr.io/distroless/static:nonroot"),
        ("regsitry.k8s.io/pause:3.9", "regsitry.k8s.io", "registry.k8s.io", "registry.k8s.io/pause:3.9"),
        ("docker.oi/nginx", "docker.oi", "docker.io", "docker.io/nginx"),
        ("quay.io/prometheus/node-exportr:v1.8.2", "prometheus/node-exportr", "prometheus/node-exporter",
         "quay.io/prometheus/node-exporter:v1.8.2"),
        ("bitnmai/redis:7.2", "bitnmai/redis", "bitnami/redis", "bitnami/redis:7.2"),
        # the namespace official images live in, when written out
        ("libary/nginx:1.27", "libary/nginx", "library/nginx", "library/nginx:1.27"),
        ("docker.io/libary/nginx:1.27", "libary/nginx", "library/nginx", "docker.io/library/nginx:1.27"),
        ("mirror.gcr.io/library/busybx:1.36", "busybx", "busybox", "mirror.gcr.io/library/busybox:1.36"),
        ("acme.azurecr.oi/app:1", "acme.azurecr.oi", "acme.azurecr.io", "acme.azurecr.io/app:1"),
        ("us-centrall-docker.pkg.dev/p/r/app:1", "us-centrall-docker.pkg.dev", "us-central1-docker.pkg.dev",
         "us-central1-docker.pkg.dev/p/r/app:1"),
        ("ngnix:1.27@sha256:" + "a" * 64, "ngnix", "nginx", "nginx:1.27@sha256:" + "a" * 64),
    ],
)
def test_typo_of_a_catalogued_name(image: str, part: str, suggestion: str, fixed: str) -> None:
    found = typos(pod(image))
    assert where(found) == [("image-typo", 8, 14)]
    f = found[0]
    assert f'"{part}"' in f.message and f'did you mean "{suggestion}"?' in f.message
    assert f.fix is not None and f.fix.replacement == fixed
    assert f.span.end_column == 14 + len(image)
    assert f.level == "error" and f.container == "c0" and f.image == image


def test_quoted_value_is_positioned_inside_the_quotes() -> None:
    found = typos(pod('"ngnix:1.27.3"'))
    assert where(found) == [("image-typo", 8, 15)]


def test_name_used_more_often_in_the_run_is_the_suggestion() -> None:
    text = docs(
        pod("ghcr.io/acme/payments-api:2.4.1", name="a"),
        pod("ghcr.io/acme/payments-api:2.4.0", name="b"),
        pod("ghcr.io/acme/payment-api:2.4.1", name="c"),
    )
    found = typos(text)
    assert where(found) == [("image-typo", 26, 14)]
    assert 'did you mean "acme/payments-api"? (used 2 times in this run)' in found[0].message
    assert found[0].fix is not None and found[0].fix.replacement == "ghcr.io/acme/payments-api:2.4.1"


def test_a_name_seen_several_times_is_never_the_typo_of_one_seen_once() -> None:
    many_then_one = docs(
        pod("ghcr.io/acme/payment-api:1", name="a"),
        pod("ghcr.io/acme/payment-api:2", name="b"),
        pod("ghcr.io/acme/payments-api:1", name="c"),
    )
    found = typos(many_then_one)
    assert [f.image for f in found] == ["ghcr.io/acme/payments-api:1"]  # the single use is the suspect
    assert typos(docs(pod("ghcr.io/acme/payment-api:1", name="a"), pod("ghcr.io/acme/payments-api:1", name="b"))) == []


@pytest.mark.parametrize(
    "images",
    [
        ("redict:7.4",),  # a real fork of redis, two edits away
        ("registry.k8s.io/kube-proxy-amd64:v1.10.0",),  # an extra segment
        ("acme/app-v1:1", "acme/app-v1:2", "acme/app-v1:3", "acme/app-v2:1"),  # versions
        ("python3:1",),
        ("gcr.io/google_samples/gb-frontend:v4", "gcr.io/google-samples/gb-frontend:v5",
         "gcr.io/google-samples/gb-frontend:v6"),  # separators only
        ("quay.io/argoproj/argocd:v2.9.0", "registry.k8s.io/pause:3.9", "nginx:1.27"),  # known names
        ("registry.acme.internal/ngnix:1",),  # never checked: private host, own name space
        ("localhost:5000/app:1", "registry:5000/app:1"),
        ("cgr.dev/chainguard/static:latest",),
    ],
)
def test_real_distinct_names_are_not_reported(images: tuple[str, ...]) -> None:
    assert typos(pod(*images)) == []


def test_ambiguous_suggestion_has_no_fix() -> None:
    found = typos(pod("ghr.io/acme/app:1"))
    assert where(found) == [("image-typo", 8, 14)]
    assert 'did you mean "gcr.io" or "ghcr.io"?' in found[0].message
    assert found[0].fix is None


def test_allowlist_entries_are_known_names() -> None:
    config = {"images": {"allowed": ["ghcr.io/acme/payments-api", "ghcr.io/acme/*"]}}
    found = typos(pod("ghcr.io/acme/payment-api:1", "ghcr.io/acmee/web:1"), config)
    assert [(f.span.line, f.fix.replacement if f.fix else None) for f in found] == [
        (8, "ghcr.io/acme/payments-api:1"),
        (10, "ghcr.io/acme/web:1"),
    ]
    assert "(allowed in the config)" in found[0].message
    assert '"acme/" is allowed in the config' in found[1].message


def test_an_exactly_allowed_name_is_never_a_typo() -> None:
    assert typos(pod("ngnix:1"), {"images": {"allowed": ["ngnix"]}}) == []
    assert typos(pod("gcr.oi/app:1"), {"registries": {"allowed": ["gcr.oi"]}}) == []


def test_comment_suppresses_a_run_wide_finding() -> None:
    text = pod("ngnix:1.27.3  # pullcheck: ignore[image-typo]")
    assert typos(text) == []


def test_thresholds_are_rule_options() -> None:
    assert typos(pod("redict:7.4"), {"rules": {"image-typo": {"max-distance": 2}}}) != []
    assert typos(pod("ngnix:1"), {"rules": {"image-typo": {"min-length": 6}}}) == []


def test_invalid_and_trap_references_are_left_to_their_rule() -> None:
    assert typos(pod("Ngnix:1", "Docker.io/nginx:1", "${REGISTRY}/ngnix:1")) == []


@pytest.mark.parametrize(
    ("a", "b", "benign"),
    [
        ("redis", "redict", False),
        ("app-v1", "app-v2", True),
        ("python", "python3", True),
        ("k8s", "ks", False),
        ("kube-proxy", "kube-proxy-amd64", True),
        ("google_samples", "google-samples", True),
        ("longhorn-manager", "longhornmanager", False),
        ("nginx", "ngnix", False),
    ],
)
def test_benign_differences(a: str, b: str, benign: bool) -> None:
    assert benign_difference(a, b) is benign


def test_separator_differences_count_in_host_names() -> None:
    assert benign_difference("registry.k8s.io", "registryk8s.io", host=True) is False
    known = KnownNames({})
    typo = known.typo(parse("registryk8s.io/pause:3.9"))
    assert typo is not None and typo.replacement == "registry.k8s.io/pause:3.9"


# -- registry-not-allowed -----------------------------------------------------------------------


def not_allowed(text: str, config: dict[str, object]) -> list:
    return [f for f in lint(text, {**ONLY_NAMES, **config}) if f.rule == "registry-not-allowed"]


def test_registry_not_allowed() -> None:
    config = {"registries": {"allowed": ["registry.example.com", "ghcr.io/acme/*"]}}
    text = pod("docker.io/someone/payments:1.4.2", "registry.example.com/payments:1.4.2", "ghcr.io/acme/payments:1.4.2",
               "ghcr.io/other/payments:1")
    found = not_allowed(text, config)
    assert where(found) == [("registry-not-allowed", 8, 14), ("registry-not-allowed", 14, 14)]
    assert 'its registry "docker.io"' in found[0].message and "registries.allowed" in found[0].message


def test_images_allowed_uses_docker_hub_short_names() -> None:
    config = {"images": {"allowed": ["nginx", "bitnami/*"]}}
    found = not_allowed(pod("nginx:1", "docker.io/library/nginx:1", "bitnami/redis:7", "redis:7"), config)
    assert [f.image for f in found] == ["redis:7"]
    assert 'its name "docker.io/library/redis"' in found[0].message


def test_a_typo_is_reported_as_a_typo_not_as_not_allowed() -> None:
    config = {"registries": {"allowed": ["registry.example.com"]}}
    text = pod("registry.exmaple.com/payments:1")
    findings = lint(text, {**ONLY_NAMES, **config})
    assert where(findings, "image-typo") == [("image-typo", 8, 14)]
    assert where(findings, "registry-not-allowed") == []
    off = {**config, "rules": {**ONLY_NAMES["rules"], "image-typo": "off"}}
    assert where(lint(text, off), "registry-not-allowed") == [("registry-not-allowed", 8, 14)]


def test_no_allowlist_no_finding() -> None:
    assert not_allowed(pod("docker.io/someone/x:1"), {}) == []


def test_allowlist_normalization() -> None:
    assert normalize_name_pattern("nginx") == "docker.io/library/nginx"
    assert normalize_name_pattern("bitnami/*") == "docker.io/bitnami/*"
    assert normalize_name_pattern("index.docker.io/nginx") == "docker.io/library/nginx"
    assert normalize_name_pattern("ghcr.io/acme/*") == "ghcr.io/acme/*"
    allow = allowlist(Config({"registries": {"allowed": ["Index.Docker.io", "*.azurecr.io"]}}))
    assert allow == Allowlist(("docker.io", "*.azurecr.io"), ())
    assert allow.allows(parse("nginx")) and allow.allows(parse("acme.azurecr.io/app"))
    assert not allow.allows(parse("quay.io/x/y"))


# -- the real corpus ----------------------------------------------------------------------------


def test_no_typo_reported_on_the_real_corpus(shared: Path) -> None:
    """The real corpus is believed typo-free: image-typo must stay silent on all of it (one run)."""
    files = sorted(p for p in (shared / "corpus" / "real").rglob("*") if p.is_file() and p.name.endswith(EXTENSIONS))
    assert len(files) > 1000
    config = {"rules": {r: "off" for r in ("missing-pull-secret", "dockerhub-rate-limit", "latest-tag",
                                          "missing-image-tag", "moved-registry")}}
    findings = lint_files(files, config)
    assert [f.message for f in findings if f.rule == "image-typo"] == []


def test_typo_injected_into_a_real_file_is_found(shared: Path, tmp_path: Path) -> None:
    src = shared / "corpus" / "real" / "kubernetes__kube-state-metrics" / "examples" / "standard" / "deployment.yaml"
    text = src.read_text()
    assert "registry.k8s.io/" in text
    bad = tmp_path / "deployment.yaml"
    bad.write_text(text.replace("registry.k8s.io/", "registry.k8s.oi/", 1))
    found = [f for f in lint_files([bad], ONLY_NAMES) if f.rule == "image-typo"]
    line = next(i for i, x in enumerate(textwrap.dedent(bad.read_text()).splitlines(), 1) if "registry.k8s.oi" in x)
    assert [(f.span.line, f.fix.replacement.split("/")[0] if f.fix else None) for f in found] == [(line, "registry.k8s.io")]


def test_a_known_name_is_no_typo_and_allows_nothing() -> None:
    """``images.known`` (what image-typo's advice points to) silences the typo without switching on
    the allowlist: ``images.allowed`` would make every other image a registry-not-allowed error."""
    text = pod("ngnix:1.27.3", "quay.io/prometheus/node-exporter:v1.8.2", "ghcr.io/acme/payment-api:1", "ghcr.io/acme/payments-api:1", "ghcr.io/acme/payments-api:2")
    assert {(f.rule, f.image) for f in lint(text) if f.level == "error"} == {
        ("image-typo", "ngnix:1.27.3"), ("image-typo", "ghcr.io/acme/payment-api:1")
    }
    known = {"images": {"known": ["ngnix:1.27.3", "ghcr.io/acme/payment-api"]}}  # a tag written is dropped
    assert [f for f in lint(text, known) if f.level == "error"] == []
    allowed = {"images": {"allowed": ["ngnix"]}}
    assert {(f.rule, f.image) for f in lint(text, allowed) if f.level == "error"} >= {
        ("registry-not-allowed", "quay.io/prometheus/node-exporter:v1.8.2")
    }
