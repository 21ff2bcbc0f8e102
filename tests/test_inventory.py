"""Offline registry inventories: importers, the format and its schema, `unknown-image-tag`, `pin-digest`."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT, lint, lint_files, run_cli, where
from pullcheck import inventory as inv
from pullcheck import inventory_schema
from pullcheck.config import Config
from pullcheck.config import validate as validate_config
from pullcheck.engine import Engine, RunOptions
from pullcheck.inventory import Inventory, InventoryError, Repository, load_file
from pullcheck.inventory_import import (
    from_docker_images,
    from_skopeo_inspect,
    from_skopeo_list_tags,
    from_tag_lines,
    import_files,
)
from pullcheck.inventory_suggest import suggest_repositories, suggest_tags
from pullcheck.rule import all_rules
from pullcheck.rules.inventory import PinDigest
from pullcheck.sources import Source

FIXTURES = ROOT / "tests" / "fixtures" / "inventory"
EXAMPLE = ROOT / "examples" / "inventory"
D1 = "sha256:" + "1" * 64
D2 = "sha256:" + "2" * 64
D3 = "sha256:" + "3" * 64


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def write_inventory(tmp_path: Path, data: dict[str, Any] | str, name: str = "inventory.json") -> str:
    """An inventory file in tmp_path (a mapping is written as JSON, a string as is)."""
    p = tmp_path / name
    p.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(p)


# -- importers, each from a realistic sample of the tool's output ---------------------------------


def test_import_skopeo_list_tags() -> None:
    got = from_skopeo_list_tags(fixture("skopeo-list-tags.json"), "skopeo-list-tags.json")
    assert list(got.repositories) == ["docker.io/library/nginx"]
    repo = got.repositories["docker.io/library/nginx"]
    assert len(repo.tags) == 24
    assert list(repo.tags)[:4] == ["1", "1-alpine", "1-alpine-slim", "1.24"]  # the tool's order is kept
    assert repo.tags["1.25.3-alpine3.18"] is None and not repo.digests


def test_import_skopeo_list_tags_from_a_shell_loop() -> None:
    """Several `skopeo list-tags` outputs concatenated (a for loop over repositories)."""
    got = from_skopeo_list_tags(fixture("skopeo-list-tags-loop.json"), "loop.json")
    assert {n: list(r.tags) for n, r in got.repositories.items()} == {
        "quay.io/prometheus/node-exporter": ["v1.6.1", "v1.7.0", "v1.8.0", "v1.8.1", "latest", "master"],
        "registry.example.com/shop/payments": ["2.4.0", "2.4.1", "2.5.0-rc.1"],
    }


def test_import_crane_ls_with_repository_from_the_command_line() -> None:
    got = from_tag_lines(fixture("crane-ls.txt"), "crane-ls.txt", "ghcr.io/acme-shop/storefront")
    repo = got.repositories["ghcr.io/acme-shop/storefront"]
    assert list(repo.tags)[:3] == ["v1.4.0", "v1.4.1", "v1.5.0"]
    assert sum(t.endswith((".sig", ".att")) for t in repo.tags) == 2  # cosign tags are tags too
    assert "main" in repo.tags and len(repo.tags) == 6


def test_import_crane_ls_full_ref_names_its_repository() -> None:
    got = from_tag_lines(fixture("crane-ls-full-ref.txt"), "full.txt")
    assert {n: list(r.tags) for n, r in got.repositories.items()} == {
        "quay.io/jetstack/cert-manager-controller": ["v1.13.3", "v1.14.4", "v1.14.5"]
    }


def test_import_crane_bare_tags_need_a_repository() -> None:
    with pytest.raises(InventoryError, match=r"crane-ls.txt:1: a bare tag, but no repository: give --repository"):
        from_tag_lines(fixture("crane-ls.txt"), "crane-ls.txt")


def test_import_regctl_tag_ls_keeps_tags_as_text() -> None:
    got = from_tag_lines(fixture("regctl-tag-ls.txt"), "regctl.txt", "registry.k8s.io/pause")
    tags = list(got.repositories["registry.k8s.io/pause"].tags)
    assert tags[:3] == ["3.1", "3.2", "3.5"] and "3.10" in tags and "3.1" in tags and len(tags) == 11


def test_import_tag_lines_rejects_what_is_not_a_tag() -> None:
    with pytest.raises(InventoryError, match=r"x.txt:2: '-bad' is not a valid tag"):
        from_tag_lines("v1\n-bad\n", "x.txt", "ghcr.io/acme-shop/app")


def test_import_docker_images_json_lines() -> None:
    got = from_docker_images(fixture("docker-images.jsonl"), "docker.jsonl")
    assert sorted(got.repositories) == [
        "docker.io/library/nginx", "docker.io/library/redis", "registry.example.com:5000/acme/app"
    ]  # the dangling <none>:<none> image is skipped
    nginx = got.repositories["docker.io/library/nginx"]
    assert nginx.tags == {"1.25.4": "sha256:1fb51343c4975f3be5f886c86caf2df80b69b79ca648c920c29adc3e76eba932"}
    app = got.repositories["registry.example.com:5000/acme/app"]
    assert app.tags == {"2.0.1": "sha256:d8798a2cb5bf24232c2735c449b3f922486b60757e10cbfcb0372eca493064f0", "dev": None}
    redis = got.repositories["docker.io/library/redis"]  # <none> tag: the digest alone is known
    assert redis.tags == {} and redis.digests == {"sha256:ea75de7dd3b795e94861ba1b786a0385a10dce64b889749bd3d1d43a6f9784d7"}


def test_import_docker_images_takes_no_repository() -> None:
    with pytest.raises(InventoryError, match="--repository does not apply to --from docker"):
        from_docker_images(fixture("docker-images.jsonl"), "docker.jsonl", "nginx")


def test_import_skopeo_inspect_without_tag_keeps_the_digest_untagged() -> None:
    notes: list[str] = []
    got = from_skopeo_inspect(fixture("skopeo-inspect.json"), "inspect.json", None, notes)
    redis = got.repositories["docker.io/library/redis"]
    assert len(redis.tags) == 11 and all(d is None for d in redis.tags.values())
    digest = "sha256:921a75e56fd72092a3e3492136327fecc79ba539de2f4f937c652b5f58121f08"
    assert redis.digests == {digest}
    assert notes == [
        f"inspect.json: digest {digest} recorded without its tag (skopeo's output does not name the inspected "
        "tag: give --repository REPO:TAG to attach it)"
    ]


def test_import_skopeo_inspect_with_repository_tag_attaches_the_digest() -> None:
    got = from_skopeo_inspect(fixture("skopeo-inspect.json"), "inspect.json", "redis:7.2.4")
    redis = got.repositories["docker.io/library/redis"]
    assert redis.tags["7.2.4"] == "sha256:921a75e56fd72092a3e3492136327fecc79ba539de2f4f937c652b5f58121f08"
    assert redis.tags["7.2.3"] is None


def test_import_refuses_another_tools_output() -> None:
    with pytest.raises(InventoryError, match=r'not `skopeo list-tags` output \(no "Tags"\)'):
        from_skopeo_list_tags(fixture("skopeo-inspect.json"), "inspect.json")
    with pytest.raises(InventoryError, match=r'not `skopeo inspect` output \(no "Digest"\)'):
        from_skopeo_inspect(fixture("skopeo-list-tags.json"), "tags.json")


def test_import_files_merges_and_sets_coverage() -> None:
    merged = import_files(
        "skopeo",
        [str(FIXTURES / "skopeo-list-tags.json"), str(FIXTURES / "skopeo-list-tags-loop.json")],
        covers=["registry.example.com/shop/*", "nginx"],
    )
    assert len(merged.repositories) == 3
    assert merged.covers == ("registry.example.com/shop/*", "docker.io/library/nginx")


def test_cli_import_writes_a_valid_yaml_inventory(tmp_path: Path) -> None:
    out = tmp_path / "pause.yaml"
    res = run_cli("inventory", "import", "--from", "regctl", "--repository", "registry.k8s.io/pause",
                  str(FIXTURES / "regctl-tag-ls.txt"), "-o", str(out))
    assert res.returncode == 0, res.stderr
    assert "wrote 1 repositories, 11 tags" in res.stderr
    assert "- '3.10'" in out.read_text()  # quoted: an unquoted 3.10 would read back as the number 3.1
    loaded = load_file(out)
    assert "3.10" in loaded.repositories["registry.k8s.io/pause"].tags


def test_cli_import_json_to_stdout_then_validate(tmp_path: Path) -> None:
    res = run_cli("inventory", "import", "--from", "docker", str(FIXTURES / "docker-images.jsonl"))
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["version"] == 1 and "docker.io/library/nginx" in data["repositories"]
    path = write_inventory(tmp_path, res.stdout)
    check = run_cli("inventory", "validate", path)
    assert check.returncode == 0
    assert check.stdout == f"{path}: valid: 3 repositories, 3 tags, 3 digests\n"


def test_cli_import_error_exits_2() -> None:
    res = run_cli("inventory", "import", "--from", "crane", str(FIXTURES / "crane-ls.txt"))
    assert res.returncode == 2
    assert "crane-ls.txt:1: a bare tag, but no repository: give --repository REPO" in res.stderr


# -- the format: schema, normalization, errors ----------------------------------------------------


def test_repository_keys_are_normalized_and_merged(tmp_path: Path) -> None:
    path = write_inventory(tmp_path, {"repositories": {"nginx": ["1.25.3"], "docker.io/library/nginx": {"tags": {"v1.25": D1}},
                                                       "index.docker.io/bitnami/redis": ["7.2"]}})
    got = load_file(Path(path))
    assert sorted(got.repositories) == ["docker.io/bitnami/redis", "docker.io/library/nginx"]
    assert got.repositories["docker.io/library/nginx"].tags == {"1.25.3": None, "v1.25": D1}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"repositories": {"nginx:1.25": ["1.25"]}}, "'nginx:1.25' is a repository with a tag or digest"),
        ({"repositories": {"Acme/App": ["1"]}}, "'Acme/App' is not a valid repository name"),
        ({"repositories": {"nginx": ["1.25"]}, "tags": []}, "Additional properties are not allowed ('tags' was unexpected)"),
        ({"repositories": {"nginx": {"tags": {"1.25": "sha256:abc"}}}}, "repositories/nginx/tags/1.25: 'sha256:abc' does not match"),
        ({"repositories": {"nginx": ["-x"]}}, "repositories/nginx/0: '-x' does not match"),
        ({"version": 2, "repositories": {}}, "version: 1 was expected"),
    ],
)
def test_invalid_inventories_name_the_place(tmp_path: Path, data: dict[str, Any], message: str) -> None:
    path = write_inventory(tmp_path, data)
    with pytest.raises(InventoryError) as err:
        load_file(Path(path))
    assert str(err.value).startswith(path + ": ")
    assert message in str(err.value)


def test_unquoted_yaml_version_tag_gets_a_hint(tmp_path: Path) -> None:
    path = write_inventory(tmp_path, "repositories:\n  nginx: [1.25.3, 1.10]\n", "inv.yaml")
    with pytest.raises(InventoryError) as err:
        load_file(Path(path))
    assert f"{path}: repositories/nginx/1: 1.1 is not of type 'string' (quote tags in YAML" in str(err.value)


def test_yaml_syntax_error_is_positioned(tmp_path: Path) -> None:
    path = write_inventory(tmp_path, "repositories:\n  nginx: [1.25\n", "inv.yaml")
    with pytest.raises(InventoryError, match=re.escape(path) + r":3:1: not valid YAML or JSON"):
        load_file(Path(path))


def _schema_ok(doc: Any) -> bool:
    return jsonschema.Draft202012Validator(inventory_schema.schema()).is_valid(doc)


HAND_CASES: list[Any] = [
    {"repositories": {}},
    {"version": 1, "generated": "2024-05-01", "source": "ci", "covers": ["a/*"], "ignore": ["b"], "repositories": {"nginx": []}},
    {"version": 1.0, "repositories": {}},
    {"version": True, "repositories": {}},
    {"repositories": {"nginx": {"tags": {"1.25": None, "1.26": D1}, "digests": [D2]}}},
    {"repositories": {"nginx": {"tags": ["1.25"], "digests": [D2, "sha512:" + "a" * 128]}}},
    {"repositories": {"nginx": {"tags": {"1.25": D1 + "\n"}}}},
    {"repositories": {"nginx": {"tags": {"1.25": D1.upper()}}}},
    {"repositories": {"nginx": {"tags": {"1.25": "sha256:" + "g" * 64}}}},
    {"repositories": {"nginx": {"tags": {"1.25": "sha256:" + "a" * 63 + "é"}}}},
    {"repositories": {"nginx": ["1.25\n"]}},
    {"repositories": {"nginx": ["x" * 128]}},
    {"repositories": {"nginx": ["x" * 129]}},
    {"repositories": {"nginx": [".x"]}},
    {"repositories": {"nginx": [""]}},
    {"repositories": {"nginx": ["1.25", 1.26]}},
    {"repositories": {"nginx": None}},
    {"repositories": {"nginx": {"tag": []}}},
    {"repositories": {"": []}},
    {"repositories": {1: []}},
    {"repositories": []},
    {"covers": [""], "repositories": {}},
    {"covers": "a/*", "repositories": {}},
    {"source": 3, "repositories": {}},
    {},
    [],
]


@pytest.mark.parametrize("doc", HAND_CASES)
def test_quick_check_agrees_with_the_schema(doc: Any) -> None:
    assert inventory_schema._quick_valid(doc) == _schema_ok(doc)


_tag_text = st.one_of(
    st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,6}", fullmatch=True),
    st.text(alphabet="aZ09_.-\n é:", max_size=8),
)
_digest_text = st.one_of(
    st.builds(lambda h: "sha256:" + h, st.text(alphabet="0123456789abcdef", min_size=64, max_size=64)),
    st.builds(lambda h: "sha256:" + h, st.text(alphabet="0123456789abcdefA\n", min_size=63, max_size=65)),
    st.sampled_from(["sha384:" + "a" * 96, "sha512:" + "b" * 128, "md5:" + "c" * 32, "sha256:", D1 + "\n"]),
)
_scalar = st.one_of(st.none(), st.integers(), st.floats(allow_nan=False), st.booleans())
_entry = st.one_of(
    st.lists(st.one_of(_tag_text, _scalar), max_size=4),
    st.fixed_dictionaries(
        {},
        optional={
            "tags": st.one_of(
                st.lists(_tag_text, max_size=4),
                st.dictionaries(_tag_text, st.one_of(st.none(), _digest_text, _scalar), max_size=4),
            ),
            "digests": st.lists(st.one_of(_digest_text, _scalar), max_size=3),
            "other": st.just(1),
        },
    ),
    _scalar,
)
_doc = st.fixed_dictionaries(
    {"repositories": st.dictionaries(st.one_of(st.sampled_from(["nginx", "a/b", ""]), st.integers()), _entry, max_size=3)},
    optional={
        "version": st.one_of(st.just(1), st.just(1.0), st.just(2), st.just(True)),
        "covers": st.lists(st.one_of(st.sampled_from(["a/*", ""]), _scalar), max_size=2),
        "generated": _scalar,
        "source": st.one_of(st.just("ci"), _scalar),
        "extra": st.just(1),
    },
)


@settings(max_examples=400, deadline=None)
@given(_doc)
def test_quick_check_agrees_with_the_schema_on_generated_documents(doc: dict[str, Any]) -> None:
    assert inventory_schema._quick_valid(doc) == _schema_ok(doc)


def test_two_inventories_merge_and_conflicting_digests_become_unknown(tmp_path: Path) -> None:
    a = Path(write_inventory(tmp_path, {"repositories": {"nginx": {"tags": {"1.25.3": D1, "1.26": D3}}}}, "a.json"))
    b = Path(write_inventory(tmp_path, {"covers": ["ghcr.io/acme-shop/*"], "repositories": {"nginx": {"tags": {"1.25.3": D2, "1.27": None}}}}, "b.json"))
    merged = inv.load_all([a, b])
    nginx = merged.repositories["docker.io/library/nginx"]
    assert nginx.tags == {"1.25.3": None, "1.26": D3, "1.27": None}
    assert nginx.digests == {D1, D2, D3}
    assert merged.covers == ("ghcr.io/acme-shop/*",)
    assert load_file(a).repositories["docker.io/library/nginx"].tags["1.25.3"] == D1  # the cache is untouched


def test_status_of_names() -> None:
    i = Inventory(covers=("ghcr.io/acme-shop/*",), ignore=("ghcr.io/acme-shop/sandbox-*",))
    i.add("ghcr.io/acme-shop/app", "1")
    i.add("ghcr.io/acme-shop/sandbox-x", "1")
    assert [i.status(n) for n in ("ghcr.io/acme-shop/app", "ghcr.io/acme-shop/other", "ghcr.io/acme-shop/sandbox-x", "quay.io/x/y")] == [
        "listed", "covered", "ignored", "outside"
    ]


# -- suggestions ----------------------------------------------------------------------------------


def _repo(*tags: str) -> Repository:
    return Repository("x", dict.fromkeys(tags))


@pytest.mark.parametrize(
    ("written", "tags", "expected"),
    [
        ("1.25", ("1.24.2", "1.25.2", "1.25.3", "v1.25", "v1.25.1", "v1.26", "latest"), ["1.25.3", "v1.25"]),
        ("v1.25", ("1.25", "1.25.3", "v1.24.0"), ["1.25"]),
        ("1.2.3-alpine", ("1.2.3", "1.2.3-alpine3.18", "1.2.3-alpine3.19"), ["1.2.3-alpine3.19", "1.2.3-alpine3.18"]),
        ("1.25.9", ("1.24.0", "1.25.3", "1.25.4", "1.26.0"), ["1.25.4"]),
        ("1.25.9-alpine", ("1.25.4", "1.25.3-alpine", "1.25.4-alpine3.19"), ["1.25.3-alpine"]),
        ("1.25", ("1.25.3", "1.25.3-alpine", "v1.25", "1.24"), ["1.25.3", "v1.25", "1.25.3-alpine"]),
        ("3.9.1", ("3.9", "3.10", "latest"), ["3.9"]),
        ("lates", ("latest", "stable"), ["latest"]),
        ("main", ("v1", "v2"), []),
    ],
)
def test_suggest_tags(written: str, tags: tuple[str, ...], expected: list[str]) -> None:
    assert suggest_tags(written, _repo(*tags)) == expected


def test_suggest_repositories() -> None:
    i = Inventory()
    for n in ("ghcr.io/acme-shop/checkout", "ghcr.io/acme-shop/storefront", "ghcr.io/acme-shop/chart"):
        i.add(n)
    assert suggest_repositories("ghcr.io/acme-shop/chekout", i) == ["ghcr.io/acme-shop/checkout"]
    assert suggest_repositories("ghcr.io/acme-shop/billing", i) == []


# -- unknown-image-tag ----------------------------------------------------------------------------

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  initContainers:
    - name: init
      image: registry.example.com/shop/paymnets:2.4.1
  containers:
    - name: web
      image: "nginx:1.25"
    - name: old
      image: nginx:1.24@{d3}
    - name: pinned
      image: nginx:9.9@{d1}
    - name: bare
      image: nginx
    - name: ok
      image: nginx:1.25.3
    - name: sandbox
      image: registry.example.com/shop/sandbox-tools:dev
    - name: outside
      image: redis:7
    - name: pause
      image: registry.k8s.io/pause:3.9.1
"""


