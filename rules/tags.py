"""Images that name a moving target: no tag at all, ``:latest``, or another mutable tag."""

from __future__ import annotations

from collections.abc import Iterable

from pullcheck.examples import pod_with_image
from pullcheck.finding import Finding
from pullcheck.image_rule import ImageRule
from pullcheck.imageref import ImageRef
from pullcheck.kustomize import DIGEST, TAG
from pullcheck.model import Container, Resource
from pullcheck.nodes import scalar_text
from pullcheck.pullfields import POLICIES, pull_policy
from pullcheck.rule import Context


def written_policy(container: Container) -> str | None:
    """The container's imagePullPolicy when it is a valid one, else None (the API server's default
    applies: an absent or empty policy; an invalid one is pull-field-invalid's)."""
    policy = scalar_text(container.pull_policy)
    return policy if policy in POLICIES else None


class MissingImageTag(ImageRule):
    """Neither tag nor digest."""

    id = "missing-image-tag"
    name = "MissingImageTag"
    summary = "The image has neither tag nor digest, so the kubelet pulls `:latest`."
    level = "warning"
    tags = ("image", "reproducibility")
    judges = frozenset({TAG})
    what = "Reports an image written without a tag and without a digest."
    why = """
        The kubelet appends `:latest` and defaults `imagePullPolicy` to `Always`: every node pulls
        whatever was pushed last, a rollback cannot go back, and a registry outage or rate limit
        stops every restart.
    """
    bad_example = pod_with_image("nginx")
    good_example = pod_with_image("nginx:1.27.3")
    how_to_fix = "Pin a version tag, or better a digest (`nginx:1.27.3@sha256:...`)."

    def check_image(self, resource: Resource, container: Container, ref: ImageRef) -> Iterable[Finding]:
        """Report a reference without tag or digest."""
        if ref.tag is None and ref.digest is None:
            policy = pull_policy(scalar_text(container.pull_policy), ref)
            if policy == "IfNotPresent":
                what = f'uses "{ref.raw}:latest", pulled once per node (imagePullPolicy IfNotPresent): each node keeps the one it pulled first'
            elif policy == "Never":
                what = f'runs "{ref.raw}:latest" only on nodes that already hold it (imagePullPolicy Never)'
            else:
                what = f'pulls "{ref.raw}:latest" with imagePullPolicy Always'
            yield self.on_image(resource, container, f'image "{ref.raw}" has no tag: the kubelet {what}')


class LatestTag(ImageRule):
    """A mutable tag without a digest."""

    id = "latest-tag"
    name = "LatestTag"
    summary = "The image uses `:latest` or another mutable tag without a digest."
    level = "warning"
    tags = ("image", "reproducibility")
    judges = frozenset({TAG})
    what = """
        Reports an image whose tag is `latest`, or another tag listed in `mutable-tags` (at the top
        of `.pullcheck.yaml` or in this rule's options; the tags listed add to `latest`: teams often
        add `stable`, `main`, `master`, `dev`, `edge`, `nightly`). A reference pinned by digest is
        never reported.
    """
    why = """
        A mutable tag points at different images over time: nodes that pulled at different times run
        different code, and with `imagePullPolicy: IfNotPresent` a node may never see the new one.
    """
    bad_example = pod_with_image("nginx:latest")
    good_example = pod_with_image("nginx:1.27.3")
    how_to_fix = "Use a version tag or pin the digest (`image: nginx:latest@sha256:...` is accepted)."
    options = {
        "mutable-tags": (
            [],
            "tags that move, besides `latest` (also read from `mutable-tags` at the top of .pullcheck.yaml)",
        )
    }

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        # read once, not per image: the top-level list and this rule's own option
        self.mutable = ctx.config.mutable_tags | {str(t).lower() for t in self.settings["mutable-tags"]}

    def check_image(self, resource: Resource, container: Container, ref: ImageRef) -> Iterable[Finding]:
        """Report a mutable tag when no digest pins the image."""
        if ref.tag is None or ref.digest is not None:
            return
        if ref.tag.lower() in self.mutable:
            defaulted = ref.tag == "latest" and written_policy(container) is None
            extra = " (imagePullPolicy defaults to Always)" if defaulted else ""
            message = f'image "{ref.raw}" uses the mutable tag "{ref.tag}"{extra}; pin a version or digest'
            yield self.on_image(resource, container, message)


class DigestNotPinned(ImageRule):
    """A reference without a digest (opt-in policy)."""

    id = "digest-not-pinned"
    name = "DigestNotPinned"
    summary = "The image is not pinned by digest (opt-in policy)."
    level = "warning"
    enabled_by_default = False
    tags = ("image", "reproducibility", "supply-chain")
    judges = frozenset({DIGEST})
    what = """
        Reports every valid image reference without `@sha256:...`. Off by default: enable it with
        `rules: {digest-not-pinned: on}` where policy requires immutable references.
    """
    why = """
        Even a version tag can be re-pushed; only a digest names exactly one image, so every node
        runs the same bytes and a compromised registry cannot swap them.
    """
    bad_example = pod_with_image("nginx:1.27.3")
    good_example = pod_with_image(
        "nginx:1.27.3@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31"
    )
    how_to_fix = "Append the digest of the tag you tested (`crane digest`, `skopeo inspect`), or use `--fix --pin-digests` with an inventory."

    def check_image(self, resource: Resource, container: Container, ref: ImageRef) -> Iterable[Finding]:
        """Report a reference that has no digest."""
        if ref.digest is None:
            yield self.on_image(resource, container, f'image "{ref.raw}" is not pinned by digest')
