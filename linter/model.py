"""Turn composed documents into Kubernetes objects and find every pod spec and container in them.

Known workload kinds are read at their fixed paths; anything else (custom resources) is searched
generically: a mapping with a ``containers`` list of mappings is a pod spec (Argo Rollouts, Knative,
KEDA ScaledJob...), and container-like entries outside pod specs (Tekton ``steps``/``sidecars``,
Argo Workflows ``container``/``script``) are containers of an implicit pod.
"""

from __future__ import annotations

from sys import intern
from typing import Any

from pullcheck.finding import ObjectRef, Span
from pullcheck.loader import Document
from pullcheck.nodes import (
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    format_path,
    get,
    get_path,
    scalar_text,
    span_of,
)
from pullcheck.records import field as _field
from pullcheck.records import record

POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    "PodTemplate": ("template", "spec"),
}
CONTAINER_LISTS = ("containers", "initContainers", "ephemeralContainers")
# Container-like lists and single containers of custom resources (Tekton, Argo Workflows).
EXTRA_CONTAINER_LISTS = ("steps", "sidecars", "initContainers", "additionalContainers")
EXTRA_SINGLE_CONTAINERS = ("container", "script", "stepTemplate")
CORE_GROUPS = ("v1", "apps/", "batch/", "extensions/")
# Custom resources whose own fields name the image their operator runs: (API group, kind) -> the
# mapping that holds ``image`` (and ``imagePullPolicy``), read as one container named after the object.
OWN_IMAGES: dict[tuple[str, str], tuple[str, ...]] = {
    ("opentelemetry.io/", "OpenTelemetryCollector"): ("spec",),
    ("tekton.dev/", "StepAction"): ("spec",),
    ("litmuschaos.io/", "ChaosExperiment"): ("spec", "definition"),
}
# Kinds whose ``containers`` lists are patterns, not containers that run (GKE Autopilot allowlists).
NOT_POD_SPECS = frozenset({"Secret", "ServiceAccount", "ConfigMap", "WorkloadAllowlist"})
# (container name, image) written as placeholders that a mutating webhook replaces: Istio's
# sidecar and gateway injection ("image: auto", istio.io/latest/docs/setup/additional-setup/gateway/).
INJECTED = frozenset({("istio-proxy", "auto")})
# Custom resources whose controllers run each container exactly as written, so every container
# must name its image. Other operators (ECK, CloudNativePG, Prometheus, Strimzi...) merge the
# containers of their pod templates by name into their own and fill in the image themselves.
IMAGE_REQUIRED_GROUPS = ("argoproj.io/", "serving.knative.dev/", "tekton.dev/", "keda.sh/")


@record
class Container:
    """One container (or container-like step) and the nodes the rules read from it."""

    name: str
    node: MappingNode
    field: str
    list_name: str
    image: Node | None
    pull_policy: Node | None

    @property
    def image_text(self) -> str | None:
        """The image as a string, or None when it is missing or not a string."""
        return scalar_text(self.image)

    @property
    def image_field(self) -> str:
        """The field path of its image, one shared (interned) string per path: findings made while
        linting and from the run's facts name the same field."""
        return intern(self.field + ".image")


@record
class PodSpec:
    """A pod spec (explicit, or implicit for container-like steps) with its containers."""

    node: MappingNode | None
    field: str
    containers: list[Container] = _field(default_factory=list)
    implicit: bool = False

    @property
    def image_pull_secrets(self) -> Node | None:
        """The ``imagePullSecrets`` node of this pod spec, if any."""
        return get(self.node, "imagePullSecrets")

    @property
    def service_account(self) -> str | None:
        """``serviceAccountName`` (or the deprecated ``serviceAccount``) when set."""
        return scalar_text(get(self.node, "serviceAccountName")) or scalar_text(get(self.node, "serviceAccount"))


