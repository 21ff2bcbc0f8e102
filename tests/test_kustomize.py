"""kustomize ``images:`` overrides: findings about a part of an image that a Kustomization of the
run replaces, in the files it builds, are moot (linting kustomize bases before ``kustomize build``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_cli
from pullcheck.kustomize import Override

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: controller-manager, namespace: system}
spec:
  selector: {matchLabels: {app: op}}
  template:
    metadata: {labels: {app: op}}
    spec:
      containers:
      - name: manager
        image: controller:latest
      - name: proxy
        image: gcr.io/kubebuilder/kube-rbac-proxy:v0.13.0
"""
FILES = {
    "config/manager/manager.yaml": DEPLOYMENT,
    # kubebuilder's layout: the manager's kustomization names the image it really deploys
    "config/manager/kustomization.yaml": (
        "resources:\n- manager.yaml\nimages:\n- name: controller\n  newName: ghcr.io/acme/operator\n  newTag: v1.2.3\n"
    ),
    # an overlay two directories away moves the proxy off its deprecated location (tag as written)
    "config/default/kustomization.yaml": (
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- ../manager\n"
        "images:\n- name: gcr.io/kubebuilder/kube-rbac-proxy\n  newName: quay.io/brancz/kube-rbac-proxy\n"
    ),
    "config/other/unbuilt.yaml": DEPLOYMENT,  # built by no kustomization: judged as written
}


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    for rel, text in FILES.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    return tmp_path


def findings(tree: Path, *args: str) -> list[tuple[str, str, int, int]]:
    res = run_cli("--format", "json", "--enable", "digest-not-pinned", *args, cwd=tree)
    return [(f["path"], f["rule"], f["line"], f["column"]) for f in json.loads(res.stdout)["findings"]]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_overridden_parts_are_moot_in_the_files_a_kustomization_builds(tree: Path, jobs: str) -> None:
    got = findings(tree, "--jobs", jobs)
    built = [(rule, line) for path, rule, line, _ in got if path == "config/manager/manager.yaml"]
    # controller:latest gets a new name and tag: only its missing digest is left; the proxy only a
    # new name: its moved location goes, its tag without a digest stays
    assert built == [("digest-not-pinned", 11), ("digest-not-pinned", 13)]
    unbuilt = [(rule, line) for path, rule, line, _ in got if path == "config/other/unbuilt.yaml"]
    assert unbuilt == [("digest-not-pinned", 11), ("latest-tag", 11), ("digest-not-pinned", 13), ("moved-registry", 13)]


def test_a_base_linted_alone_is_judged_as_written(tree: Path) -> None:
    got = findings(tree, "config/manager/manager.yaml")
    assert ("config/manager/manager.yaml", "latest-tag", 11, 16) in got


@pytest.mark.parametrize(
    ("image", "matched"),
    [
        ("controller", True), ("controller:latest", True), ("controller@sha256:" + "a" * 64, True),
        ("controller-manager:1", False), ("example.com/controller:1", False), ("controller/x:1", False),
    ],
)
def test_an_override_matches_the_name_as_written(image: str, matched: bool) -> None:
    assert Override("controller", new_name=True, new_tag=None, digest=False).matches(image) is matched


@pytest.mark.parametrize(
    ("override", "moot"),
    [
        ("newTag: v1.2.3", {"missing-image-tag", "latest-tag"}),
        ("newTag: latest", set()),  # as mutable as before: latest-tag stays
        ("digest: sha256:" + "a" * 64, {"missing-image-tag", "latest-tag", "digest-not-pinned"}),
        ("newName: ghcr.io/acme/operator", set()),
    ],
)
def test_what_an_override_replaces(tmp_path: Path, override: str, moot: set[str]) -> None:
    (tmp_path / "k").mkdir()
    (tmp_path / "k" / "d.yaml").write_text(DEPLOYMENT.replace("gcr.io/kubebuilder/kube-rbac-proxy:v0.13.0", "nginx:1.27"))
    (tmp_path / "k" / "kustomization.yaml").write_text(f"resources: [d.yaml]\nimages:\n- name: controller\n  {override}\n")
    every = {"latest-tag", "digest-not-pinned"}
    for cwd, target in ((tmp_path, "k"), (tmp_path / "k", "../k/"), (tmp_path / "k", str(tmp_path / "k"))):
        got = {rule for _path, rule, line, _col in findings(cwd, target) if line == 11}
        assert got == every - moot, (override, cwd, target)

