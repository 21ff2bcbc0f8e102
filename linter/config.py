"""``.pullcheck.yaml``: discovery, validation against the shipped JSON Schema, and typed access."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pullcheck.finding import Level

if TYPE_CHECKING:
    from pullcheck.rule import Rule

CONFIG_NAMES = (".pullcheck.yaml", ".pullcheck.yml", "pullcheck.yaml")
DEFAULT_MUTABLE_TAGS = ("latest",)


class ConfigError(Exception):
    """A configuration problem; the CLI prints it and exits 2."""


@dataclass(slots=True)
class Config:
    """The merged configuration of a run: file settings plus command-line overrides."""

    data: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None
    enable: set[str] = field(default_factory=set)
    disable: set[str] = field(default_factory=set)

    def get(self, dotted: str, default: Any = None) -> Any:
        """A setting by dotted path (``registries.allowed``)."""
        cur: Any = self.data
        for part in dotted.split("."):
            if not isinstance(cur, dict) or part not in cur:
                return default
            cur = cur[part]
        return cur

    def _rule_entry(self, rule_id: str) -> Any:
        return (self.data.get("rules") or {}).get(rule_id)

    def rule_level(self, rule: type[Rule]) -> Level | None:
        """The level a rule reports at in this run, or None when it is off."""
        if rule.id in self.disable:
            return None
        entry = self._rule_entry(rule.id)
        if isinstance(entry, dict):
            entry = entry.get("level", "on")
        if entry is True:
            entry = "on"
        if entry is False:
            entry = "off"
        if rule.id in self.enable and entry in (None, "off"):
            entry = "on"
        if entry is None:
            return rule.level if rule.enabled_by_default else None
        if entry == "off":
            return None
        if entry == "on":
            return rule.level
        return entry

    def rule_options(self, rule_id: str) -> dict[str, Any]:
        """Per-rule options given as a mapping in ``rules:``."""
        entry = self._rule_entry(rule_id)
        return {k: v for k, v in entry.items() if k != "level"} if isinstance(entry, dict) else {}

    @property
    def fail_on(self) -> Level:
        """The lowest level that makes the run exit 1."""
        return self.data.get("fail-on", "warning")

    @property
    def mutable_tags(self) -> frozenset[str]:
        """Tags that name a moving target (``latest-tag``)."""
        return frozenset(self.data.get("mutable-tags", DEFAULT_MUTABLE_TAGS))

    @property
    def namespace(self) -> str:
        """The apply namespace for objects that name none."""
        return str(self.data.get("namespace", "default"))


def _schema() -> dict[str, Any]:
    text = resources.files("pullcheck").joinpath("data/config.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


def _where(err: Any) -> str:
    return ".".join(str(p) for p in err.absolute_path) or "(top level)"


def validate(data: Any, origin: str) -> dict[str, Any]:
    """Check a parsed config against the schema; raise ConfigError naming the key and reason."""
    import jsonschema

    if data is None:
        return {}
    validator = jsonschema.Draft202012Validator(_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: (list(map(str, e.absolute_path)), e.message))
    if errors:
        lines = [f"{origin}: {_where(e)}: {e.message}" for e in errors[:10]]
        raise ConfigError("\n".join(lines))
    return data


def discover(start: Path) -> Path | None:
    """The nearest config file from ``start`` upward, stopping at the repository root."""
    cur = start.resolve()
    for d in (cur, *cur.parents):
        for name in CONFIG_NAMES:
            p = d / name
            if p.is_file():
                return p
        if (d / ".git").exists():
            return None
    return None


def load(path: Path | None, cwd: Path | None = None) -> Config:
    """Read and validate the given or discovered config; no file means defaults."""
    explicit = path is not None
    if path is None:
        path = discover(cwd or Path.cwd())
    if path is None:
        return Config()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        if explicit:
            raise ConfigError(f"{path}: cannot read config: {exc.strerror or exc}") from exc
        raise ConfigError(f"{path}: cannot read config: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: config is not UTF-8 ({exc.reason} at byte {exc.start})") from exc
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        data = YAML(typ="safe", pure=True).load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
        raise ConfigError(f"{path}{where}: config is not valid YAML: {getattr(exc, 'problem', None) or exc}") from exc
    return Config(validate(data, str(path)), path)