@record
class Resource:
    """A Kubernetes object from one document (or one item of a ``List``)."""

    document: Document
    node: MappingNode
    kind: str
    api_version: str
    name: str
    namespace: str | None
    annotations: dict[str, str]
    field_prefix: str = ""
    pod_specs: list[PodSpec] = _field(default_factory=list)
    # One ObjectRef and one Span per node shared by every fact and finding of the object.
    _ref: ObjectRef | None = _field(default=None, init=False, repr=False, compare=False)
    _spans: dict[int, Span] = _field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def path(self) -> str:
        """File the object came from."""
        return self.document.path

    @property
    def line_offset(self) -> int:
        """Lines to add to node marks to get file lines."""
        return self.document.line_offset

    def ref(self, namespace: str | None = None) -> ObjectRef:
        """The object reference used in findings; ``namespace`` fills in the apply namespace."""
        ref = self._ref
        if ref is None or ref.namespace != (self.namespace or namespace):
            ref = self._ref = ObjectRef(self.kind, self.namespace or namespace, self.name)
        return ref

    def span(self, node: Node) -> Span:
        """File span of a node of this object."""
        span = self._spans.get(id(node))
        if span is None:
            span = self._spans[id(node)] = span_of(node, self.document.line_offset)
        return span

    @property
    def partial(self) -> bool:
        """Whether the object looks like a kustomize patch rather than a whole object.

        A strategic-merge patch names a workload and the containers it changes, and leaves out
        what the API requires (an apps/v1 ``selector``, a Job's ``restartPolicy``); missing fields
        there are not mistakes.
        """
        spec = get(self.node, "spec")
        if self.kind in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"):
            return get(spec, "selector") is None
        if self.kind in ("Job", "CronJob"):
            return all(get(p.node, "restartPolicy") is None for p in self.pod_specs)
        return False

    @property
    def images_required(self) -> bool:
        """Whether a container of this object without an image is a mistake (not an operator's overlay)."""
        if self.kind in POD_SPEC_PATHS:
            return self.api_version.startswith(CORE_GROUPS)
        return self.api_version.startswith(IMAGE_REQUIRED_GROUPS)

    def containers(self) -> list[tuple[PodSpec, Container]]:
        """Every (pod spec, container) pair of this object."""
        return [(p, c) for p in self.pod_specs for c in p.containers]


def _container(
    node: Node, path: tuple[Any, ...], list_name: str, index: int, parent: Node | None = None
) -> Container | None:
    if not isinstance(node, MappingNode):
        return None
    name = scalar_text(get(node, "name")) or scalar_text(get(parent, "name")) or f"{list_name}[{index}]"
    if (name, scalar_text(get(node, "image"))) in INJECTED:
        return None  # the injector writes the whole container at admission
    # names and field paths repeat across thousands of objects: interned, every fact shares one string
    field = intern(format_path(path))
    return Container(intern(name), node, field, list_name, get(node, "image"), get(node, "imagePullPolicy"))


def _pod_spec(node: MappingNode, path: tuple[Any, ...]) -> PodSpec:
    spec = PodSpec(node, intern(format_path(path)))
    for list_name in CONTAINER_LISTS:
        seq = get(node, list_name)
        if isinstance(seq, SequenceNode):
            for i, item in enumerate(seq.value):
                c = _container(item, (*path, list_name, i), list_name, i)
                if c is not None:
                    spec.containers.append(c)
    return spec


def _is_pod_spec(node: MappingNode) -> bool:
    seq = get(node, "containers")
    return isinstance(seq, SequenceNode) and any(isinstance(i, MappingNode) for i in seq.value)


