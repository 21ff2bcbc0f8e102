"""Drop findings the user silenced: object annotation, inline comment, or a baseline."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence

from pullcheck.finding import Finding
from pullcheck.loader import BLOCK_HEADER

ANNOTATION = "pullcheck.dev/ignore"
ALL = "*"
# The text before a line's comment, as YAML reads it (from that line alone): any character but a
# quote or "#"; a "#" or a quote after other text (plain scalar: ``a#b``, ``don't``); a whole quoted
# scalar, opened at the start, after a blank or after one of "[{,:" ('' and backslash escapes inside).
# Possessive (an unclosed quote, a scalar going on to the next line, ends it, so no comment follows),
# written as a lookahead and a backreference: Python 3.10's re has no possessive ``*+``.
_CODE = (
    r"""(?=(?P<code>(?:[^'"#]|(?<=[^ \t\[{,:])['"]|(?<=[^ \t])#|(?<![^ \t\[{,:])"""
    r"""(?:'(?=(?P<sq>(?:[^']|'')*))(?P=sq)'|"(?=(?P<dq>(?:[^"\\]|\\.)*))(?P=dq)"))*))(?P=code)"""
)
# The marker in that comment: ``ignore`` then a rule list (after a space too), or then a blank or
# the end (every rule); ``ignoreme`` or an unclosed list is no suppression at all. A list stops at
# a "#" or "[": a line of unclosed lists is not rescanned to its end from each (quadratic).
_MARKER = r"#\s*pullcheck:\s*ignore(?:\s*\[(?P<ids>[^\]\[#]*)\]|(?!\s*\[)(?=\s|$))"
_COMMENT = re.compile(rf"{_CODE}(?=#).*?{_MARKER}")


def _ids(text: str) -> frozenset[str]:
    """The rule ids of a comma-separated list (none in an empty one)."""
    return frozenset(p.strip() for p in text.split(",") if p.strip())


def annotation_ignores(annotations: Mapping[str, str]) -> frozenset[str]:
    """Rule ids listed in the object's ``pullcheck.dev/ignore`` annotation (``*`` or ``all`` = every
    rule; an empty value, say a Helm value that rendered to nothing, silences none)."""
    value = annotations.get(ANNOTATION)
    if value is None:
        return frozenset()
    ids = _ids(value)
    return frozenset({ALL}) if "all" in ids else ids


def comment_ignores(line: str) -> frozenset[str]:
    """Rule ids of a ``# pullcheck: ignore[a,b]`` comment on a line (bare ``ignore`` = every rule,
    an empty list none); only a real YAML comment counts, not the same text inside a scalar."""
    if "pullcheck" not in line:
        return frozenset()
    m = _COMMENT.match(line)
    if m is None:
        return frozenset()
    return frozenset({ALL}) if m.group("ids") is None else _ids(m.group("ids"))


def matches(ids: frozenset[str], rule: str) -> bool:
    """Whether an ignore set covers a rule."""
    return ALL in ids or rule in ids


def by_comment(finding: Finding, lines: Sequence[str]) -> bool:
    """A finding is silenced by a comment on its first line or the line above it; a block scalar's
    value starts a line below its key (``image: >-``), so there the line above the key counts too."""
    line = finding.span.line
    above = [line, line - 1]
    if 2 <= line <= len(lines) + 1 and BLOCK_HEADER.search(lines[line - 2]):  # the line holds the key
        above.append(line - 2)
    for n in above:
        if 1 <= n <= len(lines) and matches(comment_ignores(lines[n - 1]), finding.rule):
            return True
    return False


def by_baseline(findings: Sequence[Finding], known: Counter[str]) -> tuple[list[Finding], int]:
    """The findings not in a baseline (fingerprint counts), and how many the baseline silenced.

    Matching is by fingerprint, never by line; a fingerprint listed n times silences n findings.
    """
    left = Counter(known)
    kept: list[Finding] = []
    for f in findings:
        fp = f.fingerprint
        if left[fp] > 0:
            left[fp] -= 1
        else:
            kept.append(f)
    return kept, len(findings) - len(kept)
