"""``pullcheck inventory``: build inventories from the registry tools' own outputs, and check them.

Importers (one per ``--from``), each a pure function from the tool's output text to an Inventory:

- ``skopeo``: ``skopeo list-tags docker://REPO`` JSON (``{"Repository": ..., "Tags": [...]}``),
  one object or several concatenated (a shell loop over repositories);
- ``crane`` / ``regctl``: ``crane ls REPO`` / ``regctl tag ls REPO`` plain lines, one tag a line
  (the repository comes from ``--repository``; ``crane ls --full-ref`` lines carry their own);
- ``docker``: ``docker images --format json`` lines (``--digests`` adds the digests);
- ``skopeo-inspect``: ``skopeo inspect docker://REPO:TAG`` JSON: the repository's tags
  (``RepoTags``) and the digest of the inspected image, attached to its tag when the output names
  it (``Tag``) or ``--repository REPO:TAG`` does, else recorded as a known digest of the repository.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from pullcheck.catalogue import normalize_name_pattern
from pullcheck.imageref import InvalidReference, parse
from pullcheck.inventory import (
    Inventory,
    InventoryError,
    from_data,
    load_all,
    normalize_repository,
)
from pullcheck.inventory_schema import patterns

EXIT_OK, EXIT_USAGE = 0, 2
Importer = Callable[[str, str, "str | None", "list[str] | None"], Inventory]


def _tag(tag: str, origin: str) -> str:
    """A tag checked against the reference grammar."""
    if not patterns()[0].search(tag) or "\n" in tag:
        raise InventoryError(f"{origin}: {tag!r} is not a valid tag")
    return tag


def _digest(digest: Any, origin: str) -> str | None:
    """A digest checked against the inventory format, or None for docker's ``<none>``/empty."""
    if digest in (None, "", "<none>"):
        return None
    if not isinstance(digest, str) or not patterns()[1].search(digest):
        raise InventoryError(f"{origin}: {digest!r} is not a sha256/sha384/sha512 digest")
    return digest


def _repository(name: Any, origin: str) -> str:
    if not isinstance(name, str) or not name:
        raise InventoryError(f"{origin}: no repository name (give --repository)")
    try:
        return normalize_repository(name)
    except InventoryError as exc:
        raise InventoryError(f"{origin}: {exc}") from None


def _json_objects(text: str, origin: str) -> Iterator[dict[str, Any]]:
    """Every JSON object in ``text``: one object, an array of them, or several concatenated/one a line."""
    decoder = json.JSONDecoder()
    pos, end = 0, len(text)
    while True:
        while pos < end and text[pos].isspace():
            pos += 1
        if pos >= end:
            return
        try:
            value, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise InventoryError(f"{origin}:{exc.lineno}:{exc.colno}: not JSON: {exc.msg}") from None
        for item in value if isinstance(value, list) else [value]:
            if not isinstance(item, dict):
                raise InventoryError(f"{origin}: expected JSON objects, found {type(item).__name__}")
            yield item


def from_skopeo_list_tags(text: str, origin: str, repository: str | None = None, notes: list[str] | None = None) -> Inventory:
    """``skopeo list-tags`` output: repository (``Repository`` or ``--repository``) and its tags."""
    inv = Inventory()
    for obj in _json_objects(text, origin):
        if "Tags" not in obj:
            raise InventoryError(f"{origin}: not `skopeo list-tags` output (no \"Tags\")")
        repo = inv.add(_repository(repository or obj.get("Repository"), origin))
        for tag in obj["Tags"] or ():
            repo.add_tag(_tag(tag, origin))
    return inv


def from_tag_lines(text: str, origin: str, repository: str | None = None, notes: list[str] | None = None) -> Inventory:
    """``crane ls`` / ``regctl tag ls`` output: one tag a line (or a full reference, ``--full-ref``)."""
    inv = Inventory()
    default = _repository(repository, origin) if repository else None
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        where = f"{origin}:{n}"
        if ":" in line or "/" in line:  # a tag has neither: this is a full reference
            try:
                ref = parse(line)
            except InvalidReference as exc:
                raise InventoryError(f"{where}: {line!r} is neither a tag nor an image reference ({exc.reason})") from None
            if ref.tag is None:
                raise InventoryError(f"{where}: {line!r} has no tag")
            inv.add(ref.name, ref.tag, ref.digest)
            continue
        if default is None:
            raise InventoryError(f"{where}: a bare tag, but no repository: give --repository REPO")
        inv.add(default, _tag(line, where))
    if default is not None:
        inv.add(default)  # an empty listing still records the repository (it has no tags)
    return inv


def from_docker_images(text: str, origin: str, repository: str | None = None, notes: list[str] | None = None) -> Inventory:
    """``docker images --format json`` output: one object a line with Repository, Tag and Digest."""
    if repository:
        raise InventoryError("--repository does not apply to --from docker (each line names its repository)")
    inv = Inventory()
    for obj in _json_objects(text, origin):
        if "Repository" not in obj or "Tag" not in obj:
            raise InventoryError(f"{origin}: not `docker images --format json` output (no Repository/Tag)")
        name = obj["Repository"]
        if name in ("<none>", ""):
            continue  # a dangling image: nothing to name
        tag = obj["Tag"]
        inv.add(
            _repository(name, origin),
            None if tag in ("<none>", "") else _tag(tag, origin),
            _digest(obj.get("Digest"), origin),
        )
    return inv


