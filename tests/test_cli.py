"""The real command: exit codes, stdin, formats and outputs, subcommands, sources and exclusion."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, run_cli

BAD = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    image: nginx\n"
CLEAN = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    image: nginx:1.27\n"


def _json(stdout: str) -> list[tuple[str, str, int, int]]:
    return [(f["rule"], f["path"], f["line"], f["column"]) for f in json.loads(stdout)["findings"]]


def test_examples_exit_1_with_findings() -> None:
    res = run_cli("examples", "--format", "json", cwd=ROOT)
    assert res.returncode == 1, res.stderr
    found = _json(res.stdout)
    assert ("missing-image-tag", "examples/deployment.yaml", 21, 18) in found
    assert ("invalid-image-reference", "examples/cronjob.yaml", 16, 22) in found
    assert ("unrendered-template", "examples/helm/rendered.yaml", 31, 19) in found
    assert not any(p == "examples/clean.yaml" for _r, p, _l, _c in found)


def test_clean_file_exits_0() -> None:
    res = run_cli("examples/clean.yaml", cwd=ROOT)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "No problems" in res.stdout


def test_bad_flag_exits_2() -> None:
    res = run_cli("--no-such-flag", cwd=ROOT)
    assert res.returncode == 2
    assert "unrecognized arguments" in res.stderr


def test_unknown_rule_and_missing_path_exit_2(tmp_path: Path) -> None:
    assert run_cli("--disable", "no-such-rule", cwd=tmp_path).returncode == 2
    res = run_cli("missing.yaml", cwd=tmp_path)
    assert res.returncode == 2 and "no such file" in res.stderr


def test_bad_config_exits_2(tmp_path: Path) -> None:
    (tmp_path / ".pullcheck.yaml").write_text("fail-on: sometimes\n")
    (tmp_path / "p.yaml").write_text(CLEAN)
    res = run_cli("p.yaml", cwd=tmp_path)
    assert res.returncode == 2
    assert "fail-on" in res.stderr and "is not one of" in res.stderr


def test_stdin(tmp_path: Path) -> None:
    res = run_cli("-", "--format", "json", stdin=BAD, cwd=tmp_path)
    assert res.returncode == 1
    assert _json(res.stdout) == [("missing-image-tag", "<stdin>", 7, 12)]


def test_fail_on_error_ignores_warnings(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(BAD)
    assert run_cli("p.yaml", "--fail-on", "error", cwd=tmp_path).returncode == 0
    assert run_cli("p.yaml", cwd=tmp_path).returncode == 1


def test_disable_and_enable(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(CLEAN)
    assert run_cli("p.yaml", cwd=tmp_path).returncode == 0
    res = run_cli("p.yaml", "--enable", "digest-not-pinned", "--format", "json", cwd=tmp_path)
    assert res.returncode == 1 and _json(res.stdout) == [("digest-not-pinned", "p.yaml", 7, 12)]
    (tmp_path / "p.yaml").write_text(BAD)
    assert run_cli("p.yaml", "--disable", "missing-image-tag", cwd=tmp_path).returncode == 0


def test_several_outputs_in_one_run(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(BAD)
    res = run_cli("p.yaml", "--format", "sarif", "--output", "out.sarif", "--format", "json", "-o", "out.json",
                  "--format", "text", cwd=tmp_path)
    assert res.returncode == 1
    sarif = json.loads((tmp_path / "out.sarif").read_text())
    assert sarif["runs"][0]["results"][0]["ruleId"] == "missing-image-tag"
    assert _json((tmp_path / "out.json").read_text()) == [("missing-image-tag", "p.yaml", 7, 12)]
    assert "p.yaml:7:12: warning [missing-image-tag]" in res.stdout


def test_each_output_is_the_file_of_the_format_just_before_it(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(BAD)
    res = run_cli("p.yaml", "--format", "text", "--format", "sarif", "-o", "out.sarif", cwd=tmp_path)
    assert res.returncode == 1 and res.stdout.startswith("p.yaml:7:12: warning [missing-image-tag]")
    assert json.loads((tmp_path / "out.sarif").read_text())["runs"][0]["results"][0]["ruleId"] == "missing-image-tag"
    res = run_cli("p.yaml", "-o", "out.txt", cwd=tmp_path)  # no --format: the text report's file
    assert res.returncode == 1 and res.stdout == ""
    assert (tmp_path / "out.txt").read_text().startswith("p.yaml:7:12: warning [missing-image-tag]")
    res = run_cli("p.yaml", "-o", "a.json", "--format", "json", cwd=tmp_path)
    assert res.returncode == 2 and "--output a.json comes before any --format" in res.stderr
    res = run_cli("p.yaml", "--format", "json", "-o", "a.json", "-o", "b.json", cwd=tmp_path)
    assert res.returncode == 2 and "-o b.json: each --output needs a --format of its own" in res.stderr
    assert not (tmp_path / "a.json").exists() and not (tmp_path / "b.json").exists()


def test_text_output_has_code_frame_and_no_colour_on_a_pipe(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(BAD)
    res = run_cli("p.yaml", cwd=tmp_path, env={"NO_COLOR": ""})
    lines = res.stdout.splitlines()
    i = lines.index("p.yaml:7:12: warning [missing-image-tag] image \"nginx\" has no tag: the kubelet pulls "
                    "\"nginx:latest\" with imagePullPolicy Always")
    frame = "\n".join(lines[i + 1 : i + 4])
    assert "    image: nginx" in frame
    caret = next(x for x in lines[i + 1 : i + 5] if "^" in x)
    code = next(x for x in lines[i + 1 : i + 5] if "image: nginx" in x)
    assert caret.index("^") == code.index("nginx") and caret.count("^") == 5
    assert "\x1b[" not in res.stdout


def test_exclude_and_gitignore(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "p.yaml").write_text(BAD)
    (tmp_path / "b" / "p.yaml").write_text(BAD)
    (tmp_path / "c.yml").write_text(BAD)
    (tmp_path / "notes.txt").write_text(BAD)
    res = run_cli("--format", "json", cwd=tmp_path)
    assert sorted(p for _r, p, _l, _c in _json(res.stdout)) == ["a/p.yaml", "b/p.yaml", "c.yml"]
    (tmp_path / ".gitignore").write_text("b/\n")
    res = run_cli("--format", "json", "--exclude", "*.yml", cwd=tmp_path)
    assert [p for _r, p, _l, _c in _json(res.stdout)] == ["a/p.yaml"]
    # a file named on the command line (as pre-commit names tracked files) is not skipped for the
    # .gitignore, which git itself does not apply to tracked files; the config's exclusions still apply
    res = run_cli("--format", "json", "b/p.yaml", "c.yml", cwd=tmp_path)
    assert [p for _r, p, _l, _c in _json(res.stdout)] == ["b/p.yaml", "c.yml"]
    (tmp_path / ".pullcheck.yaml").write_text("exclude: ['a/']\n")
    res = run_cli(".", "--format", "json", cwd=tmp_path)
    assert [p for _r, p, _l, _c in _json(res.stdout)] == ["c.yml"]
    res = run_cli("--format", "json", "a/p.yaml", "b/p.yaml", cwd=tmp_path)
    assert [p for _r, p, _l, _c in _json(res.stdout)] == ["b/p.yaml"]


def test_bad_files_do_not_stop_the_run(tmp_path: Path) -> None:
    (tmp_path / "binary.yaml").write_bytes(b"\x00\x01\x02kind: Pod")
    (tmp_path / "latin1.yaml").write_bytes("name: caf\xe9\n".encode("latin-1"))
    (tmp_path / "dir.yaml").mkdir()
    (tmp_path / "dir.yaml" / "inner.yaml").write_text(BAD)
    os.mkfifo(tmp_path / "fifo.yaml")
    os.symlink(tmp_path / "loop", tmp_path / "loop")
    (tmp_path / "loop.yaml").symlink_to(tmp_path / "loop")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "up").symlink_to(tmp_path / "sub")
    res = run_cli(".", "--format", "json", cwd=tmp_path)
    assert res.returncode == 1
    found = _json(res.stdout)
    assert ("input-error", "binary.yaml", 1, 1) in found
    assert ("input-error", "latin1.yaml", 1, 10) in found
    assert ("missing-image-tag", "dir.yaml/inner.yaml", 7, 12) in found
    notices = {n["path"]: n["message"] for n in json.loads(res.stdout)["notices"]}
    assert "FIFO" in notices["fifo.yaml"]
    assert "symlink loop" in notices["loop.yaml"]
    assert any("symlink loop" in m for m in notices.values() if "sub" in m or True)
    assert "Traceback" not in res.stderr


def test_rules_and_explain() -> None:
    res = run_cli("rules")
    assert res.returncode == 0
    assert "latest-tag" in res.stdout and "digest-not-pinned" in res.stdout
    rows = json.loads(run_cli("rules", "--format", "json").stdout)
    by_id = {r["id"]: r for r in rows}
    assert by_id["digest-not-pinned"]["enabled"] is False
    assert by_id["invalid-image-reference"]["defaultLevel"] == "error"
    explained = run_cli("explain", "latest-tag")
    assert explained.returncode == 0 and explained.stdout.startswith("# latest-tag")
    assert run_cli("explain", "nope").returncode == 2


def test_version() -> None:
    res = run_cli("--version")
    assert res.returncode == 0 and res.stdout.startswith("pullcheck ")


def test_a_reader_that_stops_early_gets_no_traceback_and_the_exit_code_stays() -> None:
    """``pullcheck ... | head -1``: the pipe closes before the report is out; the run still exits 1
    (findings) and says nothing on stderr. The command exits without interpreter teardown, so
    what it wrote must be flushed by then: the other tests read its whole stdout through pipes."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "pullcheck", "examples/"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 1
    assert err == ""


