"""Merge the observations of every dump into one record per failing container.

A container fails when its status waits with a pull reason (``ErrImagePull``, ``ImagePullBackOff``,
``InvalidImageName``...). When no dump has its status, its events decide: pull failures not
followed by a later ``Pulled``. Events without a container (``kubectl describe`` has no
``fieldPath``) are matched by the image they quote; pod-wide events
(``FailedToRetrieveImagePullSecret``) are added to every failing container of the pod.
"""

from __future__ import annotations

import re
from datetime import datetime

from pullcheck.diagnose.inputs import CONTAINER_KINDS, ContainerObs, Dump, EventObs, PodObs
from pullcheck.imageref import parsed
from pullcheck.records import field, record, replace

#: ``state.waiting.reason`` values of the kubelet's image manager (image-references.md §7).
PULL_REASONS = frozenset(
    {
        "ErrImagePull",
        "ImagePullBackOff",
        "InvalidImageName",
        "ImageInspectError",
        "ErrImageNeverPull",
        "RegistryUnavailable",
        "SignatureValidationFailed",
    }
)
POD_WIDE_REASONS = frozenset({"FailedToRetrieveImagePullSecret"})
_ERROR_EVENT = re.compile(r"^Error: (\w+)\s*$")
_IMAGE_IN_MESSAGE = re.compile(r'image(?: tag)? "((?:[^"\\]|\\.)*)"')
Slot = tuple[str | None, ...]
_EVENT_REASON = {"Failed": "ErrImagePull", "BackOff": "ImagePullBackOff", "ErrImagePull": "ErrImagePull", "ErrImageNeverPull": "ErrImageNeverPull"}


@record
class Clue:
    """One piece of evidence: a message (or a bare reason) and where it was read."""

    text: str
    reason: str | None
    where: str
    count: int = 1


@record
class Failure:
    """One failing container with everything the dumps said about it."""

    namespace: str
    pod: str
    container: str | None
    container_kind: str
    image: str | None
    reason: str
    image_id: str | None = None
    owners: list[tuple[str, str]] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    pull_secrets: list[str] = field(default_factory=list)
    clues: list[Clue] = field(default_factory=list)
    reasons: set[str] = field(default_factory=set)

    def add(self, clue: Clue) -> None:
        """Add a clue and its reason, folding repeats of the same text into one with their counts summed."""
        if clue.reason:
            self.reasons.add(clue.reason)
        for c in self.clues:
            if c.text == clue.text:
                c.count += clue.count
                return
        self.clues.append(clue)


@record
class Collected:
    """The failing containers of all dumps, and how much was read."""

    failures: list[Failure]
    pods: int
    containers: int


def is_failure_event(ev: EventObs) -> bool:
    """Whether an event reports a failed pull (not a crash back-off, not a probe)."""
    if ev.reason == "Failed":
        m = _ERROR_EVENT.match(ev.message)
        return ev.message.startswith(("Failed to pull image", "Failed to inspect image")) or bool(m and m.group(1) in PULL_REASONS)
    if ev.reason == "BackOff":
        return ev.message.startswith("Back-off pulling image")
    return ev.reason in ("ErrImagePull", "ErrImageNeverPull", "InspectFailed")


def image_in(message: str) -> str | None:
    """The image an event message quotes (``Failed to pull image "X": ...``), or None."""
    m = _IMAGE_IN_MESSAGE.search(message)
    return m.group(1).replace('\\"', '"') if m else None


def same_image(a: str | None, b: str | None) -> bool:
    """Whether two image strings name the same image (``nginx:1`` and ``docker.io/library/nginx:1``)."""
    if a is None or b is None:
        return False
    if a == b:
        return True
    ra, rb = parsed(a), parsed(b)
    if ra is None or rb is None:
        return False
    tag_a = ra.tag if ra.tag or ra.digest else "latest"
    tag_b = rb.tag if rb.tag or rb.digest else "latest"
    return ra.name == rb.name and tag_a == tag_b and ra.digest == rb.digest


