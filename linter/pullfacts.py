"""Pull-secret facts of a run: Secrets, ServiceAccounts, pods, and a pod's effective pull secrets.

Facts are built object by object (in the worker that parses the file) and are small and picklable:
names, namespaces, spans, registry keys and problems — never nodes, and never a Secret's content.
``resolve`` then answers, for the whole run, which secrets a pod's pulls would get and what is
known about each (the ServiceAccount admission plugin copies, it does not merge).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from sys import intern
from typing import TYPE_CHECKING, Literal

from pullcheck.dockerconfig import DOCKERCFG, DOCKERCONFIGJSON, PULL_SECRET_KEYS, go_b64decode, has_placeholder, parse
from pullcheck.finding import Fix, ObjectRef, Span
from pullcheck.model import Container, PodSpec, Resource
from pullcheck.nodes import MappingNode, Node, ScalarNode, SequenceNode, get, get_key, scalar_text
from pullcheck.pullsecrets import matching_keys
from pullcheck.records import field, record

if TYPE_CHECKING:
    from pullcheck.config import Config

PULL_KEYS = frozenset(PULL_SECRET_KEYS.values())


@record(frozen=True, init=False)
class Place:
    """Where something is written: file, span, document and the object it belongs to. A run holds one
    for every container and pull-secret entry, so the span's four numbers are kept inline."""

    path: str
    doc: int
    obj: ObjectRef
    helm_source: str | None
    line: int
    column: int
    end_line: int
    end_column: int

    def __init__(self, path: str, span: Span, doc: int, obj: ObjectRef, helm_source: str | None = None) -> None:
        setattr_ = object.__setattr__
        setattr_(self, "path", path)
        setattr_(self, "doc", doc)
        setattr_(self, "obj", obj)
        setattr_(self, "helm_source", helm_source)
        setattr_(self, "line", span.line)
        setattr_(self, "column", span.column)
        setattr_(self, "end_line", span.end_line)
        setattr_(self, "end_column", span.end_column)

    @property
    def span(self) -> Span:
        """The region it is written in."""
        return Span(self.line, self.column, self.end_line, self.end_column)


@record(frozen=True)
class NameRef:
    """One ``imagePullSecrets`` entry: the secret's name and where the name is written."""

    name: str
    place: Place


@record(frozen=True)
class SecretProblem:
    """Something that makes a Secret useless (or harmful) as a pull secret, positioned where to fix it."""

    message: str
    place: Place
    fatal: bool = False
    fix: Fix | None = None


@record(frozen=True)
class SecretFact:
    """A Secret (or a SealedSecret/ExternalSecret/generator that produces one) by namespace and name."""

    kind: str
    namespace: str
    name: str
    place: Place
    type: str | None = None
    readable: bool = True
    pull_typed: bool = False
    keys: tuple[str, ...] = ()
    usable: bool = False
    fatal: bool = False
    unknown: bool = False
    problems: tuple[SecretProblem, ...] = ()
    misuse: SecretProblem | None = None  # reported only when a pod or ServiceAccount uses it to pull

    @property
    def content_known(self) -> bool:
        """Whether the registry keys it gives the kubelet are known: those of a plain, rendered Secret,
        or none, from a Secret of a type the kubelet ignores (``misuse``), generated ones too."""
        return (self.readable and not self.unknown) or self.misuse is not None


@record(frozen=True)
class ServiceAccountFact:
    """A ServiceAccount and the pull secrets the admission plugin would copy from it (only what the
    rules read: where the ServiceAccount is written never is, only where its entries are)."""

    namespace: str
    name: str
    secrets: tuple[NameRef, ...] = ()


@record(frozen=True, init=False, shared=("name", "image", "field", "policy"))
class ContainerFact(Place):
    """A container's image and pull policy as written, and where the image is (it is its own Place).
    One record per container serves the pod's facts and the run's image uses (``Index.images``)."""

    name: str
    image: str
    field: str
    policy: str | None

    def __init__(
        self,
        name: str,
        image: str,
        field: str,
        policy: str | None,
        path: str,
        span: Span,
        doc: int,
        obj: ObjectRef,
        helm_source: str | None = None,
    ) -> None:
        Place.__init__(self, path, span, doc, obj, helm_source)
        setattr_ = object.__setattr__
        setattr_(self, "name", name)
        setattr_(self, "image", image)
        setattr_(self, "field", field)
        setattr_(self, "policy", policy)


