"""The one record every stage after the rules speaks: a positioned finding."""

from __future__ import annotations

import re
from collections.abc import Callable
from sys import intern
from typing import Any, Literal

from pullcheck.records import field as _field
from pullcheck.records import record

Level = Literal["error", "warning", "note"]
_DIGITS = re.compile(r"\d+")  # line numbers in parser messages must not change a fingerprint
LEVELS: tuple[Level, ...] = ("note", "warning", "error")
SHARED_TEXT = 512  # messages and code-frame lines up to this long are shared between findings


def _sha256() -> Callable[[bytes], Any]:
    """SHA-256 from CPython's own module (``_sha256``, ``_sha2`` from 3.12): importing ``hashlib``
    loads OpenSSL, 3-6 ms of every run that writes JSON or SARIF; the digests are the same."""
    try:
        from _sha256 import sha256
    except ImportError:
        try:
            from _sha2 import sha256
        except ImportError:  # another Python, or a CPython built without them
            from hashlib import sha256
    return sha256


def level_rank(level: str) -> int:
    """Order levels so that ``note < warning < error``; unknown levels rank lowest."""
    for i, name in enumerate(LEVELS):
        if name == level:
            return i
    return -1


@record(frozen=True)
class Span:
    """A 1-based region of a file; ``end_column`` is the column just after the last character."""

    line: int
    column: int
    end_line: int
    end_column: int


@record(frozen=True)
class ObjectRef:
    """The Kubernetes object a finding belongs to."""

    kind: str
    namespace: str | None
    name: str

    def __str__(self) -> str:
        ns = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind}/{ns}{self.name}"


@record(frozen=True)
class Fix:
    """A certain correction: replace the finding's exact span with ``replacement``."""

    replacement: str
    description: str


@record(frozen=True)
class Related:
    """A second place that matters for a finding (e.g. the Secret that does not cover a registry)."""

    path: str
    span: Span
    message: str


@record
class Finding:
    """One problem at one place, with everything a reporter needs and nothing it must compute."""

    rule: str
    level: Level
    message: str
    path: str
    span: Span
    obj: ObjectRef | None = None
    container: str | None = None
    field: str | None = None
    image: str | None = None
    helm_source: str | None = None
    fix: Fix | None = None
    related: tuple[Related, ...] = ()
    doc: int = 0
    repo_path: str | None = None
    # the level comes from one of the rule's options (credential-providers): a level configured for
    # the rule as a whole does not replace it
    level_from_option: bool = False
    snippet: tuple[str, ...] = _field(default=(), compare=False)
    snippet_start: int = _field(default=0, compare=False)

    def __post_init__(self) -> None:
        # A run's thousands of findings say a few hundred different things (the same secret missing
        # from the same namespace, the same image on a moved registry): one string for each. Long
        # ones (a huge value quoted) are left alone: some Pythons keep interned strings for good.
        if len(self.message) <= SHARED_TEXT:
            self.message = intern(self.message)

    @property
    def fingerprint(self) -> str:
        """A key that survives lines moving and the working directory changing.

        Built from rule, repository-relative file, object, container and image (or field).
        """
        parts = (
            self.rule,
            self.repo_path or self.path,
            str(self.obj or ""),
            self.container or "",
            self.image or "",
            self.field or "" if self.image is None else "",
            _DIGITS.sub("#", self.message) if self.obj is None and self.image is None else "",
        )
        return _sha256()("\x1f".join(parts).encode("utf-8", "surrogateescape")).hexdigest()[:32]

    def sort_key(self) -> tuple[str, int, int, str]:
        """Order findings by file, position and rule so every output is deterministic."""
        return (self.path, self.span.line, self.span.column, self.rule)
