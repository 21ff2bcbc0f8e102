"""The base of rules that judge a container's valid image reference (tags, moves, the inventory).

An image that is missing, not a string or invalid is ``invalid-image-reference``'s; these rules
see only the images that parse.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from pullcheck.imageref import ImageRef, parsed
from pullcheck.rule import ContainerRule, image_node

if TYPE_CHECKING:
    from pullcheck.finding import Finding, Fix
    from pullcheck.model import Container, PodSpec, Resource


class ImageRule(ContainerRule):
    """A rule that looks at the parsed image of one container at a time."""

    def check_container(self, resource: Resource, pod: PodSpec, container: Container) -> Iterable[Finding]:
        """Run ``check_image`` on the container's image when it is a valid reference."""
        ref = parsed(container.image_text)
        if ref is not None:
            yield from self.check_image(resource, container, ref)

    def check_image(self, resource: Resource, container: Container, ref: ImageRef) -> Iterable[Finding]:
        """Findings for one container's valid image reference."""
        return ()

    def on_image(self, resource: Resource, container: Container, message: str, fix: Fix | None = None) -> Finding:
        """A finding of this rule on the container's image value."""
        return self.at(resource, image_node(container), message, container=container, fix=fix)
