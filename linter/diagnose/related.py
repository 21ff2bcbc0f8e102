"""Connect a failing container to the manifests: lint them through the engine, then pick the findings
about the same pod and image - the likely root cause next to the symptom.

A pod is matched to the object that made it by name: its owner references (``ReplicaSet/web-7d9f8b6c5``
belongs to Deployment ``web`` when the pod's ``pod-template-hash`` is ``7d9f8b6c5``; ``Job/backup-28745`` to
CronJob ``backup``), else the shape of its generated name (``web-7d9f8b6c5-x2x9z``, ``db-0``). A finding
relates to a failure when it is about that object and the same container or image, or about that
object and no container at all (its pull secrets), or about one of the pod's pull Secrets; failing
all that, findings for the same image anywhere in the manifests are shown.
"""

from __future__ import annotations

import re
from pathlib import Path

from pullcheck.diagnose.collect import Failure, same_image
from pullcheck.finding import Finding, ObjectRef, level_rank
from pullcheck.records import field, record

# k8s.io/apimachinery rand.String: the alphabet of generated name suffixes (no vowels, no 0/1/3).
_RAND = "bcdfghjklmnpqrstvwxz2456789"
_POD_SUFFIX = re.compile(rf"^(.+)-[{_RAND}]{{5}}$")
_HASH_SUFFIX = re.compile(rf"^(.+)-[{_RAND}]{{6,10}}$")
_ORDINAL = re.compile(r"^(.+)-\d+$")
_CRON_JOB = re.compile(r"^(.+)-\d{8,}$")
MATCH_ORDER = ("container", "pod", "pull secret", "image")


class ManifestError(Exception):
    """The manifests cannot be linted at all (bad config, missing path): exit 2."""


@record
class ManifestRun:
    """What linting the manifests gave: findings, and anything that went wrong on the way."""

    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    files: int = 0
    namespace: str = "default"
    namespace_given: bool = False


@record(frozen=True)
class Link:
    """A static finding tied to a failure, and how (``container``, ``pod``, ``pull secret``, ``image``)."""

    finding: Finding
    match: str


def lint_manifests(
    paths: list[str], config_path: Path | None, namespace: str | None, inventories: list[Path], cwd: Path
) -> ManifestRun:
    """Lint the manifests as ``pullcheck PATH...`` would (config, rules, inventory, exclusions)."""
    from pullcheck.config import ConfigError, load
    from pullcheck.engine import Engine, RunOptions
    from pullcheck.inventory import InventoryError, prepare
    from pullcheck.rule import all_rules
    from pullcheck.sources import Notice, Source, UsageError, expand

    try:
        config = load(config_path, cwd)
        if namespace:
            config.data["namespace"] = namespace
        prepare(config, inventories, cwd)
    except (ConfigError, InventoryError) as exc:
        raise ManifestError(str(exc)) from None
    rules, plugin_errors = all_rules()
    run = ManifestRun(notices=list(plugin_errors), namespace=config.namespace, namespace_given=bool(namespace))
    sources: list[Source] = []
    try:
        for item in expand(paths, (), cwd, anchored=config.exclusions(cwd)):
            if isinstance(item, Notice):
                run.notices.append(f"{item.path}: notice: {item.message}")
            else:
                sources.append(item)
    except UsageError as exc:
        raise ManifestError(str(exc)) from None
    engine = Engine(config, rules, RunOptions())
    run.findings, stats = engine.run(sources)
    run.files = stats.files
    run.errors += engine.errors
    return run


def owner_names(failure: Failure) -> set[tuple[str | None, str]]:
    """The (kind or None for any, name) of every object that may have made the failing pod."""
    out: set[tuple[str | None, str]] = {("Pod", failure.pod)}
    if failure.owners:
        for kind, name in failure.owners:
            out.add((kind, name))
            if kind == "ReplicaSet":
                h = failure.labels.get("pod-template-hash") or failure.labels.get("rollouts-pod-template-hash")
                if h and name.endswith("-" + h):
                    out.add((None, name[: -len(h) - 1]))
                else:
                    m = _HASH_SUFFIX.match(name)
                    if m:
                        out.add((None, m.group(1)))
            elif kind == "Job":
                m = _CRON_JOB.match(name)
                if m:
                    out.add(("CronJob", m.group(1)))
        return out
    m = _POD_SUFFIX.match(failure.pod)
    if m:
        base = m.group(1)
        out.add((None, base))  # DaemonSet, Job, a bare ReplicaSet
        rs = _HASH_SUFFIX.match(base)
        if rs:
            out.add((None, rs.group(1)))  # Deployment of a ReplicaSet
        cj = _CRON_JOB.match(base)
        if cj:
            out.add(("CronJob", cj.group(1)))
    m = _ORDINAL.match(failure.pod)
    if m:
        out.add(("StatefulSet", m.group(1)))
    return out


def _namespace_ok(obj: ObjectRef, failure: Failure, run: ManifestRun) -> bool:
    """Same namespace; or, without --namespace, an object that got the default apply namespace."""
    if obj.namespace == failure.namespace:
        return True
    return not run.namespace_given and obj.namespace == run.namespace


def _owns(obj: ObjectRef | None, names: set[tuple[str | None, str]]) -> bool:
    if obj is None:
        return False
    return (obj.kind, obj.name) in names or ((None, obj.name) in names and obj.kind != "Secret")


def links(failure: Failure, run: ManifestRun) -> list[Link]:
    """The static findings about the failing container's pod and image, closest first."""
    names = owner_names(failure)
    found: list[Link] = []
    for f in run.findings:
        obj = f.obj
        if obj is None or not _namespace_ok(obj, failure, run):
            continue
        if _owns(obj, names):
            if f.container is not None and failure.container is not None:
                if f.container == failure.container:
                    found.append(Link(f, "container"))  # the same container (another one's findings are not this failure's)
            elif f.image is not None and same_image(f.image, failure.image):
                found.append(Link(f, "container"))
            elif f.container is None and f.image is None:
                found.append(Link(f, "pod"))
        elif obj.kind == "Secret" and obj.name in failure.pull_secrets:
            found.append(Link(f, "pull secret"))
    if not any(x.match == "container" for x in found):
        found += [Link(f, "image") for f in run.findings if f.image is not None and same_image(f.image, failure.image)]
    found.sort(key=lambda x: (MATCH_ORDER.index(x.match), -level_rank(x.finding.level), x.finding.sort_key()))
    return found
