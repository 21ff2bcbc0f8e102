"""atheris fuzz target: the whole lint of one file, in-process, from raw bytes to findings.

Each input goes through what the CLI does with a file (``sources.decode``, the loader, the model,
every built-in rule, suppression, code frames) and, when ``PULLCHECK_FUZZ_REPORTS=1``, every
reporter. Anything that raises is a crash; so is a finding whose position is outside the file.
Run it with ``tests/fuzz/run.py`` (it sets the corpus, dictionary and limits).
"""

from __future__ import annotations

import functools
import os
import sys
from typing import Any

import atheris

with atheris.instrument_imports(include=["pullcheck"]):
    from pullcheck.config import Config, validate
    from pullcheck.engine import Engine, RunOptions
    from pullcheck.finding import Finding
    from pullcheck.rule import all_rules
    from pullcheck.sources import Source, decode

    RULES, _ = all_rules(with_plugins=False)  # imports the rule modules (and imageref) instrumented
# Every rule on (digest-not-pinned is off by default), so every check path is exercised.
CONFIG = Config(validate({"rules": {r.id: r.level for r in RULES}}, "fuzz config"))
REPORTS = os.environ.get("PULLCHECK_FUZZ_REPORTS") == "1"
PATH = "fuzz.yaml"


@functools.cache
def _rule_infos() -> list[Any]:
    """Every rule's metadata as reporters see it (built once: rendering the docs is slow)."""
    from pullcheck.cli import _info

    return [_info(r, CONFIG) for r in RULES]


def check_positions(findings: list[Finding], text: str) -> None:
    """Every finding names the fuzzed file and points at a place inside it."""
    lines = text.splitlines() or [""]
    for f in findings:
        assert f.path == PATH, f
        s = f.span
        assert 1 <= s.line <= s.end_line <= len(lines) + 1, (f, len(lines))
        assert s.column >= 1 and s.end_column >= 1, f
        if s.line == s.end_line:
            assert s.column <= s.end_column, f


def lint_bytes(data: bytes) -> list[Finding]:
    """Lint one file's bytes as the CLI would, checking the invariants on the way."""
    text = decode(data, PATH)
    if isinstance(text, Finding):
        assert text.rule == "input-error", text
        return [text]
    engine = Engine(CONFIG, RULES, RunOptions(jobs=1, all_documents=bool(data[:1] == b"#")))
    findings, _stats = engine.run([Source(PATH, None, text)])
    assert not engine.errors, engine.errors  # a rule that raised
    check_positions(findings, text)
    if REPORTS:
        from pullcheck.report import Report, Stats, render

        report = Report(findings=findings, rules=_rule_infos(), stats=Stats(files=1))
        for fmt in ("text", "json", "sarif", "github"):
            render(fmt, report)
    return findings


def TestOneInput(data: bytes) -> None:  # the name atheris expects
    """One fuzz iteration."""
    lint_bytes(data)


def main() -> None:
    """Hand the command line to libFuzzer."""
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
