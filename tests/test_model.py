"""Every pod spec and container is found, in core kinds and in custom resources, with exact positions."""

from __future__ import annotations

from pathlib import Path

import pytest

from pullcheck.loader import LoadOptions, load_text
from pullcheck.model import Resource, resources
from pullcheck.nodes import span_of

FIXTURES = Path(__file__).parent / "fixtures" / "model"


def _resources(name: str) -> list[Resource]:
    text = (FIXTURES / name).read_text()
    loaded = load_text(text, name, LoadOptions())
    assert loaded.findings == []
    return [r for d in loaded.documents for r in resources(d)]


def _containers(name: str) -> list[tuple[str, str, str, str | None, int, int]]:
    out = []
    for r in _resources(name):
        for _pod, c in r.containers():
            assert c.image is not None
            s = span_of(c.image, r.line_offset)
            out.append((r.kind, c.name, c.field, c.image_text, s.line, s.column))
    return out


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        (
            "argo-rollout.yaml",
            [("Rollout", "checkout", "spec.template.spec.containers[0]", "registry.example.com/shop/checkout:1.4.0", 17, 18)],
        ),
        (
            "knative-service.yaml",
            [("Service", "containers[0]", "spec.template.spec.containers[0]", "ghcr.io/knative/helloworld-go:latest", 9, 18)],
        ),
        (
            "keda-scaledjob.yaml",
            [
                ("ScaledJob", "worker", "spec.jobTargetRef.template.spec.containers[0]", "acme/queue-worker", 14, 20),
                ("ScaledJob", "wait", "spec.jobTargetRef.template.spec.initContainers[0]", "busybox:1.36", 11, 20),
            ],
        ),
        (
            "tekton-task.yaml",
            [
                ("Task", "clone", "spec.steps[0]", "alpine/git:2.45.2", 10, 14),
                ("Task", "build", "spec.steps[1]", "gcr.io/kaniko-project/executor", 13, 14),
                ("Task", "docker", "spec.sidecars[0]", "docker:27-dind", 16, 14),
            ],
        ),
        (
            "argo-workflow.yaml",
            [
                ("Workflow", "extract", "spec.templates[1].container", "python:3.12", 15, 16),
                ("Workflow", "transform", "spec.templates[2].script", "python:latest", 19, 16),
            ],
        ),
        (
            "list.yaml",
            [
                ("Pod", "a", "items[0].spec.containers[0]", "nginx:1.27", 12, 18),
                ("Pod", "debug", "items[0].spec.ephemeralContainers[0]", "busybox", 15, 18),
                ("StatefulSet", "db", "items[1].spec.template.spec.containers[0]", "postgres", 25, 22),
            ],
        ),
    ],
)
def test_containers_found(fixture: str, expected: list[tuple[str, str, str, str, int, int]]) -> None:
    assert sorted(_containers(fixture)) == sorted(expected)


def test_every_core_workload_kind() -> None:
    got = _containers("core-kinds.yaml")
    assert [(k, n, line) for k, n, _f, _i, line, _c in got] == [
        ("ReplicationController", "rc", 7),
        ("ReplicaSet", "rs", 15),
        ("DaemonSet", "ds", 23),
        ("Job", "job", 31),
        ("PodTemplate", "pt", 38),
    ]


def test_cronjob_and_pod_spec_fields() -> None:
    text = """\
apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
  namespace: jobs
spec:
  schedule: "@daily"
  jobTemplate:
    spec:
      template:
        spec:
          serviceAccountName: reporter
          imagePullSecrets: [{name: regcred}]
          containers:
            - name: report
              image: acme/report:1.0
"""
    loaded = load_text(text, "cj.yaml", LoadOptions())
    (res,) = resources(loaded.documents[0])
    (pod,) = res.pod_specs
    assert pod.field == "spec.jobTemplate.spec.template.spec"
    assert pod.service_account == "reporter"
    assert pod.image_pull_secrets is not None
    assert res.namespace == "jobs" and res.name == "nightly"
    assert [c.name for c in pod.containers] == ["report"]


def test_secrets_and_config_maps_have_no_pod_specs() -> None:
    text = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {containers: []}\n"
    loaded = load_text(text, "s.yaml", LoadOptions())
    (res,) = resources(loaded.documents[0])
    assert res.pod_specs == []


def test_generate_name_and_unnamed() -> None:
    loaded = load_text("kind: Pod\napiVersion: v1\nspec: {containers: [{name: a, image: 'x:1'}]}\n", "p.yaml", LoadOptions())
    (res,) = resources(loaded.documents[0])
    assert res.name == "<unnamed>"
    assert len(res.containers()) == 1
