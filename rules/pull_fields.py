"""The shape of the pull fields themselves: ``imagePullSecrets``, ``imagePullPolicy``, a Secret's data."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from pullcheck.examples import pod_with_image
from pullcheck.finding import Finding, Fix
from pullcheck.model import Container, PodSpec, Resource
from pullcheck.pullfields import (
    FieldError,
    check_around_pod_spec,
    check_container,
    check_pod_spec,
    check_secret,
    check_service_account,
)
from pullcheck.rule import ContainerRule, Rule


class PullFieldInvalid(Rule):
    """Pull fields that do not fit the API, checked against the bundled JSON Schema."""

    id = "pull-field-invalid"
    name = "PullFieldInvalid"
    summary = "A pull-related field does not fit the API: wrong case, wrong shape, wrong place, misspelled."
    level = "error"
    tags = ("pull-secrets", "schema")
    example_config = {"pull-secrets": {"external": ["regcred"]}}
    what = """
        Validates the pull-related fields of pod specs, containers, ServiceAccounts and Secrets with
        a bundled JSON Schema (`pullcheck/data/pull-fields.schema.json`): `imagePullPolicy` must be
        `Always`, `IfNotPresent` or `Never` (case matters); `imagePullSecrets` must be a list of
        `{name: ...}` and only on a pod spec or ServiceAccount (not on a container, not beside the
        pod template); misspelled keys such as `imagePullSecret`, `imagepullsecrets` or
        `pullPolicy`; a Secret's `data`/`stringData` values must be strings. Each error points at
        the offending key or value.
    """
    why = """
        The API server refuses these objects (`kubectl apply` fails with `Unsupported value` or
        `unknown field`), and where unknown fields are only dropped the pod runs without the pull
        secret or policy the author meant.
    """
    bad_example = pod_with_image(
        "registry.example.com/web:1.0", "imagePullPolicy: always", spec=("imagePullSecret:", "  - name: regcred")
    )
    good_example = pod_with_image(
        "registry.example.com/web:1.0", "imagePullPolicy: Always", spec=("imagePullSecrets:", "  - name: regcred")
    )
    how_to_fix = (
        "Use the exact field names and values of the Kubernetes API; the fix, when certain, rewrites the key or value."
    )

    def _finding(self, resource: Resource, err: FieldError) -> Finding:
        fix = Fix(err.fix, f"replace with {err.fix}") if err.fix is not None else None
        return self.at(resource, err.node, err.message, field=err.field, fix=fix)

    def check(self, resource: Resource) -> Iterable[Finding]:
        """Validate the pull fields of every pod spec, container, ServiceAccount and Secret of the object."""
        errors: Iterator[FieldError]
        if resource.kind == "ServiceAccount" and resource.api_version == "v1":
            errors = check_service_account(resource)
        elif resource.kind == "Secret" and resource.api_version == "v1":
            errors = check_secret(resource)
        else:
            errors = check_around_pod_spec(resource)
        for err in errors:
            yield self._finding(resource, err)
        for pod in resource.pod_specs:
            if pod.implicit:
                for c in pod.containers:
                    for err in check_container(c):
                        yield self._finding(resource, err)
            else:
                for err in check_pod_spec(pod):
                    yield self._finding(resource, err)


class PullPolicyNever(ContainerRule):
    """``imagePullPolicy: Never``."""

    id = "pull-policy-never"
    name = "PullPolicyNever"
    summary = "imagePullPolicy: Never starts the pod only where the image was preloaded."
    level = "note"
    tags = ("image", "availability")
    what = "Reports containers with `imagePullPolicy: Never`."
    why = """
        The kubelet never pulls the image: on any node where it was not preloaded (kind/minikube
        `image load`, a pre-baked node image) the container fails with `ErrImageNeverPull`.
    """
    bad_example = pod_with_image("web:dev", "imagePullPolicy: Never")
    good_example = pod_with_image("ghcr.io/acme/web:1.0", "imagePullPolicy: IfNotPresent")
    how_to_fix = (
        "Use `IfNotPresent` (or `Always`) with an image the nodes can pull, unless the image is preloaded on purpose."
    )

    def check_container(self, resource: Resource, pod: PodSpec, container: Container) -> Iterable[Finding]:
        """Report ``Never`` on the policy value."""
        node = container.pull_policy
        if node is not None and getattr(node, "value", None) == "Never":
            yield self.at(
                resource,
                node,
                f'imagePullPolicy Never: container "{container.name}" starts only on nodes where '
                f'"{container.image_text}" is already present, elsewhere it fails with ErrImageNeverPull',
                container=container,
                field=f"{container.field}.imagePullPolicy",
            )
