"""``.pullcheck.yaml``: discovery, validation against the shipped JSON Schema, and typed access."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pullcheck.finding import LEVELS, Level
from pullcheck.records import field, record

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from pullcheck.rule import Rule

CONFIG_NAMES = (".pullcheck.yaml", ".pullcheck.yml", "pullcheck.yaml")
DEFAULT_MUTABLE_TAGS = ("latest",)
# What data/config.schema.json allows (quick_valid mirrors it)
_TOP = frozenset(
    """fail-on namespace exclude rules mutable-tags registries images pull-secrets service-accounts
    inventory plugins max-file-size max-depth""".split()
)
_SECTIONS = {
    "registries": frozenset({"allowed", "private", "public", "credential-providers"}),
    "images": frozenset({"allowed", "known"}),
}
_LEVELS = ("error", "warning", "note", "off", "on")
_FAIL_ON = ("error", "warning", "note")
_RULE_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_ACCOUNT = re.compile(r"^[^/]+/[^/]+$")


class ConfigError(Exception):
    """A configuration problem; the CLI prints it and exits 2."""


@record
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

    def sets_level(self, rule_id: str) -> bool:
        """Whether the config gives a rule a concrete level (error, warning, note), not just on/off:
        such a level overrides the level a rule gives an individual finding."""
        entry = self._rule_entry(rule_id)
        if isinstance(entry, dict):
            entry = entry.get("level")
        return entry in LEVELS

    def rule_options(self, rule_id: str, options: Mapping[str, tuple[Any, str]]) -> dict[str, Any]:
        """A rule's options: the defaults of its ``options`` table (name -> (default, help)),
        overridden by what its mapping in ``rules:`` sets."""
        out = {name: default for name, (default, _) in options.items()}
        entry = self._rule_entry(rule_id)
        if isinstance(entry, dict):
            out.update((k, v) for k, v in entry.items() if k != "level")
        return out

    def option_problems(self, rules: Iterable[type[Rule]]) -> list[str]:
        """What is wrong with the options set under ``rules:``: names a rule does not have and
        values of another type than its default's (or outside its choices), one line each."""
        origin = str(self.path) if self.path is not None else "config"
        problems: list[str] = []
        for rule in rules:
            entry = self._rule_entry(rule.id)
            if not isinstance(entry, dict):
                continue
            for name, value in entry.items():
                if name == "level":
                    continue
                where = f"{origin}: rules.{rule.id}.{name}"
                if name not in rule.options:
                    known = ", ".join(["level", *rule.options])
                    problems.append(f"{where}: {rule.id} has no option {name!r} (it has: {known})")
                    continue
                wrong = _option_problem(value, rule.options[name][0], rule.option_choices.get(name))
                if wrong:
                    problems.append(f"{where}: {value!r} is not {wrong}")
        return problems

    def exclusions(self, cwd: Path) -> tuple[Path, list[str]]:
        """``exclude`` and the directory its patterns are relative to: the config file's (as a
        ``.gitignore``'s are to its own), or ``cwd`` for settings that come from no file."""
        base = self.path.parent if self.path is not None else cwd
        return base, [str(p) for p in self.data.get("exclude") or ()]

    @property
    def fail_on(self) -> Level:
        """The lowest level that makes the run exit 1."""
        return self.data.get("fail-on", "warning")

    @property
    def mutable_tags(self) -> frozenset[str]:
        """Tags that name a moving target (``latest-tag``), in lower case (matched whatever the case):
        ``latest``, and those the top-level ``mutable-tags`` adds (the rule adds its own option's)."""
        return frozenset(t.lower() for t in (*DEFAULT_MUTABLE_TAGS, *self.data.get("mutable-tags", ())))

    @property
    def namespace(self) -> str:
        """The apply namespace for objects that name none."""
        return str(self.data.get("namespace", "default"))


