"""Offline registry inventories: the file format, loading and merging, and lookups by image name.

An inventory lists, per repository, the tags (each optionally with its digest) and digests that
exist in a registry; it is exported by CI and read here so that ``unknown-image-tag`` and
``pin-digest`` can stand in for the registry without touching the network. The format is
documented in ``docs/inventory.md`` and validated by ``data/inventory.schema.json``.

Loading is done once per run: the CLI loads every inventory before linting, and a per-process
cache keyed by path, size and mtime hands the same object to the rules, which keep it from
``__init__`` so forked workers share it. A 50,000-tag JSON inventory loads in well under 0.1 s
(validation: ``inventory_schema``; suggestions for what is missing: ``inventory_suggest``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from fnmatch import fnmatchcase
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pullcheck.catalogue import normalize_name_pattern
from pullcheck.imageref import InvalidReference, parse
from pullcheck.inventory_schema import FORMAT_VERSION as FORMAT_VERSION
from pullcheck.inventory_schema import InventoryError as InventoryError
from pullcheck.inventory_schema import validate as validate
from pullcheck.records import field, record

if TYPE_CHECKING:
    from pullcheck.config import Config
    from pullcheck.rule import Context

PIN_RULE = "pin-digest"
_CACHE_KEY = "inventory"


@record
class Repository:
    """One repository: its tags (tag -> digest, None when unknown or ambiguous) and every known digest."""

    name: str
    tags: dict[str, str | None] = field(default_factory=dict)
    digests: set[str] = field(default_factory=set)

    def add_tag(self, tag: str, digest: str | None = None) -> None:
        """Record a tag; two different digests for one tag make its digest ambiguous (None)."""
        if tag in self.tags:
            old = self.tags[tag]
            if digest is not None and old != digest:
                self.tags[tag] = None if old is not None else digest
        else:
            self.tags[tag] = digest
        if digest is not None:
            self.digests.add(digest)

    def merge(self, other: Repository) -> None:
        """Add another inventory's view of the same repository."""
        if not self.tags:
            self.tags = dict(other.tags)
        else:
            for tag, digest in other.tags.items():
                self.add_tag(tag, digest)
        self.digests |= other.digests


Status = Literal["listed", "covered", "ignored", "outside"]


@record
class Inventory:
    """The merged inventories of a run: repositories by normalized name, and the coverage patterns.

    ``covers`` are normalized name globs of repositories the inventory speaks for even when it
    does not list them (an image there is reported as an unknown repository); ``ignore`` are
    globs of repositories never checked, even when listed.
    """

    repositories: dict[str, Repository] = field(default_factory=dict)
    covers: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    _status: dict[str, Status] = field(default_factory=dict, repr=False)

    @property
    def tag_count(self) -> int:
        """How many tags the inventory lists, over every repository."""
        return sum(len(r.tags) for r in self.repositories.values())

    def merge(self, other: Inventory) -> None:
        """Add another inventory (repositories united, patterns appended)."""
        for name, repo in other.repositories.items():
            mine = self.repositories.get(name)
            if mine is None:
                self.repositories[name] = repo
            else:
                mine.merge(repo)
        self.covers += tuple(p for p in other.covers if p not in self.covers)
        self.ignore += tuple(p for p in other.ignore if p not in self.ignore)
        self._status.clear()

    def status(self, name: str) -> Status:
        """Whether a normalized repository name is listed, only covered by a pattern, ignored, or outside."""
        found = self._status.get(name)
        if found is None:
            if any(fnmatchcase(name, p) for p in self.ignore):
                found = "ignored"
            elif name in self.repositories:
                found = "listed"
            elif any(fnmatchcase(name, p) for p in self.covers):
                found = "covered"
            else:
                found = "outside"
            self._status[name] = found
        return found

    def covering(self, name: str) -> str | None:
        """The first ``covers`` pattern that matches a name (for messages)."""
        return next((p for p in self.covers if fnmatchcase(name, p)), None)

    def add(self, name: str, tag: str | None = None, digest: str | None = None) -> Repository:
        """Record a repository, and optionally a tag and/or a digest of it (importers build with this)."""
        repo = self.repositories.get(name)
        if repo is None:
            repo = self.repositories[name] = Repository(name)
        if tag is not None:
            repo.add_tag(tag, digest)
        elif digest is not None:
            repo.digests.add(digest)
        self._status.clear()
        return repo

    def to_data(self) -> dict[str, Any]:
        """The inventory in its file format (repositories sorted; tags as a list when no digest is known)."""
        repos: dict[str, Any] = {}
        for name in sorted(self.repositories):
            repo = self.repositories[name]
            tagged = {d for d in repo.tags.values() if d is not None}
            entry: dict[str, Any] = {}
            if repo.tags:
                entry["tags"] = dict(repo.tags) if tagged else list(repo.tags)
            untagged = sorted(repo.digests - tagged)
            if untagged:
                entry["digests"] = untagged
            repos[name] = entry
        data: dict[str, Any] = {"version": FORMAT_VERSION}
        if self.covers:
            data["covers"] = list(self.covers)
        if self.ignore:
            data["ignore"] = list(self.ignore)
        data["repositories"] = repos
        return data


