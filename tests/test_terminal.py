"""Terminal niceties end to end: ``--quiet``, ``--statistics``, ``--color`` and the progress bar
(on a real pseudo-terminal; nothing on a pipe)."""

from __future__ import annotations

import json
import os
import pty
import re
import subprocess
import sys
import threading
from collections import Counter
from pathlib import Path

import pytest

from conftest import ROOT, run_cli
from pullcheck.progress import PROGRESS_MIN_FILES

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
HEADLINE = re.compile(r"^(?P<path>[^\s:]+):(?P<line>\d+):(?P<col>\d+): (?P<level>error|warning|note) \[(?P<rule>[a-z0-9-]+)\] \S")


def example_findings() -> list[dict[str, object]]:
    res = run_cli("examples", "--format", "json", cwd=ROOT)
    return list(json.loads(res.stdout)["findings"])


def run_on_pty(args: list[str], cwd: Path, *, stdout_tty: bool = False, stderr_tty: bool = False,
               env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """Run the CLI with stdout and/or stderr on a pseudo-terminal; (exit code, stdout, stderr)."""
    master, slave = pty.openpty()
    full_env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "PRE_COMMIT", "FORCE_COLOR")}
    full_env.update({"TERM": "xterm-256color", "COLUMNS": "120"}, **(env or {}))
    proc = subprocess.Popen(
        [sys.executable, "-m", "pullcheck", *args], cwd=cwd, env=full_env, stdin=subprocess.DEVNULL,
        stdout=slave if stdout_tty else subprocess.PIPE, stderr=slave if stderr_tty else subprocess.PIPE,
    )
    os.close(slave)
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO once the child has closed the terminal
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain)
    reader.start()
    out, err = proc.communicate(timeout=120)
    reader.join(timeout=10)
    os.close(master)
    tty_text = b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")
    stdout = tty_text if stdout_tty else out.decode()
    stderr = tty_text if stderr_tty else err.decode()
    return proc.returncode, stdout, stderr


# ------------------------------------------------------------------------------------- --quiet
def test_quiet_prints_one_headline_per_finding_and_nothing_else() -> None:
    findings = example_findings()
    assert findings
    res = run_cli("examples", "--quiet", cwd=ROOT)
    assert res.returncode == 1
    lines = res.stdout.splitlines()
    assert len(lines) == len(findings)
    for line, f in zip(lines, findings, strict=True):
        m = HEADLINE.match(line)
        assert m, line
        assert (m["path"], int(m["line"]), int(m["col"]), m["level"], m["rule"]) == (
            f["path"], f["line"], f["column"], f["level"], f["rule"]
        )
    assert "Found" not in res.stdout and " | " not in res.stdout


def test_not_quiet_has_frames_and_summary() -> None:
    res = run_cli("examples", cwd=ROOT)
    assert " | " in res.stdout and "Found " in res.stdout


def test_quiet_clean_run_prints_nothing(tmp_path: Path) -> None:
    (tmp_path / "ok.yaml").write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n"
                                      "    - {name: a, image: 'ghcr.io/acme/a:1.0'}\n", encoding="utf-8")
    res = run_cli("ok.yaml", "--quiet", cwd=tmp_path)
    assert (res.returncode, res.stdout) == (0, "")


# --------------------------------------------------------------------------------- --statistics
def test_statistics_counts_by_rule() -> None:
    findings = example_findings()
    counts = Counter(str(f["rule"]) for f in findings)
    worst: dict[str, str] = {}
    rank = {"note": 0, "warning": 1, "error": 2}
    for f in findings:
        rule, level = str(f["rule"]), str(f["level"])
        if rule not in worst or rank[level] > rank[worst[rule]]:
            worst[rule] = level
    res = run_cli("examples", "--statistics", cwd=ROOT)
    lines = res.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if re.match(r"^\s*Count\s+Rule\s+Level\s+Summary", line))
    rows = {}
    for line in lines[header + 1 :]:  # a long summary wraps onto continuation lines
        m = re.match(r"^\s*(\d+)\s+([a-z0-9-]+)\s+(error|warning|note)\s+\S", line)
        if m:
            rows[m[2]] = (int(m[1]), m[3])
    assert rows == {rule: (n, worst[rule]) for rule, n in counts.items()}


