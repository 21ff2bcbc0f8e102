"""Read what kubectl printed about failing pods into plain observations.

Three outputs are recognised by their content, whatever the file is called:

- ``kubectl get pods -o yaml|json``: a Pod, or a List/PodList of them; containers from the spec,
  states from ``status.containerStatuses``, ``initContainerStatuses`` and
  ``ephemeralContainerStatuses`` (``state.waiting.reason``/``message``, ``image``, ``imageID``);
- ``kubectl get events -o yaml|json``: a List/EventList of Events (``core/v1`` with
  ``involvedObject``/``message``, or ``events.k8s.io/v1`` with ``regarding``/``note``); a mixed
  ``kubectl get pods,events -o yaml`` works too; and the plain ``kubectl get events`` table
  (its rows about pods, cut at the header's columns);
- the text of ``kubectl describe pod`` (one pod or several): the header fields, each container's
  ``Image``/``State``/``Reason``/``Message`` lines, and the Events table.

YAML and JSON are read with ruamel.yaml's safe loader. Anything that cannot be used raises
:class:`DumpError` with a message that names the file (and the line when the parser knows it).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pullcheck.finding import Finding
from pullcheck.records import field, record
from pullcheck.sources import STDIN, Source, decode, read

MAX_DUMP_SIZE = 64 * 1024 * 1024
EXPECTED = "expected the output of `kubectl get pods -o yaml|json`, `kubectl get events [-o yaml|json]` or `kubectl describe pod`"
CONTAINER_KINDS = ("initContainer", "container", "ephemeralContainer")
_SPEC_LISTS = (("initContainers", "initContainer"), ("containers", "container"), ("ephemeralContainers", "ephemeralContainer"))
_STATUS_LISTS = (
    ("initContainerStatuses", "initContainer"),
    ("containerStatuses", "container"),
    ("ephemeralContainerStatuses", "ephemeralContainer"),
)
_FIELD_PATH = re.compile(r"spec\.(initContainers|containers|ephemeralContainers)\{([^}]*)\}")
_FIELD_KIND = dict(_SPEC_LISTS)
_DESCRIBE_NAME = re.compile(r"^Name:[ \t]+(\S+)[ \t]*$")
_DESCRIBE_MARK = re.compile(r"^(?:Namespace|Containers|Init Containers|Events|Status|Node):", re.M)
_TABLE_HEAD = re.compile(r"^(?:NAMESPACE\s+)?NAME\s+READY\s+STATUS\b")
_EVENTS_HEAD = re.compile(r"^(?:NAMESPACE\s+)?LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+.*\bMESSAGE\b")
# the events table's headers as the describe Events table names the same cells
_EVENTS_CELLS = {
    "TYPE": "Type", "REASON": "Reason", "MESSAGE": "Message", "COUNT": "Count", "LAST SEEN": "Age", "SUBOBJECT": "SubObjectPath"
}
_HEADER_FIELD = re.compile(r"^([A-Z][A-Za-z -]*?):(?:[ \t]+(.*?))?[ \t]*$")
_FIELD = re.compile(r"^([ \t]+)([A-Z][A-Za-z ]*?):(?:[ \t]+(.*?))?[ \t]*$")
_CONTAINER_NAME = re.compile(r"^([ \t]+)([^\s:][^:]*):[ \t]*$")
_EVENT_ROW = re.compile(r"^\s*(Normal|Warning)\s+(\S+)\s+(.+?)\s{2,}(\S.*?)\s{2,}(\S.*)$")
_AGE_COUNT = re.compile(r"\(x(\d+) over")
_CONTROLLED_BY = re.compile(r"^([A-Za-z]+)/(\S+)$")


class DumpError(Exception):
    """An input that cannot be diagnosed; the message names the file and says why."""


@record
class ContainerObs:
    """One container of a pod as a dump shows it; ``state`` is None when the dump has no status for it."""

    name: str
    kind: str = "container"
    image: str | None = None
    image_id: str | None = None
    state: str | None = None
    reason: str | None = None
    message: str | None = None
    where: str = ""


@record
class PodObs:
    """A pod from ``get pods`` or ``describe``: identity, owners, pull secrets and containers."""

    namespace: str
    name: str
    source: str
    owners: list[tuple[str, str]] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    pull_secrets: list[str] = field(default_factory=list)
    containers: list[ContainerObs] = field(default_factory=list)
    has_status: bool = False


@record
class EventObs:
    """One event about a pod (``container`` from ``fieldPath`` when the dump has it)."""

    namespace: str
    pod: str
    reason: str
    message: str
    where: str
    container: str | None = None
    container_kind: str | None = None
    type: str = ""
    count: int = 1
    last: datetime | None = None


@record
class Dump:
    """Everything one input held; ``problems`` say what was missing or cut off (the rest is still used)."""

    path: str
    kind: str
    pods: list[PodObs] = field(default_factory=list)
    events: list[EventObs] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


# -- reading ---------------------------------------------------------------------------------------


def read_dump(arg: str) -> Dump:
    """Read one file (``-`` for stdin) and parse it, or raise DumpError naming it."""
    if arg == STDIN:
        display = "<stdin>"
        text: str | Finding = decode(sys.stdin.buffer.read(), display)
    else:
        display = arg
        p = Path(arg)
        if p.is_dir():
            raise DumpError(f"{arg}: is a directory; give the files kubectl wrote")
        text = read(Source(arg, arg), MAX_DUMP_SIZE)
    if isinstance(text, Finding):
        raise DumpError(f"{display}: {re.sub(r';? not linted', '', text.message)}")
    return parse_text(text, display)


def parse_text(text: str, path: str) -> Dump:
    """Recognise which kubectl output ``text`` is and parse it."""
    body = text.lstrip("\ufeff \t\r\n")
    if not body:
        raise DumpError(f"{path}: empty input; {EXPECTED}")
    if body[0] in "{[":
        return _structured(text, path, "JSON")
    if _looks_like_describe(text):
        return parse_describe(text, path)
    if _EVENTS_HEAD.match(body):
        return parse_events_table(text, path)
    if _TABLE_HEAD.match(body):
        raise DumpError(
            f"{path}: this is the kubectl pods table; it does not hold the pull error messages - "
            "use `kubectl get pods -o yaml`, `kubectl get events` or `kubectl describe pod`"
        )
    return _structured(text, path, "YAML")


def parse_events_table(text: str, path: str) -> Dump:
    """The table of ``kubectl get events`` (``-A`` adds NAMESPACE): its rows about pods. Cells are
    cut at the header's column positions; without a NAMESPACE column the namespace is left empty
    (``collect`` takes the pod's from another dump, else ``default``)."""
    lines = text.lstrip("\ufeff").splitlines()
    start = next(i for i, ln in enumerate(lines) if _EVENTS_HEAD.match(ln.lstrip()))
    header = lines[start].expandtabs(8)
    columns = [(m.group(0), m.start()) for m in re.finditer(r"(?:LAST|FIRST) SEEN|\S+", header)]
    dump = Dump(path, "events")
    for i in range(start + 1, len(lines)):
        line = lines[i].expandtabs(8)
        cells = {name: line[pos : columns[n + 1][1] if n + 1 < len(columns) else None].strip() for n, (name, pos) in enumerate(columns)}
        kind, _, pod = cells.get("OBJECT", "").partition("/")
        row = _cells_row({_EVENTS_CELLS.get(k, k): v for k, v in cells.items()})
        if row is None or kind.lower() != "pod" or not pod:
            continue
        reason, message, count, typ, sub = row
        ev = EventObs(cells.get("NAMESPACE", ""), pod, reason, message, f"{path}:{i + 1}: event {reason}", type=typ, count=count)
        _name_container(ev, sub)  # the -o wide table's SUBOBJECT
        dump.events.append(ev)
    return dump


def _looks_like_describe(text: str) -> bool:
    first = next((ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith(("$", "#"))), "")
    return bool(_DESCRIBE_NAME.match(first)) and bool(_DESCRIBE_MARK.search(text))


# -- YAML / JSON -----------------------------------------------------------------------------------


def _structured(text: str, path: str, what: str) -> Dump:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        docs = [d for d in YAML(typ="safe", pure=False).load_all(text) if d is not None]
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
        problem = " ".join(str(exc.problem or exc.context or "syntax error").split())
        at_end = mark is not None and getattr(mark, "index", -1) >= len(text.rstrip())
        cut = at_end or "end of stream" in str(exc) or "<stream end>" in str(exc)
        hint = "; the dump looks truncated (cut off before its end)" if cut else ""
        raise DumpError(f"{path}{at}: not valid {what} ({problem}){hint}") from None
    except (YAMLError, ValueError, TypeError, RecursionError) as exc:
        raise DumpError(f"{path}: not valid {what} ({type(exc).__name__}: {exc})") from None
    dump = Dump(path, "")
    kinds: list[str] = []
    lists = 0
    for n, doc in enumerate(docs):
        if not isinstance(doc, (dict, list)):
            raise DumpError(f"{path}: not a Kubernetes object ({what} document {n + 1} is a {type(doc).__name__}); {EXPECTED}")
        for obj, where in _objects(doc, path, dump.problems):
            if obj is None:
                lists += 1
                continue
            kind = _str(obj.get("kind"))
            if kind == "Pod" or (not kind and isinstance(obj.get("spec"), dict) and "containers" in obj["spec"]):
                pod = _pod(obj, path, where, dump.problems)
                if pod is not None:
                    dump.pods.append(pod)
            elif kind == "Event" or (not kind and ("involvedObject" in obj or "regarding" in obj)):
                ev = _event(obj, path, where)
                if ev is not None:
                    dump.events.append(ev)
            else:
                kinds.append(kind or "an object without kind")
    if not dump.pods and not dump.events:
        if kinds:
            found = ", ".join(sorted(set(kinds)))
            raise DumpError(f"{path}: no Pod or Event in it (found {found}); {EXPECTED}")
        if not lists:
            raise DumpError(f"{path}: no Pod or Event in it; {EXPECTED}")
    dump.kind = "pods+events" if dump.pods and dump.events else "pods" if dump.pods else "events" if dump.events else "empty list"
    return dump


def _objects(doc: dict[str, Any] | list[Any], path: str, problems: list[str]) -> Iterator[tuple[dict[str, Any] | None, str]]:
    """The objects of a document: a List's items (``None`` marks the List itself) or the object."""
    if isinstance(doc, list):
        items: Any = doc
        yield None, path
    elif isinstance(doc.get("items"), list) and (_str(doc.get("kind")) or "List").endswith("List"):
        items = doc["items"]
        yield None, path
        if "kind" not in doc:
            problems.append(f"{path}: a list without `kind` (kubectl writes it after the items); the dump looks truncated")
    else:
        yield doc, path
        return
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            what = type(item).__name__
            raise DumpError(f"{path}: not kubectl output (item {i} of a list is {'an' if what[0] in 'aeiou' else 'a'} {what}); {EXPECTED}")
        yield item, f"{path} items[{i}]"


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _pod(obj: dict[str, Any], path: str, where: str, problems: list[str]) -> PodObs | None:
    meta = _dict(obj.get("metadata"))
    name = _str(meta.get("name"))
    if not name:
        problems.append(f"{where}: a Pod without metadata.name; skipped")
        return None
    ns = _str(meta.get("namespace")) or "default"
    pod = PodObs(ns, name, path)
    pod.owners = [(_str(o.get("kind")), _str(o.get("name"))) for o in _list(meta.get("ownerReferences")) if isinstance(o, dict)]
    pod.labels = {str(k): str(v) for k, v in _dict(meta.get("labels")).items()}
    spec = _dict(obj.get("spec"))
    pod.pull_secrets = [_str(s.get("name")) for s in _list(spec.get("imagePullSecrets")) if isinstance(s, dict)]
    by_name: dict[tuple[str, str], ContainerObs] = {}
    for key, kind in _SPEC_LISTS:
        for c in _list(spec.get(key)):
            if isinstance(c, dict) and _str(c.get("name")):
                co = ContainerObs(c["name"], kind, c.get("image") if isinstance(c.get("image"), str) else None)
                co.where = f"{where} ({ns}/{name})"
                by_name[(kind, co.name)] = co
                pod.containers.append(co)
    status = obj.get("status")
    if not isinstance(status, dict):
        problems.append(f"{where}: Pod {ns}/{name} has no status; the dump looks truncated or was not made with `kubectl get -o yaml`")
        return pod
    pod.has_status = True
    for key, kind in _STATUS_LISTS:
        for st in _list(status.get(key)):
            if not isinstance(st, dict) or not _str(st.get("name")):
                continue
            found = by_name.get((kind, st["name"]))
            if found is None:
                found = ContainerObs(st["name"], kind, where=f"{where} ({ns}/{name})")
                by_name[(kind, found.name)] = found
                pod.containers.append(found)
            co = found
            if co.image is None and _str(st.get("image")):
                co.image = st["image"]
            co.image_id = _str(st.get("imageID")) or None
            co.where = f"{where}: status.{key}[{st['name']}]"
            state = _dict(st.get("state"))
            for phase in ("waiting", "running", "terminated"):
                if phase in state:
                    detail = _dict(state[phase])
                    co.state = phase
                    co.reason = _str(detail.get("reason")) or None
                    co.message = _str(detail.get("message")) or None
                    break
    return pod


def _event(obj: dict[str, Any], path: str, where: str) -> EventObs | None:
    inv = _dict(obj.get("involvedObject") or obj.get("regarding"))
    if _str(inv.get("kind")) not in ("Pod", ""):
        return None
    pod = _str(inv.get("name"))
    if not pod:
        return None
    meta = _dict(obj.get("metadata"))
    ns = _str(inv.get("namespace")) or _str(meta.get("namespace")) or "default"
    ev = EventObs(
        ns,
        pod,
        _str(obj.get("reason")),
        _str(obj.get("message")) or _str(obj.get("note")),
        f"{where}: event {_str(obj.get('reason')) or '?'}",
        type=_str(obj.get("type")),
    )
    _name_container(ev, _str(inv.get("fieldPath")))
    series = _dict(obj.get("series"))
    count = obj.get("count") or series.get("count") or obj.get("deprecatedCount") or 1
    ev.count = count if isinstance(count, int) and count > 0 else 1
    for key in ("lastTimestamp", "eventTime", "firstTimestamp"):
        t = _time(obj.get(key))
        if t is not None:
            ev.last = t
            break
    last_seen = _time(series.get("lastObservedTime"))
    if last_seen is not None:
        ev.last = last_seen
    return ev


def _time(value: Any) -> datetime | None:
    """A timestamp as kubectl writes it (YAML gives a datetime, JSON a string), in UTC."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, str) and value:
        try:
            t = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return t if t.tzinfo else t.replace(tzinfo=timezone.utc)
    return None


# -- kubectl describe pod --------------------------------------------------------------------------


def parse_describe(text: str, path: str) -> Dump:
    """Parse one or more ``kubectl describe pod`` outputs (each starts with a ``Name:`` line)."""
    lines = text.splitlines()
    starts = [i for i, ln in enumerate(lines) if _DESCRIBE_NAME.match(ln)]
    dump = Dump(path, "describe")
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        _describe_pod(lines, start, end, path, dump)
    return dump


def _indent(line: str) -> int:
    return len(line.expandtabs(8)) - len(line.expandtabs(8).lstrip())


def _describe_pod(lines: list[str], start: int, end: int, path: str, dump: Dump) -> None:
    m = _DESCRIBE_NAME.match(lines[start])
    assert m is not None
    pod = PodObs("default", m.group(1), path)
    section = ""
    header_key = ""
    seen: set[str] = set()
    i = start + 1
    container: ContainerObs | None = None
    name_indent = -1
    field_indent = -1
    state_key = ""
    while i < end:
        line = lines[i]
        i += 1
        if not line.strip():
            continue
        if not line[0].isspace():
            hm = _HEADER_FIELD.match(line)
            if hm is None:
                section, header_key = "", ""
                continue
            key, value = hm.group(1), (hm.group(2) or "").strip()
            header_key = key
            seen.add(key)
            section, container, name_indent, field_indent = "", None, -1, -1
            if key == "Namespace" and value:
                pod.namespace = value
            elif key == "Labels":
                _label(pod, value)
            elif key == "Controlled By":
                cm = _CONTROLLED_BY.match(value)
                if cm:
                    pod.owners.append((cm.group(1), cm.group(2)))
            elif key in ("Containers", "Init Containers", "Ephemeral Containers"):
                section = key
            elif key == "Events":
                i = _describe_events(lines, i, end, path, pod, dump)
            continue
        if not section:
            if header_key == "Labels":
                _label(pod, line.strip())
            continue
        ind = _indent(line)
        cm = _CONTAINER_NAME.match(line)
        if cm and (name_indent < 0 or ind <= name_indent):
            name_indent = ind
            kind = {"Containers": "container", "Init Containers": "initContainer"}.get(section, "ephemeralContainer")
            container = ContainerObs(cm.group(2).strip(), kind, where=f"{path}:{i}: container {cm.group(2).strip()}")
            pod.containers.append(container)
            field_indent, state_key = -1, ""
            continue
        fm = _FIELD.match(line)
        if container is None or fm is None:
            continue
        key, value = fm.group(2), (fm.group(3) or "").strip()
        if field_indent < 0 or ind <= field_indent:
            field_indent = ind
            state_key = key
            if key == "Image":
                container.image = value or None
            elif key == "Image ID":
                container.image_id = value or None
            elif key == "State":
                container.state = value.lower() or None
                container.where = f"{path}:{i}: container {container.name}"
        elif state_key == "State" and key in ("Reason", "Message"):
            if key == "Reason":
                container.reason = value or None
            else:
                container.message = value or None
    pod.has_status = any(c.state for c in pod.containers)
    if "Events" not in seen:
        dump.problems.append(f"{path}:{start + 1}: the describe output of pod {pod.name} ends before its Events section; it looks truncated")
    dump.pods.append(pod)


def _label(pod: PodObs, text: str) -> None:
    if "=" in text:
        k, _, v = text.partition("=")
        pod.labels[k.strip()] = v.strip()


def _describe_events(lines: list[str], i: int, end: int, path: str, pod: PodObs, dump: Dump) -> int:
    """Read the Events table that starts at ``lines[i]``; return the index after it."""
    columns: list[tuple[str, int]] = []
    while i < end:
        line = lines[i]
        if line.strip() and not line[0].isspace():
            return i
        i += 1
        if not line.strip():
            if columns:
                return i
            continue
        words = [(m.group(0), m.start()) for m in re.finditer(r"\S+", line.expandtabs(8))]
        names = [w for w, _ in words]
        if not columns and "Reason" in names and "Message" in names:
            columns = words
            continue
        if set(line.strip()) <= {"-", " "}:
            continue
        row = _event_row(line, columns)
        if row is None:
            continue
        reason, message, count, typ, sub = row
        ev = EventObs(pod.namespace, pod.name, reason, message, f"{path}:{i}: event {reason}", type=typ, count=count)
        _name_container(ev, sub)
        dump.events.append(ev)
    return i


def _name_container(ev: EventObs, field_path: str) -> None:
    """Set the event's container from a field path such as ``spec.containers{web}``, if it is one."""
    fm = _FIELD_PATH.search(field_path)
    if fm:
        ev.container, ev.container_kind = fm.group(2), _FIELD_KIND[fm.group(1)]


def _event_row(line: str, columns: list[tuple[str, int]]) -> tuple[str, str, int, str, str] | None:
    """(reason, message, repeat count, type, sub-object path) of one Events row, or None.

    Cells are cut at the header's column positions (kubectl aligns them); a row that does not fit
    (a table whose tabs were not kept aligned) is split at tab and double-space runs instead."""
    if columns:
        line = line.expandtabs(8)
        cells: dict[str, str] = {}
        for n, (name, pos) in enumerate(columns):
            stop = columns[n + 1][1] if n + 1 < len(columns) else None
            cells[name] = line[pos:stop].strip() if stop is not None else line[pos:].strip()
        row = _cells_row(cells)
        if row is None:
            parts = re.split(r"\t+|\s{2,}", line.strip(), maxsplit=len(columns) - 1)
            row = _cells_row(dict(zip((name for name, _ in columns), parts, strict=True))) if len(parts) == len(columns) else None
        if row is not None:
            return row
    m = _EVENT_ROW.match(line)
    if m is None:
        return None
    return m.group(2), m.group(5), _age_count(m.group(3)), m.group(1), ""


def _age_count(age: str) -> int:
    """The repeat count kubectl writes into an event's age (``3m (x12 over 10m)``), else 1."""
    m = _AGE_COUNT.search(age)
    return int(m.group(1)) if m else 1


def _cells_row(cells: dict[str, str]) -> tuple[str, str, int, str, str] | None:
    reason, message = cells.get("Reason", ""), cells.get("Message", "")
    if not re.fullmatch(r"[A-Za-z]+", reason) or cells.get("Type", "Normal") not in ("Normal", "Warning"):
        return None
    count = cells.get("Count", "")
    repeats = int(count) if count.isdigit() else _age_count(cells.get("Age", ""))
    return reason, message, repeats, cells.get("Type", ""), cells.get("SubObjectPath", "")