@record(frozen=True, shared=("namespace", "field", "service_account"))
class PodFact:
    """A pod spec: namespace, ServiceAccount, its own pull secrets and its containers' images."""

    namespace: str
    field: str
    place: Place
    service_account: str
    secrets: tuple[NameRef, ...]
    listed: int
    secrets_field: Place | None
    containers: tuple[ContainerFact, ...]


@record
class PullFacts:
    """Every pull-related fact of a run, merged from the per-file shares."""

    secrets: dict[tuple[str, str], list[SecretFact]] = field(default_factory=dict)
    service_accounts: dict[tuple[str, str], list[ServiceAccountFact]] = field(default_factory=dict)
    pods: list[PodFact] = field(default_factory=list)
    # Secrets by name over every namespace, built on first use once the run is merged (a rebuild
    # per lookup was quadratic: 20 s of 30 at 100,000 documents).
    _by_name: dict[str, list[SecretFact]] | None = field(default=None, repr=False, compare=False)

    def add(self, resource: Resource, namespace: str, containers: Mapping[int, ContainerFact]) -> None:
        """Record what one object tells about pulls (``containers``: its container facts, built by
        the index, by ``id`` of the Container)."""
        self._by_name = None
        for s in secret_facts(resource, namespace):
            self.secrets.setdefault((s.namespace, s.name), []).append(s)
        sa = service_account_fact(resource, namespace)
        if sa is not None:
            self.service_accounts.setdefault((sa.namespace, sa.name), []).append(sa)
        self.pods.extend(pod_facts(resource, namespace, containers))

    def merge(self, other: PullFacts) -> None:
        """Fold another (per-file) share into this one."""
        self._by_name = None
        for k, v in other.secrets.items():
            self.secrets.setdefault(k, []).extend(v)
        for k2, v2 in other.service_accounts.items():
            self.service_accounts.setdefault(k2, []).extend(v2)
        self.pods.extend(other.pods)

    def secrets_named(self, name: str) -> list[SecretFact]:
        """Every secret of that name, in any namespace."""
        if self._by_name is None:
            self._by_name = {}
            for (_, n), group in self.secrets.items():
                self._by_name.setdefault(n, []).extend(group)
        return list(self._by_name.get(name, ()))


# -- building facts from objects ---------------------------------------------------------------------


def _interned(text: str | None) -> str | None:
    """Names, namespaces and images repeat across thousands of objects: one shared string each."""
    return None if text is None else intern(text)


def container_fact(resource: Resource, container: Container, namespace: str) -> ContainerFact | None:
    """A container's image fact, or None when its image is missing or not a string."""
    text = container.image_text
    if text is None or container.image is None:
        return None
    policy = _interned(scalar_text(container.pull_policy))
    return ContainerFact(container.name, intern(text), container.image_field, policy, *_where(resource, container.image, namespace))


def _where(resource: Resource, node: Node, namespace: str) -> tuple[str, Span, int, ObjectRef, str | None]:
    """A ``Place``'s arguments for a node of an object."""
    return resource.path, resource.span(node), resource.document.index, resource.ref(namespace), resource.document.helm_source


def _place(resource: Resource, node: Node, namespace: str) -> Place:
    return Place(*_where(resource, node, namespace))


def _name_node(resource: Resource) -> Node:
    meta = get(resource.node, "metadata")
    return get(meta, "name") or get(meta, "generateName") or get_key(resource.node, "kind") or resource.node


def _refs(resource: Resource, seq: Node | None, namespace: str) -> tuple[tuple[NameRef, ...], int]:
    """Well-formed ``- name: x`` entries of an imagePullSecrets list, and how many items it has."""
    if not isinstance(seq, SequenceNode):
        return (), 0
    out: list[NameRef] = []
    for item in seq.value:
        node = get(item, "name")
        name = scalar_text(node)
        if node is not None and name:
            out.append(NameRef(intern(name), _place(resource, node, namespace)))
    return tuple(out), len(seq.value)


def _data_entries(resource: Resource) -> dict[str, tuple[Node, Node, bool]]:
    """Secret data keys → (key node, value node, is base64); ``stringData`` wins over ``data``."""
    out: dict[str, tuple[Node, Node, bool]] = {}
    for section, encoded in (("data", True), ("stringData", False)):
        m = get(resource.node, section)
        if isinstance(m, MappingNode):
            for k, v in m.value:
                if isinstance(k, ScalarNode):
                    out[str(k.value)] = (k, v, encoded)
    return out


