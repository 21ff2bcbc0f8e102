"""Images checked against an offline registry inventory: unknown repositories, tags and digests
(`unknown-image-tag`), and digests to pin (`pin-digest`, the fix source of `--fix --pin-digests`)."""

from __future__ import annotations

from collections.abc import Iterable

from pullcheck.examples import pod_with_image, pod_with_images
from pullcheck.finding import Finding, Fix
from pullcheck.image_rule import ImageRule
from pullcheck.imageref import ImageRef
from pullcheck.inventory import Inventory, Repository, for_context
from pullcheck.inventory_suggest import familiar, suggest_repositories, suggest_tags
from pullcheck.kustomize import DIGEST, NAME, TAG
from pullcheck.model import Container, Resource
from pullcheck.rule import Context

_INVENTORY_DOC = """
        An inventory is a YAML or JSON file of the repositories, tags and digests that exist in your
        registries, exported by CI (`pullcheck inventory import --from skopeo|crane|regctl|docker|skopeo-inspect`,
        see docs/inventory.md), given with `--inventory FILE` or `inventory: [FILE]` in `.pullcheck.yaml`.
        Silent when no inventory is configured.
"""
_EXAMPLE_CONFIG = {"inventory": ["inventory.yaml"], "registries": {"public": ["registry.example.com"]}}
_EXAMPLE_FILES = {
    "inventory.yaml": """
        version: 1
        covers: ["registry.example.com/shop/*"]
        repositories:
          nginx:
            tags: {"1.25.3": "sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31", "v1.25": null}
          registry.example.com/shop/payments: ["2.4.0", "2.4.1"]
    """
}


class InventoryRule(ImageRule):
    """An image rule that reads the run's inventory (None when no inventory is configured)."""

    def __init__(self, ctx: Context) -> None:
        """Load the run's inventory once, here, so forked workers share it."""
        super().__init__(ctx)
        self.inventory: Inventory | None = for_context(ctx)


def _quoted(items: Iterable[str]) -> list[str]:
    return [f'"{i}"' for i in items]


class UnknownImageTag(InventoryRule):
    """With an inventory, a repository, tag or digest that does not exist there."""

    id = "unknown-image-tag"
    name = "UnknownImageTag"
    summary = "The image's repository, tag or digest is not in the configured registry inventory."
    level = "error"
    tags = ("image", "registry", "inventory")
    judges = frozenset({TAG, NAME})
    what = (
        """
        With an offline registry inventory configured, reports an image whose repository the
        inventory lists (or covers with a `covers:` pattern) but whose tag is not listed, whose
        digest is not listed, or whose repository is missing although a `covers:` pattern says
        the inventory speaks for it. Names are compared normalized (`nginx` is
        `docker.io/library/nginx`). An image without a tag is checked as `:latest`, the tag the
        kubelet pulls; an image with a digest is checked by its digest only, since the kubelet
        then ignores the tag. Repositories outside the inventory, or matched by an `ignore:`
        pattern, are not checked. The message names the closest existing tags (the same version
        more precise or with the other `v` convention, newest first, then by edit distance:
        `1.25` suggests `1.25.3` and `v1.25`) or repository names.
    """
        + _INVENTORY_DOC
    )
    example_config = _EXAMPLE_CONFIG
    example_files = _EXAMPLE_FILES
    bad_example = pod_with_images(
        {"web": "nginx:1.25", "payments": "registry.example.com/shop/paymnets:2.4.1"}, name="shop"
    )
    good_example = pod_with_images(
        {"web": "nginx:1.25.3", "payments": "registry.example.com/shop/payments:2.4.1", "cache": "redis:7.4.1"},
        name="shop",
    )
    why = """
        A tag that was never pushed, was deleted or is misspelled (`1.25` vs `v1.25`,
        `1.2.3-alpine` vs `1.2.3-alpine3.19`) passes every manifest check and fails only on the
        node, with `manifest unknown` / `ErrImagePull`, then `ImagePullBackOff`.
    """
    how_to_fix = """
        Use one of the suggested tags, push the missing one, or refresh the inventory if it is
        stale (re-run the export in CI). For a repository that the inventory should not judge,
        add it to the inventory's `ignore:` patterns.
    """

    def __init__(self, ctx: Context) -> None:
        """Load the inventory (see ``InventoryRule``) and start the caches of tag and repository suggestions."""
        super().__init__(ctx)
        self._tips: dict[tuple[str, str], list[str]] = {}  # (repository, tag) -> closest tags
        self._repository_tips: dict[str, list[str]] = {}  # unlisted repository -> closest listed ones

    def check_image(self, resource: Resource, container: Container, ref: ImageRef) -> Iterable[Finding]:
        """Report the image when the inventory says its repository, tag or digest does not exist."""
        inv = self.inventory
        if inv is None:
            return
        status = inv.status(ref.name)
        if status == "listed":
            message = self._missing(ref, inv.repositories[ref.name])
        elif status == "covered":
            message = self._unknown_repository(ref, inv)
        else:
            return
        if message is not None:
            yield self.on_image(resource, container, message)

    def _missing(self, ref: ImageRef, repo: Repository) -> str | None:
        """The message for a tag or digest of a listed repository that the inventory lacks, or None."""
        where = f"the inventory of {ref.familiar}"
        if ref.digest is not None:
            if ref.digest in repo.digests:
                return None
            known = repo.tags.get(ref.tag) if ref.tag is not None else None
            hint = f'; the inventory has tag "{ref.tag}" at {known}' if known is not None else ""
            return f'image "{ref.raw}": digest {ref.digest} is not in {where} (the pull would fail with "manifest unknown"){hint}'
        tag = ref.tag if ref.tag is not None else "latest"
        if tag in repo.tags:
            return None
        implicit = "" if ref.tag is not None else ' has no tag, so the kubelet pulls "latest", and'
        head = (
            f'image "{ref.raw}"{implicit}: tag "{tag}" is not in {where} (the pull would fail with "manifest unknown")'
        )
        tips = self._tag_tips(repo, tag)
        if tips:
            return f"{head}; closest tags: {', '.join(_quoted(tips))}"
        return f"{head}; it lists {len(repo.tags)} tag{'' if len(repo.tags) == 1 else 's'}"

    def _tag_tips(self, repo: Repository, tag: str) -> list[str]:
        key = (repo.name, tag)
        tips = self._tips.get(key)
        if tips is None:
            tips = self._tips[key] = suggest_tags(tag, repo)
        return tips

    def _unknown_repository(self, ref: ImageRef, inv: Inventory) -> str:
        """The message for a covered repository that the inventory does not list."""
        pattern = inv.covering(ref.name)
        head = f'image "{ref.raw}": repository {ref.name} is not in the inventory, which covers {pattern}'
        tips = self._repository_tips.get(ref.name)
        if tips is None:  # every container using the same unlisted repository asks the same
            tips = self._repository_tips[ref.name] = suggest_repositories(ref.name, inv)
        if tips:
            return f"{head}; did you mean {' or '.join(_quoted(familiar(t) for t in tips))}?"
        return head