@pytest.fixture
def shop_inventory(tmp_path: Path) -> dict[str, Any]:
    path = write_inventory(tmp_path, {
        "version": 1,
        "covers": ["registry.example.com/shop/*"],
        "ignore": ["registry.example.com/shop/sandbox-*"],
        "repositories": {
            "nginx": {"tags": {"1.25.3": D1, "v1.25": None, "1.24": D2}},
            "registry.example.com/shop/payments": ["2.4.0", "2.4.1"],
            "registry.k8s.io/pause": ["3.9", "3.10"],
        },
    })
    return {"inventory": [path]}


def test_unknown_image_tag_findings_and_positions(shop_inventory: dict[str, Any]) -> None:
    found = lint(POD.format(d1=D1, d3=D3), shop_inventory)
    assert where(found, "unknown-image-tag") == [
        ("unknown-image-tag", 8, 14),
        ("unknown-image-tag", 11, 15),
        ("unknown-image-tag", 13, 14),
        ("unknown-image-tag", 17, 14),
        ("unknown-image-tag", 25, 14),
    ]
    messages = [f.message for f in found if f.rule == "unknown-image-tag"]
    assert messages[0] == (
        'image "registry.example.com/shop/paymnets:2.4.1": repository registry.example.com/shop/paymnets is not in '
        'the inventory, which covers registry.example.com/shop/*; did you mean "registry.example.com/shop/payments"?'
    )
    assert messages[1] == (
        'image "nginx:1.25": tag "1.25" is not in the inventory of nginx (the pull would fail with "manifest unknown"); '
        'closest tags: "1.25.3", "v1.25"'
    )
    assert messages[2] == (
        f'image "nginx:1.24@{D3}": digest {D3} is not in the inventory of nginx (the pull would fail with '
        f'"manifest unknown"); the inventory has tag "1.24" at {D2}'
    )
    assert messages[3].startswith('image "nginx" has no tag, so the kubelet pulls "latest", and: tag "latest" is not in')
    assert messages[4].endswith('closest tags: "3.9"')
    f = next(f for f in found if f.rule == "unknown-image-tag")
    assert (f.level, f.container, f.field) == ("error", "init", "spec.initContainers[0].image")
    assert f.span.end_column == 14 + len("registry.example.com/shop/paymnets:2.4.1")


