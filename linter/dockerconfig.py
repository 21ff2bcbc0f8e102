"""Read a docker config (``.dockerconfigjson`` or legacy ``.dockercfg``) the way the kubelet does.

Only the registry keys and what is wrong survive: no username, password, token or ``auth`` value
ever leaves this module, so the facts built from it can travel between processes and into reports.
A key is kept as written, for matching, and may hold userinfo (``https://robot:pw@host``): every
message shows it through ``shown_key``, which masks that.
Decoding follows ``pkg/credentialprovider/config.go`` (Go's base64 and ``encoding/json`` semantics):
an ``auth`` that is not base64 of ``user:password`` makes the whole keyring fail, a format swap
silently yields no credentials.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

from pullcheck.pullsecrets import normalize_key, shown_key
from pullcheck.records import record

DOCKERCONFIGJSON = "kubernetes.io/dockerconfigjson"
DOCKERCFG = "kubernetes.io/dockercfg"
#: Secret type → the data key the kubelet reads for it.
PULL_SECRET_KEYS = {DOCKERCONFIGJSON: ".dockerconfigjson", DOCKERCFG: ".dockercfg"}
ENTRY_FIELDS = ("username", "password", "email", "auth")

_PADDED = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")
_RAW = re.compile(r"[A-Za-z0-9+/]*")
_PLACEHOLDER = re.compile(r"\{\{|\$\{[A-Za-z_][A-Za-z0-9_]*(?::?[-=?+][^}]*)?\}|<no value>")


@record(frozen=True)
class Problem:
    """One thing wrong with a pull secret's content; ``fatal`` = every pull of a pod using it fails."""

    message: str
    fatal: bool = False
    refused: bool = False  # the API server rejects the Secret itself


@record(frozen=True)
class DockerConfig:
    """What the kubelet gets from one docker config: its registry keys and the problems found."""

    keys: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()
    unknown: bool = False  # template placeholders: the content is not known until rendered

    @property
    def fatal(self) -> bool:
        """Whether using this config makes the kubelet fail every pull of the pod."""
        return any(p.fatal for p in self.problems)


def go_b64decode(text: str, padded: bool = True) -> bytes | None:
    """Go's ``base64.StdEncoding`` (padded) or ``RawStdEncoding`` decode; None when Go would fail.

    Both ignore ``\\r`` and ``\\n`` (as Go's decoder does); any other stray character fails.
    """
    s = text.replace("\r", "").replace("\n", "")
    if padded:
        if _PADDED.fullmatch(s) is None:
            return None
    else:
        if _RAW.fullmatch(s) is None or len(s) % 4 == 1:
            return None
        s += "=" * (-len(s) % 4)
    try:
        return base64.b64decode(s, validate=True)
    except (binascii.Error, ValueError):  # pragma: no cover - the patterns above already refuse these
        return None


def has_placeholder(text: str) -> bool:
    """Whether text still holds template residue (Helm ``{{ }}``, envsubst ``${X}``)."""
    return _PLACEHOLDER.search(text) is not None


def _field(obj: dict[str, Any], name: str) -> tuple[bool, Any]:
    """Go's encoding/json field lookup: exact name first, else a case-insensitive match."""
    if name in obj:
        return True, obj[name]
    for k, v in obj.items():
        if k.lower() == name.lower():
            return True, v
    return False, None


