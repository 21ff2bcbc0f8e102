"""The pre-commit hook, run by the real ``pre-commit`` in throwaway git repositories.

pre-commit clones the hook repository at ``rev`` and ``pip install``s it into its own virtualenv,
so the tests first commit *today's working tree* into a temporary repository and point ``repo:``
at that commit. The hook environment is installed once per session (about 15 s: pip fetches the
runtime dependencies from PyPI); every run after that takes about a second. Without PyPI the
install cannot succeed and the tests skip, saying so.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from conftest import ROOT

HOOK_NAME = "pullcheck (Kubernetes image pulls)"
GIT_ENV = {
    "GIT_AUTHOR_NAME": "pullcheck tests",
    "GIT_AUTHOR_EMAIL": "tests@pullcheck.invalid",
    "GIT_COMMITTER_NAME": "pullcheck tests",
    "GIT_COMMITTER_EMAIL": "tests@pullcheck.invalid",
}
IGNORED = (".git", "build", "dist", "*.egg-info", "__pycache__", ".venv", "venv", ".mypy_cache", ".ruff_cache",
           ".pytest_cache", ".hypothesis")
NETWORK_ERRORS = ("NewConnectionError", "Network is unreachable", "Temporary failure in name resolution",
                  "No matching distribution found", "Could not find a version that satisfies")

BAD = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: web
      image: ghcr.io/acme/web:latest
"""
CLEAN = BAD.replace(":latest", ":1.4.2")
BAD_JSON = json.dumps(
    {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "api"},
     "spec": {"containers": [{"name": "api", "image": "ghcr.io/acme/api"}]}},
    indent=2,
) + "\n"


def git(cwd: Path, *args: str) -> str:
    res = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env={**os.environ, **GIT_ENV})
    assert res.returncode == 0, res.stderr
    return res.stdout.strip()


