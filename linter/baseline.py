"""Baseline files: save today's findings, later report only the ones that are new.

A baseline is a JSON file listing findings by ``Finding.fingerprint`` (rule, repository-relative
file, object, container, image), never by line, so moving lines, reordering documents or adding
new ones does not bring old findings back. Each entry also keeps the rule, file, object and
message so a reviewer can read the file; only the fingerprint is matched.

::

    {
      "tool": "pullcheck",
      "version": 1,
      "findings": [
        {"fingerprint": "3f1c...", "rule": "latest-tag", "path": "deploy/web.yaml",
         "object": "Deployment/default/web", "container": "web", "image": "nginx:latest",
         "message": "..."}
      ]
    }

A fingerprint listed twice silences two findings with that fingerprint, not more.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pullcheck.finding import Finding

FORMAT_VERSION = 1
TOOL = "pullcheck"


class BaselineError(Exception):
    """A baseline file that cannot be read or is not a pullcheck baseline (the CLI exits 2)."""


def entry(finding: Finding) -> dict[str, Any]:
    """The record of one finding in a baseline file: its fingerprint plus what a reader needs."""
    return {
        "fingerprint": finding.fingerprint,
        "rule": finding.rule,
        "path": finding.repo_path or finding.path,
        "object": str(finding.obj) if finding.obj is not None else None,
        "container": finding.container,
        "image": finding.image,
        "message": finding.message,
    }


def dumps(findings: Iterable[Finding]) -> str:
    """A baseline document for ``findings``, sorted so that it diffs well under version control."""
    entries = sorted(
        (entry(f) for f in findings),
        key=lambda e: (e["path"], e["rule"], e["object"] or "", e["container"] or "", e["fingerprint"]),
    )
    doc = {"tool": TOOL, "version": FORMAT_VERSION, "findings": entries}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def write(path: Path, findings: Iterable[Finding]) -> int:
    """Write the baseline of ``findings`` to ``path``; returns how many findings it holds."""
    items = list(findings)
    try:
        path.write_text(dumps(items), encoding="utf-8")
    except OSError as exc:
        raise BaselineError(f"cannot write baseline {path}: {exc.strerror or exc}") from exc
    return len(items)


def loads(text: str, source: str = "baseline") -> Counter[str]:
    """The fingerprints of a baseline document, each with how many findings it silences."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{source}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from exc
    if not isinstance(doc, dict) or doc.get("tool") != TOOL or not isinstance(doc.get("findings"), list):
        raise BaselineError(f"{source}: not a pullcheck baseline (write one with --write-baseline)")
    if doc.get("version") != FORMAT_VERSION:
        raise BaselineError(f"{source}: baseline version {doc.get('version')!r} is not supported (expected 1)")
    counts: Counter[str] = Counter()
    for i, item in enumerate(doc["findings"]):
        fp = item.get("fingerprint") if isinstance(item, dict) else None
        if not isinstance(fp, str) or not fp:
            raise BaselineError(f"{source}: findings[{i}] has no fingerprint")
        counts[fp] += 1
    return counts


def load(path: Path) -> Counter[str]:
    """Read a baseline file (see ``loads``)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise BaselineError(f"cannot read baseline {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise BaselineError(f"{path}: not UTF-8 text") from exc
    return loads(text, str(path))
