"""`build/manifest.json`: what a build was made from and with, and what it said."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import sys
from pathlib import Path

from .. import __version__
from ..parse import pandoc
from ..build.analyse import Analysis
from ..diagnostics import relative_path
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


def write_manifest(project: Path, analysis: Analysis, outputs: list[Path]) -> Path:
    inputs = [project / "whitepaper.yaml", *(c.path for c in analysis.chapters)]
    if analysis.loaded is not None:
        inputs += [project / b for b in analysis.loaded.config.bibliography]
    if analysis.document is not None:
        inputs += list(analysis.document.images.values())
    if analysis.csl is not None and analysis.csl.is_relative_to(project.resolve()):
        inputs.append(analysis.csl)
    manifest = {
        "whitepaper": __version__,
        "tools": {
            "pandoc": pandoc.pandoc_version(),
            "weasyprint": _version("weasyprint"),
            "pypdf": _version("pypdf"),
            "python": platform.python_version(),
        },
        "source_date_epoch": os.environ.get("SOURCE_DATE_EPOCH"),
        "csl": str(relative_path(analysis.csl, project)) if analysis.csl else None,
        "inputs": [{"path": relative_path(p, project), "sha256": _sha256(p)} for p in dict.fromkeys(inputs) if p.is_file()],
        "outputs": [{"path": relative_path(p, project), "sha256": _sha256(p), "bytes": p.stat().st_size} for p in outputs],
        "diagnostics": [d.to_dict() for d in analysis.diagnostics],
    }
    path = project / "build" / "manifest.json"
    write_atomic(path, (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    return path