def _near_pull_type(t: str) -> bool:
    low = t.lower()
    return "docker" in low and t not in PULL_SECRET_KEYS


def _content(resource: Resource, ns: str, key: str, entry: tuple[Node, Node, bool]) -> tuple[list[SecretProblem], tuple[str, ...], bool, bool]:
    """Decode one docker config value: (problems, registry keys, refused/fatal?, unknown?)."""
    _knode, vnode, encoded = entry
    text = scalar_text(vnode)
    where = _place(resource, vnode, ns)
    section = "data" if encoded else "stringData"
    if text is None:
        return [], (), False, True  # not a string: pull-field-invalid reports the shape
    if has_placeholder(text):
        return [], (), False, True
    if encoded:
        raw = go_b64decode(text)
        if raw is None:
            stripped = text.strip()
            hint = " (it looks like plain JSON: put it under stringData, or base64-encode it)" if stripped.startswith("{") else ""
            msg = f"data[{key}] is not valid base64{hint}: the API server refuses the Secret"
            return [SecretProblem(msg, where, fatal=True)], (), True, False
        decoded = raw.decode("utf-8", "replace")
    else:
        decoded = text
    cfg = parse(decoded, legacy=key == PULL_SECRET_KEYS[DOCKERCFG])
    if cfg.unknown:
        return [], (), False, True
    problems = [SecretProblem(f"{section}[{key}]: {p.message}", where, fatal=p.fatal or p.refused) for p in cfg.problems]
    bad = any(p.refused for p in cfg.problems)
    return problems, cfg.keys, bad or cfg.fatal, False


def _misuse(subject: str, shown: str, keys: Iterable[str], where: Place, typed: bool) -> SecretProblem:
    """Why a pull with a Secret of a type the kubelet ignores (Opaque...) gets nothing from it, said of
    ``subject`` with its type in words (``shown``) and its data ``keys``; ``typed``: the type is
    written at ``where``, so a fix can set the pull-secret type there."""
    pull = next((k for k in keys if k in PULL_KEYS), None)
    if pull is None:
        return SecretProblem(f"{subject} has {shown}, not a docker config: the kubelet ignores it as a pull secret", where)
    want = DOCKERCFG if pull == PULL_SECRET_KEYS[DOCKERCFG] else DOCKERCONFIGJSON
    msg = f'{subject} holds "{pull}" but has {shown}: the kubelet reads pull credentials only from a Secret of type {want}'
    return SecretProblem(msg, where, fix=Fix(want, f"set type: {want}") if typed else None)


def _type_words(t: str | None, field: str, unset: str) -> str:
    """A Secret's type for messages: ``field`` and the type as written, else ``unset``."""
    return f"{field} {t}" if t else unset


def _type_place(resource: Resource, type_node: Node | None, place: Place, namespace: str) -> Place:
    """Where a Secret's type is decided: its written type, else ``place`` (its or its producer's name)."""
    return _place(resource, type_node, namespace) if type_node is not None else place


def _ignored_type(t: str | None) -> bool:
    """Whether a produced Secret's type, known for certain, is one the kubelet ignores for pulls
    (None: the producer defaults it to Opaque; a template placeholder is not known)."""
    return t is None or (t not in PULL_SECRET_KEYS and not has_placeholder(t))


