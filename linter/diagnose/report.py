"""Print diagnoses: text (rich, one block per failing container) or JSON (a list of objects).

Text block::

    shop/web-7d9f8b6c5-x2x9z  container web
      image      ngnix:1.27
      reason     ImagePullBackOff
      cause      name-or-tag - image name or tag wrong (confidence: medium)
      evidence   "pull access denied, repository does not exist or may require authorization"
                 from events.yaml items[2]: event Failed (x4)
      next       - Compare the image in the pod spec with the registry ...
      manifests  deploy/web.yaml:14:18: error [image-typo] repository "ngnix" ... did you mean "nginx"?

JSON: one object per failing container with ``namespace``, ``pod``, ``container``,
``containerType``, ``image``, ``imageID``, ``reason``, ``family``, ``title``, ``confidence``,
``evidence`` (the quoted fragment, null when nothing matched), ``evidenceSource``, ``message``
(the clue the evidence came from), ``note``, ``also`` (other families that matched:
``[{family, evidence}]``), ``next`` (list of strings), ``owners`` (``Kind/name``) and ``related``
(static findings: ``[{rule, level, message, path, line, column, object, container, image, match}]``,
empty without ``--manifests``). Dump text is shown with control characters escaped.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from typing import Any

from pullcheck.diagnose.classify import Diagnosis
from pullcheck.diagnose.collect import Failure
from pullcheck.diagnose.related import Link, ManifestRun
from pullcheck.records import field, record
from pullcheck.report import plural
from pullcheck.report.text_format import LEVEL_STYLES, clean, make_console

FAMILY_STYLE = "bold magenta"
CONFIDENCE_STYLES = {"high": "green", "medium": "yellow", "low": "red"}


@record
class Result:
    """One failing container, its diagnosis and the static findings tied to it."""

    failure: Failure
    diagnosis: Diagnosis
    links: list[Link] = field(default_factory=list)


def _container_label(f: Failure) -> str:
    kind = {"initContainer": "init container", "ephemeralContainer": "ephemeral container"}.get(f.container_kind, "container")
    return f"{kind} {f.container}" if f.container else "container (unknown)"


def _link_suffix(link: Link) -> str:
    """How a finding was tied to the failure, when it is not the pod's own container."""
    obj = link.finding.obj
    if link.match == "image":
        return f" (same image, in {obj})" if obj is not None else " (same image)"
    if link.match == "pull secret":
        return f" (a pull secret of the pod: {obj})"
    return ""


def render_text(results: list[Result], *, pods: int, containers: int, manifests: ManifestRun | None, color: bool) -> str:
    """The diagnoses as terminal text; no escape sequence at all unless ``color``."""
    from rich.table import Table
    from rich.text import Text

    buf = io.StringIO()
    console = make_console(color, buf)
    for r in results:
        f, d = r.failure, r.diagnosis
        console.print(
            Text.assemble((clean(f"{f.namespace}/{f.pod}"), "bold"), "  ", (clean(_container_label(f)), "bold")),
            soft_wrap=True,
        )
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="blue", no_wrap=True)
        grid.add_column(overflow="fold")
        grid.add_row("  image", clean(f.image) if f.image is not None else Text("(unknown)", style="dim"))
        if f.owners:
            grid.add_row("  owner", clean(", ".join(f"{k}/{n}" for k, n in f.owners)))
        grid.add_row("  reason", clean(f.reason or "?"))
        grid.add_row(
            "  cause",
            Text.assemble((d.family, FAMILY_STYLE), f" - {d.title} (confidence: ", (d.confidence, CONFIDENCE_STYLES[d.confidence]), ")"),
        )
        if d.evidence is not None:
            ev = Text.assemble(f'"{clean(d.evidence)}"')
            if d.clue is not None:
                ev.append(f"\nfrom {clean(d.clue.where)}", style="dim")
            grid.add_row("  evidence", ev)
        elif d.clue is not None and d.clue.text:
            grid.add_row("  message", Text.assemble(f'"{clean(d.clue.text)}"', (f"\nfrom {clean(d.clue.where)}", "dim")))
        if d.note:
            grid.add_row("  note", clean(d.note))
        for fam, fragment in d.also:
            grid.add_row("  also", Text.assemble((fam, FAMILY_STYLE), f': "{clean(fragment)}"'))
        grid.add_row("  next", "\n".join(f"- {clean(x)}" for x in d.next))
        if manifests is not None:
            if r.links:
                lines = Text()
                for n, link in enumerate(r.links):
                    lf = link.finding
                    if n:
                        lines.append("\n")
                    lines.append(f"{clean(lf.path)}:{lf.span.line}:{lf.span.column}: ")
                    lines.append(lf.level, LEVEL_STYLES.get(lf.level, "bold"))
                    lines.append(f" [{lf.rule}] ", "dim")
                    lines.append(clean(lf.message + _link_suffix(link)))
                grid.add_row("  manifests", lines)
            else:
                grid.add_row("  manifests", Text(f"no static finding for this pod and image ({plural(manifests.files, 'file')} linted)", style="dim"))
        console.print(grid)
        console.print()
    if results:
        fams = Counter(r.diagnosis.family for r in results)
        by = ", ".join(f"{fam} {n}" for fam, n in sorted(fams.items(), key=lambda x: (-x[1], x[0])))
        failing_pods = len({(r.failure.namespace, r.failure.pod) for r in results})
        console.print(
            Text(f"{plural(len(results), 'failing container')} in {plural(failing_pods, 'pod')} "
                 f"(of {plural(pods, 'pod')} read): {by}.", style="bold"),
            soft_wrap=True,
        )
    else:
        console.print(
            Text(f"No failing image pulls ({plural(pods, 'pod')}, {plural(containers, 'container')} read).", style="bold green"),
            soft_wrap=True,
        )
    return "".join(line.rstrip() + "\n" for line in buf.getvalue().splitlines())  # no cell padding at line ends


def result_dict(r: Result) -> dict[str, Any]:
    """One failing container as the documented JSON object."""
    f, d = r.failure, r.diagnosis
    return {
        "namespace": f.namespace,
        "pod": f.pod,
        "container": f.container,
        "containerType": f.container_kind,
        "image": f.image,
        "imageID": f.image_id,
        "reason": f.reason,
        "family": d.family,
        "title": d.title,
        "confidence": d.confidence,
        "evidence": d.evidence,
        "evidenceSource": d.clue.where if d.clue is not None else None,
        "message": d.clue.text if d.clue is not None else None,
        "note": d.note,
        "also": [{"family": fam, "evidence": frag} for fam, frag in d.also],
        "next": list(d.next),
        "owners": [f"{k}/{n}" for k, n in f.owners],
        "related": [
            {
                "rule": link.finding.rule,
                "level": link.finding.level,
                "message": link.finding.message,
                "path": link.finding.path,
                "line": link.finding.span.line,
                "column": link.finding.span.column,
                "object": str(link.finding.obj) if link.finding.obj is not None else None,
                "container": link.finding.container,
                "image": link.finding.image,
                "match": link.match,
            }
            for link in r.links
        ],
    }


def render_json(results: list[Result]) -> str:
    """The diagnoses as a JSON array (ASCII-only, indented, newline-terminated)."""
    return json.dumps([result_dict(r) for r in results], indent=2) + "\n"
