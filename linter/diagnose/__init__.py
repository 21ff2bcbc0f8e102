"""``pullcheck diagnose``: explain a real ImagePullBackOff from what kubectl printed, offline.

Rooms, in the order data flows through them:

- ``inputs``: read ``kubectl get pods|events -o yaml|json`` and ``kubectl describe pod`` text,
  recognised by content, into plain observations (never a traceback on bad input);
- ``collect``: merge the observations of every dump into one record per failing container;
- ``classify``: put each failure in one cause family with the evidence quoted, from the message table
  in ``data/pull-failures.yaml``;
- ``related``: lint the manifests through the engine and pick the findings of the same pod and image;
- ``report``: text (rich) and JSON;
- ``cli``: arguments and exit codes (0 nothing failing, 1 something failing, 2 usage or input error).
"""

from __future__ import annotations

from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``pullcheck diagnose`` (imports the command only when it runs)."""
    from pullcheck.diagnose.cli import main as _main

    return _main(argv)