def _merge_pods(dumps: list[Dump]) -> dict[tuple[str, str], PodObs]:
    pods: dict[tuple[str, str], PodObs] = {}
    for d in dumps:
        for p in d.pods:
            key = (p.namespace, p.name)
            have = pods.get(key)
            if have is None:
                pods[key] = replace(p, owners=list(p.owners), labels=dict(p.labels), pull_secrets=list(p.pull_secrets),
                                    containers=[replace(c) for c in p.containers])
                continue
            have.owners += [o for o in p.owners if o not in have.owners]
            have.labels.update(p.labels)
            have.pull_secrets += [s for s in p.pull_secrets if s not in have.pull_secrets]
            have.has_status = have.has_status or p.has_status
            for c in p.containers:
                mine = next((x for x in have.containers if x.name == c.name and x.kind == c.kind), None)
                if mine is None:
                    have.containers.append(c)
                    continue
                mine.image = mine.image or c.image
                mine.image_id = mine.image_id or c.image_id
                if c.state and (mine.state is None or _failing_state(c)):
                    mine.state, mine.reason, mine.message, mine.where = c.state, c.reason, c.message or mine.message, c.where
    return pods


def _failing_state(c: ContainerObs) -> bool:
    return c.state == "waiting" and c.reason in PULL_REASONS


def collect(dumps: list[Dump]) -> Collected:
    """Every failing container of the dumps, ordered by namespace, pod, container kind and name."""
    pods = _merge_pods(dumps)
    namespaces: dict[str, set[str]] = {}
    for ns, name in pods:
        namespaces.setdefault(name, set()).add(ns)
    events: dict[tuple[str, str], list[EventObs]] = {}
    for d in dumps:
        for ev in d.events:
            if not ev.namespace:  # an events table without NAMESPACE: the pod's, when one pod has the name
                spaces = namespaces.get(ev.pod, set())
                ev.namespace = next(iter(spaces)) if len(spaces) == 1 else "default"
            events.setdefault((ev.namespace, ev.pod), []).append(ev)
    failures: list[Failure] = []
    containers = sum(len(p.containers) for p in pods.values())
    keys = sorted(set(pods) | set(events))
    for key in keys:
        pod = pods.get(key)
        found = _pod_failures(key, pod, events.get(key, []))
        if pod is None:
            containers += len({(f.container, f.image) for f in found})
        failures.extend(found)
    return Collected(failures, len(keys), containers)


