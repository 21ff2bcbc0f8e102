"""Hostile and broken input: every file gets a clear answer, and nothing crashes, hangs or blows up.

The small inputs live in ``tests/adversarial/cases/``; the large ones are written once per session by
``tests/adversarial/generate.py`` into a temporary directory; FIFOs, symlinks and unreadable files
are made here. ``tests/adversarial/expected.json`` holds the expected outcome of each.
"""

from __future__ import annotations

import errno
import json
import os
import resource
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, run_cli
from pullcheck import sources
from pullcheck.config import Config, validate
from pullcheck.engine import Engine, RunOptions
from pullcheck.finding import Finding
from pullcheck.loader import MAX_DEPTH, LoadOptions, load_text
from pullcheck.rule import all_rules
from pullcheck.sources import Source

ADV = ROOT / "tests" / "adversarial"
CASES = ADV / "cases"
EXPECTED: dict[str, Any] = json.loads((ADV / "expected.json").read_text(encoding="utf-8"))
SCOPE = frozenset(EXPECTED["scope"])
RULES, _ = all_rules(with_plugins=False)
ALL_ON = {"rules": {r.id: r.level for r in RULES}}
# Generous ceiling on a child's address space: a run that tried to expand an alias bomb or keep a
# copy per nesting level would die here instead of eating the machine.
CHILD_MEMORY = 4 * 1024**3

sys.path.insert(0, str(ADV))
import generate  # noqa: E402


def _lint_path(path: Path, config: dict[str, Any] | None = None) -> tuple[list[Finding], Engine]:
    engine = Engine(Config(validate(config or {}, "test")), RULES, RunOptions(jobs=1))
    findings, _ = engine.run([Source(path.name, str(path))])
    return findings, engine


def _scoped(findings: list[Finding]) -> list[list[object]]:
    return [[f.rule, f.span.line, f.span.column] for f in findings if f.rule in SCOPE]


# --------------------------------------------------------------------------------------------------
# Small hand-written cases
# --------------------------------------------------------------------------------------------------


def test_every_case_file_has_an_expectation_and_every_expectation_a_file() -> None:
    on_disk = {p.name for p in CASES.iterdir() if p.is_file()}
    assert on_disk == set(EXPECTED["inputs"])


@pytest.mark.parametrize("name", sorted(EXPECTED["inputs"]))
def test_case_outcome(name: str) -> None:
    exp = EXPECTED["inputs"][name]
    findings, engine = _lint_path(CASES / name)
    assert engine.errors == []
    assert _scoped(findings) == exp["findings"]
    assert int(engine.failed(findings)) == exp["exit"]
    for f in findings:
        assert f.path == name
        assert f.span.line >= 1 and f.span.column >= 1
    # With every rule switched on (digest-not-pinned is off by default) nothing raises either.
    _, engine = _lint_path(CASES / name, ALL_ON)
    assert engine.errors == []


def test_billion_laughs_finishes_well_under_a_second() -> None:
    start = time.perf_counter()
    findings, _ = _lint_path(CASES / "billion-laughs.yaml", ALL_ON)
    assert time.perf_counter() - start < 1.0
    assert ("missing-image-tag", 16) in [(f.rule, f.span.line) for f in findings]


def test_positions_survive_every_encoding_and_line_end() -> None:
    # The same Pod as UTF-8, with a BOM, CRLF, UTF-16/32: the same finding at the same place.
    places = {
        name: [(f.rule, f.span.line, f.span.column) for f in _lint_path(CASES / name)[0]]
        for name in ("utf8-bom.yaml", "crlf.yaml", "utf16le-bom.yaml", "utf16be-bom.yaml", "utf32le-bom.yaml")
    }
    assert len({tuple(v) for v in places.values()}) == 1
    assert ("missing-image-tag", 8, 14) in places["crlf.yaml"]


