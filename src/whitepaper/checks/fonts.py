"""The PDF's fonts must be installed, or it silently looks different on this machine."""

from __future__ import annotations

import functools
import subprocess

from .. import rules
from ..diagnostics import Diagnostics, Location
from ..project import CONFIG_NAME
from .base import Paper, PaperCheck

PRINT_FONTS = ("Noto Serif", "Noto Sans")  # the families the print stylesheet asks for first


@functools.cache
def installed_families() -> frozenset[str] | None:
    """Font families fontconfig knows, or None when it cannot be asked."""
    try:
        listing = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return frozenset(name.strip() for line in listing.stdout.splitlines() for name in line.split(","))


def check(paper: Paper, diagnostics: Diagnostics) -> None:
    """The PDF's fonts must be installed, or it silently looks different on this machine."""
    families = installed_families()
    if families is None:
        return
    for family in PRINT_FONTS:
        if family not in families:
            diagnostics.add(
                rules.FONT_MISSING,
                Location(CONFIG_NAME),
                f"font '{family}' is not installed, so the PDF uses DejaVu instead (Debian: apt-get install fonts-noto-core)",
            )


CHECK = PaperCheck((rules.FONT_MISSING,), check, setup=True)