def test_a_rule_that_raises_or_a_plugin_that_fails_makes_the_run_incomplete(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Exit 2, the error once on stderr, and SARIF/JSON that say the run is incomplete."""
    from conftest import Boom
    from pullcheck import rule
    from pullcheck.cli import main

    builtin = rule.all_rules

    def with_broken(with_plugins: bool = True) -> tuple[list[type[rule.Rule]], list[str]]:
        rules, _ = builtin(with_plugins=False)
        return [*rules, Boom], ["plug-in 'acme' (acme:Rule) failed to load: No module named 'acme'"]

    monkeypatch.setattr(rule, "all_rules", with_broken)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.yaml").write_text(BAD)
    assert main(["p.yaml", "-q", "--format", "sarif", "-o", "out.sarif", "--format", "json", "-o", "out.json"]) == 2
    errors = [
        "plug-in 'acme' (acme:Rule) failed to load: No module named 'acme'",
        "internal error: rule boom (pullcheck) failed on p.yaml:1: RuntimeError: kaboom",
    ]
    assert capsys.readouterr().err == "".join(f"pullcheck: {e}\n" for e in errors)
    invocation = json.loads((tmp_path / "out.sarif").read_text())["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert [n["message"]["text"] for n in invocation["toolExecutionNotifications"]] == errors
    data = json.loads((tmp_path / "out.json").read_text())
    assert data["errors"] == errors and [f["rule"] for f in data["findings"]] == ["missing-image-tag"]


def test_a_directory_that_cannot_be_listed_is_an_input_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Not a notice: a subtree skipped that way would pass CI unlinted (exit 1, like an unreadable file)."""
    from pullcheck import sources
    from pullcheck.cli import main

    (tmp_path / "closed").mkdir()
    (tmp_path / "closed" / "p.yaml").write_text(BAD)
    (tmp_path / "open.yaml").write_text(CLEAN)
    scandir = os.scandir

    def refuse(path: str) -> object:
        if os.path.basename(path) == "closed":
            raise PermissionError(13, "Permission denied", path)
        return scandir(path)

    monkeypatch.setattr(sources.os, "scandir", refuse)
    monkeypatch.chdir(tmp_path)
    assert main([".", "--format", "json", "--no-gitignore"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert [(f["rule"], f["level"], f["path"], f["line"], f["message"]) for f in data["findings"]] == [
        ("input-error", "error", "closed", 1, "cannot read directory (Permission denied); its files are not linted")
    ]
    assert data["stats"]["files"] == 2 and data["notices"] == []


@pytest.mark.parametrize(
    ("data", "line", "column"),
    [
        (b'kind: Pod\nmetadata: {name: "\xe6\x97\xa5\xe6\x9c\xac\xe9"}\n', 2, 21),  # code points, not bytes
        (b'kind: Pod\rmetadata: {name: "caf\xe9"}\r', 2, 22),  # a lone CR ends a line for YAML
        (b"kind: Pod\r\nx: \xe2\x80\xa8y: \xff\n", 3, 4),  # so do CRLF and U+2028
        (b"\xff", 1, 1),
    ],
)
def test_a_byte_that_is_not_utf8_is_positioned_as_an_editor_shows_it(data: bytes, line: int, column: int) -> None:
    from pullcheck.finding import Finding
    from pullcheck.sources import decode

    found = decode(data, "x.yaml")
    assert isinstance(found, Finding) and found.rule == "input-error"
    assert (found.span.line, found.span.column) == (line, column)
    assert found.message.endswith(f"at line {line}); not linted")


def test_a_bad_exclude_pattern_is_a_usage_error_and_a_bad_gitignore_line_is_skipped(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "p.yaml").write_text(BAD)
    (tmp_path / "q.yaml").write_text(BAD)
    for args in (["--exclude", "[z-a]"], []):
        if not args:
            (tmp_path / ".pullcheck.yaml").write_text('exclude: ["[z-a]"]\n')
        res = run_cli(*args, cwd=tmp_path)
        assert res.returncode == 2 and "Traceback" not in res.stderr
        assert res.stderr == "pullcheck: exclude pattern '[z-a]' is not a valid gitignore-style pattern\n"
    (tmp_path / ".pullcheck.yaml").unlink()
    (tmp_path / ".gitignore").write_text("[z-a]\n\\\nq.yaml\n")  # git lets a bad line match nothing
    res = run_cli("--format", "json", cwd=tmp_path)
    assert res.returncode == 1 and [p for _r, p, _l, _c in _json(res.stdout)] == ["p.yaml"]


def test_overlapping_paths_lint_each_file_once(tmp_path: Path) -> None:
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "p.yaml").write_text(BAD)
    for args in (["k8s/p.yaml", "k8s/"], ["k8s/p.yaml", "./k8s/p.yaml"], ["k8s", str(tmp_path / "k8s")]):
        res = run_cli(*args, "--format", "json", cwd=tmp_path)
        data = json.loads(res.stdout)
        assert [f["rule"] for f in data["findings"]] == ["missing-image-tag"], args
        assert data["stats"]["files"] == 1


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        ("{image-typo: {max-distance: two}}", "rules.image-typo.max-distance: 'two' is not a whole number >= 0"),
        ("{image-typo: {max-distance: -1}}", "rules.image-typo.max-distance: -1 is not a whole number >= 0"),
        ("{image-typo: {run-ratio: .nan}}", "rules.image-typo.run-ratio: nan is not a number >= 0"),
        ("{image-typo: {max_distance: 0}}",
         "rules.image-typo.max_distance: image-typo has no option 'max_distance' (it has: level, max-distance, min-length, min-host-length, run-ratio)"),
        ("{missing-pull-secret: {credential-providers: loud}}",
         "rules.missing-pull-secret.credential-providers: 'loud' is not one of note, warning, error, off"),
        ("{moved-registry: {gcr-shutdown: 'true'}}", "rules.moved-registry.gcr-shutdown: 'true' is not true or false"),
        ("{latest-tag: {mutable-tags: stable}}", "rules.latest-tag.mutable-tags: 'stable' is not a list of strings"),
    ],
)
def test_rule_options_of_the_wrong_name_or_type_are_a_config_error(tmp_path: Path, rules: str, message: str) -> None:
    """Exit 2 naming the option, before linting: such a value used to crash the rules that read it."""
    (tmp_path / "p.yaml").write_text(BAD)
    (tmp_path / ".pullcheck.yaml").write_text(f"rules: {rules}\n")
    res = run_cli("p.yaml", cwd=tmp_path)
    assert (res.returncode, res.stdout) == (2, "")
    assert res.stderr == f"pullcheck: {tmp_path / '.pullcheck.yaml'}: {message}\n"