def test_unknown_image_tag_is_silent_without_inventory() -> None:
    assert where(lint(POD.format(d1=D1, d3=D3)), "unknown-image-tag") == []


def test_inventory_rule_in_worker_processes(tmp_path: Path, shop_inventory: dict[str, Any]) -> None:
    """Files linted in forked workers see the inventory loaded once in the parent."""
    files = []
    for n in range(4):
        p = tmp_path / f"pod{n}.yaml"
        p.write_text(POD.format(d1=D1, d3=D3), encoding="utf-8")
        files.append(p)
    serial = [(f.path, f.span.line, f.message) for f in lint_files(files, shop_inventory) if f.rule == "unknown-image-tag"]
    rules, _ = all_rules(with_plugins=False)
    engine = Engine(Config(validate_config(shop_inventory, "test")), rules, RunOptions(jobs=2))
    found, _stats = engine.run([Source(str(p), str(p)) for p in files])
    forked = [(f.path, f.span.line, f.message) for f in found if f.rule == "unknown-image-tag"]
    assert len(serial) == 20 and forked == serial


def test_rule_loads_the_inventory_once_per_run(shop_inventory: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    real = inv.load_all

    def counting(paths: Any) -> Inventory:
        calls.append(1)
        return real(paths)

    monkeypatch.setattr(inv, "load_all", counting)
    lint(POD.format(d1=D1, d3=D3) + "---\n" + POD.format(d1=D1, d3=D3), {**shop_inventory, "rules": {"pin-digest": "on"}})
    assert len(calls) == 1  # two rules, two documents: one load


# -- pin-digest -----------------------------------------------------------------------------------


def test_pin_digest_is_off_by_default(shop_inventory: dict[str, Any]) -> None:
    assert where(lint(POD.format(d1=D1, d3=D3), shop_inventory), "pin-digest") == []


def test_pin_digest_offers_the_fix(shop_inventory: dict[str, Any]) -> None:
    found = lint(POD.format(d1=D1, d3=D3), {**shop_inventory, "rules": {"pin-digest": "on"}})
    pins = [f for f in found if f.rule == "pin-digest"]
    assert where(pins) == [("pin-digest", 19, 14)]  # nginx:1.25.3 only: the others are pinned, unknown or undigested
    fix = pins[0].fix
    assert fix is not None and fix.replacement == f"nginx:1.25.3@{D1}"
    assert pins[0].level == "note"
    again = lint(POD.format(d1=D1, d3=D3).replace("nginx:1.25.3", fix.replacement), {**shop_inventory, "rules": {"pin-digest": "on"}})
    assert where(again, "pin-digest") == []  # idempotent: a pinned image is not offered again


def test_pin_digest_skips_ambiguous_digests(tmp_path: Path) -> None:
    a = write_inventory(tmp_path, {"repositories": {"nginx": {"tags": {"1.25.3": D1}}}}, "a.json")
    b = write_inventory(tmp_path, {"repositories": {"nginx": {"tags": {"1.25.3": D2}}}}, "b.json")
    pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n      image: nginx:1.25.3\n"
    assert where(lint(pod, {"inventory": [a], "rules": {"pin-digest": "on"}}), "pin-digest") == [("pin-digest", 8, 14)]
    assert where(lint(pod, {"inventory": [a, b], "rules": {"pin-digest": "on"}}), "pin-digest") == []


# -- command line ---------------------------------------------------------------------------------


def test_cli_example_catches_the_missing_tag() -> None:
    res = run_cli("--inventory", "examples/inventory/inventory.yaml", "examples/inventory", "--format", "json", cwd=ROOT)
    assert res.returncode == 1, res.stderr
    found = [(f["rule"], f["path"], f["line"], f["column"]) for f in json.loads(res.stdout)["findings"]]
    assert found == [
        ("unknown-image-tag", "examples/inventory/shop.yaml", 20, 18),
        ("unknown-image-tag", "examples/inventory/shop.yaml", 22, 18),
    ]
    text = run_cli("--inventory", "examples/inventory/inventory.yaml", "examples/inventory/shop.yaml", cwd=ROOT)
    assert 'closest tags: "1.25.3", "v1.25"' in text.stdout
    assert 'did you mean "ghcr.io/acme-shop/checkout"?' in text.stdout


def test_cli_without_inventory_reports_no_unknown_tags() -> None:
    res = run_cli("examples/inventory", "--format", "json", cwd=ROOT)
    assert res.returncode == 0, res.stdout + res.stderr
    assert json.loads(res.stdout)["findings"] == []


def test_config_inventory_is_relative_to_the_config_file(tmp_path: Path) -> None:
    (tmp_path / "ci").mkdir()
    write_inventory(tmp_path / "ci", {"repositories": {"nginx": ["1.25.3"]}})
    cfg = tmp_path / "ci" / "pullcheck.yaml"
    cfg.write_text("inventory: [inventory.json]\n", encoding="utf-8")
    pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n      image: nginx:1.25\n"
    (tmp_path / "pod.yaml").write_text(pod, encoding="utf-8")
    res = run_cli("--config", str(cfg), "pod.yaml", "--format", "json", cwd=tmp_path)
    assert res.returncode == 1, res.stderr
    assert [(f["rule"], f["line"], f["column"]) for f in json.loads(res.stdout)["findings"]] == [("unknown-image-tag", 8, 14)]


def test_cli_bad_inventory_exits_2(tmp_path: Path) -> None:
    path = write_inventory(tmp_path, {"repositories": {"nginx": {"tags": {"1.25": "latest"}}}})
    (tmp_path / "pod.yaml").write_text("kind: Pod\n", encoding="utf-8")
    res = run_cli("--inventory", path, "pod.yaml", cwd=tmp_path)
    assert res.returncode == 2
    assert f"pullcheck: {path}: repositories/nginx/tags/1.25: 'latest' does not match" in res.stderr
    missing = run_cli("--inventory", "nope.json", "pod.yaml", cwd=tmp_path)
    assert missing.returncode == 2
    assert "nope.json: cannot read inventory: No such file or directory" in missing.stderr


def test_cli_pin_digests_needs_an_inventory(tmp_path: Path) -> None:
    (tmp_path / "pod.yaml").write_text("kind: Pod\n", encoding="utf-8")
    res = run_cli("--pin-digests", "pod.yaml", cwd=tmp_path)
    assert res.returncode == 2
    assert "--pin-digests needs an inventory" in res.stderr


def test_cli_pin_digests_reports_the_fix() -> None:
    res = run_cli("--inventory", "examples/inventory/inventory.yaml", "--pin-digests", "examples/inventory/shop.yaml",
                  "--format", "json", cwd=ROOT)
    pins = [f for f in json.loads(res.stdout)["findings"] if f["rule"] == "pin-digest"]
    assert [(f["line"], f["column"], f["fix"]["replacement"]) for f in pins] == [
        (24, 18, "quay.io/prometheus/node-exporter:v1.8.1@sha256:fa8e5700b7762fffe0674e944762f44bb787a7e44d97569fe55348260453bf80")
    ]


def test_pin_digest_docs_mention_the_flag() -> None:
    assert "--pin-digests" in PinDigest.what and not PinDigest.enabled_by_default


def test_the_documented_format_example_is_valid(tmp_path: Path) -> None:
    """docs/inventory.md's first example loads, with the normalization it describes."""
    page = (ROOT / "docs" / "inventory.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(.*?)```", page, re.S)
    assert block is not None
    got = load_file(Path(write_inventory(tmp_path, block.group(1), "doc.yaml")))
    assert sorted(got.repositories) == ["docker.io/library/nginx", "ghcr.io/acme/storefront", "registry.k8s.io/pause"]
    assert got.repositories["registry.k8s.io/pause"].tags == {"3.9": None, "3.10": None}
    assert got.status("ghcr.io/acme/sandbox-x") == "ignored" and got.status("ghcr.io/acme/new") == "covered"


def test_cli_fix_pin_digests_rewrites_only_that_value_and_is_idempotent(tmp_path: Path) -> None:
    inventory = write_inventory(tmp_path, {"repositories": {"nginx": {"tags": {"1.25.3": D1}}, "redis": ["7.2"]}})
    before = (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n"
        '    - name: a\n      image: "nginx:1.25.3"   # quoted\n'
        "    - name: b\n      image: redis:7.2\n"
        f"    - name: c\n      image: nginx:1.25.3@{D1}\n"
    )
    pod = tmp_path / "pod.yaml"
    pod.write_text(before, encoding="utf-8")
    res = run_cli("--inventory", inventory, "--pin-digests", "--fix", "pod.yaml", cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "fixed 1 problem(s) in 1 file(s)" in res.stderr
    after = pod.read_text(encoding="utf-8")
    assert after == before.replace('"nginx:1.25.3"', f'"nginx:1.25.3@{D1}"')
    again = run_cli("--inventory", inventory, "--pin-digests", "--fix", "pod.yaml", cwd=tmp_path)
    assert again.returncode == 0 and pod.read_text(encoding="utf-8") == after
    plain = run_cli("--inventory", inventory, "--fix", "pod.yaml", cwd=tmp_path)  # without --pin-digests: nothing pinned
    assert plain.returncode == 0 and pod.read_text(encoding="utf-8") == after
