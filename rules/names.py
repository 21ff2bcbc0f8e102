"""Image names checked against the names that are known: typos (`image-typo`) and the allowlist (`registry-not-allowed`).

Both rules read the whole run (the names used elsewhere count as known), so they work in ``finish``
over the index; they share the run's typos (:mod:`pullcheck.run_typos`), as do the rules that stay
silent on them (:func:`reported_typos`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from pullcheck.catalogue import allowlist
from pullcheck.examples import pod_with_images
from pullcheck.finding import Finding, Fix
from pullcheck.imageref import parsed
from pullcheck.index import Index
from pullcheck.kustomize import NAME
from pullcheck.rule import Context, Rule
from pullcheck.run_typos import OPTIONS, run_typos
from pullcheck.typos import Typo


def _quoted(names: Iterable[str]) -> str:
    items = [f'"{n}"' for n in names]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


class ImageTypo(Rule):
    """A registry host or repository that is an unknown near miss of a known one."""

    id = "image-typo"
    name = "ImageTypo"
    summary = "The registry host or repository is not known but is one edit away from one that is."
    level = "error"
    tags = ("image", "typo")
    judges = frozenset({NAME})
    options = OPTIONS
    what = """
        Reports an image whose registry host, or whose repository path within its registry, is not
        known but is within one edit (Damerau-Levenshtein: insertion, deletion, substitution or
        transposition of adjacent characters) of a known one, and suggests it. Known names are the
        built-in catalogue (well-known registries and cloud registry patterns, Docker Hub official
        images, popular repositories), the config allowlist (`registries.allowed`, `images.allowed`)
        and the images used elsewhere in the same run, which count only when they are used more
        often than the unknown name and at least twice. A name listed in `images.known` (globs
        allowed) exists: it is never reported, and it makes no other name a typo.

        Differences that real, distinct names often have are never reported: digits only
        (`app-v1`/`app-v2`), separators only (`google_samples`/`google-samples`), an extra segment
        (`kube-proxy`/`kube-proxy-amd64`), and more than one edit (`redis`/`redict`).
    """
    why = """
        A mistyped registry or repository is the most common cause of `ErrImagePull` with
        "manifest unknown", "repository does not exist" or a DNS error, and it is found only when
        the pod is scheduled.
    """
    bad_example = pod_with_images(
        {"web": "ngnix:1.27.3", "metrics": "regsitry.k8s.io/kube-state-metrics/kube-state-metrics:v2.13.0"}
    )
    good_example = pod_with_images(
        {"web": "nginx:1.27.3", "metrics": "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.13.0"}
    )
    how_to_fix = """
        Use the suggested name (`pullcheck --fix` rewrites it when there is exactly one). If the
        name is right, add it to `images.known` in `.pullcheck.yaml` (names that exist: unlike
        `images.allowed`, it switches on no allowlist), or suppress the finding with
        `# pullcheck: ignore[image-typo]`.
    """

    def finish(self, index: Index) -> Iterable[Finding]:
        """Report every image use whose host or repository is a near miss of a known name."""
        typos = run_typos(self.ctx, index)
        for use in index.images:
            typo = typos.get(use.image)
            if typo is None:
                continue
            what = "registry host" if typo.part == "registry" else "repository"
            where = f" ({typo.source})" if typo.source else ""
            message = (
                f'{what} "{typo.written}" of image "{use.image}" is not known; '
                f"did you mean {_quoted(typo.suggestions)}?{where}"
            )
            fix = None
            if typo.replacement is not None:
                fix = Fix(typo.replacement, f'replace "{typo.written}" with "{typo.suggestions[0]}"')
            yield self.at_image_fact(use, message, fix=fix)


class RegistryNotAllowed(Rule):
    """With an allowlist configured, an image outside it that is not a typo."""

    id = "registry-not-allowed"
    name = "RegistryNotAllowed"
    summary = "The image comes from a registry or repository that the allowlist does not allow."
    level = "error"
    tags = ("image", "policy")
    judges = frozenset({NAME})
    what = """
        With `registries.allowed` (registry hosts, or name patterns such as `ghcr.io/acme/*`) or
        `images.allowed` (name patterns: `nginx`, `bitnami/*`, `docker.io/library/*`) set in
        `.pullcheck.yaml`, reports every image whose registry and name match none of them. `*`
        matches any run of characters, `/` included; short Docker Hub names are normalized first
        (`nginx` is `docker.io/library/nginx`). An image that `image-typo` reports (while it is
        enabled) is not reported again here. Silent when no allowlist is configured.
    """
    example_config: ClassVar[dict[str, Any]] = {
        "registries": {"allowed": ["registry.example.com", "ghcr.io/acme/*"], "public": ["registry.example.com"]}
    }
    bad_example = pod_with_images({"payments": "docker.io/someone/payments:1.4.2"}, name="payments")
    good_example = pod_with_images(
        {"payments": "registry.example.com/payments:1.4.2", "audit": "ghcr.io/acme/audit:2.0.1"}, name="payments"
    )
    why = """
        Clusters often pull only through an approved registry or mirror (admission policy, egress
        firewall, pull-through cache); an image from anywhere else fails to pull there, or
        bypasses the scanning the allowlist stands for.
    """
    how_to_fix = """
        Pull the image from an allowed registry (mirror it there), or extend `registries.allowed` /
        `images.allowed` if the source is acceptable.
    """

    def finish(self, index: Index) -> Iterable[Finding]:
        """Report image uses matched by no allowlist entry, except typos (reported by image-typo)."""
        allow = allowlist(self.ctx.config)
        if not allow.configured:
            return
        typos = reported_typos(self.ctx, index)
        keys = [k for k in ("registries.allowed", "images.allowed") if self.ctx.config.get(k)]
        for use in index.images:
            ref = parsed(use.image)
            if ref is None or allow.allows(ref) or typos.get(use.image) is not None:
                continue
            yield self.at_image_fact(
                use,
                f'image "{use.image}" is not allowed: neither its registry "{ref.registry}" nor its name '
                f'"{ref.name}" matches an entry of {" or ".join(keys)}',
            )


def reported_typos(ctx: Context, index: Index) -> dict[str, Typo | None]:
    """The typos ``image-typo`` reports in this run (none while it is off): the rules that judge an
    image's registry stay silent on them, since the name written is not the one meant."""
    return run_typos(ctx, index) if ctx.config.rule_level(ImageTypo) is not None else {}