@pytest.mark.parametrize(
    "config", ["mutable-tags: [stable]", "rules: {latest-tag: {mutable-tags: [stable]}}", "mutable-tags: [STABLE]"]
)
def test_mutable_tags_add_to_latest(tmp_path: Path, config: str) -> None:
    (tmp_path / ".pullcheck.yaml").write_text(config + "\n")
    (tmp_path / "p.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
        "  - {name: a, image: 'nginx:latest'}\n  - {name: b, image: 'nginx:stable'}\n  - {name: c, image: 'nginx:1.27'}\n"
    )
    res = run_cli("p.yaml", "--format", "json", cwd=tmp_path)
    assert _json(res.stdout) == [("latest-tag", "p.yaml", 6, 23), ("latest-tag", "p.yaml", 7, 23)]


def test_config_exclusions_are_relative_to_the_config_file(tmp_path: Path) -> None:
    """As a .gitignore's patterns are to its directory: a monorepo team's config in team/ excludes
    team/charts/..., from wherever the run starts and whichever path is named."""
    repo = tmp_path / "repo"
    team = repo / "team"
    for rel in ("charts/web/templates/d.yaml", "k8s/p.yaml"):
        (team / rel).parent.mkdir(parents=True, exist_ok=True)
        (team / rel).write_text(BAD)
    (team / ".pullcheck.yaml").write_text('exclude: ["charts/**/templates/"]\n')
    for git in (False, True):  # without a work tree, the paths named do not move the patterns either
        if git:
            (repo / ".git").mkdir()
        for args in ([], ["charts/"], ["charts/web/templates/d.yaml", "k8s"]):
            res = run_cli("--format", "json", *args, cwd=team)
            assert [p for _r, p, _l, _c in _json(res.stdout)] == ([] if args == ["charts/"] else ["k8s/p.yaml"]), (git, args)
    res = run_cli("--format", "json", "--config", "team/.pullcheck.yaml", "team", cwd=repo)
    assert [p for _r, p, _l, _c in _json(res.stdout)] == ["team/k8s/p.yaml"]


