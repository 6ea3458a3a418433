"""The project's own stylesheet (`css:` in whitepaper.yaml), applied to the HTML and the PDF.

It may read only files inside the project: a stylesheet that imports or points at
anything else (the network, `file:///`, an absolute path) is reported where it says so.
"""

from __future__ import annotations

import re

from .. import rules
from ..config import LoadedConfig
from ..diagnostics import Diagnostics, Location
from ..project import Project

EXTERNAL_CSS = re.compile(r"""(?:@import\s+|url\(\s*)["']?((?:https?|ftp|file):[^"')\s;]*|//[^"')\s;]*|/[^"')\s;]*)""", re.I)


def load_stylesheet(project: Project, loaded: LoadedConfig, diagnostics: Diagnostics) -> str:
    """The stylesheet's text ("" when there is none, or it cannot be used)."""
    name = loaded.config.css
    if not name:
        return ""
    path = project.path(name)
    if not project.contains(path):
        diagnostics.add(rules.CSS_OUTSIDE, loaded.location("css"), f"CSS file '{name}' is outside the project folder")
    elif not path.is_file():
        diagnostics.add(rules.CSS_MISSING, loaded.location("css"), f"CSS file '{name}' does not exist")
    else:
        text = path.read_text(encoding="utf-8")
        for number, line in enumerate(text.split("\n"), start=1):
            for match in EXTERNAL_CSS.finditer(line):
                diagnostics.add(
                    rules.CSS_EXTERNAL,
                    Location(name, number, match.start(1) + 1),
                    f"the stylesheet refers to '{match.group(1)}': only files inside the project are read",
                )
        return text
    return ""
