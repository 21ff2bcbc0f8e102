"""kustomize's ``images:`` overrides, for manifests linted as written, before ``kustomize build``.

A Kustomization rewrites the images of every resource it builds: the files its ``resources``
(``bases``, ``components``) name, and what the kustomizations of the directories it names build,
transitively. An entry's ``name`` matches an image written as exactly that name, with or without a
tag or digest (kustomize's ``IsImageMatched``); ``newName`` replaces the name, ``newTag`` or
``digest`` the tag (``newTag: latest`` leaves it as mutable as it was), ``digest`` the digest. A finding about a part of an image that such an override replaces is about an
image that is never deployed (kubebuilder's ``controller:latest``, a base's untagged image), so the
engine drops it (``moot``); what the override writes is in the Kustomization for review.
"""

from __future__ import annotations

import os.path
import posixpath
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING

from pullcheck.nodes import MappingNode, SequenceNode, get, scalar_text
from pullcheck.records import record

if TYPE_CHECKING:
    from pullcheck.finding import Finding
    from pullcheck.model import Resource

FILE_NAMES = frozenset({"kustomization.yaml", "kustomization.yml", "Kustomization"})
_ENTRY_LISTS = ("resources", "bases", "components")
# The parts of an image a rule's findings are about: a rule lists them in ``judges``.
TAG, NAME, DIGEST = "tag", "name", "digest"


@record(frozen=True)
class Override:
    """One entry of a Kustomization's ``images:``: the name it matches and what it replaces."""

    name: str
    new_name: bool
    new_tag: str | None
    digest: bool

    def matches(self, image: str) -> bool:
        """Whether kustomize rewrites ``image``: the name, then nothing, a tag or a digest."""
        rest = image[len(self.name) :] if image.startswith(self.name) else None
        return rest is not None and (not rest or (rest[0] in ":@" and "/" not in rest))

    def replaces(self, parts: Iterable[str]) -> bool:
        """Whether it replaces any of these parts of the image."""
        replaced = {NAME: self.new_name, TAG: self.digest or self.new_tag not in (None, "latest"), DIGEST: self.digest}
        return any(replaced.get(p, False) for p in parts)


@record(frozen=True)
class KustomizationFact:
    """A kustomization file of the run: where it is, what it builds, which images it rewrites."""

    path: str
    entries: tuple[str, ...]
    images: tuple[Override, ...]


def is_kustomization(resource: Resource) -> bool:
    """``kind: Kustomization``, or a kustomization file written without a kind."""
    return resource.kind == "Kustomization" or (not resource.kind and posixpath.basename(resource.path) in FILE_NAMES)


def kustomization_fact(resource: Resource) -> KustomizationFact | None:
    """The fact of a kustomization (``is_kustomization``): what it builds, the images it rewrites."""
    if not is_kustomization(resource):
        return None
    entries: list[str] = []
    for key in _ENTRY_LISTS:
        seq = get(resource.node, key)
        if isinstance(seq, SequenceNode):
            entries += [t for item in seq.value if (t := scalar_text(item))]
    images: list[Override] = []
    seq = get(resource.node, "images")
    for item in seq.value if isinstance(seq, SequenceNode) else ():
        name = scalar_text(get(item, "name")) if isinstance(item, MappingNode) else None
        if name:
            new_tag = scalar_text(get(item, "newTag"))
            images.append(Override(name, get(item, "newName") is not None, new_tag, get(item, "digest") is not None))
    return KustomizationFact(resource.path, tuple(entries), tuple(images))


def overrides(facts: Iterable[KustomizationFact], files: Iterable[str]) -> dict[str, list[Override]]:
    """The overrides that apply to each file of the run (by its display path). Paths are compared
    absolute, so it does not matter from where, or through which ``..``, the files were named."""
    in_run = {os.path.abspath(f): f for f in files}
    by_dir = {os.path.dirname(os.path.abspath(f.path)): f for f in facts}
    out: dict[str, list[Override]] = {}
    for folder, fact in by_dir.items():
        if fact.images:
            for path in _built(folder, fact, by_dir, in_run, {folder}):
                out.setdefault(in_run[path], []).extend(fact.images)
    return out


def _built(
    folder: str, fact: KustomizationFact, by_dir: Mapping[str, KustomizationFact], in_run: Mapping[str, str], seen: set[str]
) -> Iterator[str]:
    """The (absolute) files of the run a kustomization in ``folder`` builds: those it names, and
    those the kustomizations of the directories it names build (each directory once: a cycle ends)."""
    for entry in fact.entries:
        target = os.path.normpath(os.path.join(folder, entry))
        if target in in_run:
            yield target
        elif target in by_dir and target not in seen:
            seen.add(target)
            yield from _built(target, by_dir[target], by_dir, in_run, seen)


def moot(findings: list[Finding], applying: Mapping[str, list[Override]], judges: Mapping[str, frozenset[str]]) -> list[Finding]:
    """The findings but those about a part of an image that an override of their file replaces."""
    out = []
    for f in findings:
        parts = judges.get(f.rule)
        found = applying.get(f.path) if parts and f.image else None
        if found and any(o.matches(f.image or "") and o.replaces(parts or ()) for o in found):
            continue
        out.append(f)
    return out