def _secret(resource: Resource, namespace: str) -> SecretFact:
    ns = resource.namespace or namespace
    place = _place(resource, _name_node(resource), namespace)
    type_node = get(resource.node, "type")
    t = scalar_text(type_node)
    entries = _data_entries(resource)
    type_place = _type_place(resource, type_node, place, namespace)
    if t in PULL_SECRET_KEYS:
        want = PULL_SECRET_KEYS[t]
        if want not in entries:
            other = [k for k in entries if k in PULL_KEYS or k.lstrip(".").lower().startswith("docker")]
            if other:
                knode = entries[other[0]][0]
                msg = (
                    f'a Secret of type {t} must hold the key "{want}", not "{other[0]}": the API server refuses it '
                    "(and the kubelet reads only that key)"
                )
                prob = SecretProblem(msg, _place(resource, knode, namespace), fatal=True)
            else:
                msg = f'a Secret of type {t} must hold the key "{want}" in data or stringData: the API server refuses it'
                prob = SecretProblem(msg, type_place, fatal=True)
            return SecretFact("Secret", ns, resource.name, place, t, pull_typed=True, problems=(prob,), fatal=True)
        problems, keys, bad, unknown = _content(resource, ns, want, entries[want])
        fatal = any(p.fatal for p in problems)
        return SecretFact(
            "Secret",
            ns,
            resource.name,
            place,
            t,
            pull_typed=True,
            keys=keys,
            usable=not bad and bool(keys),
            fatal=fatal,
            unknown=unknown,
            problems=tuple(problems),
        )
    shown = _type_words(t, "type", "no type (so it is Opaque)")
    prob = _misuse(f'Secret "{resource.name}"', shown, entries, type_place, type_node is not None and t is not None)
    if t is not None and _near_pull_type(t):
        intended = DOCKERCFG if PULL_SECRET_KEYS[DOCKERCFG] in entries else DOCKERCONFIGJSON
        msg = f'type "{t}" is not a pull-secret type (did you mean "{intended}"?): the kubelet ignores this Secret'
        typo = SecretProblem(msg, type_place, fix=Fix(intended, f"set type: {intended}"))
        return SecretFact("Secret", ns, resource.name, place, t, pull_typed=True, problems=(typo,))
    return SecretFact("Secret", ns, resource.name, place, t, misuse=prob)


def _sealed(resource: Resource, namespace: str) -> SecretFact:
    """A SealedSecret: its ``encryptedData`` keys unseal into a Secret of ``template.type``, which the
    API server defaults to Opaque when unset (a legacy whole-Secret ``data`` brings its own type)."""
    ns = resource.namespace or namespace
    place = _place(resource, _name_node(resource), namespace)
    spec = get(resource.node, "spec")
    type_node = get(get(spec, "template"), "type")
    t = scalar_text(type_node)
    enc = get(spec, "encryptedData")
    keys = {str(k.value) for k, _ in enc.value if isinstance(k, ScalarNode)} if isinstance(enc, MappingNode) else set()
    problems: tuple[SecretProblem, ...] = ()
    misuse = None
    where = _type_place(resource, type_node, place, namespace)
    if t in PULL_SECRET_KEYS and PULL_SECRET_KEYS[t] not in keys and keys:
        want = PULL_SECRET_KEYS[t]
        msg = f'SealedSecret "{resource.name}" of type {t} has no encrypted "{want}": the unsealed Secret is refused'
        problems = (SecretProblem(msg, where, fatal=True),)
    elif keys and _ignored_type(t):
        shown = _type_words(t, "template type", "no template type (so it unseals as Opaque)")
        misuse = _misuse(f'SealedSecret "{resource.name}"', shown, sorted(keys), where, type_node is not None and t is not None)
    return SecretFact(
        "SealedSecret", ns, resource.name, place, t, readable=False, pull_typed=t in PULL_SECRET_KEYS,
        usable=misuse is None, problems=problems, fatal=bool(problems), misuse=misuse,
    )


def _external_keys(spec: Node | None) -> list[str]:
    """The data keys an ExternalSecret writes by name: ``data[].secretKey`` and ``target.template.data``."""
    data = get(spec, "data")
    keys = [scalar_text(get(item, "secretKey")) or "" for item in data.value] if isinstance(data, SequenceNode) else []
    tpl = get(get(get(spec, "target"), "template"), "data")
    if isinstance(tpl, MappingNode):
        keys += [str(k.value) for k, _ in tpl.value if isinstance(k, ScalarNode)]
    return keys


def _external(resource: Resource, namespace: str) -> SecretFact:
    """An ExternalSecret's target Secret. Its type is certain only from ``target.template.type`` when
    the operator creates the Secret (creationPolicy Owner or Orphan): without one (or with "")
    external-secrets keeps the existing Secret's type, and with Merge or None the Secret is made
    elsewhere."""
    ns = resource.namespace or namespace
    spec = get(resource.node, "spec")
    target = get(spec, "target")
    name_node = get(target, "name")
    name = scalar_text(name_node) or resource.name
    place = _place(resource, name_node if name_node is not None else _name_node(resource), namespace)
    type_node = get(get(target, "template"), "type")
    t = scalar_text(type_node)
    misuse = None
    if t and _ignored_type(t) and scalar_text(get(target, "creationPolicy")) in (None, "Owner", "Orphan"):
        where = _type_place(resource, type_node, place, namespace)
        misuse = _misuse(f'ExternalSecret "{resource.name}"', f"template type {t}", _external_keys(spec), where, True)
    return SecretFact("ExternalSecret", ns, name, place, t, readable=False, usable=misuse is None, misuse=misuse)


