"""What keeps big runs fast and small (issue 6) gives the same answers as the plain way."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

import pullcheck.engine as engine_mod
from pullcheck.config import Config
from pullcheck.engine import Engine, RunOptions, frame_lines
from pullcheck.finding import Finding, Fix, ObjectRef, Related, Span
from pullcheck.loader import LoadOptions, LoadResult, iter_documents, load_text
from pullcheck.pullfacts import (
    ContainerFact,
    NameRef,
    Place,
    PodFact,
    PullFacts,
    SecretFact,
    SecretProblem,
    ServiceAccountFact,
)
from pullcheck.report import Report, Stats, render
from pullcheck.report.json_format import build
from pullcheck.rule import all_rules
from pullcheck.sources import Source, expand


def _finding(line: int, end_line: int | None = None) -> Finding:
    return Finding("r", "error", "m", "p.yaml", Span(line, 1, end_line or line, 2))


def test_frame_lines_of_a_big_text_are_the_lines_the_frames_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_mod, "FRAME_PIECE", 16)
    text = "".join(f"line {i}{brk}" for i, brk in zip(range(60), ["\n", "\r\n", "\r", "\u2028"] * 15, strict=True))
    findings = [_finding(3), _finding(20, 40), _finding(59)]
    got = frame_lines(text, findings)
    full = text.splitlines()
    assert len(got) == len(full)
    wanted = {2, 3, 19, 20, 21, 22, 58, 59}  # the line above, then the span's lines, at most three
    assert [n for n in range(1, len(full) + 1) if got[n - 1] == full[n - 1]] == sorted(wanted)
    assert all(got[n - 1] == "" for n in range(1, len(full) + 1) if n not in wanted)


def test_frame_lines_of_a_small_text_are_all_its_lines() -> None:
    assert frame_lines("a\nb\r\nc", [_finding(1)]) == ["a", "b", "c"]


def test_frame_lines_of_a_long_text_stop_after_the_last_frame(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine_mod, "HEAD_CHARS", 16)
    text = "".join(f"line {i}{brk}" for i, brk in zip(range(400), ["\n", "\r\n", "\r", "\u2028"] * 100, strict=True))
    full = text.splitlines()
    got = frame_lines(text, [_finding(3), _finding(20, 40)])
    assert 22 < len(got) < len(full)  # lines 1-22 read, and at least one more: line 22 is whole
    assert got[:22] == full[:22]
    assert frame_lines(text, [_finding(399)]) == full


def test_documents_are_composed_one_at_a_time() -> None:
    text = "kind: Pod\nmetadata: {name: a}\n---\nkind: Pod\nmetadata: {name: [b\n---\nkind: Pod\nmetadata: {name: c}\n"
    result = LoadResult()
    docs = iter_documents(text, "s.yaml", LoadOptions(), result)
    first = next(docs)
    assert first.index == 0 and result.findings == []  # the broken second document is not parsed yet
    rest = list(docs)
    assert [d.index for d in rest] == [2]
    assert [f.rule for f in result.findings] == ["yaml-syntax"]
    whole = load_text(text, "s.yaml", LoadOptions())
    assert [d.index for d in whole.documents] == [0, 2]
    assert [(f.rule, f.span) for f in whole.findings] == [(f.rule, f.span) for f in result.findings]


def _secret(namespace: str, name: str) -> SecretFact:
    place = Place("s.yaml", Span(1, 1, 1, 2), 0, ObjectRef("Secret", namespace, name))
    return SecretFact("Secret", namespace, name, place)


def test_secrets_named_sees_every_namespace_and_later_merges() -> None:
    facts = PullFacts()
    share = PullFacts(secrets={("a", "reg"): [_secret("a", "reg")], ("b", "other"): [_secret("b", "other")]})
    facts.merge(share)
    assert [s.namespace for s in facts.secrets_named("reg")] == ["a"]
    facts.merge(PullFacts(secrets={("c", "reg"): [_secret("c", "reg")]}))
    assert [s.namespace for s in facts.secrets_named("reg")] == ["a", "c"]
    assert facts.secrets_named("missing") == []


def test_walk_keys_and_displays_match_resolved_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo, outside = tmp_path / "repo", tmp_path / "outside"
    (repo / ".git").mkdir(parents=True)
    (repo / "sub" / "deep").mkdir(parents=True)
    outside.mkdir()
    for path in (repo / "sub" / "deep" / "a.yaml", repo / "b.yml", outside / "c.yaml"):
        path.write_text("kind: Pod\n", encoding="utf-8")
    (repo / "link.yaml").symlink_to(repo / "sub" / "deep" / "a.yaml")
    (repo / "sub" / "linked").symlink_to(outside, target_is_directory=True)
    monkeypatch.chdir(repo)
    got = [(s.display, s.fs_path, s.key) for s in expand(["."], cwd=repo) if isinstance(s, Source)]
    assert got == [
        ("b.yml", "b.yml", "b.yml"),
        ("link.yaml", "link.yaml", "sub/deep/a.yaml"),  # a symlink's key is its target's
        ("sub/deep/a.yaml", "sub/deep/a.yaml", "sub/deep/a.yaml"),
        ("sub/linked/c.yaml", "sub/linked/c.yaml", None),  # resolves outside the repository
    ]
    sub = [(s.display, s.fs_path, s.key) for s in expand(["sub/deep"], cwd=repo / "sub") if isinstance(s, Source)]
    assert sub == [("sub/deep/a.yaml", "sub/deep/a.yaml", "sub/deep/a.yaml")]
    # run from outside the repository, a path's key is still relative to the work tree that holds it
    monkeypatch.chdir(outside)
    far = [(s.display, s.key) for s in expand([str(repo / "sub"), str(repo / "b.yml")], cwd=outside) if isinstance(s, Source)]
    assert far == [
        (f"{repo}/sub/deep/a.yaml", "sub/deep/a.yaml"),
        (f"{repo}/sub/linked/c.yaml", None),
        (f"{repo}/b.yml", "b.yml"),
    ]


def test_json_render_is_the_indented_dump_of_the_whole_report(tmp_path: Path) -> None:
    rules, _ = all_rules(with_plugins=False)
    text = (
        "apiVersion: v1\nkind: Pod\nmetadata: {name: caf\u00e9}\nspec:\n"
        "  containers: [{name: a, image: nginx}, {name: b, image: 'ghcr.io/x/y:1 '}]\n"
    )
    findings, stats = Engine(Config(), rules, RunOptions(jobs=1)).run([Source("p.yaml", None, text)])
    assert len(findings) >= 2
    findings[0].related = (Related("q.yaml", Span(1, 1, 1, 2), "see \u2192 here"),)
    for fs in (findings, findings[:1], []):
        report = Report(findings=fs, rules=[], stats=stats)
        assert render("json", report) == json.dumps(build(report), indent=2) + "\n"
    assert json.loads(render("json", Report(findings=[], rules=[], stats=Stats())))["findings"] == []


def test_findings_cross_the_pool_whole() -> None:
    """Findings and the records in them come back from a worker equal, field for field."""
    finding = Finding(
        "pull-secret-registry-mismatch", "warning", "no key for ghcr.io", "a.yaml", Span(3, 12, 3, 20),
        obj=ObjectRef("Deployment", None, "api"), container="api", image="ghcr.io/acme/api:1",
        fix=Fix("ghcr.io/acme/api:1.0", "pin"), related=(Related("s.yaml", Span(1, 1, 1, 9), "the secret"),),
        doc=2, repo_path="deploy/a.yaml", snippet=("    image: ghcr.io/acme/api:1",), snippet_start=3,
    )
    back = pickle.loads(pickle.dumps([finding, finding]))
    assert back[0] == finding and back[0] is back[1]
    assert (back[0].snippet, back[0].snippet_start, back[0].obj) == (finding.snippet, 3, ObjectRef("Deployment", None, "api"))
    secret = SecretFact("Secret", "shop", "regcred", Place("s.yaml", Span(1, 1, 1, 9), 0, ObjectRef("Secret", "shop", "regcred")),
                        "kubernetes.io/dockerconfigjson", keys=("ghcr.io",),
                        problems=(SecretProblem("bad", Place("s.yaml", Span(2, 1, 2, 3), 0, ObjectRef("Secret", "shop", "regcred"))),))
    assert pickle.loads(pickle.dumps(secret)) == secret
    sa = ServiceAccountFact("shop", "default", (NameRef("regcred", secret.place),))
    assert pickle.loads(pickle.dumps(sa)) == sa


def test_facts_from_pool_workers_share_repeated_strings_and_keep_their_places() -> None:
    place = Place("a.yaml", Span(3, 12, 3, 20), 1, ObjectRef("Deployment", "shop", "api"), "chart/t.yaml")
    files = []
    for _ in range(2):  # two files, pickled separately as the pool's workers send them
        image = "".join(["registry.example.com/", "api:1"])  # a fresh string object per file
        c = ContainerFact(
            "api", image, "spec.template.spec.containers[0].image", "Always",
            "a.yaml", Span(3, 12, 3, 20), 1, ObjectRef("Deployment", "shop", "api"), "chart/t.yaml",
        )
        pod = PodFact("shop", "spec.template.spec", place, "default", (NameRef("regcred", place),), 1, None, (c,))
        files.append(pickle.loads(pickle.dumps(pod)))
    a, b = (f.containers[0] for f in files)
    assert a == b and a.image is b.image and a.field is b.field and files[0].namespace is files[1].namespace
    assert (a.name, a.span, a.path, a.doc, a.helm_source) == ("api", Span(3, 12, 3, 20), "a.yaml", 1, "chart/t.yaml")
    assert a.obj == ObjectRef("Deployment", "shop", "api") and a.policy == "Always"
