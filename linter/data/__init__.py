"""Data files shipped with pullcheck: JSON Schemas and catalogues read at run time."""

from __future__ import annotations

import pkgutil


def read_text(name: str) -> str:
    """The text of ``pullcheck/data/<name>``, read through the package's loader (wheel and zip alike);
    cheaper than ``importlib.resources``, whose import alone costs more than linting a small file."""
    data = pkgutil.get_data(__name__, name)
    if data is None:
        raise FileNotFoundError(name)
    return data.decode("utf-8")
