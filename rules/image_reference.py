"""Image strings the kubelet refuses (``InvalidImageName``) or that are half-rendered templates."""

from __future__ import annotations

import re
from collections.abc import Iterable

from pullcheck.examples import deployment_example, pod_with_image
from pullcheck.finding import Finding
from pullcheck.imageref import InvalidReference, parse, traps
from pullcheck.model import Container, PodSpec, Resource
from pullcheck.nodes import scalar_type
from pullcheck.rule import ContainerRule, image_node

TEMPLATE_RESIDUE = re.compile(
    r"\{\{|\}\}|<no value>|%!\w?\((?:<nil>|[^)]*)\)|\$\{[^}]*\}?|\$\([^)]*\)?|\$[A-Za-z_][A-Za-z0-9_]*|^ko://"
)
# Controllers that substitute variables in images at run time, and the syntax they substitute.
RUNTIME_SUBSTITUTION = {
    "tekton.dev/": re.compile(r"\$\([^)]*\)"),
    "argoproj.io/": re.compile(r"\{\{[^}]*\}\}"),
}


def runtime_substituted(resource: Resource, image: str) -> bool:
    """Whether the image holds variables its controller fills in (Tekton ``$(params.x)``, Argo ``{{...}}``)."""
    for group, pattern in RUNTIME_SUBSTITUTION.items():
        if resource.api_version.startswith(group) and pattern.search(image):
            return True
    return False


def template_residue(image: str) -> re.Match[str] | None:
    """The first sign of an unrendered Helm/envsubst/ko template in an image string."""
    if not any(c in image for c in "{}<%$") and not image.startswith("ko://"):
        return None
    return TEMPLATE_RESIDUE.search(image)


class InvalidImageReference(ContainerRule):
    """An image the kubelet would refuse with InvalidImageName."""

    id = "invalid-image-reference"
    name = "InvalidImageReference"
    summary = "The image is not a valid reference: the kubelet refuses it with InvalidImageName."
    level = "error"
    tags = ("image", "correctness")
    security_severity = None
    what = """
        Parses every `image` with the exact grammar of the distribution/reference library that the
        kubelet uses, and reports the part that is wrong: a missing or empty image, a value that is
        not a string, upper case in the repository path, a scheme (`https://`), whitespace, an empty
        tag (`nginx:`), a malformed or unsupported digest, a path over 255 or a tag over 128
        characters. It also reports references that parse but cannot be what was meant: an
        upper-case first component read as a registry host (`MyOrg/app`), or a bare `host:port`
        read as a Docker Hub image with a numeric tag.
    """
    why = """
        The API server accepts any string in a pod template; the failure shows up only on each
        Pod, where the kubelet sets `InvalidImageName` and never retries successfully until the
        spec changes.
    """
    bad_example = deployment_example("containers:\n  - name: api\n    image: ghcr.io/Acme/API:1.0")
    good_example = deployment_example("containers:\n  - name: api\n    image: ghcr.io/acme/api:1.0")
    how_to_fix = "Write the reference as `[registry[:port]/]path[:tag][@sha256:digest]` with a lower-case path."

    def check_container(self, resource: Resource, pod: PodSpec, container: Container) -> Iterable[Finding]:
        """Report a missing, non-string, unparseable or misleading image."""
        node = container.image
        if node is None:
            if resource.images_required and not resource.partial:
                yield self.at(
                    resource, container.node, f'container "{container.name}" has no image', container=container
                )
            return
        if container.image_text is None:
            yield self.at(
                resource,
                node,
                f"image must be a string, not {_article(scalar_type(node))}",
                container=container,
            )
            return
        text = container.image_text
        if template_residue(text) or runtime_substituted(resource, text):
            return  # unrendered-template says it better, or the controller substitutes it
        try:
            ref = parse(text)
        except InvalidReference as err:
            yield self.at(resource, node, f'invalid image reference "{text}": {err.reason}', container=container)
            return
        for message, _pos in traps(ref):
            yield self.at(resource, node, f'image "{text}": {message}', container=container)


def _article(kind: str) -> str:
    return {
        "int": "an integer",
        "float": "a float",
        "bool": "a boolean",
        "null": "null",
        "mapping": "a mapping",
        "sequence": "a list",
    }.get(kind, f"a {kind}")


class UnrenderedTemplate(ContainerRule):
    """Template residue in an image."""

    id = "unrendered-template"
    name = "UnrenderedTemplate"
    summary = "The image still holds template syntax: the chart or envsubst was not rendered."
    level = "error"
    tags = ("image", "helm", "correctness")
    what = """
        Reports an image that contains `{{`, `}}`, `<no value>`, `%!s(<nil>)`, `${VAR}`, `$VAR`,
        `$(VAR)` or starts with `ko://`: the marks of a Helm chart applied without rendering, a value
        missing at render time, an `envsubst` or `ko resolve` step that never ran. Variables that
        the controller itself fills in at run time (Tekton `$(params.image)`, Argo Workflows
        `{{inputs.parameters.image}}`) are not reported.
    """
    why = "Such a string is not an image reference: the pod fails with `InvalidImageName` or pulls a wrong name."
    bad_example = pod_with_image('"nginx:<no value>"')
    good_example = pod_with_image('"nginx:1.27"')
    how_to_fix = "Render the template (`helm template`, `envsubst`) with every value set, and lint the output."

    def check_container(self, resource: Resource, pod: PodSpec, container: Container) -> Iterable[Finding]:
        """Report the first template residue in the image."""
        text = container.image_text
        if text is None or container.image is None:
            return
        m = template_residue(text)
        if m and not runtime_substituted(resource, text):
            yield self.at(
                resource,
                image_node(container),
                f'image "{text}" contains unrendered template text "{m.group()}"',
                container=container,
            )