def test_rebase_moves_gitignore_patterns_to_their_directory() -> None:
    from pullcheck.sources import rebase

    got = rebase(["charts/**/templates/", "tmp", "/x.yaml", "!keep/a.yaml", "*.json", "a/"], ".github/ci")
    assert got == [".github/ci/charts/**/templates/", ".github/ci/**/tmp", ".github/ci/x.yaml",
                   "!.github/ci/keep/a.yaml", ".github/ci/**/*.json", ".github/ci/**/a/"]
    assert rebase(["tmp", "/x"], "") == ["tmp", "/x"]


def test_rules_lists_the_configured_levels_and_refuses_a_bad_config(tmp_path: Path) -> None:
    (tmp_path / ".pullcheck.yaml").write_text("rules: {latest-tag: error, missing-image-tag: off}\n")
    res = run_cli("rules", cwd=tmp_path, env={"COLUMNS": "200"})
    rows = {line.split("│")[1].strip(): [c.strip() for c in line.split("│")[2:4]] for line in res.stdout.splitlines() if line.count("│") >= 4}
    assert rows["latest-tag"] == ["error", "warning"] and rows["missing-image-tag"] == ["off", "warning"]
    assert rows["digest-not-pinned"] == ["off", "warning"]
    (tmp_path / ".pullcheck.yaml").write_text("rules: {latest-tagg: error}\n")
    res = run_cli("rules", cwd=tmp_path)
    assert (res.returncode, res.stderr) == (2, "pullcheck: unknown rule id(s): latest-tagg (see `pullcheck rules`)\n")


