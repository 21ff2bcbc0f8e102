"""Images from a location that was frozen, deprecated or moved (`moved-registry`)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from pullcheck.catalogue import DOCKER_HUB, Move, catalogue, find_move
from pullcheck.examples import pod_with_image
from pullcheck.finding import Finding, Fix
from pullcheck.image_rule import ImageRule
from pullcheck.imageref import ImageRef
from pullcheck.kustomize import NAME
from pullcheck.model import Container, Resource
from pullcheck.rule import Context


def location(ref: ImageRef) -> str:
    """The repository as the table of moves writes locations, however the reference spells it: the
    host in lower case (DNS ignores case), without the HTTPS port, and Docker Hub's other hosts
    (``registry-1.docker.io``, ``index.docker.io``...) as ``docker.io`` with its ``library/``."""
    if not ref.registry:
        return ref.repository
    host, repo = ref.host.lower(), ref.repository
    if host in catalogue().docker_hub_hosts:
        return f"{DOCKER_HUB}/{repo if '/' in repo else 'library/' + repo}"
    return f"{host}/{repo}" if ref.port in (None, 443) else f"{host}:{ref.port}/{repo}"


def rewritten(ref: ImageRef, move: Move) -> str | None:
    """The reference at its new location when the move is one-to-one (same path and tags), else None."""
    if move.rewrite is None:
        return None
    out = move.rewrite + location(ref)[len(move.prefix) :]
    if ref.tag is not None:
        out += ":" + ref.tag
    if ref.digest is not None:
        out += "@" + ref.digest
    return out


class MovedRegistry(ImageRule):
    """An image from a frozen, deprecated or moved location."""

    id = "moved-registry"
    name = "MovedRegistry"
    summary = "The image comes from a registry or repository that was frozen, deprecated or moved."
    level = "warning"
    tags = ("image", "registry")
    judges = frozenset({NAME})
    options: ClassVar[dict[str, tuple[Any, str]]] = {
        "gcr-shutdown": (
            False,
            "also report every image on gcr.io / us. / eu. / asia.gcr.io (Container Registry shut down in "
            "2025; only projects not migrated to Artifact Registry fail, which cannot be told offline)",
        ),
    }
    what = """
        Reports an image under a location from the shipped table of moved registries
        (`k8s.gcr.io` -> `registry.k8s.io`, `gcr.io/google_containers`, the old `quay.io/coreos`
        repositories of Prometheus Operator, kube-state-metrics and flannel, the read-only
        `quay.io/kubernetes-ingress-controller`, `gcr.io/kubebuilder/kube-rbac-proxy`, the
        Kubernetes staging registries, Bitnami's Docker Hub and ECR Public catalogues), however the
        reference spells the location: `bitnami/redis`, `docker.io/bitnami/redis` and
        `registry-1.docker.io/bitnami/redis` are one repository, and so are `K8s.gcr.io/pause`
        and `k8s.gcr.io:443/pause` (DNS ignores case; 443 is the HTTPS port). The message says
        what moved where and when.
    """
    why = """
        A frozen location serves no new tags and may stop serving old ones: new versions fail with
        "manifest unknown", and redirects break egress allowlists and some clients.
    """
    bad_example = pod_with_image("k8s.gcr.io/pause:3.9")
    good_example = pod_with_image("registry.k8s.io/pause:3.9")
    how_to_fix = """
        Pull from the new location. Where the move is one-to-one (same repository path and tags:
        `k8s.gcr.io`, the Prometheus Operator and kube-state-metrics repositories) the finding
        carries a fix that `pullcheck --fix` applies; elsewhere pick the replacement the message
        names and check that your tag exists there.
    """

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.switched_on = frozenset(k for k, v in self.settings.items() if v is True)  # options set to true

    def check_image(self, resource: Resource, container: Container, ref: ImageRef) -> Iterable[Finding]:
        """Report an image under a moved location, with the rewrite when it is one-to-one."""
        move = find_move(location(ref), self.switched_on)
        if move is None:
            return
        target = rewritten(ref, move)
        advice = f'; use "{target}"' if target is not None else ""
        fix = Fix(target, f'move to "{target}"') if target is not None else None
        message = (
            f'image "{ref.raw}" comes from {move.prefix}, which moved to {move.to} ({move.when}): {move.what}{advice}'
        )
        yield self.on_image(resource, container, message, fix)