def _option_problem(value: Any, default: Any, choices: tuple[str, ...] | None) -> str:
    """What a rule option's value should have been, judged by its default's type; "" when it is fine."""
    if isinstance(default, bool):
        return "" if isinstance(value, bool) else "true or false"
    number = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value >= 0
    if isinstance(default, int):
        return "" if number and isinstance(value, int) else "a whole number >= 0"
    if isinstance(default, float):
        return "" if number else "a number >= 0"
    if isinstance(default, list):
        return "" if isinstance(value, list) and all(isinstance(v, str) for v in value) else "a list of strings"
    if choices is not None:
        return "" if value in choices else "one of " + ", ".join(choices)
    return "" if isinstance(value, str) else "a string"


def _schema() -> dict[str, Any]:
    import json

    from pullcheck.data import read_text

    return dict(json.loads(read_text("config.schema.json")))


def _where(err: Any) -> str:
    return ".".join(str(p) for p in err.absolute_path) or "(top level)"


def _patterns(value: Any, min_length: int = 0) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and len(v) >= min_length for v in value)


def _integer(value: Any, low: int, high: float = math.inf) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return (isinstance(value, int) or value.is_integer()) and low <= value <= high


def _rule(entry: Any) -> bool:
    if isinstance(entry, dict):
        return "level" not in entry or entry["level"] in _LEVELS
    return isinstance(entry, bool) or entry in _LEVELS


def _section(value: Any, keys: frozenset[str]) -> bool:
    return isinstance(value, dict) and keys.issuperset(value)


def _names(value: Any, pattern: re.Pattern[str]) -> bool:
    return all(not isinstance(k, str) or pattern.search(k) for k in value)


def quick_valid(data: Any) -> bool:
    """The schema's verdict, computed fast: True exactly when ``data`` validates.

    Mirrors ``data/config.schema.json`` (as jsonschema reads it: patterns searched, ``1.0`` an
    integer), so that jsonschema, slow to import, only explains a refused config;
    ``tests/test_startup.py`` checks both agree.
    """
    if not _section(data, _TOP):
        return False
    get = data.get
    for key in ("exclude", "mutable-tags"):
        if key in data and not _patterns(data[key], 1):
            return False
    for key in ("inventory", "plugins"):
        if key in data and not _patterns(data[key]):
            return False
    for key, fields in _SECTIONS.items():
        if key in data and not (_section(data[key], fields) and all(_patterns(v, 1) for v in data[key].values())):
            return False
    rules, accounts, secrets = get("rules", {}), get("service-accounts", {}), get("pull-secrets", {})
    return (
        ("fail-on" not in data or data["fail-on"] in _FAIL_ON)
        and ("namespace" not in data or (isinstance(data["namespace"], str) and data["namespace"] != ""))
        and isinstance(rules, dict)
        and _names(rules, _RULE_ID)
        and all(map(_rule, rules.values()))
        and isinstance(accounts, dict)
        and _names(accounts, _ACCOUNT)
        and all(_patterns(v) for v in accounts.values())
        and _section(secrets, frozenset({"external", "complete"}))
        and ("external" not in secrets or _patterns(secrets["external"], 1))
        and ("complete" not in secrets or isinstance(secrets["complete"], bool))
        and ("max-file-size" not in data or _integer(data["max-file-size"], 1))
        and ("max-depth" not in data or _integer(data["max-depth"], 1, 5000))
    )


def validate(data: Any, origin: str) -> dict[str, Any]:
    """Check a parsed config against the schema; raise ConfigError naming the key and reason."""
    if data is None:
        return {}
    if quick_valid(data):
        return data
    import jsonschema

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
        where, problem = yaml_error_parts(exc)
        raise ConfigError(f"{path}{where}: config is not valid YAML: {problem}") from exc
    return Config(validate(data, str(path)), path)


def yaml_error_parts(exc: Exception) -> tuple[str, str]:
    """A YAML error of a settings file, for its message: ``:line:column`` (empty without a mark)
    and what went wrong."""
    mark = getattr(exc, "problem_mark", None)
    where = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
    return where, str(getattr(exc, "problem", None) or exc)
