"""The inventory file format's JSON Schema, and validation that is fast on large inventories.

The schema (``data/inventory.schema.json``) is the source of truth for what is valid and for the
error messages, but ``jsonschema`` spends about 30 microseconds per tag. So a document first goes
through :func:`_quick_valid`, a hand-written check of the same constraints (the list of every tag
and of every digest checked in bulk at C speed; tests hold the two to the same verdicts), and
``jsonschema`` only runs to explain a document that the quick check refused.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import lru_cache
from operator import itemgetter
from typing import Any

FORMAT_VERSION = 1


class InventoryError(Exception):
    """An inventory that cannot be read or is not valid; the CLI prints it and exits 2."""


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    """The shipped JSON Schema of the inventory format."""
    from pullcheck.data import read_text

    data: dict[str, Any] = json.loads(read_text("inventory.schema.json"))
    return data


@lru_cache(maxsize=1)
def patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The schema's tag and digest patterns, compiled (match them with ``search``, as jsonschema does)."""
    defs = schema()["$defs"]
    return re.compile(defs["tag"]["pattern"]), re.compile(defs["digest"]["pattern"])


_TOP = frozenset({"version", "generated", "source", "covers", "ignore", "repositories"})
_ENTRY = frozenset({"tags", "digests"})


# Bulk checks: sufficient conditions for a whole list to match a schema pattern, computed at C
# speed (set/map/bytes.translate); a list they do not vouch for is checked item by item with the
# pattern itself, so the verdict is always the pattern's.
_TAG_FIRST = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_TAG_CHARS = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-"
_TAG_MAX = 128
_SHA256 = "sha256:"
_SHA256_LENGTH = len(_SHA256) + 64
_LOWER_HEX = b"0123456789abcdef"
_SHA256_LEFT = _SHA256.encode().translate(None, _LOWER_HEX)  # what deleting hex digits leaves of the prefix
_FIRST = itemgetter(0)


def _only(text: str, allowed: bytes) -> bytes | None:
    """``text`` with every ``allowed`` character deleted (None when it is not ASCII)."""
    try:
        return text.encode("ascii").translate(None, allowed)
    except UnicodeEncodeError:
        return None


def _tags_in_bulk(items: list[str]) -> bool:
    """Every item is 1-128 characters of ``[A-Za-z0-9_.-]`` not starting with ``.`` or ``-``."""
    return (
        min(map(len, items)) >= 1
        and max(map(len, items)) <= _TAG_MAX
        and _TAG_FIRST.issuperset(map(_FIRST, items))
        and _only("".join(items), _TAG_CHARS) == b""
    )


def _sha256_in_bulk(items: list[str]) -> bool:
    """Every item is ``sha256:`` and 64 lowercase hex digits."""
    if set(map(len, items)) != {_SHA256_LENGTH}:
        return False
    joined, n = "".join(items), len(items)
    # equal lengths: the i-th character of every item is joined[i::length]
    if any(joined[i::_SHA256_LENGTH] != c * n for i, c in enumerate(_SHA256)):
        return False
    # deleting hex digits from the whole list must leave only what is left of each prefix
    return _only(joined, _LOWER_HEX) == _SHA256_LEFT * n


def _strings(items: Any, pattern: re.Pattern[str] | None = None, bulk: Callable[[list[str]], bool] | None = None) -> bool:
    """A list of strings, each matching ``pattern`` (when given); ``bulk`` may vouch for all at once."""
    if type(items) is not list or (items and set(map(type, items)) != {str}):
        return False
    if pattern is None or not items or (bulk is not None and bulk(items)):
        return True
    return all(map(pattern.search, items))


def _quick_valid(data: Any) -> bool:
    """The schema's verdict, computed fast: True exactly when the document validates.

    Mirrors ``data/inventory.schema.json`` (patterns are taken from it, matched with ``search``
    as ``jsonschema`` does); ``tests/test_inventory.py`` checks both agree.
    """
    if type(data) is not dict or "repositories" not in data or not _TOP.issuperset(data):
        return False
    version = data.get("version", FORMAT_VERSION)
    if type(version) not in (int, float) or version != FORMAT_VERSION:
        return False
    if "source" in data and type(data["source"]) is not str:
        return False
    for key in ("covers", "ignore"):
        if key in data and not (_strings(data[key]) and all(data[key])):
            return False
    repos = data["repositories"]
    if type(repos) is not dict:
        return False
    tags: list[Any] = []  # every tag and digest of the document, checked together at the end
    digests: list[Any] = []
    for name, entry in repos.items():
        if type(name) is not str or not name:
            return False
        if type(entry) is list:
            tags += entry
            continue
        if type(entry) is not dict or not _ENTRY.issuperset(entry):
            return False
        listed = entry.get("tags", [])
        if type(listed) is dict:
            tags += listed
            digests += [d for d in listed.values() if d is not None]
        elif type(listed) is list:
            tags += listed
        else:
            return False
        if "digests" in entry:
            if type(entry["digests"]) is not list:
                return False
            digests += entry["digests"]
    tag_re, digest_re = patterns()
    return _strings(tags, tag_re, _tags_in_bulk) and _strings(digests, digest_re, _sha256_in_bulk)


def _deepest(err: Any) -> Any:
    """The most telling error of a ``oneOf``: the deepest one, in the branch whose type fitted."""
    if not err.context:
        return err
    inner = [_deepest(e) for e in err.context]
    return max(inner, key=lambda e: (len(e.absolute_path), e.validator != "type"))


def _explain(data: Any, origin: str) -> str:
    """The schema errors of a refused document, each with its place and a hint for the usual YAML trap."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    lines: list[str] = []
    for err in errors[:5]:
        err = _deepest(err)
        where = "/".join(str(p) for p in err.absolute_path) or "(top level)"
        hint = ""
        if isinstance(err.instance, (int, float)) and not isinstance(err.instance, bool):
            hint = " (quote tags in YAML: an unquoted 1.10 is read as the number 1.1)"
        lines.append(f"{origin}: {where}: {err.message}{hint}")
    if len(errors) > 5:
        lines.append(f"{origin}: ... and {len(errors) - 5} more")
    return "\n".join(lines) or f"{origin}: not a valid inventory"


def validate(data: Any, origin: str) -> None:
    """Raise InventoryError (naming the place and reason) unless ``data`` is a valid inventory."""
    if not _quick_valid(data):
        raise InventoryError(_explain(data, origin))
