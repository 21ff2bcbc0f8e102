"""moved-registry: the shipped table of frozen, deprecated and moved locations."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import lint, where
from pullcheck.catalogue import find_move, moves

QUIET = {"rules": {"missing-pull-secret": "off", "dockerhub-rate-limit": "off"}}


def pod(image: str) -> str:
    return f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n      image: {image}\n"


def moved(image: str, config: dict[str, object] | None = None) -> list:
    merged = {**QUIET, **(config or {})}
    return [f for f in lint(pod(image), merged) if f.rule == "moved-registry"]


@pytest.mark.parametrize(
    ("image", "fixed"),
    [
        ("k8s.gcr.io/pause:3.9", "registry.k8s.io/pause:3.9"),
        ("k8s.gcr.io/ingress-nginx/controller:v1.8.1@sha256:" + "b" * 64,
         "registry.k8s.io/ingress-nginx/controller:v1.8.1@sha256:" + "b" * 64),
        ("quay.io/coreos/kube-state-metrics:v1.9.7", "registry.k8s.io/kube-state-metrics/kube-state-metrics:v1.9.7"),
        ("quay.io/coreos/prometheus-operator:v0.42.1", "quay.io/prometheus-operator/prometheus-operator:v0.42.1"),
        ("quay.io/coreos/prometheus-config-reloader:v0.42.1",
         "quay.io/prometheus-operator/prometheus-config-reloader:v0.42.1"),
        # the same locations spelled otherwise: DNS ignores case, 443 is the HTTPS port
        ("K8s.GCR.io/pause:3.9", "registry.k8s.io/pause:3.9"),
        ("k8s.gcr.io:443/pause:3.9", "registry.k8s.io/pause:3.9"),
    ],
)
def test_one_to_one_moves_carry_a_fix(image: str, fixed: str) -> None:
    found = moved(image)
    assert where(found) == [("moved-registry", 8, 14)]
    f = found[0]
    assert f.level == "warning"
    assert f.fix is not None and f.fix.replacement == fixed
    assert f'use "{fixed}"' in f.message


def test_message_says_what_moved_where_and_when() -> None:
    (f,) = moved("k8s.gcr.io/pause:3.9")
    assert f.message.startswith('image "k8s.gcr.io/pause:3.9" comes from k8s.gcr.io, which moved to registry.k8s.io (2023-04-03)')
    assert "frozen on 2023-04-03" in f.message


@pytest.mark.parametrize(
    ("image", "words"),
    [
        ("bitnami/redis:7.2.4", ("docker.io/bitnami", "bitnamilegacy", "2025-08-28")),
        ("docker.io/bitnami/postgresql:16.4.0", ("docker.io/bitnami", "bitnamilegacy", "2025-08-28")),
        ("public.ecr.aws/bitnami/redis:7", ("public.ecr.aws/bitnami", "2026-06-10")),
        ("quay.io/coreos/flannel:v0.15.1", ("docker.io/flannel/flannel", "v0.17.0")),
        ("quay.io/kubernetes-ingress-controller/nginx-ingress-controller:0.33.0",
         ("registry.k8s.io/ingress-nginx/controller", "0.33.0")),
        ("gcr.io/kubebuilder/kube-rbac-proxy:v0.16.0", ("quay.io/brancz/kube-rbac-proxy", "2025-03-18")),
        ("gcr.io/google_containers/nginx", ("registry.k8s.io", "2020")),
        ("gcr.io/google-containers/prometheus-to-sd:v0.5.0", ("registry.k8s.io", "2020")),
        ("gcr.io/k8s-staging-metrics-server/metrics-server:master", ("gcr.io/k8s-staging-*", "registry.k8s.io")),
    ],
)
def test_moves_without_a_certain_rewrite(image: str, words: tuple[str, ...]) -> None:
    found = moved(image)
    assert where(found) == [("moved-registry", 8, 14)]
    assert found[0].fix is None
    for w in words:
        assert w in found[0].message


@pytest.mark.parametrize(
    "image",
    [
        "registry.k8s.io/pause:3.9",
        "quay.io/coreos/etcd:v3.5.0",  # coreos/etcd did not move
        "quay.io/coreos/prometheus-operator-lint:v1",  # prefix stops at a path boundary
        "k8s.gcr.io.example.com/pause:3.9",
        "bitnamilegacy/redis:7.2.4",
        "gcr.io/google-samples/hello-app:1.0",  # gcr.io itself only with the gcr-shutdown option
        "k8s.gcr.io:5000/pause:3.9",  # another port is another registry
    ],
)
def test_not_moved(image: str) -> None:
    assert moved(image) == []


@pytest.mark.parametrize(
    "image", ["bitnami/redis:7.2", "registry-1.docker.io/bitnami/redis:7.2", "index.docker.io/bitnami/redis:7.2",
              "registry.hub.docker.com/bitnami/redis:7.2", "docker.io/bitnami/redis:7.2"],
)
def test_every_docker_hub_host_is_docker_hub(image: str) -> None:
    (f,) = moved(image)
    assert (f.rule, f.span.line, f.span.column) == ("moved-registry", 8, 14) and "comes from docker.io/bitnami," in f.message


def test_gcr_shutdown_is_an_option() -> None:
    found = moved("gcr.io/acme-prod/api:1.0", {"rules": {"moved-registry": {"gcr-shutdown": True}}})
    assert where(found) == [("moved-registry", 8, 14)]
    assert "Artifact Registry" in found[0].message and "2025-03-18" in found[0].message
    assert moved("eu.gcr.io/acme-prod/api:1.0", {"rules": {"moved-registry": {"gcr-shutdown": True}}}) != []
    # a more specific row still wins over the option row
    (f,) = moved("gcr.io/kubebuilder/kube-rbac-proxy:v0.16.0", {"rules": {"moved-registry": {"gcr-shutdown": True}}})
    assert "kube-rbac-proxy" in f.message and "Kubebuilder" in f.message


def test_most_specific_row_first() -> None:
    m = find_move("gcr.io/google_containers/pause")
    assert m is not None and m.prefix == "gcr.io/google_containers"
    assert find_move("gcr.io/acme/api") is None
    assert find_move("gcr.io/acme/api", frozenset({"gcr-shutdown"})) is not None


def test_level_is_configurable() -> None:
    found = moved("k8s.gcr.io/pause:3.9", {"rules": {"moved-registry": "error"}})
    assert found[0].level == "error"


def test_table_follows_the_shared_reference(shared: Path) -> None:
    """Every shipped row names a location of the reference table, and its dates appear there."""
    reference = (shared / "reference" / "moved-registries.md").read_text()
    for m in moves():
        location = m.prefix.rstrip("*")
        if location in ("us.gcr.io", "eu.gcr.io", "asia.gcr.io"):
            location = "{us,eu,asia}.gcr.io"  # written as one brace pattern there
        assert location in reference, location
        for date in re.findall(r"\d{4}-\d{2}-\d{2}", m.what + " " + m.when):
            assert date in reference, (m.prefix, date)