def _generator_keys(item: Node) -> list[str]:
    """The data keys a secretGenerator entry writes by name: ``files`` (``key=path``, else the file's
    name) and ``literals`` (``key=value``; never the value)."""
    keys = []
    for section in ("files", "literals"):
        seq = get(item, section)
        for node in seq.value if isinstance(seq, SequenceNode) else []:
            key, eq, _ = (scalar_text(node) or "").partition("=")
            if eq or section == "files":
                keys.append(key if eq else key.rsplit("/", 1)[-1])
    return keys


def _generated(resource: Resource, namespace: str) -> list[SecretFact]:
    """Secrets of a kustomization's ``secretGenerator`` (kustomize rewrites references to them). One
    that creates its Secret (no ``behavior``, or ``create``) without ``type`` makes it Opaque."""
    default_ns = scalar_text(get(resource.node, "namespace")) or namespace
    out = []
    gens = get(resource.node, "secretGenerator")
    for item in gens.value if isinstance(gens, SequenceNode) else []:
        node = get(item, "name")
        name = scalar_text(node)
        if node is None or not name:
            continue
        ns = scalar_text(get(item, "namespace")) or default_ns
        type_node = get(item, "type")
        t = scalar_text(type_node)
        place = _place(resource, node, namespace)
        misuse = None
        if _ignored_type(t) and scalar_text(get(item, "behavior")) in (None, "create"):
            shown = _type_words(t, "type", "no type (so kustomize makes it Opaque)")
            where = _type_place(resource, type_node, place, namespace)
            misuse = _misuse(f'Kustomization secretGenerator "{name}"', shown, _generator_keys(item), where, t is not None)
        out.append(SecretFact("Kustomization", ns, name, place, t, readable=False, usable=misuse is None, misuse=misuse))
    return out


def secret_facts(resource: Resource, namespace: str) -> list[SecretFact]:
    """The secrets an object is or produces, with what is wrong with them as pull secrets."""
    kind, api = resource.kind, resource.api_version
    if kind == "Secret" and api == "v1":
        return [_secret(resource, namespace)]
    if kind == "SealedSecret" and api.startswith("bitnami.com/"):
        return [_sealed(resource, namespace)]
    if kind == "ExternalSecret" and api.startswith("external-secrets.io/"):
        return [_external(resource, namespace)]
    if kind == "Kustomization" and api.startswith("kustomize.config.k8s.io/"):
        return _generated(resource, namespace)
    return []


def service_account_fact(resource: Resource, namespace: str) -> ServiceAccountFact | None:
    """A ServiceAccount's ``imagePullSecrets``."""
    if resource.kind != "ServiceAccount" or resource.api_version != "v1":
        return None
    refs, _ = _refs(resource, get(resource.node, "imagePullSecrets"), namespace)
    return ServiceAccountFact(intern(resource.namespace or namespace), intern(resource.name), refs)


def _knows_pull_fields(pod: PodSpec) -> bool:
    """An implicit pod (Tekton steps...) counts only when its owner sets pull fields itself."""
    return not pod.implicit or get(pod.node, "imagePullSecrets") is not None or get(pod.node, "serviceAccountName") is not None


def pod_facts(resource: Resource, namespace: str, containers: Mapping[int, ContainerFact]) -> list[PodFact]:
    """Every pod spec of a (whole, not patch) object with its pull secrets and images (``containers``:
    the container facts already built, by ``id`` of the Container)."""
    if resource.partial:
        return []
    out = []
    for pod in resource.pod_specs:
        if pod.node is None or not _knows_pull_fields(pod):
            continue
        refs, listed = _refs(resource, pod.image_pull_secrets, namespace)
        key = get_key(pod.node, "imagePullSecrets")
        facts = (containers.get(id(c)) for c in pod.containers)
        out.append(
            PodFact(
                intern(resource.namespace or namespace),
                pod.field,
                _place(resource, pod.node, namespace),
                intern(pod.service_account or "default"),
                refs,
                listed,
                _place(resource, key, namespace) if key is not None else None,
                tuple(f for f in facts if f is not None),
            )
        )
    return out


