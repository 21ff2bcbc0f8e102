"""Cross-document facts of one run, built object by object and merged across worker processes.

Only small, picklable facts are kept (never nodes), so memory stays flat however many files a run
reads: the images used and where, and the ignore annotations of objects that carry one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from pullcheck.finding import ObjectRef, Span
from pullcheck.model import Resource
from pullcheck.pullfacts import PullFacts, image_field
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
    ignores: dict[tuple[str, int, str], frozenset[str]] = field(default_factory=dict)
    pulls: PullFacts = field(default_factory=PullFacts)  # Secrets, ServiceAccounts, pods (pull secrets)
    # counted once, when a run-wide rule first asks: not per file, nor shipped from the workers
    _counts: Counter[str] | None = field(default=None, repr=False, compare=False)

    @property
    def image_counts(self) -> Counter[str]:
        """How often each image string is used in the run (keys in order of first use)."""
        if self._counts is None:
            self._counts = Counter(u.image for u in self.images)
        return self._counts

    def add(self, resource: Resource, namespace: str) -> None:
        """Record the facts of one object."""
        self._counts = None
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
                    image_field(c),
                    resource.document.helm_source,
                    resource.document.index,
                )
            )

    def merge(self, other: Index) -> None:
        """Fold the facts of another (per-file) index into this one."""
        self.images.extend(other.images)
        self._counts = None
        self.ignores.update(other.ignores)
        self.pulls.merge(other.pulls)