def test_config_exclusions_hold_when_run_below_the_config_outside_a_work_tree(tmp_path: Path) -> None:
    """Run from a subdirectory of the config's (no git: the working directory is the root), anchored
    patterns are taken from where they point, not read again from the subdirectory."""
    proj = tmp_path / "proj"
    for rel in ("gen/top.yaml", "sub/a.yaml", "sub/gen/g.yaml", "sub/skip/s.yaml"):
        (proj / rel).parent.mkdir(parents=True, exist_ok=True)
        (proj / rel).write_text(BAD)
    (proj / ".pullcheck.yaml").write_text('exclude: ["/gen/", "sub/skip/"]\n')
    assert [p for _r, p, _l, _c in _json(run_cli("--format", "json", cwd=proj).stdout)] == ["sub/a.yaml", "sub/gen/g.yaml"]
    assert [p for _r, p, _l, _c in _json(run_cli("--format", "json", cwd=proj / "sub").stdout)] == ["a.yaml", "gen/g.yaml"]


def test_unbase_moves_patterns_into_a_subdirectory() -> None:
    from pullcheck.sources import unbase

    got = unbase(["gen/", "/gen/", "sub/gen/x.yaml", "*/gen/", "**/tmp", "other/x", "!sub/keep.yaml", "/sub/", "sub"], "sub")
    assert got == ["gen/", "gen/x.yaml", "gen/", "**/tmp", "!keep.yaml", "**", "sub"]