def _discover(root: MappingNode, start: tuple[Any, ...]) -> list[PodSpec]:
    """Generic search for pod specs and container-like entries in a custom resource."""
    specs: list[PodSpec] = []
    implicit: dict[int, PodSpec] = {}
    seen: set[int] = set()
    stack: list[tuple[Node, tuple[Any, ...], MappingNode]] = [(root, start, root)]
    while stack:
        node, path, owner = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            if _is_pod_spec(node):
                specs.append(_pod_spec(node, path))
                continue
            if get(node, "imagePullSecrets") is not None or get(node, "serviceAccountName") is not None:
                owner = node
            for k, v in node.value:
                if not isinstance(k, ScalarNode):
                    continue
                key = k.value
                found: list[Container] = []
                if key in EXTRA_CONTAINER_LISTS and isinstance(v, SequenceNode):
                    for i, item in enumerate(v.value):
                        if isinstance(item, MappingNode) and get(item, "image") is not None:
                            c = _container(item, (*path, key, i), key, i)
                            if c is not None:
                                found.append(c)
                elif key in EXTRA_SINGLE_CONTAINERS and isinstance(v, MappingNode) and get(v, "image") is not None:
                    c = _container(v, (*path, key), key, 0, node)
                    if c is not None:
                        found.append(c)
                if found:
                    ps = implicit.get(id(owner))
                    if ps is None:
                        ps = implicit[id(owner)] = PodSpec(owner, format_path(path), implicit=True)
                        specs.append(ps)
                    ps.containers.extend(found)
                    continue
                if not isinstance(v, ScalarNode):
                    stack.append((v, (*path, key), owner))
        elif isinstance(node, SequenceNode):
            for i in range(len(node.value) - 1, -1, -1):
                stack.append((node.value[i], (*path, i), owner))
    return [s for s in specs if s.containers or not s.implicit]


def _resource(doc: Document, node: MappingNode, prefix: tuple[Any, ...]) -> Resource:
    kind = scalar_text(get(node, "kind")) or ""
    meta = get(node, "metadata")
    name = scalar_text(get(meta, "name")) or scalar_text(get(meta, "generateName")) or "<unnamed>"
    annotations: dict[str, str] = {}
    ann = get(meta, "annotations")
    if isinstance(ann, MappingNode):
        for k, v in ann.value:
            if isinstance(k, ScalarNode) and isinstance(v, ScalarNode) and k.value.startswith("pullcheck.dev/"):
                annotations[k.value] = str(v.value)
    namespace = scalar_text(get(meta, "namespace")) or None
    res = Resource(
        doc,
        node,
        intern(kind),
        scalar_text(get(node, "apiVersion")) or "",
        name,
        intern(namespace) if namespace else None,
        annotations,
        format_path(prefix),
    )
    fixed = POD_SPEC_PATHS.get(kind)
    if fixed is not None and res.api_version.startswith(CORE_GROUPS):
        target = get_path(node, fixed)
        if isinstance(target, MappingNode):
            res.pod_specs.append(_pod_spec(target, (*prefix, *fixed)))
    elif kind not in NOT_POD_SPECS:
        res.pod_specs.extend(_discover(node, prefix))
        own = next((path for (group, k), path in OWN_IMAGES.items() if k == kind and res.api_version.startswith(group)), None)
        if own is not None:
            res.pod_specs.extend(_own_image(res, own, prefix))
    return res


def _own_image(res: Resource, path: tuple[str, ...], prefix: tuple[Any, ...]) -> list[PodSpec]:
    """The container an operator runs from the image an object of ``OWN_IMAGES`` names itself."""
    target = get_path(res.node, path)
    if not isinstance(target, MappingNode) or get(target, "image") is None:
        return []
    field = intern(format_path((*prefix, *path)))
    image, policy = get(target, "image"), get(target, "imagePullPolicy")
    return [PodSpec(target, field, [Container(intern(res.name), target, field, path[-1], image, policy)], implicit=True)]


def resources(doc: Document) -> list[Resource]:
    """All objects of a document: the document itself, or the items of a ``*List``."""
    root = doc.root
    if not isinstance(root, MappingNode):
        return []
    kind = scalar_text(get(root, "kind")) or ""
    items = get(root, "items")
    if kind.endswith("List") and isinstance(items, SequenceNode):
        return [
            _resource(doc, item, ("items", i)) for i, item in enumerate(items.value) if isinstance(item, MappingNode)
        ]
    return [_resource(doc, root, ())]
