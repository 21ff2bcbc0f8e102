"""Nothing touched without --fix; with --fix, a failed write leaves the original intact.

A tree of manifests (valid, broken, binary, fixable, Helm-rendered, read-only, behind a symlink) is
stamped with an old mtime and snapshotted (bytes, mtime in ns, mode, inode, directory listing); every
way of running pullcheck without ``--fix`` must leave that snapshot exactly as it was. Then each
way a fix can fail half-way (disk full during the write, the rename refused, an interrupt) must
leave the original bytes and no temporary file behind.
"""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, run_cli
from pullcheck import cli, fixer

OLD = 978_307_200_123_456_789  # 2001-01-01, with nanoseconds that a rewrite would not reproduce
FIXABLE = """\
apiVersion: v1
kind: Pod
metadata:
  name: web  # keep this comment
spec:
  containers:
    - name: pause
      image: k8s.gcr.io/pause:3.9
    - name: web
      image: "ngnix:1.27"
"""
FIXED = FIXABLE.replace("k8s.gcr.io/pause", "registry.k8s.io/pause").replace('"ngnix:', '"nginx:')


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A repository-like tree with every kind of file pullcheck meets, all stamped with ``OLD``."""
    root = tmp_path / "repo"
    shutil.copytree(ROOT / "tests" / "fixtures" / "model", root / "model")
    shutil.copytree(ROOT / "tests" / "adversarial" / "cases", root / "adversarial")
    (root / "fix").mkdir()
    (root / "fix" / "pod.yaml").write_text(FIXABLE)
    (root / "fix" / "crlf.yaml").write_bytes(FIXABLE.replace("\n", "\r\n").encode())
    (root / "fix" / "rendered.yaml").write_text("---\n# Source: chart/templates/pod.yaml\n" + FIXABLE)
    (root / "fix" / "readonly.yaml").write_text(FIXABLE)
    (root / "fix" / "readonly.yaml").chmod(0o444)
    os.symlink("pod.yaml", root / "fix" / "link.yaml")
    for dirpath, dirnames, filenames in os.walk(root):
        for name in [*dirnames, *filenames]:
            os.utime(os.path.join(dirpath, name), ns=(OLD, OLD), follow_symlinks=False)
    os.utime(root, ns=(OLD, OLD))
    return root


def snapshot(root: Path) -> dict[str, Any]:
    """Everything a run could change about a tree, without following symlinks."""
    out: dict[str, Any] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        out[dirpath] = sorted(dirnames + filenames)
        for name in filenames:
            p = os.path.join(dirpath, name)
            st = os.lstat(p)
            data = os.readlink(p) if os.path.islink(p) else Path(p).read_bytes()
            out[p] = (data, st.st_mtime_ns, st.st_mode, st.st_ino, st.st_size)
    return out


def test_no_run_without_fix_changes_a_byte_or_an_mtime(tree: Path, tmp_path: Path) -> None:
    before = snapshot(tree)
    assert before[str(tree / "fix" / "pod.yaml")][1] == OLD
    out = tmp_path / "out"
    out.mkdir()
    runs = [
        ["."],
        ["--format", "json", "."],
        ["--format", "sarif", "--output", str(out / "r.sarif"), "--format", "text", "--output", str(out / "r.txt"), "."],
        ["--format", "github", "--all-documents", "--jobs", "2", "."],
        ["--diff", "."],
        ["--write-baseline", str(out / "baseline.json"), "."],
        ["--baseline", str(out / "baseline.json"), "."],
        ["--quiet", "--statistics", "fix/pod.yaml", "fix/link.yaml", "fix/readonly.yaml"],
    ]
    for args in runs:
        proc = run_cli("--no-gitignore", *args, cwd=tree)
        assert proc.returncode in (0, 1), (args, proc.stderr)
        assert "Traceback" not in proc.stderr
        assert snapshot(tree) == before, args
    proc = run_cli("-", cwd=tree, stdin=FIXABLE)
    assert proc.returncode == 1 and snapshot(tree) == before
    assert (out / "r.sarif").stat().st_size > 0  # the runs did write where they were told to


def _fix(tree: Path, *paths: str) -> int:
    cwd = os.getcwd()
    os.chdir(tree)
    try:
        return cli.main(["--fix", "--no-gitignore", "--format", "json", "--output", os.devnull, *paths])
    finally:
        os.chdir(cwd)


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".pullcheck-tmp"))


def test_fix_works_here_so_the_failures_below_mean_something(tree: Path) -> None:
    assert _fix(tree, "fix/pod.yaml") in (0, 1)
    assert (tree / "fix" / "pod.yaml").read_text() == FIXED
    assert _leftovers(tree / "fix") == []


@pytest.mark.parametrize(
    ("target", "error"),
    [
        ("fsync", OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))),  # the disk fills while writing
        ("replace", OSError(errno.EXDEV, os.strerror(errno.EXDEV))),  # the rename is refused
        ("chmod", PermissionError(errno.EPERM, os.strerror(errno.EPERM))),  # after the data is written
    ],
)
def test_a_failed_fix_write_leaves_the_original_intact(
    tree: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], target: str, error: OSError
) -> None:
    pod = tree / "fix" / "pod.yaml"
    before = pod.read_bytes()

    def fail(*args: Any, **kwargs: Any) -> None:
        raise error

    monkeypatch.setattr(fixer.os, target, fail)
    code = _fix(tree, "fix/pod.yaml")
    assert code == 2
    assert pod.read_bytes() == before
    assert pod.stat().st_mtime_ns == OLD
    assert _leftovers(tree / "fix") == []
    err = capsys.readouterr().err
    assert f"fix/pod.yaml: cannot write the fixes ({error.strerror}); file left unchanged" in err


def test_an_interrupt_mid_write_leaves_the_original_intact(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pod = tree / "fix" / "pod.yaml"
    before = pod.read_bytes()
    real_fdopen = os.fdopen

    class Torn:
        """A file object that writes half the bytes, then is interrupted."""

        def __init__(self, fd: int, mode: str) -> None:
            self.fh = real_fdopen(fd, mode)

        def __enter__(self) -> Torn:
            return self

        def __exit__(self, *exc: object) -> None:
            self.fh.close()

        def write(self, data: bytes) -> int:
            self.fh.write(data[: len(data) // 2])
            self.fh.flush()
            raise KeyboardInterrupt

    monkeypatch.setattr(fixer.os, "fdopen", Torn)
    with pytest.raises(KeyboardInterrupt):
        _fix(tree, "fix/pod.yaml")
    assert pod.read_bytes() == before
    assert _leftovers(tree / "fix") == []


def test_one_failed_file_does_not_stop_the_others(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_replace = os.replace

    def replace(src: str, dst: str) -> None:
        if dst.endswith("crlf.yaml"):
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real_replace(src, dst)

    monkeypatch.setattr(fixer.os, "replace", replace)
    crlf_before = (tree / "fix" / "crlf.yaml").read_bytes()
    assert _fix(tree, "fix/pod.yaml", "fix/crlf.yaml") == 2
    assert (tree / "fix" / "pod.yaml").read_text() == FIXED
    assert (tree / "fix" / "crlf.yaml").read_bytes() == crlf_before
    assert _leftovers(tree / "fix") == []