def test_without_statistics_there_is_no_table() -> None:
    res = run_cli("examples", cwd=ROOT)
    assert not re.search(r"^\s*Count\s+Rule\s+Level", res.stdout, re.M)


# -------------------------------------------------------------------------------------- --color
def _body(text: str) -> str:
    """Output without the timing line (its seconds differ from run to run)."""
    return "\n".join(line for line in text.splitlines() if not re.search(r" in \d+\.\d\ds$", line))


def test_color_always_on_a_pipe_and_never() -> None:
    always = run_cli("examples", "--color", "always", cwd=ROOT)
    never = run_cli("examples", "--color", "never", cwd=ROOT)
    auto = run_cli("examples", cwd=ROOT)
    assert ANSI.search(always.stdout)
    assert not ANSI.search(never.stdout) and not ANSI.search(auto.stdout)
    assert _body(ANSI.sub("", always.stdout)) == _body(never.stdout)


@pytest.mark.parametrize(
    ("args", "env", "coloured"),
    [
        ([], {}, True),                             # auto on a terminal
        ([], {"NO_COLOR": "1"}, False),             # NO_COLOR respected
        (["--color", "never"], {}, False),
        (["--color", "always"], {"NO_COLOR": "1"}, True),  # an explicit flag wins
    ],
    ids=["auto", "NO_COLOR", "never", "always-over-NO_COLOR"],
)
def test_color_on_a_terminal(args: list[str], env: dict[str, str], coloured: bool) -> None:
    rc, out, _ = run_on_pty(["examples", *args], ROOT, stdout_tty=True, env=env)
    assert rc == 1
    assert bool(ANSI.search(out)) is coloured
    assert "[latest-tag]" in ANSI.sub("", out)


# ------------------------------------------------------------------------------- progress bar
@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory with PROGRESS_MIN_FILES clean manifests and one with a finding."""
    root = tmp_path_factory.mktemp("many")
    for i in range(PROGRESS_MIN_FILES):
        (root / f"p{i:04d}.yaml").write_text(
            f"apiVersion: v1\nkind: Pod\nmetadata: {{name: p{i}}}\nspec:\n  containers:\n"
            f"    - {{name: a, image: 'ghcr.io/acme/a:{'latest' if i == 7 else '1.0'}'}}\n",
            encoding="utf-8",
        )
    return root


def test_progress_bar_on_a_terminal(many: Path) -> None:
    rc, out, err = run_on_pty(["."], many, stderr_tty=True)
    assert rc == 1
    assert "linting" in err and f"{PROGRESS_MIN_FILES}/{PROGRESS_MIN_FILES} files" in ANSI.sub("", err)
    assert "linting" not in out and not ANSI.search(out)  # the report on stdout is untouched
    column = "    - {name: a, image: 'ghcr.io".index("ghcr.io") + 1
    assert f"p0007.yaml:6:{column}: warning [latest-tag]" in out


def test_no_progress_bar_on_a_pipe(many: Path) -> None:
    res = run_cli(".", cwd=many)
    assert res.returncode == 1 and res.stderr == ""


@pytest.mark.parametrize(
    ("args", "env"),
    [(["--quiet"], {}), ([], {"PRE_COMMIT": "1"})],
    ids=["quiet", "inside-pre-commit"],
)
def test_no_progress_bar_when_quiet_or_in_a_hook(many: Path, args: list[str], env: dict[str, str]) -> None:
    rc, _, err = run_on_pty([".", *args], many, stderr_tty=True, env=env)
    assert rc == 1 and "linting" not in err and err.strip() == ""


def test_no_progress_bar_for_small_runs(many: Path) -> None:
    files = sorted(p.name for p in many.iterdir())[: PROGRESS_MIN_FILES - 1]
    rc, _, err = run_on_pty(files, many, stderr_tty=True)
    assert rc == 1 and err.strip() == ""
