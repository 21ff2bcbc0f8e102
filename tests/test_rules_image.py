"""invalid-image-reference and unrendered-template on real-world shapes, with exact positions."""

from __future__ import annotations

import pytest

from conftest import lint, where


def pod(image: str, kind: str = "Pod", api: str = "v1") -> str:
    return (
        f"apiVersion: {api}\nkind: {kind}\nmetadata: {{name: x}}\nspec:\n"
        f"  containers:\n  - name: c\n    image: {image}\n"
    )


@pytest.mark.parametrize(
    ("image", "rule", "column", "text"),
    [
        ("Registry.io/Team/App:1.0", "invalid-image-reference", 12, 'repository name "Team/App" must be lowercase'),
        ("https://ghcr.io/a/b:1", "invalid-image-reference", 12, 'scheme "https://"'),
        ('"nginx:"', "invalid-image-reference", 13, 'tag "" is empty'),
        ('"nginx@sha256:abc"', "invalid-image-reference", 13, "digest"),
        ("123", "invalid-image-reference", 12, "must be a string, not an integer"),
        ("[a]", "invalid-image-reference", 12, "must be a string, not a list"),
        ("~", "invalid-image-reference", 12, "must be a string, not null"),
        ('""', "invalid-image-reference", 13, "empty"),
        ("MyOrg/app:1.0", "invalid-image-reference", 12, "registry"),
        ('"registry.io:5000"', "invalid-image-reference", 13, "Docker Hub"),
        ('"{{ .Values.image }}"', "unrendered-template", 13, '"{{"'),
        ('"nginx:<no value>"', "unrendered-template", 13, '"<no value>"'),
        ('"acme/app:%!s(<nil>)"', "unrendered-template", 13, "%!s(<nil>)"),
        ("${IMAGE}", "unrendered-template", 12, "${IMAGE}"),
        ("acme/app:$TAG", "unrendered-template", 12, "$TAG"),
        ("ko://github.com/acme/cmd/app", "unrendered-template", 12, "ko://"),
    ],
)
def test_bad_images(image: str, rule: str, column: int, text: str) -> None:
    findings = lint(pod(image))
    assert where(findings) == [(rule, 7, column)]
    assert text in findings[0].message


def test_missing_image_in_whole_object_but_not_in_a_patch() -> None:
    whole = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  selector: {}\n  template:\n    spec:\n      containers:\n      - name: c\n"
    assert where(lint(whole)) == [("invalid-image-reference", 9, 9)]
    patch = whole.replace("  selector: {}\n", "")
    assert lint(patch) == []


@pytest.mark.parametrize(
    ("api", "kind", "spec", "expected"),
    [
        # ECK and CloudNativePG merge these containers by name into their own and set the image.
        ("elasticsearch.k8s.elastic.co/v1", "Elasticsearch",
         "  nodeSets:\n  - name: default\n    podTemplate:\n      spec:\n        containers:\n        - name: elasticsearch\n", []),
        ("postgresql.cnpg.io/v1", "Pooler",
         "  template:\n    spec:\n      containers:\n      - name: pgbouncer\n", []),
        # Knative and Argo Rollouts run the container as written: no image is a mistake.
        ("serving.knative.dev/v1", "Service",
         "  template:\n    spec:\n      containers:\n      - name: app\n", [("invalid-image-reference", 8, 9)]),
        ("argoproj.io/v1alpha1", "Rollout",
         "  template:\n    spec:\n      containers:\n      - name: app\n", [("invalid-image-reference", 8, 9)]),
    ],
)
def test_missing_image_only_where_no_operator_fills_it_in(api: str, kind: str, spec: str, expected: list[tuple[str, int, int]]) -> None:
    text = f"apiVersion: {api}\nkind: {kind}\nmetadata: {{name: x}}\nspec:\n{spec}"
    assert where(lint(text), "invalid-image-reference") == expected


def test_runtime_substitution_of_tekton_and_argo_is_not_reported() -> None:
    tekton = "apiVersion: tekton.dev/v1\nkind: Task\nmetadata: {name: t}\nspec:\n  steps:\n  - name: s\n    image: $(params.image)\n"
    assert lint(tekton) == []
    argo = (
        "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: w}\nspec:\n  templates:\n"
        "  - name: t\n    container:\n      image: '{{inputs.parameters.image}}'\n"
    )
    assert lint(argo) == []
    assert where(lint(pod("$(params.image)"))) == [("unrendered-template", 7, 12)]