# -- resolving a pod's pull secrets over the whole run -------------------------------------------------

Source = Literal["pod", "service-account", "config", "unknown"]
State = Literal["found", "external", "not-found", "wrong-namespace"]
Coverage = Literal["covered", "uncovered", "unknown"]


@record(frozen=True)
class SecretUse:
    """One secret a pod's pulls would use, and what the run knows about it."""

    ref: NameRef
    state: State
    facts: tuple[SecretFact, ...] = ()  # same namespace when found; the other namespaces when wrong

    @property
    def content_known(self) -> bool:
        """Whether every object of that name is a readable Secret (so its registry keys are known)."""
        return self.state == "found" and all(f.content_known for f in self.facts)

    @property
    def keys(self) -> tuple[str, ...]:
        """Registry keys of the usable Secrets of that name."""
        return tuple(k for f in self.facts if f.usable for k in f.keys)


@record(frozen=True)
class Effective:
    """A pod's effective pull secrets: its own, else its ServiceAccount's (copy-if-empty)."""

    source: Source
    uses: tuple[SecretUse, ...]
    service_accounts: tuple[ServiceAccountFact, ...] = ()

    def coverage(self, image_name: str, complete: bool) -> tuple[Coverage, list[str]]:
        """Whether some effective secret holds credentials the kubelet would try for the image.

        Returns the verdict and the matching keys. A secret whose content the run cannot see
        (sealed, external, declared, or absent without ``pull-secrets.complete``) makes a miss
        "unknown"; one that exists only in another namespace holds nothing for this pod.
        """
        if self.source == "unknown":
            return "unknown", []
        hits = [k for u in self.uses for k in matching_keys(u.keys, image_name)]
        if hits:
            return "covered", hits
        for u in self.uses:
            if u.content_known or u.state == "wrong-namespace" or (u.state == "not-found" and complete):
                continue
            return "unknown", []
        return "uncovered", []


def _declared(config: Config, key: str) -> list[str] | None:
    table: Mapping[str, list[str]] = config.get("service-accounts") or {}
    return list(table[key]) if key in table else None


def external(config: Config, namespace: str, name: str) -> bool:
    """Whether config declares a secret as existing outside the run (``pull-secrets.external``)."""
    patterns: Iterable[str] = config.get("pull-secrets.external") or ()
    return any(fnmatch.fnmatchcase(name, p) or fnmatch.fnmatchcase(f"{namespace}/{name}", p) for p in patterns)


def use_of(ref: NameRef, namespace: str, facts: PullFacts, config: Config, declared: bool = False) -> SecretUse:
    """What the run knows about the secret ``ref`` names, seen from ``namespace``."""
    here = facts.secrets.get((namespace, ref.name))
    if here:
        return SecretUse(ref, "found", tuple(here))
    if declared or external(config, namespace, ref.name):
        return SecretUse(ref, "external")
    elsewhere = [s for s in facts.secrets_named(ref.name) if s.namespace != namespace]
    if elsewhere:
        return SecretUse(ref, "wrong-namespace", tuple(elsewhere))
    return SecretUse(ref, "not-found")


def resolve(pod: PodFact, facts: PullFacts, config: Config) -> Effective:
    """The pull secrets the kubelet would get for this pod's images."""
    if pod.listed:
        return Effective("pod", tuple(use_of(r, pod.namespace, facts, config) for r in pod.secrets))
    sas = tuple(facts.service_accounts.get((pod.namespace, pod.service_account), ()))
    if sas:
        seen: dict[str, NameRef] = {}
        for sa in sas:
            for r in sa.secrets:
                seen.setdefault(r.name, r)
        return Effective("service-account", tuple(use_of(r, pod.namespace, facts, config) for r in seen.values()), sas)
    names = _declared(config, f"{pod.namespace}/{pod.service_account}")
    if names is not None:
        uses = tuple(use_of(NameRef(n, pod.place), pod.namespace, facts, config, declared=True) for n in names)
        return Effective("config", uses)
    return Effective("unknown", ())
