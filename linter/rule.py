"""The rule interface, rule documentation, and the registry of built-in and plug-in rules.

A rule is a class with its metadata and documentation as class attributes and two hooks:
``check`` (one object at a time, may run in a worker process) and ``finish`` (once per run, over
the cross-document index). Third parties register rule classes under the entry-point group
``pullcheck.rules``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from pullcheck.finding import Finding, Fix, Level, Related
from pullcheck.nodes import Node
from pullcheck.records import field, record

if TYPE_CHECKING:
    from pullcheck.config import Config
    from pullcheck.index import Index
    from pullcheck.model import Container, PodSpec, Resource
    from pullcheck.pullfacts import ContainerFact, Place

ENTRY_POINT_GROUP = "pullcheck.rules"
T = TypeVar("T")


@record
class Context:
    """What a rule may know besides the object: the run's config and apply namespace."""

    config: Config
    namespace: str = "default"
    cache: dict[str, Any] = field(default_factory=dict)
    # Values derived from one run's index, shared by the rules that need them (see ``for_index``).
    index_cache: dict[str, tuple[Index, Any]] = field(default_factory=dict)

    def for_index(self, key: str, index: Index, build: Callable[[], T]) -> T:
        """The value under ``key`` computed from this very ``index``: built on first use, and built
        again when asked with another index (a later run of the same engine)."""
        cached = self.index_cache.get(key)
        if cached is None or cached[0] is not index:
            cached = self.index_cache[key] = (index, build())
        value: T = cached[1]
        return value


class Rule:
    """Base class of every rule; subclasses set the class attributes and override the hooks."""

    id: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    level: ClassVar[Level] = "warning"
    enabled_by_default: ClassVar[bool] = True
    tags: ClassVar[tuple[str, ...]] = ()
    precision: ClassVar[str] = "high"
    security_severity: ClassVar[float | None] = None
    options: ClassVar[dict[str, tuple[Any, str]]] = {}
    option_choices: ClassVar[dict[str, tuple[str, ...]]] = {}  # the values a string option takes
    # Documentation, rendered by ``pullcheck explain`` and into docs/rules/<id>.md.
    what: ClassVar[str] = ""
    why: ClassVar[str] = ""
    bad_example: ClassVar[str] = ""
    good_example: ClassVar[str] = ""
    # Config and files the examples are linted with (pullcheck.examples), shown on the page.
    example_config: ClassVar[dict[str, Any]] = {}
    example_files: ClassVar[dict[str, str]] = {}
    how_to_fix: ClassVar[str] = ""
    # Rules the loader (not a ``check``) reports, kept here for metadata, levels and docs.
    from_loader: ClassVar[bool] = False
    # Whether a finding belongs to an object, so the object's annotation can silence it (not when
    # the file or document could not be read).
    on_objects: ClassVar[bool] = True
    # The parts of an image ("tag", "name") the rule's findings are about: a kustomize override of
    # the run replacing one of them makes the finding moot (pullcheck.kustomize).
    judges: ClassVar[frozenset[str]] = frozenset()
    origin: ClassVar[str] = "pullcheck"

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.settings = ctx.config.rule_options(self.id, self.options)

    def check(self, resource: Resource) -> Iterable[Finding]:
        """Findings for one object; called for every object of every linted document."""
        return ()

    def finish(self, index: Index) -> Iterable[Finding]:
        """Findings that need the whole run (every document indexed); called once at the end."""
        return ()

    def at(
        self,
        resource: Resource,
        node: Node,
        message: str,
        *,
        pod: PodSpec | None = None,
        container: Container | None = None,
        field: str | None = None,
        image: str | None = None,
        fix: Fix | None = None,
        related: tuple[Related, ...] = (),
    ) -> Finding:
        """A finding of this rule positioned exactly on ``node`` of ``resource``."""
        if field is None and container is not None:
            field = container.image_field
        return Finding(
            self.id,
            self.level,
            message,
            resource.path,
            resource.span(node),
            obj=resource.ref(self.ctx.namespace),
            container=container.name if container is not None else None,
            field=field,
            image=image if image is not None else (container.image_text if container is not None else None),
            helm_source=resource.document.helm_source,
            fix=fix,
            related=related,
            doc=resource.document.index,
        )

    def at_image_fact(self, fact: ContainerFact, message: str, level: Level | None = None, **fields: Any) -> Finding:
        """A finding of this rule on a container's image, from the run-wide facts (``finish``)."""
        return self.at_place(fact, message, level, container=fact.name, field=fact.field, image=fact.image, **fields)

    def at_place(self, place: Place, message: str, level: Level | None = None, **fields: Any) -> Finding:
        """A finding of this rule where a run-wide fact is written (``finish`` has facts, not nodes)."""
        return Finding(
            self.id,
            level or self.level,
            message,
            place.path,
            place.span,
            obj=place.obj,
            helm_source=place.helm_source,
            doc=place.doc,
            **fields,
        )