def test_anchored_quoted_image_span_is_the_value_not_the_anchor() -> None:
    findings, _ = _lint_path(CASES / "anchored-quoted-image.yaml")
    lines = (CASES / "anchored-quoted-image.yaml").read_text(encoding="utf-8").splitlines()
    got = {f.image: lines[f.span.line - 1][f.span.column - 1 : f.span.end_column - 1] for f in findings if f.image}
    assert got == {"nginx": "nginx", "busybox": "busybox", "alpine": "alpine"}


def test_cli_over_all_cases_names_every_file_and_never_tracebacks(tmp_path: Path) -> None:
    proc = run_cli("--format", "json", "--no-gitignore", str(CASES), cwd=tmp_path)
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 1
    out = json.loads(proc.stdout)
    named = {Path(f["path"]).name for f in out["findings"]}
    failing = {n for n, e in EXPECTED["inputs"].items() if e["exit"] == 1}
    assert failing <= named
    assert out["stats"]["files"] == len(EXPECTED["inputs"])  # every file read, none dropped


@pytest.mark.parametrize(
    ("name", "code"), [("empty.yaml", 0), ("comments-only.yaml", 0), ("tab-indentation.yaml", 1), ("nul-byte.yaml", 1)]
)
def test_cli_exit_code_of_single_cases(name: str, code: int) -> None:
    proc = run_cli("--format", "json", str(CASES / name))
    assert (proc.returncode, proc.stderr) == (code, "")


# --------------------------------------------------------------------------------------------------
# Files that are not files: sources-level cases, made here
# --------------------------------------------------------------------------------------------------


@pytest.fixture
def odd_tree(tmp_path: Path) -> Path:
    """A directory of every kind of path a repository can hold, plus one good file."""
    root = tmp_path / "tree"
    root.mkdir()
    (root / "good.yaml").write_text((CASES / "stray-document-markers.yaml").read_text())
    os.mkfifo(root / "fifo.yaml")
    (root / "dir.yaml").mkdir()
    (root / "dir.yaml" / "inner.yaml").write_text((CASES / "image-int.yaml").read_text())
    os.symlink("loop-b.yaml", root / "loop-a.yaml")
    os.symlink("loop-a.yaml", root / "loop-b.yaml")
    os.symlink("missing.yaml", root / "dangling.yaml")
    os.symlink("/dev/zero", root / "zero.yaml")
    os.symlink("..", root / "dir.yaml" / "back")
    (root / "binary.yaml").write_bytes((CASES / "binary-png.yaml").read_bytes())
    return root


def test_odd_paths_each_get_a_notice_and_the_rest_is_linted(odd_tree: Path) -> None:
    proc = run_cli("--format", "json", "--no-gitignore", "tree", cwd=odd_tree.parent)
    assert "Traceback" not in proc.stderr
    notices = {n["path"]: n["message"] for n in json.loads(proc.stdout)["notices"]}
    exp = EXPECTED["sources"]
    for name in ("fifo.yaml", "loop-a.yaml", "dangling.yaml", "zero.yaml"):
        assert notices[f"tree/{name}"] == exp[name]["notice"]
    assert notices["tree/dir.yaml/back"] == exp["back"]["notice"]
    findings = json.loads(proc.stdout)["findings"]
    got = sorted((f["path"], f["rule"]) for f in findings if f["rule"] in SCOPE)
    assert got == [
        ("tree/binary.yaml", "input-error"),
        ("tree/dir.yaml/inner.yaml", "invalid-image-reference"),
        ("tree/good.yaml", "missing-image-tag"),
    ]
    assert proc.returncode == 1


