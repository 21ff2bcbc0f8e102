"""The progress bar of large runs: on stderr, only on a terminal, never in a pipe, CI log or hook.

The CLI passes the callback this yields to ``Engine.run``, which calls it once per file. Nothing
is drawn for small runs (they finish before a bar would help), when stderr is not a TTY (a pipe,
a file, a CI log), under ``--quiet``, or inside a pre-commit hook (pre-commit sets
``PRE_COMMIT=1`` and replays the hook's output afterwards, where a bar is only noise).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

PROGRESS_MIN_FILES = 200


def wanted(total: int, stream: TextIO, quiet: bool = False) -> bool:
    """Whether a run over ``total`` files should draw a progress bar on ``stream``."""
    if quiet or total < PROGRESS_MIN_FILES or os.environ.get("PRE_COMMIT"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False


@contextmanager
def progress_bar(
    total: int, stream: TextIO | None = None, *, quiet: bool = False, color: bool = True
) -> Iterator[Callable[[], None] | None]:
    """A per-file callback that advances a transient bar on ``stream`` (default stderr), or None
    when no bar is wanted (see ``wanted``)."""
    out = stream if stream is not None else sys.stderr
    if not wanted(total, out, quiet):
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(file=out, no_color=not color or bool(os.environ.get("NO_COLOR")), highlight=False)
    bar = Progress(
        TextColumn("linting"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("files"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        redirect_stdout=False,
        redirect_stderr=False,
    )
    with bar:
        task = bar.add_task("lint", total=total)
        yield lambda: bar.advance(task)