def test_valid_references_are_quiet() -> None:
    for image in ("nginx:1.27", "registry.k8s.io/pause:3.10", "localhost:5000/app:1", "ghcr.io/a/b@sha256:" + "0" * 64):
        assert lint(pod(image)) == [], image


def test_tag_messages_follow_the_pull_policy_written() -> None:
    """What the kubelet does with a missing or latest tag depends on the policy: only an absent (or
    empty) one defaults to Always."""
    text = """\
        apiVersion: v1
        kind: Pod
        metadata: {name: p}
        spec:
          containers:
          - {name: a, image: nginx, imagePullPolicy: Never}
          - {name: b, image: nginx, imagePullPolicy: IfNotPresent}
          - {name: c, image: nginx, imagePullPolicy: ""}
          - {name: d, image: "nginx:latest", imagePullPolicy: IfNotPresent}
          - {name: e, image: "nginx:latest"}
        """
    got = [(f.rule, f.span.line, f.message) for f in lint(text) if f.rule in ("missing-image-tag", "latest-tag")]
    assert got == [
        ("missing-image-tag", 6, 'image "nginx" has no tag: the kubelet runs "nginx:latest" only on nodes that already hold it (imagePullPolicy Never)'),
        ("missing-image-tag", 7, 'image "nginx" has no tag: the kubelet uses "nginx:latest", pulled once per node (imagePullPolicy IfNotPresent): each node keeps the one it pulled first'),
        ("missing-image-tag", 8, 'image "nginx" has no tag: the kubelet pulls "nginx:latest" with imagePullPolicy Always'),
        ("latest-tag", 9, 'image "nginx:latest" uses the mutable tag "latest"; pin a version or digest'),
        ("latest-tag", 10, 'image "nginx:latest" uses the mutable tag "latest" (imagePullPolicy defaults to Always); pin a version or digest'),
    ]


def test_operator_resources_that_name_their_own_image() -> None:
    """OpenTelemetryCollector, Tekton StepAction and LitmusChaos ChaosExperiment images (and the
    collector's extra container lists) are linted like containers'; a GKE WorkloadAllowlist's
    ``containers`` are patterns that never run."""
    text = """\
        apiVersion: opentelemetry.io/v1beta1
        kind: OpenTelemetryCollector
        metadata: {name: otel}
        spec:
          image: otel/opentelemetry-collector-contrib:latest
          additionalContainers:
          - {name: side, image: busybox}
          initContainers:
          - {name: init, image: "alpine:latest"}
        ---
        apiVersion: tekton.dev/v1beta1
        kind: StepAction
        metadata: {name: bash}
        spec: {image: mirror.gcr.io/bash, script: echo hi}
        ---
        apiVersion: litmuschaos.io/v1alpha1
        kind: ChaosExperiment
        metadata: {name: pod-delete}
        spec:
          definition: {image: "litmuschaos/go-runner:latest", imagePullPolicy: Always}
        ---
        apiVersion: auto.gke.io/v1
        kind: WorkloadAllowlist
        metadata: {name: slurm}
        matchingCriteria:
          containers:
          - {name: slurm, image: "us-docker.pkg.dev/x/y:latest"}
        """
    got = [(f.rule, f.span.line, f.span.column, f.container, f.field) for f in lint(text) if f.rule in ("missing-image-tag", "latest-tag")]
    assert got == [
        ("latest-tag", 5, 10, "otel", "spec.image"),
        ("missing-image-tag", 7, 25, "side", "spec.additionalContainers[0].image"),
        ("latest-tag", 9, 26, "init", "spec.initContainers[0].image"),
        ("missing-image-tag", 14, 15, "bash", "spec.image"),
        ("latest-tag", 20, 24, "pod-delete", "spec.definition.image"),
    ]


def test_istio_injected_proxy_placeholder_is_not_an_image() -> None:
    """Istio's injector writes the whole istio-proxy container: "image: auto" there is no image."""
    text = """\
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: gw}
        spec:
          selector: {matchLabels: {app: gw}}
          template:
            metadata: {annotations: {inject.istio.io/templates: gateway}}
            spec:
              containers:
              - {name: istio-proxy, image: auto}
              - {name: other, image: auto}
        """
    assert where(lint(text)) == [("missing-image-tag", 11, 30)]