def test_a_fifo_named_on_the_command_line_is_skipped_not_read(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")  # opening it for reading would block forever
    proc = run_cli(str(tmp_path / "pipe.yaml"), str(CASES / "empty.yaml"), cwd=tmp_path)
    assert proc.returncode == 0
    assert "pipe.yaml: notice: not a regular file (a FIFO); skipped" in proc.stdout  # text: notices in the report
    proc = run_cli("--format", "json", "pipe.yaml", str(CASES / "tab-indentation.yaml"), cwd=tmp_path)
    assert proc.returncode == 1
    out = json.loads(proc.stdout)
    assert out["notices"] == [{"path": "pipe.yaml", "message": "not a regular file (a FIFO); skipped"}]
    assert [f["rule"] for f in out["findings"]] == ["yaml-syntax"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_by_mode(tmp_path: Path) -> None:
    p = tmp_path / "unreadable.yaml"
    p.write_text("kind: Pod\n")
    p.chmod(0)
    try:
        findings, _ = _lint_path(p)
    finally:
        p.chmod(0o644)
    assert [(f.rule, f.message) for f in findings] == [("input-error", EXPECTED["sources"]["unreadable.yaml"]["message"])]


def test_unreadable_file_by_injected_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests run as root here, so chmod 000 cannot make a file unreadable: fail its os.open() instead.
    bad = tmp_path / "unreadable.yaml"
    bad.write_text("kind: Pod\n")
    good = CASES / "image-int.yaml"
    real_open = os.open

    def fake_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        if str(file) == str(bad):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(sources.os, "open", fake_open)
    engine = Engine(Config(validate({}, "t")), RULES, RunOptions(jobs=1))
    findings, _ = engine.run([Source("unreadable.yaml", str(bad)), Source("image-int.yaml", str(good))])
    assert [(f.path, f.rule, f.message) for f in findings if f.rule in SCOPE] == [
        ("unreadable.yaml", "input-error", EXPECTED["sources"]["unreadable.yaml"]["message"]),
        ("image-int.yaml", "invalid-image-reference", "image must be a string, not an integer"),
    ]


def test_short_reads_still_give_the_whole_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A read may return fewer bytes than asked for (FUSE, network filesystems): the file is whole."""
    path = tmp_path / "a.yaml"
    text = (CASES / "image-int.yaml").read_text() * 3
    path.write_text(text)
    real_read = os.read
    monkeypatch.setattr(sources.os, "read", lambda fd, n: real_read(fd, min(n, 7)))
    assert sources.read(Source("a.yaml", str(path))) == text
    limited = sources.read(Source("a.yaml", str(path)), max_size=len(text) - 1)
    assert isinstance(limited, Finding) and limited.message.startswith(f"file is {sources.human_size(len(text))}, over the")
    # a file that grew after its size was taken is read on, up to the limit
    real_fstat = os.fstat
    monkeypatch.setattr(sources.os, "fstat", lambda fd: os.stat_result((0,) * 6 + (10,) + (0,) * 3))
    assert sources.read(Source("a.yaml", str(path))) == text
    grown = sources.read(Source("a.yaml", str(path)), max_size=len(text) - 1)
    assert isinstance(grown, Finding) and grown.message == "file is over the " + sources.human_size(len(text) - 1) + " limit; not linted"
    monkeypatch.setattr(sources.os, "fstat", real_fstat)


def test_file_name_that_is_not_utf8_in_every_format(tmp_path: Path) -> None:
    name = os.fsdecode(b"not-utf8-\xff.yaml")
    (tmp_path / name).write_text((CASES / "image-int.yaml").read_text())
    env = {"PYTHONIOENCODING": "utf-8"}  # a strict stdout, as in a UTF-8 locale
    for fmt in ("text", "json", "sarif", "github"):
        proc = subprocess.run(
            [sys.executable, "-m", "pullcheck", "--format", fmt, "--no-gitignore", "."],
            cwd=tmp_path, capture_output=True, env={**os.environ, "NO_COLOR": "1", **env}, timeout=120,
        )
        assert proc.returncode == 1, (fmt, proc.stderr)
        assert b"Traceback" not in proc.stderr
        assert b"not-utf8-\xff.yaml" in proc.stdout or b"not-utf8-%FF.yaml" in proc.stdout or b"\\udcff" in proc.stdout
    out = tmp_path / "report.txt"
    proc = subprocess.run(
        [sys.executable, "-m", "pullcheck", "--format", "text", "--output", str(out), "--no-gitignore", "."],
        cwd=tmp_path, capture_output=True, env={**os.environ, **env}, timeout=120,
    )
    assert proc.returncode == 1 and b"Traceback" not in proc.stderr
    assert b"not-utf8-\xff.yaml" in out.read_bytes()


# --------------------------------------------------------------------------------------------------
# Limits
# --------------------------------------------------------------------------------------------------


def test_depth_limit_is_a_finding_and_its_ceiling_keeps_libyaml_alive() -> None:
    deep = "kind: Pod\nspec: " + "[" * 30_000 + "]" * 30_000 + "\n"  # would crash libyaml (SIGSEGV)
    loaded = load_text(deep, "d.yaml", LoadOptions(max_depth=10**9))
    assert [(f.rule, f.span.line) for f in loaded.findings] == [("input-error", 1)]
    assert f"deeper than {MAX_DEPTH} levels" in loaded.findings[0].message
    ok = "kind: Pod\nspec: " + "[" * 999 + "]" * 999 + "\n"
    assert load_text(ok, "d.yaml", LoadOptions()).findings == []
    over = "kind: Pod\nspec: " + "[" * 1000 + "]" * 1000 + "\n"
    (f,) = load_text(over, "d.yaml", LoadOptions()).findings
    assert f.message == "document nests deeper than 1000 levels; not parsed (raise --max-depth to allow it)"
    assert load_text(over, "d.yaml", LoadOptions(max_depth=2000)).findings == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--max-depth", "0"], "--max-depth must be between 1 and 5000"),
        (["--max-depth", "100000"], "--max-depth must be between 1 and 5000"),
        (["--max-depth", "deep"], "not a number of levels"),
        (["--max-file-size", "0"], "size must be at least 1 byte"),
        (["--max-file-size", "infk"], "not a size"),
    ],
)
def test_limit_flags_refuse_nonsense_with_exit_2(args: list[str], message: str) -> None:
    proc = run_cli(*args, str(CASES / "empty.yaml"))
    assert proc.returncode == 2
    assert message in proc.stderr and "Traceback" not in proc.stderr


def test_file_size_limit_names_both_sizes(tmp_path: Path) -> None:
    p = tmp_path / "big.yaml"
    p.write_text("kind: Pod\n" + "# padding\n" * 300)
    proc = run_cli("--format", "json", "--max-file-size", "1k", str(p), str(CASES / "image-int.yaml"))
    assert proc.returncode == 1
    msgs = [(Path(f["path"]).name, f["rule"], f["message"]) for f in json.loads(proc.stdout)["findings"]]
    assert ("big.yaml", "input-error", "file is 2.9 KiB, over the 1 KiB limit; not linted (raise --max-file-size to allow it)") in msgs
    assert ("image-int.yaml", "invalid-image-reference", "image must be a string, not an integer") in msgs


# --------------------------------------------------------------------------------------------------
# Large generated inputs (written once per session; never committed)
# --------------------------------------------------------------------------------------------------

GENERATED_CI = sorted(n for n, e in EXPECTED["generated"].items() if e.get("ci", True))


@pytest.fixture(scope="session")
def big_inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return generate.generate(tmp_path_factory.mktemp("adversarial"), GENERATED_CI)


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY, CHILD_MEMORY))


@pytest.mark.parametrize("name", GENERATED_CI)
def test_generated_input(name: str, big_inputs: dict[str, Path]) -> None:
    exp = EXPECTED["generated"][name]
    proc = subprocess.run(
        [sys.executable, "-m", "pullcheck", "--format", "json", "--jobs", "1", str(big_inputs[name])],
        capture_output=True, text=True, timeout=180, preexec_fn=_limit_memory,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert "Traceback" not in proc.stderr and proc.stderr == ""
    assert proc.returncode == exp["exit"]
    counts = Counter(f["rule"] for f in json.loads(proc.stdout)["findings"] if f["rule"] in SCOPE)
    assert dict(counts) == exp["counts"]


def test_every_generator_has_an_expectation() -> None:
    assert set(generate.GENERATORS) == set(EXPECTED["generated"])
