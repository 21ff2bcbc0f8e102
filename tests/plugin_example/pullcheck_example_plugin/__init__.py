"""Example third-party rule: a team that forbids Alpine-based images."""

from __future__ import annotations

from collections.abc import Iterable

from pullcheck.finding import Finding
from pullcheck.model import Container, PodSpec, Resource
from pullcheck.rule import ContainerRule


class NoAlpine(ContainerRule):
    """Alpine images are not allowed here."""

    id = "example-no-alpine"
    name = "NoAlpine"
    summary = "Alpine-based images are not allowed in this organisation."
    level = "warning"
    what = "Reports images whose name or tag mentions alpine."
    why = "musl libc differs from what our services are tested on."
    how_to_fix = "Use the Debian-based variant."

    def check_container(self, resource: Resource, pod: PodSpec, container: Container) -> Iterable[Finding]:
        """Flag an image mentioning alpine."""
        text = container.image_text
        if text and "alpine" in text and container.image is not None:
            yield self.at(resource, container.image, f'image "{text}" is Alpine-based', container=container)
