"""Cross-document facts of one run, built object by object and merged across worker processes.

Only small, picklable facts are kept (never nodes), so memory stays flat however many files a run
reads: the images used and where, and the ignore annotations of objects that carry one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from pullcheck.finding import ObjectRef, Span
from pullcheck.model import Resource
from pullcheck.pullfacts import PullFacts
from pullcheck.suppress import annotation_ignores


@dataclass(frozen=True, slots=True)
class ImageUse:
    """One container's image string and where it is written."""

    image: str
    path: str
    span: Span
    obj: ObjectRef
    container: str
    field: str
    helm_source: str | None
    doc: int


@dataclass(slots=True)
class Index:
    """Facts about every object of the run that rules reading the whole run need."""

    images: list[ImageUse] = field(default_factory=list)
    image_counts: Counter[str] = field(default_factory=Counter)
    ignores: dict[tuple[str, int, str], frozenset[str]] = field(default_factory=dict)
    pulls: PullFacts = field(default_factory=PullFacts)  # Secrets, ServiceAccounts, pods (pull secrets)

    def add(self, resource: Resource, namespace: str) -> None:
        """Record the facts of one object."""
        ref = resource.ref(namespace)
        ign = annotation_ignores(resource.annotations)
        if ign:
            self.ignores[(resource.path, resource.document.index, str(ref))] = ign
        self.pulls.add(resource, namespace)
        for _pod, c in resource.containers():
            text = c.image_text
            if text is None or c.image is None:
                continue
            self.images.append(
                ImageUse(
                    text,
                    resource.path,
                    resource.span(c.image),
                    ref,
                    c.name,
                    f"{c.field}.image",
                    resource.document.helm_source,
                    resource.document.index,
                )
            )
            self.image_counts[text] += 1

    def merge(self, other: Index) -> None:
        """Fold the facts of another (per-file) index into this one."""
        self.images.extend(other.images)
        self.image_counts.update(other.image_counts)
        self.ignores.update(other.ignores)
        self.pulls.merge(other.pulls)
