"""Data files shipped with pullcheck: JSON Schemas and catalogues read at run time."""
