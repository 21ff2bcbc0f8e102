"""Rules' documented examples: the manifests they show, and the setup they are linted with.

The builders (``pod_with_image``, ``pod_example``, ``deployment_example``...) write the manifests
every rule's examples share, so that a rule states only what differs. Most examples need no
setup; a rule that is off by default, or silent without configuration (an allowlist, an
inventory), declares ``example_config`` and ``example_files``: the docs page shows them and the
tests lint the examples beside exactly these files. The builders run at import: no import here
beyond what every run loads already.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pullcheck.rule import Rule

CONFIG_FILE = ".pullcheck.yaml"


def example_config(rule: type[Rule]) -> dict[str, Any]:
    """The config of the examples: ``example_config``, plus the rule switched on when it is off by default."""
    config = dict(rule.example_config)
    if not rule.enabled_by_default:
        config["rules"] = {**config.get("rules", {}), rule.id: "on"}
    return config


def _yaml(data: dict[str, Any]) -> str:
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.indent(mapping=2, sequence=4, offset=2)
    buf = io.StringIO()
    yaml.dump(data, buf)
    return buf.getvalue()


def example_setup(rule: type[Rule]) -> dict[str, str]:
    """File name -> text of every file the examples are linted beside (empty for most rules)."""
    import textwrap

    files: dict[str, str] = {}
    config = example_config(rule)
    if config:
        files[CONFIG_FILE] = _yaml(config)
    for name, text in rule.example_files.items():
        files[name] = textwrap.dedent(text).strip() + "\n"
    return files


def setup_section(rule: type[Rule]) -> list[str]:
    """The Markdown lines of the "Example setup" section of a rule's page (none without a setup)."""
    files = example_setup(rule)
    if not files:
        return []
    lines = ["## Example setup", "", "The examples below are linted with these files beside them:", ""]
    for name, text in files.items():
        lines += ["```yaml", f"# {name}", text.rstrip("\n"), "```", ""]
    return lines


_POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: {name}
spec:
"""
_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  namespace: shop
spec:
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}}}
    spec:
"""


def _stream(header: str, indent: str, spec: str, documents: tuple[str, ...]) -> str:
    """``header``, the pod-spec lines ``spec`` indented under it, then the other documents."""
    body = header + "\n".join(indent + line for line in spec.strip("\n").split("\n"))
    return "\n---\n".join([body, *(d.strip("\n") for d in documents)]) + "\n"


def pod_example(spec: str, *documents: str, name: str = "web") -> str:
    """An example manifest: a Pod with the pod-spec lines ``spec`` (YAML from column 0), then more documents."""
    return _stream(_POD.format(name=name), "  ", spec, documents)


def deployment_example(spec: str, *documents: str, name: str = "api") -> str:
    """An example manifest: a Deployment in namespace "shop" whose pod template has the pod-spec
    lines ``spec`` (YAML from column 0), then more documents."""
    return _stream(_DEPLOYMENT.format(name=name), "      ", spec, documents)


def pod_with_image(image: str, *lines: str, spec: tuple[str, ...] = ()) -> str:
    """An example manifest: a Pod whose one container "web" runs ``image`` (as written in YAML),
    with more container fields ``lines`` and pod-spec lines ``spec`` before the containers."""
    fields = "".join(f"\n    {line}" for line in lines)
    return pod_example("\n".join([*spec, f"containers:\n  - name: web\n    image: {image}{fields}"]))


def pod_with_images(images: dict[str, str], name: str = "web") -> str:
    """An example manifest: a Pod with a container per entry of ``images`` (container name -> image)."""
    containers = "".join(f"\n  - name: {c}\n    image: {i}" for c, i in images.items())
    return pod_example("containers:" + containers, name=name)
