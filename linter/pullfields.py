"""Check the image-pull fields of an object against the bundled JSON Schema, positioned on nodes.

``data/pull-fields.schema.json`` says what the API accepts for ``imagePullSecrets``,
``imagePullPolicy`` and a Secret's ``type``/``data``/``stringData``, and which keys are misspelled
or misplaced. Only the pull-related part of an object is converted for validation, and messages are
written here from the error's keyword and path — never from jsonschema's text, which would quote
the value (a Secret's data must never reach a message).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from pullcheck.model import POD_SPEC_PATHS, Container, PodSpec, Resource
from pullcheck.nodes import (
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    format_path,
    get,
    get_key,
    scalar_text,
    scalar_type,
)
from pullcheck.records import record

if TYPE_CHECKING:
    from pullcheck.imageref import ImageRef

POLICIES = ("Always", "IfNotPresent", "Never")
#: What the API accepts: a policy, or none (absent, null or "": the API server defaults it).
_ACCEPTED_POLICIES = (*POLICIES, "", None)
_RELEVANT = re.compile(r"pull|secret", re.I)
_TEMPLATE = re.compile(r"\{\{|\$\{|\$\(|<no value>")
_SECRET_RELEVANT = re.compile(r"pull|secret|data|^type$", re.I)
_DATA_KEY = re.compile(r"[-._a-zA-Z0-9]+")  # what the API accepts as a Secret data key
_CONTAINER_LISTS = frozenset({"containers", "initContainers", "ephemeralContainers"})
_MAX_DEPTH = 4
_TYPE_WORDS = {
    "str": "a string",
    "int": "a number",
    "float": "a number",
    "bool": "a boolean",
    "null": "null",
    "sequence": "a list",
    "mapping": "a mapping",
}
_SCHEMA_WORDS = {"string": "a string", "array": "a list", "object": "a mapping", "null": "null"}


def pull_policy(written: str | None, ref: ImageRef) -> str:
    """The pull policy a container gets: as written, else what the API server defaults an absent,
    empty or unreadable one to (``SetDefaults_Container``): Always when the tag is ``latest``, also
    beside a digest (``nginx:latest@sha256:...``), or when there is neither tag nor digest."""
    if written is not None and written in POLICIES:
        return written
    if ref.tag == "latest" or (ref.tag is None and ref.digest is None):
        return "Always"
    return "IfNotPresent"


@record(frozen=True)
class FieldError:
    """One pull field that does not fit the API: where, why, and a certain replacement if any."""

    node: Node
    message: str
    field: str
    fix: str | None = None


@functools.lru_cache(maxsize=1)
def _schema() -> dict[str, Any]:
    from pullcheck.data import read_text

    return dict(json.loads(read_text("pull-fields.schema.json")))


@functools.lru_cache(maxsize=8)
def _validator(definition: str) -> Any:
    import jsonschema

    root = _schema()
    return jsonschema.Draft202012Validator({"$defs": root["$defs"], "$ref": f"#/$defs/{definition}"})


def _value(node: Node, keep: Callable[[str], bool] | None = None, depth: int = 0) -> Any:
    """Plain data for validation; keys ``keep`` rejects (and anything too deep) become None."""
    if depth > _MAX_DEPTH:
        return None
    if isinstance(node, MappingNode):
        out: dict[str, Any] = {}
        for k, v in node.value:
            if isinstance(k, ScalarNode):
                key = str(k.value)
                out[key] = _value(v, None, depth + 1) if keep is None or keep(key) else None
        return out
    if isinstance(node, SequenceNode):
        return [_value(i, None, depth + 1) for i in node.value]
    t = scalar_type(node)
    if t == "str":
        return str(node.value)
    return {"int": 0, "float": 0.5, "bool": True, "null": None}.get(t, str(node.value))


def _node_at(root: Node, path: list[Any]) -> Node | None:
    cur: Node | None = root
    for p in path:
        if isinstance(p, int):
            cur = cur.value[p] if isinstance(cur, SequenceNode) and p < len(cur.value) else None
        else:
            cur = get(cur, str(p))
        if cur is None:
            return None
    return cur


def _kind_of(node: Node) -> str:
    return _TYPE_WORDS.get(scalar_type(node), "a " + scalar_type(node))


def _plain(node: Node) -> bool:
    return isinstance(node, ScalarNode) and node.style in (None, "")


def _describe(err: Any, root: Node, base: str) -> FieldError | None:
    """Turn one jsonschema error into a positioned message of ours."""
    path = list(err.absolute_path)
    where = format_path(tuple(path))
    field = f"{base}.{where}" if base and where else base or where
    node = _node_at(root, path)
    if node is None:
        return None
    last = path[-1] if path else None
    parent = path[-2] if len(path) >= 2 else None
    schema = err.schema if isinstance(err.schema, dict) else {}
    v = err.validator
    if v == "not" and isinstance(last, str):
        key = get_key(_node_at(root, path[:-1]), last) or node
        if "x-suggest" in schema:
            right = schema["x-suggest"]
            msg = (
                f'unknown field "{last}" (did you mean "{right}"?): kubectl apply refuses it, and where it is '
                "accepted it is dropped, so it has no effect"
            )
            return FieldError(key, msg, field, right)
        return FieldError(key, str(schema.get("x-message", f'"{last}" is not allowed here')), field)
    if v == "enum" and last == "imagePullPolicy":
        text = err.instance if isinstance(err.instance, str) else None
        if text is not None and _TEMPLATE.search(text):
            return None  # unrendered: not a value the API will ever see
        fix = next((p for p in POLICIES if text is not None and p.lower() == text.strip().lower()), None)
        if text is None:
            msg = f"imagePullPolicy must be Always, IfNotPresent or Never, not {_kind_of(node)}"
        else:
            msg = f'imagePullPolicy "{text}" is not one of Always, IfNotPresent, Never (case matters)'
        if fix:
            msg += f': write "{fix}"'
        return FieldError(node, msg, field, fix if fix and _plain(node) else None)
    if "propertyNames" in err.schema_path:
        prop = str(err.instance)
        key = get_key(node, prop) or node
        if isinstance(last, int):
            extra = " (a pull secret is always read from the pod's own namespace)" if prop == "namespace" else ""
            return FieldError(key, f'imagePullSecrets entries take only "name"; "{prop}" is not a field{extra}', field)
        return FieldError(key, f'"{prop}" is not a valid Secret data key (letters, digits, "-", "_" and "." only)', field)
    in_pull_list = isinstance(last, int) and parent == "imagePullSecrets"
    if v == "type":
        wanted = schema.get("type")
        names = [str(w) for w in (wanted if isinstance(wanted, list) else [wanted]) if w not in (None, "null")]
        words = " or ".join(_SCHEMA_WORDS.get(w, w) for w in names)
        if in_pull_list:
            name = str(node.value) if isinstance(node, ScalarNode) else None
            msg = "imagePullSecrets entries are mappings with a name"
            msg += f' ("- name: {name}"), not {_kind_of(node)}' if name else f", not {_kind_of(node)}"
            fix = f"{{name: {name}}}" if name and _plain(node) and scalar_type(node) == "str" else None
            return FieldError(node, msg, field, fix)
        if last == "imagePullSecrets":
            name = str(node.value) if isinstance(node, ScalarNode) and scalar_type(node) == "str" else None
            msg = f"imagePullSecrets must be a list of {{name: ...}} entries, not {_kind_of(node)}"
            fix = f"[{{name: {name}}}]" if name and _plain(node) else None
            return FieldError(node, msg, field, fix)
        if parent in ("data", "stringData"):
            msg = f'{parent}["{last}"] must be a string, not {_kind_of(node)}'
            if isinstance(node, MappingNode):
                msg += " (write the JSON document as a string, e.g. with a block scalar \"|\")"
            return FieldError(node, msg, field)
        return FieldError(node, f"{where or 'this'} must be {words}, not {_kind_of(node)}", field)
    if v == "required":
        return FieldError(node, 'imagePullSecrets entry has no "name"', field)
    if v == "minLength" and last == "name":
        return FieldError(node, "imagePullSecrets entry has an empty name", field)
    return None


def _run(definition: str, root: Node, data: Any, base: str, fmt: dict[str, str] | None = None) -> Iterator[FieldError]:
    seen: set[tuple[int, str]] = set()
    for err in sorted(_validator(definition).iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]):
        fe = _describe(err, root, base)
        if fe is None:
            continue
        if fmt:
            fe = FieldError(fe.node, fe.message.format(**fmt), fe.field, fe.fix)
        key = (id(fe.node), fe.message)
        if key not in seen:
            seen.add(key)
            yield fe


def _container_keep(key: str) -> bool:
    return _RELEVANT.search(key) is not None


def _quick_ok_refs(value: Any) -> bool:
    return value is None or (
        isinstance(value, list)
        and all(isinstance(i, dict) and list(i) == ["name"] and isinstance(i["name"], str) and i["name"] for i in value)
    )


def _quick_ok_container(c: Any) -> bool:
    """A container whose only pull key is a valid imagePullPolicy (the schema cannot fail on it), or
    an unrendered one (``${IMAGE_PULL_POLICY:-Always}``: the schema's complaint would be dropped)."""
    if not isinstance(c, dict):
        return False
    return all(
        k == "imagePullPolicy" and (v in _ACCEPTED_POLICIES or (isinstance(v, str) and _TEMPLATE.search(v) is not None))
        for k, v in c.items()
        if _RELEVANT.search(k)
    )


def _quick_ok_pod(data: dict[str, Any]) -> bool:
    """Whether a (pruned) pod spec certainly validates: skips jsonschema on the common clean case."""
    for k, v in data.items():
        if k == "imagePullSecrets":
            if not _quick_ok_refs(v):
                return False
        elif k in _CONTAINER_LISTS:
            if v is not None and not (isinstance(v, list) and all(_quick_ok_container(c) for c in v)):
                return False
        elif _RELEVANT.search(k):
            return False
    return True


def check_pod_spec(pod: PodSpec) -> Iterator[FieldError]:
    """Errors in a pod spec's pull fields and in each of its containers'."""
    if pod.node is None or pod.implicit:
        return
    data = _value(pod.node, _container_keep)  # the container lists' keys too, their values below
    for name in _CONTAINER_LISTS:
        if name in data:
            node = get(pod.node, name)
            if isinstance(node, SequenceNode):  # each container with its pull keys only
                data[name] = [
                    _value(item, _container_keep) if isinstance(item, MappingNode) else _value(item) for item in node.value
                ]
            elif node is not None:
                data[name] = _value(node, None, 1)  # not a list: whole, for the schema to say so
    if not _quick_ok_pod(data):
        yield from _run("podSpec", pod.node, data, pod.field)


def check_container(container: Container) -> Iterator[FieldError]:
    """Errors in one container's pull fields (for containers of implicit pods: Tekton steps...)."""
    data = _value(container.node, _container_keep)
    if not _quick_ok_container(data):
        yield from _run("container", container.node, data, container.field)


def check_around_pod_spec(resource: Resource) -> Iterator[FieldError]:
    """``imagePullSecrets`` written beside the pod spec of a workload (``spec``, ``spec.template``...)."""
    fixed = POD_SPEC_PATHS.get(resource.kind)
    if fixed is None or not resource.pod_specs:
        return
    target = resource.pod_specs[0].field
    node: Node | None = resource.node
    for i in range(len(fixed)):
        if isinstance(node, MappingNode) and any(isinstance(k, ScalarNode) and _RELEVANT.search(str(k.value)) for k, _ in node.value):
            base = format_path(fixed[:i])
            data = _value(node, _container_keep)
            yield from _run("aroundPodSpec", node, data, base, {"pod_spec": target})
        node = get(node, fixed[i])


def _quick_ok_service_account(data: dict[str, Any]) -> bool:
    """Whether a (pruned) ServiceAccount certainly validates: its only pull-related keys are a
    well-formed ``imagePullSecrets`` and the ``secrets`` it mounts (no misspelling of either)."""
    return isinstance(data, dict) and all(
        (k == "imagePullSecrets" and _quick_ok_refs(v)) or k == "secrets" for k, v in data.items() if _RELEVANT.search(k)
    )


def check_service_account(resource: Resource) -> Iterator[FieldError]:
    """Errors in a ServiceAccount's ``imagePullSecrets``."""
    data = _value(resource.node, _container_keep)
    if not _quick_ok_service_account(data):
        yield from _run("serviceAccount", resource.node, data, "")


def _pull_related_secret(resource: Resource) -> bool:
    """A Secret typed (or nearly typed) as a docker config, or holding a docker config key."""
    if "docker" in (scalar_text(get(resource.node, "type")) or "").lower():
        return True
    for section in ("data", "stringData"):
        m = get(resource.node, section)
        if isinstance(m, MappingNode) and any(isinstance(k, ScalarNode) and "docker" in str(k.value).lower() for k, _ in m.value):
            return True
    return False


def _quick_ok_secret_data(section: Any) -> bool:
    return section is None or (
        isinstance(section, dict)
        and all(_DATA_KEY.fullmatch(k) for k in section)
        and all(section.get(k) is None or isinstance(section[k], str) for k in (".dockerconfigjson", ".dockercfg"))
    )


def _quick_ok_secret(data: Any) -> bool:
    """Whether a (pruned) Secret certainly validates: a string type, string docker config values
    under well-formed keys, and no other pull-related key (a misspelled stringData...)."""
    if not isinstance(data, dict):
        return False
    for k, v in data.items():
        if k == "type":
            if not (v is None or isinstance(v, str)):
                return False
        elif k in ("data", "stringData"):
            if not _quick_ok_secret_data(v):
                return False
        elif k != "metadata" and _SECRET_RELEVANT.search(k):
            return False
    return True


def check_secret(resource: Resource) -> Iterator[FieldError]:
    """Errors in a pull secret's ``type``, ``data`` and ``stringData`` shapes (never their content)."""
    if not _pull_related_secret(resource):
        return
    data = _value(resource.node, lambda k: _SECRET_RELEVANT.search(k) is not None)
    if not _quick_ok_secret(data):
        yield from _run("secret", resource.node, data, "")
