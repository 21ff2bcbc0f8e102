"""The typos among a run's images (``pullcheck.typos``), found once per run and shared by the rules.

``image-typo`` reports them; the rules that judge an image's registry (the allowlist, pull secrets,
Docker Hub limits) stay silent on them, since the name written is not the one meant.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pullcheck.catalogue import allowlist
from pullcheck.imageref import parsed
from pullcheck.typos import KnownNames, Thresholds, Typo

if TYPE_CHECKING:
    from pullcheck.index import Index
    from pullcheck.rule import Context

TYPO_RULE = "image-typo"
# The options of image-typo (its documentation and defaults), read here from that rule's config.
OPTIONS: dict[str, tuple[Any, str]] = {
    "max-distance": (1, "largest Damerau-Levenshtein distance (edits; a transposition is one) still read as a typo"),
    "min-length": (4, "shortest repository path component that can be the intended one"),
    "min-host-length": (6, "shortest registry host that can be the intended one"),
    "run-ratio": (
        1.0,
        "a name used in this run is a suggestion only when used at least twice and more than this many "
        "times as often as the unknown name",
    ),
}


def run_typos(ctx: Context, index: Index) -> dict[str, Typo | None]:
    """The typo (or None) of every distinct image string of the run, found once per index against
    the run's known names (catalogue, allowlist, images of the run)."""

    def build() -> dict[str, Typo | None]:
        settings = ctx.config.rule_options(TYPO_RULE, OPTIONS)
        thresholds = Thresholds(
            max_distance=int(settings["max-distance"]),
            min_length=int(settings["min-length"]),
            min_host_length=int(settings["min-host-length"]),
            run_ratio=float(settings["run-ratio"]),
        )
        counts = index.image_counts
        known = KnownNames(counts, allowlist(ctx.config), thresholds)
        out: dict[str, Typo | None] = {}
        for text in counts:
            ref = parsed(text)
            out[text] = known.typo(ref) if ref is not None else None
        return out

    return ctx.for_index("typos", index, build)