def _pod_failures(key: tuple[str, str], pod: PodObs | None, events: list[EventObs]) -> list[Failure]:
    """The failing containers of one pod, from its statuses (when known) and its events."""
    ns, name = key
    known = pod.containers if pod is not None else []
    entries: dict[Slot, Failure] = {}
    origin: dict[Slot, ContainerObs | None] = {}

    def entry(slot: Slot, c: ContainerObs | None, image: str | None = None, kind: str | None = None, cname: str | None = None) -> Failure:
        f = entries.get(slot)
        if f is None:
            f = Failure(ns, name, c.name if c else cname, c.kind if c else (kind or "container"), (c.image if c else None) or image, "")
            if c is not None:
                f.image_id = c.image_id
            if pod is not None:
                f.owners, f.labels, f.pull_secrets = list(pod.owners), dict(pod.labels), list(pod.pull_secrets)
            entries[slot] = f
            origin[slot] = c
        return f

    for c in known:
        if _failing_state(c):
            f = entry(("c", c.kind, c.name), c)
            f.reason = c.reason or ""
            f.add(Clue(c.message or c.reason or "", c.reason, c.where or (pod.source if pod else "")))
    failed: dict[Slot, list[EventObs]] = {}
    pulled: dict[Slot, list[EventObs]] = {}
    targets: dict[Slot, ContainerObs | None] = {}
    stray: list[EventObs] = []
    pod_wide: list[EventObs] = []
    last: Slot | None = None
    for ev in events:
        if ev.reason in POD_WIDE_REASONS:
            pod_wide.append(ev)
            continue
        fail, ok = is_failure_event(ev), ev.reason == "Pulled"
        if not (fail or ok):
            continue
        img = image_in(ev.message)
        if ev.container is None and img is None:
            # "Error: ErrImagePull" in `kubectl describe` (no fieldPath): it follows its own pull event
            if last is None:
                stray.append(ev)
                continue
            slot = last
        else:
            target = _target(ev, img, known)
            if target is not None:
                slot = ("c", target.kind, target.name)
            elif ev.container is not None:
                slot = ("n", ev.container_kind or "container", ev.container)
            else:
                slot = ("i", img)
            targets.setdefault(slot, target)
        last = slot
        (failed if fail else pulled).setdefault(slot, []).append(ev)
    for slot, evs in failed.items():
        target = targets.get(slot)
        if target is not None and target.state is not None:
            if not _failing_state(target):
                continue  # the status decides: running, terminated or waiting for another reason now
        elif _resolved(evs, pulled.get(slot, [])):
            continue
        img = next((i for i in (image_in(e.message) for e in evs) if i is not None), None)
        kind = next((e.container_kind for e in evs if e.container_kind), None)
        f = entry(slot, target, img, kind, next((e.container for e in evs if e.container), None))
        for ev in evs:
            m = _ERROR_EVENT.match(ev.message)
            f.add(Clue(ev.message, m.group(1) if m else ev.reason, _where(ev), ev.count))
        if not f.reason:
            f.reason = _reason_from_events(evs)
            f.reasons.add(f.reason)
        f.image = f.image or img
    unknown_status = pod is None or not pod.has_status
    for extra in (stray, pod_wide):
        if extra and not entries and unknown_status:
            f = entry(("?",), None)
            f.reason = _reason_from_events(extra) if extra is stray else extra[-1].reason
        for f in entries.values():
            for ev in extra:
                f.add(Clue(ev.message, ev.reason, _where(ev), ev.count))
    rank = {k: i for i, k in enumerate(CONTAINER_KINDS)}
    position = {id(c): i for i, c in enumerate(known)}

    def sort_key(slot: Slot) -> tuple[int, int, str]:
        f, c = entries[slot], origin[slot]
        return (rank.get(f.container_kind, 1), position.get(id(c), len(position)), f.container or f.image or "")

    return [entries[k] for k in sorted(entries, key=sort_key)]


def _where(ev: EventObs) -> str:
    return f"{ev.where} (x{ev.count})" if ev.count > 1 else ev.where


def _target(ev: EventObs, img: str | None, known: list[ContainerObs]) -> ContainerObs | None:
    """The container an event is about: by ``fieldPath``, else by the image its message quotes (``img``)."""
    if ev.container is not None:
        for c in known:
            if c.name == ev.container and (ev.container_kind is None or c.kind == ev.container_kind):
                return c
        return None
    matches = [c for c in known if c.image is not None and img is not None and c.image == img]
    if not matches:
        matches = [c for c in known if same_image(c.image, img)]
    return matches[0] if matches else None


def _resolved(failed: list[EventObs], pulled: list[EventObs]) -> bool:
    """Whether a ``Pulled`` event came after the last failure (only decidable with timestamps)."""
    last_fail = max((e.last for e in failed if e.last is not None), default=None)
    last_ok = max((e.last for e in pulled if e.last is not None), default=None)
    return isinstance(last_fail, datetime) and isinstance(last_ok, datetime) and last_ok >= last_fail


def _reason_from_events(evs: list[EventObs]) -> str:
    """The container reason the events point to: the latest ``Error: X``, else the event's own."""
    for ev in sorted(evs, key=lambda e: e.last.timestamp() if e.last else 0, reverse=True):
        m = _ERROR_EVENT.match(ev.message)
        if m:
            return m.group(1)
    for ev in evs:
        if ev.reason == "InspectFailed":
            return "InvalidImageName" if "default image tag" in ev.message else "ImageInspectError"
        if ev.reason in _EVENT_REASON:
            return _EVENT_REASON[ev.reason]
    return evs[0].reason if evs else "ErrImagePull"