def working_tree_files(root: Path) -> list[str] | None:
    """Tracked and untracked-but-not-ignored files of the checkout (None outside git)."""
    res = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=root,
                         capture_output=True, text=True)
    if res.returncode != 0:
        return None
    return [f for f in res.stdout.split("\0") if f and (root / f).is_file()]


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A git repository whose single commit is today's working tree; (path, commit)."""
    repo = tmp_path_factory.mktemp("hook-repo")
    files = working_tree_files(ROOT)
    if files is None:
        shutil.rmtree(repo)
        shutil.copytree(ROOT, repo, ignore=shutil.ignore_patterns(*IGNORED))
    else:
        for name in files:
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, repo / name)
    assert (repo / ".pre-commit-hooks.yaml").is_file()
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-verify", "-m", "working tree under test")
    return repo, git(repo, "rev-parse", "HEAD")


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def pre_commit(project: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the real pre-commit (the one installed with the test extras)."""
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}
    env.pop("PRE_COMMIT", None)
    return subprocess.run([sys.executable, "-m", "pre_commit", *args], cwd=project, capture_output=True, text=True,
                          env=env, timeout=900)


def make_project(path: Path, hook_repo: tuple[Path, str]) -> Path:
    repo, rev = hook_repo
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q")
    config = f"repos:\n  - repo: {repo.as_posix()}\n    rev: {rev}\n    hooks:\n      - id: pullcheck\n"
    (path / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
    git(path, "add", ".pre-commit-config.yaml")
    git(path, "commit", "-q", "--no-verify", "-m", "pre-commit config")
    return path


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory, hook_repo: tuple[Path, str], pre_commit_home: Path) -> float:
    """Install the hook environment once; seconds it took (skip when PyPI is unreachable)."""
    project = make_project(tmp_path_factory.mktemp("install"), hook_repo)
    started = time.perf_counter()
    res = pre_commit(project, pre_commit_home, "install-hooks")
    seconds = time.perf_counter() - started
    if res.returncode != 0 and any(e in res.stdout + res.stderr for e in NETWORK_ERRORS):
        log = pre_commit_home / "pre-commit.log"
        pytest.skip(f"pre-commit could not install the hook environment from PyPI: {log}")
    assert res.returncode == 0, res.stdout + res.stderr
    return seconds


@pytest.fixture
def project(tmp_path: Path, hook_repo: tuple[Path, str], installed: float) -> Iterator[Path]:
    yield make_project(tmp_path / "project", hook_repo)


def write(project: Path, name: str, text: str) -> Path:
    path = project / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def hook_status(output: str) -> str:
    """``Passed`` / ``Failed`` / ``(no files to check)Skipped`` from pre-commit's status line."""
    for line in output.splitlines():
        if line.startswith(HOOK_NAME):
            return line.rstrip(".").split(".")[-1].strip() if "Skipped" not in line else "Skipped"
    raise AssertionError(f"no status line for the hook in:\n{output}")


# -------------------------------------------------------------------------------------- manifest
def test_hooks_manifest_valid(shared: Path) -> None:
    import jsonschema

    schema = json.loads((shared / "schemas" / "pre-commit-hooks.json").read_text(encoding="utf-8"))
    manifest = YAML(typ="safe").load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert list(jsonschema.Draft7Validator(schema).iter_errors(manifest)) == []
    bad = [{k: v for k, v in manifest[0].items() if k != "entry"}]  # the check can fail
    assert list(jsonschema.Draft7Validator(schema).iter_errors(bad))


def test_hooks_manifest_as_pre_commit_reads_it() -> None:
    """pre-commit's own manifest check, and the fields the issue asks for."""
    res = subprocess.run([sys.executable, "-m", "pre_commit", "validate-manifest", str(ROOT / ".pre-commit-hooks.yaml")],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr
    (hook,) = YAML(typ="safe").load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert (hook["id"], hook["language"], hook["entry"]) == ("pullcheck", "python", "pullcheck")
    assert hook["types_or"] == ["yaml", "json"]
    assert hook["require_serial"] is True  # cross-document rules need every file in one run


# ---------------------------------------------------------------------------------- real pre-commit
def test_install_time_is_reported(installed: float) -> None:
    """The one-off environment install stays well inside the CI budget (measured, not assumed)."""
    assert installed < 300, f"installing the hook environment took {installed:.0f}s"


def test_fails_on_a_bad_manifest_with_the_finding(project: Path, pre_commit_home: Path) -> None:
    write(project, "k8s/web.yaml", BAD)
    git(project, "add", "-A")
    res = pre_commit(project, pre_commit_home, "run", "--all-files")
    assert res.returncode == 1, res.stdout
    assert hook_status(res.stdout) == "Failed"
    assert "- hook id: pullcheck" in res.stdout and "- exit code: 1" in res.stdout
    assert 'k8s/web.yaml:8:14: warning [latest-tag] image "ghcr.io/acme/web:latest"' in res.stdout


def test_passes_on_clean_manifests(project: Path, pre_commit_home: Path) -> None:
    """A clean manifest, a clean JSON manifest and YAML that is no Kubernetes object all pass."""
    write(project, "k8s/web.yaml", CLEAN)
    write(project, "k8s/api.json", BAD_JSON.replace("ghcr.io/acme/api", "ghcr.io/acme/api:2.0.1"))
    write(project, ".github/workflows/ci.yml", "on: push\njobs: {}\n")
    git(project, "add", "-A")
    res = pre_commit(project, pre_commit_home, "run", "--all-files")
    assert res.returncode == 0, res.stdout
    assert hook_status(res.stdout) == "Passed"


def test_json_manifests_are_linted(project: Path, pre_commit_home: Path) -> None:
    write(project, "k8s/api.json", BAD_JSON)
    git(project, "add", "-A")
    res = pre_commit(project, pre_commit_home, "run", "--all-files")
    assert res.returncode == 1, res.stdout
    line, text = next((i, t) for i, t in enumerate(BAD_JSON.splitlines(), 1) if '"image"' in t)
    column = text.index("ghcr.io") + 1  # the value inside the quotes, as for a quoted YAML scalar
    assert f'k8s/api.json:{line}:{column}: warning [missing-image-tag] image "ghcr.io/acme/api" has no tag' in res.stdout


def test_lints_only_the_staged_files(project: Path, pre_commit_home: Path) -> None:
    """``pre-commit run`` passes the staged files only, as the staged content: an untracked bad
    file and an unstaged bad edit are not linted; staging the bad file makes the hook fail."""
    write(project, "good.yaml", CLEAN)
    git(project, "add", "good.yaml")
    write(project, "untracked.yaml", BAD)
    res = pre_commit(project, pre_commit_home, "run")
    assert res.returncode == 0, res.stdout
    assert hook_status(res.stdout) == "Passed"

    write(project, "good.yaml", BAD)  # an edit that is not staged
    res = pre_commit(project, pre_commit_home, "run")
    assert res.returncode == 0, res.stdout
    assert "Unstaged files detected" in res.stdout + res.stderr
    assert (project / "good.yaml").read_text(encoding="utf-8") == BAD  # pre-commit restored the edit

    git(project, "add", "untracked.yaml")
    res = pre_commit(project, pre_commit_home, "run")
    assert res.returncode == 1, res.stdout
    assert "untracked.yaml:8:14: warning [latest-tag]" in res.stdout
    assert "good.yaml:" not in res.stdout


def test_no_manifest_staged_skips_the_hook(project: Path, pre_commit_home: Path) -> None:
    write(project, "README.md", "# not YAML\n")
    git(project, "add", "README.md")
    res = pre_commit(project, pre_commit_home, "run")
    assert res.returncode == 0, res.stdout
    assert hook_status(res.stdout) == "Skipped"


def test_config_is_discovered_from_the_hook_working_directory(project: Path, pre_commit_home: Path) -> None:
    """pre-commit runs hooks from the repository root: .pullcheck.yaml there applies to files in
    subdirectories (here it raises latest-tag to error and excludes a vendored directory)."""
    write(project, "deploy/app/web.yaml", BAD)
    write(project, "vendor/thirdparty.yaml", BAD.replace("name: web", "name: vendored"))
    git(project, "add", "-A")
    res = pre_commit(project, pre_commit_home, "run", "--all-files")
    assert "deploy/app/web.yaml:8:14: warning [latest-tag]" in res.stdout
    assert "vendor/thirdparty.yaml:8:14: warning [latest-tag]" in res.stdout

    write(project, ".pullcheck.yaml", "rules:\n  latest-tag: error\nexclude: [vendor/]\n")
    git(project, "add", "-A")
    res = pre_commit(project, pre_commit_home, "run", "--all-files")
    assert res.returncode == 1, res.stdout
    assert "deploy/app/web.yaml:8:14: error [latest-tag]" in res.stdout
    assert "vendor/" not in res.stdout


def test_git_commit_is_blocked_by_the_installed_hook(project: Path, pre_commit_home: Path) -> None:
    """The real thing: ``pre-commit install`` then ``git commit`` refuses a bad manifest."""
    res = pre_commit(project, pre_commit_home, "install")
    assert res.returncode == 0, res.stdout + res.stderr
    write(project, "web.yaml", BAD)
    git(project, "add", "-A")
    env = {**os.environ, **GIT_ENV, "PRE_COMMIT_HOME": str(pre_commit_home), "NO_COLOR": "1"}
    env.pop("PRE_COMMIT", None)
    commit = subprocess.run(["git", "commit", "-m", "add web"], cwd=project, capture_output=True, text=True,
                            env=env, timeout=300)
    assert commit.returncode == 1, commit.stdout + commit.stderr
    assert "web.yaml:8:14: warning [latest-tag]" in commit.stdout + commit.stderr
    assert git(project, "ls-tree", "--name-only", "HEAD") == ".pre-commit-config.yaml"  # nothing committed

    write(project, "web.yaml", CLEAN)
    git(project, "add", "-A")
    commit = subprocess.run(["git", "commit", "-m", "add web"], cwd=project, capture_output=True, text=True,
                            env=env, timeout=300)
    assert commit.returncode == 0, commit.stdout + commit.stderr
    assert "web.yaml" in git(project, "ls-tree", "--name-only", "HEAD").split()


def test_example_config_in_usage_docs_is_valid(shared: Path) -> None:
    """docs/usage.md's .pre-commit-config.yaml snippet validates against SchemaStore's schema."""
    import jsonschema
    from referencing import Registry, Resource

    docs = (ROOT / "docs" / "usage.md").read_text(encoding="utf-8")
    start = docs.index("```yaml\n# .pre-commit-config.yaml") + len("```yaml\n")
    snippet = docs[start : docs.index("```", start)]
    config = YAML(typ="safe").load(textwrap.dedent(snippet))
    schemas = {name: json.loads((shared / "schemas" / name).read_text(encoding="utf-8"))
               for name in ("pre-commit-config.json", "pre-commit-hooks.json")}
    registry: Registry = Registry().with_resources(
        (s["$id"], Resource.from_contents(s)) for s in schemas.values()
    )
    validator = jsonschema.Draft7Validator(schemas["pre-commit-config.json"], registry=registry)
    assert list(validator.iter_errors(config)) == []
    assert config["repos"][0]["hooks"][0]["id"] == "pullcheck"