# -- names ----------------------------------------------------------------------------------------


def normalize_repository(name: str) -> str:
    """A repository name in normalized form (``nginx`` -> ``docker.io/library/nginx``).

    Raises InventoryError when the name is not a valid repository, or carries a tag or digest.
    """
    try:
        ref = parse(name)
    except InvalidReference as exc:
        raise InventoryError(f"{name!r} is not a valid repository name: {exc.reason}") from None
    if ref.tag is not None or ref.digest is not None:
        raise InventoryError(f"{name!r} is a repository with a tag or digest; write the tags under the repository name")
    return ref.name


# -- loading --------------------------------------------------------------------------------------


def parse_text(text: str, origin: str) -> Any:
    """Parse an inventory file's text: JSON when it is JSON (fast), else YAML."""
    if text.lstrip().startswith("{"):
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            pass  # YAML flow style
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    from pullcheck.config import yaml_error_parts

    try:
        return YAML(typ="safe").load(text)
    except YAMLError as exc:
        where, problem = yaml_error_parts(exc)
        raise InventoryError(f"{origin}{where}: not valid YAML or JSON: {problem}") from None


def from_data(data: Any, origin: str) -> Inventory:
    """Build an inventory from a parsed document, after validating it."""
    validate(data, origin)
    return build(data, origin)


def build(data: dict[str, Any], origin: str) -> Inventory:
    """Build an inventory from a document already validated (names are normalized here)."""
    inv = Inventory()
    try:
        inv.covers = tuple(normalize_name_pattern(p) for p in data.get("covers", ()))
        inv.ignore = tuple(normalize_name_pattern(p) for p in data.get("ignore", ()))
        for key, entry in data["repositories"].items():
            name = normalize_repository(key)
            repo = Repository(name)
            tags = entry if type(entry) is list else entry.get("tags", ())
            if type(tags) is dict:
                repo.tags = tags
                repo.digests = {d for d in tags.values() if d is not None}
            else:
                repo.tags = dict.fromkeys(tags)
            if type(entry) is dict and "digests" in entry:
                repo.digests.update(entry["digests"])
            old = inv.repositories.get(name)
            if old is None:
                inv.repositories[name] = repo
            else:
                old.merge(repo)  # `nginx` and `docker.io/library/nginx` both written
    except InventoryError as exc:
        raise InventoryError(f"{origin}: repositories: {exc}") from None
    return inv


def _key(path: Path) -> tuple[str, int, int]:
    try:
        st = path.stat()
    except OSError as exc:
        raise InventoryError(f"{path}: cannot read inventory: {exc.strerror or exc}") from None
    return (str(path), st.st_size, st.st_mtime_ns)


def load_file(path: Path) -> Inventory:
    """Read, validate and build one inventory file (a new object each call: ``load_all`` caches)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InventoryError(f"{path}: cannot read inventory: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise InventoryError(f"{path}: inventory is not UTF-8 ({exc.reason} at byte {exc.start})") from None
    return from_data(parse_text(text, str(path)), str(path))


_MERGED: dict[tuple[tuple[str, int, int], ...], Inventory] = {}


def load_all(paths: Sequence[Path]) -> Inventory:
    """The union of several inventory files, read once per process while none of them changes."""
    keys = tuple(_key(p) for p in paths)
    found = _MERGED.get(keys)
    if found is not None:
        return found
    if len(paths) == 1:
        merged = load_file(paths[0])
    else:
        merged = Inventory()
        for p in paths:
            merged.merge(load_file(p))  # each a fresh object: merging changes nothing cached
    _MERGED.clear()  # keep one generation: a long-lived process re-reads changed files
    _MERGED[keys] = merged
    return merged


def configured_paths(config: Config, cwd: Path | None = None) -> list[Path]:
    """The inventory files of a config: relative ones are relative to the config file's folder."""
    base = config.path.parent if config.path is not None else (cwd or Path.cwd())
    return [(base / p) if not Path(p).is_absolute() else Path(p) for p in config.data.get("inventory") or ()]


def prepare(config: Config, extra: Iterable[Path], cwd: Path, pin_digests: bool = False) -> Inventory | None:
    """Resolve config and ``--inventory`` files, load them (errors now, before linting) and record them.

    ``config.data["inventory"]`` then holds absolute paths, which the rules load from the cache.
    ``--pin-digests`` switches on the ``pin-digest`` fix source and needs an inventory.
    """
    paths = configured_paths(config, cwd) + [p if p.is_absolute() else cwd / p for p in extra]
    if pin_digests:
        if not paths:
            raise InventoryError("--pin-digests needs an inventory: --inventory FILE or `inventory:` in .pullcheck.yaml")
        config.enable.add(PIN_RULE)
    if not paths:
        return None
    config.data["inventory"] = [str(p) for p in paths]
    return load_all(paths)


def for_context(ctx: Context) -> Inventory | None:
    """The run's inventory, loaded at most once per run (kept in ``ctx.cache``), or None."""
    if _CACHE_KEY not in ctx.cache:
        paths = configured_paths(ctx.config)
        ctx.cache[_CACHE_KEY] = load_all(paths) if paths else None
    inv: Inventory | None = ctx.cache[_CACHE_KEY]
    return inv
