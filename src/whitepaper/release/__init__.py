"""`whitepaper release VERSION`: the gate (gate.py), then the final edition of the paper into
`releases/VERSION/`, committed with the project rather than built:

- the paper as HTML, as an archival PDF (PDF/A-3a and PDF/UA-1, carrying its sources as attachments) and
  as Word, without watermark, stamp or markers, the version and date on its title page;
- `CHANGES.md` and the redline against the previous release (changes.py);
- `CITATION.cff` and `.zenodo.json` (citation.py), and `SHA256SUMS` of it all.

Nothing is written when the gate fails; a release is written into a hidden staging folder
and renamed into place, so one stopped at any moment leaves no half-written release.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ..diagnostics import DiagnosticError, Diagnostics, EnvironmentProblem, Severity
from ..gitinfo import git, git_state
from ..pdf import PdfOptions
from ..pipeline import BuildOptions, Reporter, Timed, produce
from ..pipeline.publish import publish_docx
from ..project import Project
from .archive import with_version
from .changes import changes
from .citation import citation_cff, zenodo_json
from .edition import ReleaseEdition
from .gate import gate
from .sources import attachments
from .versions import checked, previous

# PDF/A-3 may carry files of any kind (the sources); "a": tagged, its text mapping to Unicode,
# which every PDF of the tool is; archive.py adds the PDF/UA-1 identification beside it.
ARCHIVAL = "pdf/a-3a"


@dataclass
class ReleaseResult:
    version: str
    folder: Path
    files: list[str] = field(default_factory=list)
    tag: str | None = None
    bumped: bool = False


def release(
    project: Project | Path | str,
    version: str,
    *,
    allow_open: bool = False,
    bump: bool = False,
    tag: bool = True,
    reporter: Reporter | None = None,
) -> ReleaseResult:
    """Publish VERSION of the paper, if it passes the gate; raise DiagnosticError with every unmet condition if not."""
    project = Project.at(project)
    version = checked(version)
    timed = Timed(reporter)
    timed.stage("gate", f"version {version}")
    passed = gate(project, version, allow_open=allow_open)
    if passed.diagnostics.items:  # as `check --strict`: every condition unmet is an error here
        raise DiagnosticError(Diagnostics([dataclasses.replace(d, severity=Severity.ERROR) for d in passed.diagnostics]))
    date = _date()
    options = BuildOptions(edition=ReleaseEdition(version, date), pdf=PdfOptions(variant=ARCHIVAL, attachments=attachments(project)), jobs=1)
    produced = produce(project, options, timed)
    analysis = produced.analysis
    assert analysis.loaded is not None and analysis.document is not None
    config = analysis.loaded.config
    name = config.outputs.name
    timed.stage("release", "Word, changes, citation")
    files = dict(produced.outputs)
    files[f"{name}.pdf"] = with_version(files[f"{name}.pdf"], version)
    files[f"{name}.docx"] = publish_docx(analysis, config.model_copy(update={"version": version}), analysis.document.chapters)
    found = changes(project, config, version, date, previous(project, version), passed.open_comments)
    files["CHANGES.md"] = found.markdown.encode("utf-8")
    if found.redline:
        files[found.redline[0]] = found.redline[1]
    files["CITATION.cff"] = citation_cff(config, version, date).encode("utf-8")
    files[".zenodo.json"] = zenodo_json(config, version, date).encode("utf-8")
    files["SHA256SUMS"] = "".join(f"{hashlib.sha256(data).hexdigest()}  {file}\n" for file, data in sorted(files.items())).encode()
    folder = _write(project, version, files)
    result = ReleaseResult(version, folder, sorted(files))
    if bump:
        result.bumped = _bump(project, version)
    if tag and git_state(project.root) is not None:
        result.tag = _tag(project, version)
    timed.finish()
    return result


def _date() -> dt.date:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date() if epoch.isdigit() else dt.date.today()


def _write(project: Project, version: str, files: dict[str, bytes]) -> Path:
    """All of the release or nothing: written beside, then renamed into place."""
    folder = project.releases_dir / version
    staging = project.releases_dir / f".{version}.partial"
    shutil.rmtree(staging, ignore_errors=True)  # what a stopped release left
    staging.mkdir(parents=True)
    try:
        for file, data in files.items():
            with open(staging / file, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())  # on the disk before the release is named
        staging.rename(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return folder


VERSION_LINE = re.compile(r"""^(version:[ \t]*)(["']?)[^"'\n#]*?(["']?)([ \t]*(#.*)?)$""", re.M)


def _bump(project: Project, version: str) -> bool:
    """`version:` in whitepaper.yaml set to the version released, the rest of the file as it was."""
    path = project.config_file
    text = path.read_text(encoding="utf-8")
    match = VERSION_LINE.search(text)
    if match:
        quote = match.group(2) or '"'
        new = text[: match.start()] + f"{match.group(1)}{quote}{version}{quote}{match.group(4)}" + text[match.end() :]
    else:
        new = re.sub(r"^(title:.*\n)", lambda m: m.group(1) + f'version: "{version}"\n', text, count=1, flags=re.M)
    if new == text:
        return False
    path.write_text(new, encoding="utf-8")
    return True


def _tag(project: Project, version: str) -> str:
    name = f"v{version}"
    made = git(project.root, "tag", "-a", name, "-m", f"Release {version}")
    if made.returncode != 0:
        raise EnvironmentProblem(f"the release is written, but git could not tag it: {made.stderr.strip()}; tag it with `git tag -a {name}`")
    return name