def from_skopeo_inspect(text: str, origin: str, repository: str | None = None, notes: list[str] | None = None) -> Inventory:
    """``skopeo inspect`` output: the repository's tags, and the inspected image's digest."""
    inv = Inventory()
    given_name, given_tag = None, None
    if repository:
        try:
            ref = parse(repository)
        except InvalidReference as exc:
            raise InventoryError(f"--repository {repository!r}: {exc.reason}") from None
        given_name, given_tag = ref.name, ref.tag
    for obj in _json_objects(text, origin):
        if "Digest" not in obj:
            raise InventoryError(f"{origin}: not `skopeo inspect` output (no \"Digest\")")
        repo = inv.add(given_name or _repository(obj.get("Name"), origin))
        for tag in obj.get("RepoTags") or ():
            repo.add_tag(_tag(tag, origin))
        digest = _digest(obj["Digest"], origin)
        tag = obj.get("Tag") or given_tag
        if tag:
            repo.add_tag(_tag(tag, origin), digest)
        elif digest is not None:
            repo.digests.add(digest)
            if notes is not None:
                notes.append(
                    f"{origin}: digest {digest} recorded without its tag (skopeo's output does not name "
                    "the inspected tag: give --repository REPO:TAG to attach it)"
                )
    return inv


IMPORTERS: dict[str, Importer] = {
    "skopeo": from_skopeo_list_tags,
    "crane": from_tag_lines,
    "regctl": from_tag_lines,
    "docker": from_docker_images,
    "skopeo-inspect": from_skopeo_inspect,
}


def import_files(
    kind: str,
    paths: Sequence[str],
    repository: str | None = None,
    covers: Sequence[str] = (),
    ignore: Sequence[str] = (),
    notes: list[str] | None = None,
) -> Inventory:
    """Import and merge several outputs of one tool (``-`` reads stdin); the result is validated.

    Remarks worth telling the user (a digest that could not be tied to a tag) go to ``notes``.
    """
    importer = IMPORTERS[kind]
    merged = Inventory()
    for p in paths:
        origin = "<stdin>" if p == "-" else p
        try:
            text = sys.stdin.read() if p == "-" else Path(p).read_text(encoding="utf-8")
        except OSError as exc:
            raise InventoryError(f"{p}: cannot read: {exc.strerror or exc}") from None
        except UnicodeDecodeError as exc:
            raise InventoryError(f"{p}: not UTF-8 ({exc.reason} at byte {exc.start})") from None
        merged.merge(importer(text, origin, repository, notes))
    merged.covers = tuple(normalize_name_pattern(c) for c in covers)
    merged.ignore = tuple(normalize_name_pattern(c) for c in ignore)
    from_data(merged.to_data(), "the imported inventory")  # the output is always a valid inventory
    return merged


def dump(inv: Inventory, fmt: str) -> str:
    """An inventory as file text: ``json`` (fastest to load) or ``yaml``."""
    data = inv.to_data()
    if fmt == "json":
        return json.dumps(data, indent=2) + "\n"
    import io

    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.width = 4096  # a digest stays on its line
    yaml.representer.sort_base_mapping_type_on_output = False  # keep tags in the tool's order
    buf = io.StringIO()
    buf.write("# pullcheck registry inventory (docs/inventory.md)\n")
    yaml.dump(data, buf)
    return buf.getvalue()


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="pullcheck inventory", description="Build and check offline registry inventories.")
    sub = p.add_subparsers(dest="command", required=True)
    imp = sub.add_parser("import", help="build an inventory from skopeo, crane, regctl or docker output",
                         description="Build an inventory from the output of a registry tool (see docs/inventory.md).")
    imp.add_argument("--from", dest="kind", required=True, choices=sorted(IMPORTERS), help="the tool that wrote FILE")
    imp.add_argument("--repository", "-r", metavar="REPO",
                     help="the repository the tags belong to (crane/regctl; overrides skopeo's); "
                     "for skopeo-inspect REPO:TAG names the inspected tag")
    imp.add_argument("--cover", action="append", default=[], metavar="PATTERN",
                     help="repository glob the inventory speaks for even where it lists nothing (repeatable)")
    imp.add_argument("--ignore", action="append", default=[], metavar="PATTERN",
                     help="repository glob never checked (repeatable)")
    imp.add_argument("--output", "-o", metavar="OUT", help="write here (default: stdout)")
    imp.add_argument("--format", choices=("json", "yaml"),
                     help="output format (default: yaml for an OUT ending in .yaml/.yml, else json)")
    imp.add_argument("files", nargs="+", metavar="FILE", help="the tool's output ('-' for stdin)")
    val = sub.add_parser("validate", help="check inventory files against the format and summarize them")
    val.add_argument("files", nargs="+", metavar="FILE")
    return p


def main(argv: Sequence[str]) -> int:
    """Entry point of ``pullcheck inventory``; returns the exit code."""
    args = _parser().parse_args(list(argv))
    try:
        if args.command == "validate":
            for f in args.files:
                inv = load_all([Path(f)])
                digests = sum(len(r.digests) for r in inv.repositories.values())
                print(f"{f}: valid: {len(inv.repositories)} repositories, {inv.tag_count} tags, {digests} digests")
            return EXIT_OK
        notes: list[str] = []
        inv = import_files(args.kind, args.files, args.repository, args.cover, args.ignore, notes)
        for note in notes:
            print(f"pullcheck: {note}", file=sys.stderr)
    except InventoryError as exc:
        print(f"pullcheck: {exc}", file=sys.stderr)
        return EXIT_USAGE
    out = args.output
    fmt = args.format or ("yaml" if out and out.endswith((".yaml", ".yml")) else "json")
    text = dump(inv, fmt)
    if out is None or out == "-":
        sys.stdout.write(text)
    else:
        try:
            Path(out).write_text(text, encoding="utf-8")
        except OSError as exc:
            print(f"pullcheck: cannot write {out}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_USAGE
        print(f"pullcheck: wrote {len(inv.repositories)} repositories, {inv.tag_count} tags to {out}", file=sys.stderr)
    return EXIT_OK
