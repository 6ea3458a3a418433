"""Release versions: semantic (1.0, 1.2.3, 2.0.0-rc.1) or by date (2026-12-01, 2026.12)."""

from __future__ import annotations

import re

from ..diagnostics import UsageProblem
from ..project import Project

SEMANTIC = re.compile(r"\d+\.\d+(\.\d+)?([-+][0-9A-Za-z.-]+)?")
BY_DATE = re.compile(r"\d{4}(-\d{2}-\d{2}|\.\d{1,2}(\.\d{1,2})?)")


def checked(version: str) -> str:
    """The version as given, if it is one; else a usage error."""
    if not (SEMANTIC.fullmatch(version) or BY_DATE.fullmatch(version)):
        raise UsageProblem(f"'{version}' is not a version: give a semantic version (1.0, 1.2.3) or a date (2026-12-01)")
    return version


def order(version: str) -> tuple[tuple[int, ...], str]:
    """A key that sorts versions as they were released: numbers by value, a pre-release before its release."""
    numbers = tuple(int(part) for part in re.findall(r"\d+", re.split(r"[-+]", version, maxsplit=1)[0]))
    suffix = version[len(re.split(r"[-+]", version, maxsplit=1)[0]) :]
    return numbers, suffix or "~"  # "~" sorts after any pre-release suffix


def previous(project: Project, version: str) -> str | None:
    """The latest release before `version` in releases/, if any."""
    folder = project.releases_dir
    released = [p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")] if folder.is_dir() else []
    earlier = [v for v in released if (SEMANTIC.fullmatch(v) or BY_DATE.fullmatch(v)) and order(v) < order(version)]
    return max(earlier, key=order) if earlier else None