def render_docs(rule: type[Rule], markdown: bool = True) -> str:
    """A rule's full documentation as Markdown, from the one source beside its code."""

    import textwrap

    def block(text: str) -> str:
        return textwrap.dedent(text).strip()

    parts = [f"# {rule.id}", "", f"{rule.summary}", ""]
    state = "on" if rule.enabled_by_default else "off"
    parts += [f"Default level: **{rule.level}** ({state} by default). Tags: {', '.join(rule.tags) or '-'}.", ""]
    if rule.what:
        parts += ["## What it does", "", block(rule.what), ""]
    if rule.why:
        parts += ["## Why is this bad?", "", block(rule.why), ""]
    from pullcheck.examples import setup_section

    parts += setup_section(rule)
    if rule.bad_example:
        parts += ["## Example", "", "```yaml", block(rule.bad_example), "```", ""]
    if rule.good_example:
        parts += ["## Use instead", "", "```yaml", block(rule.good_example), "```", ""]
    if rule.how_to_fix:
        parts += ["## How to fix", "", block(rule.how_to_fix), ""]
    if rule.options:
        parts += ["## Options", ""]
        for name, (default, doc) in rule.options.items():
            parts.append(f"- `{name}` (default `{default!r}`): {doc}")
        parts.append("")
    annotation = f'Annotation `pullcheck.dev/ignore: "{rule.id}"` on the object, the comment ' if rule.on_objects else "The comment "
    parts += [
        "## Suppress",
        "",
        f"{annotation}`# pullcheck: ignore[{rule.id}]` on the line or the line above, or "
        f"`rules: {{{rule.id}: off}}` in `.pullcheck.yaml`.",
        "",
    ]
    return "\n".join(parts)


def builtin_rules() -> list[type[Rule]]:
    """The rules that ship with pullcheck, in catalogue order."""
    from pullcheck.rules import BUILTIN

    return list(BUILTIN)


def _may_have_plugins() -> bool:
    """Whether any distribution on ``sys.path`` may declare a ``pullcheck.rules`` entry point.

    A scan of the ``*.dist-info``/``*.egg-info`` directories' ``entry_points.txt``, so that a run
    without plug-ins skips ``importlib.metadata`` (slower to import and search than a lint of one
    small file). True whenever unsure: a zip on the path, or a finder that lists distributions itself.
    """
    from importlib.machinery import PathFinder

    if any(f is not PathFinder and hasattr(f, "find_distributions") for f in sys.meta_path):
        return True
    for entry in sys.path:
        top = entry or "."
        egg = os.path.basename(os.path.normpath(top)).lower().endswith(".egg")  # its EGG-INFO counts too
        try:
            with os.scandir(top) as it:
                metadata = [
                    e.name
                    for e in it
                    if e.name.lower().endswith((".dist-info", ".egg-info")) or (egg and e.name.lower() == "egg-info")
                ]
        except NotADirectoryError:
            return True
        except OSError:
            continue
        for name in metadata:
            try:
                with open(os.path.join(top, name, "entry_points.txt"), encoding="utf-8", errors="replace") as fh:
                    if ENTRY_POINT_GROUP in fh.read():
                        return True
            except OSError:
                continue
    return False


def plugin_rules() -> tuple[list[type[Rule]], list[str]]:
    """Rule classes registered by installed packages, and an error line per broken plug-in."""
    found: list[type[Rule]] = []
    errors: list[str] = []
    if not _may_have_plugins():
        return found, errors
    from importlib.metadata import entry_points

    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            obj = ep.load()
        except Exception as exc:  # a broken plug-in must not stop the run
            errors.append(f"plug-in {ep.name!r} ({ep.value}) failed to load: {exc}")
            continue
        candidates = obj if isinstance(obj, (list, tuple)) else [obj]
        for cand in candidates:
            if isinstance(cand, type) and issubclass(cand, Rule) and getattr(cand, "id", None):
                cand.origin = ep.dist.name if ep.dist is not None else ep.name
                found.append(cand)
            else:
                errors.append(f"plug-in {ep.name!r} ({ep.value}) is not a pullcheck Rule subclass")
    return found, errors


def all_rules(with_plugins: bool = True) -> tuple[list[type[Rule]], list[str]]:
    """Built-in and plug-in rules by id (a plug-in cannot replace a built-in id)."""
    rules = builtin_rules()
    errors: list[str] = []
    if with_plugins:
        extra, errors = plugin_rules()
        ids = {r.id for r in rules}
        for r in extra:
            if r.id in ids:
                errors.append(f"plug-in rule {r.id!r} from {r.origin} clashes with an existing rule id; ignored")
            else:
                ids.add(r.id)
                rules.append(r)
    return rules, errors


def iter_enabled(rules: list[type[Rule]], config: Config) -> Iterator[type[Rule]]:
    """Rules switched on by default or config."""
    for r in rules:
        if config.rule_level(r) is not None:
            yield r


class ContainerRule(Rule):
    """A rule that looks at one container at a time; ``check`` walks every container for it."""

    def check(self, resource: Resource) -> Iterable[Finding]:
        """Run ``check_container`` on every container of every pod spec of the object."""
        for pod, container in resource.containers():
            yield from self.check_container(resource, pod, container)

    def check_container(self, resource: Resource, pod: PodSpec, container: Container) -> Iterable[Finding]:
        """Findings for one container."""
        return ()


def image_node(container: Container) -> Node:
    """Where to point for a container's image: the value, else the container mapping itself."""
    return container.image if container.image is not None else container.node
