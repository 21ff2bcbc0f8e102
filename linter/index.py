"""Cross-document facts of one run, built object by object and merged across worker processes.

Only small, picklable facts are kept (never nodes), so memory stays flat however many files a run
reads: the images used and where, and the ignore annotations of objects that carry one.
"""

from __future__ import annotations

from collections import Counter

from pullcheck.kustomize import KustomizationFact, kustomization_fact
from pullcheck.model import Resource
from pullcheck.pullfacts import ContainerFact, PullFacts, container_fact
from pullcheck.records import field, record
from pullcheck.suppress import annotation_ignores

ImageUse = ContainerFact  # one container's image string and where it is written (path, span, obj...)


@record
class Index:
    """Facts about every object of the run that rules reading the whole run need."""

    images: list[ImageUse] = field(default_factory=list)
    ignores: dict[tuple[str, int, str], frozenset[str]] = field(default_factory=dict)
    pulls: PullFacts = field(default_factory=PullFacts)  # Secrets, ServiceAccounts, pods (pull secrets)
    kustomizations: list[KustomizationFact] = field(default_factory=list)  # their image overrides

    @property
    def image_counts(self) -> Counter[str]:
        """How often each image string is used in the run (keys in order of first use); counted when
        a run-wide rule asks (``run_typos``, once per run), not per file nor shipped from workers."""
        return Counter(u.image for u in self.images)

    def add(self, resource: Resource, namespace: str) -> None:
        """Record the facts of one object."""
        ref = resource.ref(namespace)
        ign = annotation_ignores(resource.annotations)
        if ign:
            self.ignores[(resource.path, resource.document.index, str(ref))] = ign
        # one fact per container, shared by the pod's pull facts and the run's image uses
        facts = {id(c): f for _pod, c in resource.containers() if (f := container_fact(resource, c, namespace)) is not None}
        self.pulls.add(resource, namespace, facts)
        self.images.extend(facts.values())
        kustomization = kustomization_fact(resource)
        if kustomization is not None:
            self.kustomizations.append(kustomization)

    def merge(self, other: Index) -> None:
        """Fold the facts of another (per-file) index into this one."""
        self.images.extend(other.images)
        self.ignores.update(other.ignores)
        self.pulls.merge(other.pulls)
        self.kustomizations.extend(other.kustomizations)