def _json_type(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "null"
    return "a number"


def _auth_problem(shown: str, auth: str) -> Problem | None:
    """decodeDockerConfigFieldAuth: padded base64 when the value ends in ``=``, else unpadded
    (``shown``: the registry key as messages show it)."""
    decoded = go_b64decode(auth, padded=auth.strip().endswith("="))
    if decoded is None:
        return Problem(
            f'the "auth" of registry "{shown}" is not valid base64: the kubelet fails every pull of a pod '
            "that uses this secret",
            fatal=True,
        )
    text = decoded.decode("utf-8", "replace")
    if ":" not in text:
        hint = ""
        again = go_b64decode(text.strip(), padded=text.strip().endswith("="))
        if again is not None and b":" in again:
            hint = " (it is base64-encoded twice)"
        return Problem(
            f'the "auth" of registry "{shown}" does not decode to "user:password"{hint}: the kubelet fails '
            "every pull of a pod that uses this secret",
            fatal=True,
        )
    return None


def _entry_problems(shown: str, entry: Any, helpers: bool = False) -> list[Problem]:
    """Check one registry entry as DockerConfigEntry.UnmarshalJSON would read it (``shown``: its
    registry key as messages show it)."""
    if entry is None:
        return [Problem(f'registry "{shown}" has no credentials (its entry is null)')]
    if not isinstance(entry, dict):
        return [
            Problem(
                f'the entry of registry "{shown}" is {_json_type(entry)}, not an object: the kubelet cannot '
                "decode this secret and fails every pull of a pod that uses it",
                fatal=True,
            )
        ]
    out: list[Problem] = []
    values: dict[str, str] = {}
    for name in ENTRY_FIELDS:
        present, value = _field(entry, name)
        if not present or value is None:
            continue
        if not isinstance(value, str):
            out.append(
                Problem(
                    f'"{name}" of registry "{shown}" is {_json_type(value)}, not a string: the kubelet cannot '
                    "decode this secret and fails every pull of a pod that uses it",
                    fatal=True,
                )
            )
            continue
        values[name] = value
    if out:
        return out
    auth = values.get("auth", "")
    if auth:
        if has_placeholder(auth):
            return []
        p = _auth_problem(shown, auth)
        return [p] if p is not None else []
    if not values.get("username") and not values.get("password"):
        others = [k for k in entry if k.lower() not in ENTRY_FIELDS]
        extra = f' ({", ".join(sorted(others))} {"is" if len(others) == 1 else "are"} not read by the kubelet)' if others else ""
        if helpers:
            extra += ' (they are kept by "credsStore"/"credHelpers", which the kubelet does not run: this is a desktop config.json)'
        out.append(Problem(f'registry "{shown}" has no credentials: no "auth", "username" or "password"{extra}'))
    return out


def _helpers_only(doc: dict[str, Any]) -> bool:
    return any(_field(doc, k)[0] for k in ("credsStore", "credHelpers"))


def parse(text: str, legacy: bool) -> DockerConfig:
    """Read a docker config's text (already base64-decoded); ``legacy`` for ``.dockercfg``."""
    if has_placeholder(text):
        return DockerConfig(unknown=True)
    what = ".dockercfg" if legacy else ".dockerconfigjson"
    if not text.strip():
        return DockerConfig(problems=(Problem(f"{what} is empty: the API server refuses the Secret", refused=True),))
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError) as exc:  # also a number over 4300 digits, nesting past the stack
        if not isinstance(exc, json.JSONDecodeError):
            exc = json.JSONDecodeError(str(exc).split(":")[0], text, 0)
        return DockerConfig(
            problems=(
                Problem(
                    f"{what} is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno}): the API server "
                    "refuses the Secret",
                    fatal=True,
                    refused=True,
                ),
            )
        )
    if not isinstance(doc, dict):
        return DockerConfig(
            problems=(Problem(f"{what} is {_json_type(doc)}, not a JSON object: the API server refuses the Secret", fatal=True, refused=True),)
        )
    problems: list[Problem] = []
    if legacy:
        entries: dict[str, Any] = doc
        present, auths = _field(doc, "auths")
        if present and isinstance(auths, dict):
            problems.append(
                Problem(
                    '.dockercfg holds an "auths" section, which is the .dockerconfigjson format: the kubelet reads '
                    'it as one registry called "auths" and finds no credentials; use type '
                    "kubernetes.io/dockerconfigjson with the key .dockerconfigjson"
                )
            )
            return DockerConfig(problems=tuple(problems))
    else:
        present, auths = _field(doc, "auths")
        if present and auths is not None and not isinstance(auths, dict):
            return DockerConfig(
                problems=(
                    Problem(
                        f'"auths" is {_json_type(auths)}, not an object of registries: the kubelet cannot decode this '
                        "secret and fails every pull of a pod that uses it",
                        fatal=True,
                    ),
                )
            )
        if not present or auths is None:
            looks_legacy = bool(doc) and all(
                isinstance(v, dict) and any(_field(v, f)[0] for f in ENTRY_FIELDS) for v in doc.values()
            )
            if looks_legacy:
                msg = (
                    '.dockerconfigjson has no "auths" section: it is in the legacy .dockercfg format, so the kubelet '
                    'finds no credentials; wrap the registries in {"auths": {...}} or use type kubernetes.io/dockercfg'
                )
            elif _helpers_only(doc):
                msg = (
                    '.dockerconfigjson has only "credsStore"/"credHelpers" and no "auths": credential helpers do not '
                    "run in the kubelet, so it finds no credentials (this is a desktop config.json; create the secret "
                    "with kubectl create secret docker-registry)"
                )
            else:
                msg = '.dockerconfigjson has no "auths" section: the kubelet finds no credentials in it'
            return DockerConfig(problems=(Problem(msg),))
        entries = auths
        if not entries:
            msg = '"auths" is empty: the kubelet finds no credentials in it'
            if _helpers_only(doc):
                msg += ' ("credsStore"/"credHelpers" are not used by the kubelet)'
            return DockerConfig(problems=(Problem(msg),))
    keys: list[str] = []
    for registry, entry in entries.items():
        if has_placeholder(registry):
            return DockerConfig(unknown=True)
        shown = shown_key(registry)
        problems.extend(_entry_problems(shown, entry, helpers=not legacy and _helpers_only(doc)))
        if normalize_key(registry) is None:
            problems.append(Problem(f'registry key "{shown}" is not a valid URL: the kubelet ignores this entry'))
            continue
        keys.append(registry)
    return DockerConfig(tuple(keys), tuple(problems))
