"""`build/manifest.json`: what a build was made from and with, and what it said."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import sys
from pathlib import Path

from .. import pandoc
from ..diagnostics import Diagnostics
from ..project import Project
from ..version import __version__
from . import write_atomic


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _version(package: str) -> str:
    """An installed package's version, from its `name-version.dist-info` folder; importlib.metadata
    answers the same but takes 10 ms a package (half the time a rebuild spends resolving)."""
    for entry in sys.path:
        for info in Path(entry or ".").glob(f"{package}-*.dist-info"):
            return info.name[len(package) + 1 : -len(".dist-info")]
    from importlib import metadata

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "unknown"


def write_manifest(project: Project, inputs: list[Path], outputs: list[Path], diagnostics: Diagnostics, csl: Path | None) -> Path:
    manifest = {
        "whitepaper": __version__,
        "tools": {
            "pandoc": pandoc.pandoc_version(),
            "weasyprint": _version("weasyprint"),
            "pypdf": _version("pypdf"),
            "python": platform.python_version(),
        },
        "source_date_epoch": os.environ.get("SOURCE_DATE_EPOCH"),
        "csl": project.rel(csl) if csl else None,
        "inputs": [{"path": project.rel(p), "sha256": _sha256(p)} for p in inputs if p.is_file()],
        "outputs": [{"path": project.rel(p), "sha256": _sha256(p), "bytes": p.stat().st_size} for p in outputs],
        "diagnostics": [d.to_dict() for d in diagnostics],
    }
    path = project.build_dir / "manifest.json"
    write_atomic(path, (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    return path