class PinDigest(InventoryRule):
    """A tagged image whose digest the inventory knows: the fix pins it (`--fix --pin-digests`)."""

    id = "pin-digest"
    name = "PinDigest"
    summary = "The image's tag can be pinned to the digest the inventory records (`--fix --pin-digests`)."
    level = "note"
    enabled_by_default = False
    tags = ("image", "reproducibility", "inventory", "fix")
    judges = frozenset({TAG, NAME, DIGEST})
    what = (
        """
        The fix source behind `pullcheck --fix --pin-digests`: for every image written
        `repo:tag` whose tag the inventory lists with exactly one digest, a note whose fix
        rewrites the value to `repo:tag@sha256:...` (only that value changes; an image that has
        a digest already is left alone, so a second run changes nothing). `--pin-digests`
        switches it on; without `--fix` it only reports what would be pinned. Images without a
        tag, tags without a recorded digest, and tags that two inventories give different
        digests are not pinned.
    """
        + _INVENTORY_DOC
    )
    example_config = _EXAMPLE_CONFIG
    example_files = _EXAMPLE_FILES
    bad_example = pod_with_image("nginx:1.25.3")
    good_example = pod_with_images(
        {
            "web": "nginx:1.25.3@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31",
            "edge": "nginx:v1.25",
        }
    )
    why = """
        A tag can be re-pushed; a digest names exactly one image, so every node runs the same
        bytes. Pinning from the inventory records the digest CI saw, without a registry call.
    """
    how_to_fix = "Run `pullcheck --fix --pin-digests` with the inventory, or append the digest by hand."

    def check_image(self, resource: Resource, container: Container, ref: ImageRef) -> Iterable[Finding]:
        """Offer the digest of a tagged, unpinned image whose tag the inventory records with one digest."""
        inv = self.inventory
        if inv is None or ref.tag is None or ref.digest is not None or inv.status(ref.name) != "listed":
            return
        digest = inv.repositories[ref.name].tags.get(ref.tag)
        if digest is None:
            return
        pinned = f"{ref.raw}@{digest}"
        message = f'image "{ref.raw}" can be pinned to {digest} (tag "{ref.tag}" in the inventory)'
        yield self.on_image(resource, container, message, Fix(pinned, f'pin "{ref.raw}" to its digest {digest}'))
