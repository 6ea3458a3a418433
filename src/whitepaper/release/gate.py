"""The release gate: every condition a version must meet before it is published, all
reported at once, each where an editor must act.

- `check --strict` is clean: no error, no warning (pending suggestions included);
- every chapter has an approval of its text as it stands;
- no reviewer's comment is open (unless `--allow-open`: the release notes list them);
- the git work tree is clean, and the version is new (no release folder, no tag).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import rules
from ..diagnostics import DiagnosticError, Diagnostics, Location
from ..gitinfo import changed_files, git, git_state
from ..pipeline import Analysis, analyse
from ..project import CONFIG_NAME, REGISTER_FILE, RELEASES_DIR, Project
from ..review.register import Comment, load_register
from ..sources.approvals import standing


@dataclass
class Gate:
    analysis: Analysis
    diagnostics: Diagnostics
    open_comments: list[tuple[str, Comment]] = field(default_factory=list)  # (round, comment)


def gate(project: Project, version: str, *, allow_open: bool = False) -> Gate:
    """Every unmet condition as a located diagnostic (an error each)."""
    analysis = analyse(project, use_cache=False)
    diagnostics = Diagnostics()
    diagnostics.extend(analysis.diagnostics)  # as `check --strict`: a warning stops a release too
    if analysis.document is not None:
        for resolved in analysis.document.chapters:
            _approved(resolved.source, analysis, diagnostics)
    open_comments = _open_comments(project, diagnostics, report=not allow_open)
    _git(project, version, diagnostics)
    diagnostics.sort()
    return Gate(analysis, diagnostics, open_comments)


def _approved(chapter, analysis: Analysis, diagnostics: Diagnostics) -> None:  # type: ignore[no-untyped-def]
    held = standing(analysis.approvals, chapter)
    if held.approved:
        return
    why = "; its text changed since " + ", ".join(f"{a.by} approved it ({a.at[:10]})" for a in held.stale) if held.stale else ""
    diagnostics.add(rules.RELEASE_UNAPPROVED, Location(chapter.rel, 1, 1), f"no approval of the chapter's text as it stands{why}")


def _open_comments(project: Project, diagnostics: Diagnostics, *, report: bool) -> list[tuple[str, Comment]]:
    found = []
    for register in sorted(project.review_dir.glob(f"*/{REGISTER_FILE}")):
        name = register.parent.name
        try:
            comments = load_register(project, name)
        except DiagnosticError as broken:
            diagnostics.extend(broken.diagnostics)
            continue
        for comment in comments:
            if comment.status == "open" and not comment.in_reply_to:
                found.append((name, comment))
                if report:
                    where = Location(comment.file, comment.line or 0, 0) if comment.file else Location(project.rel(register))
                    diagnostics.add(
                        rules.RELEASE_OPEN_COMMENT,
                        where,
                        f"{comment.id} of round {name} by {comment.reviewer} is open: answer it in {project.rel(register)}, or release with --allow-open",
                    )
    return found


def _git(project: Project, version: str, diagnostics: Diagnostics) -> None:
    if project.releases_dir.joinpath(version).exists():
        diagnostics.add(rules.RELEASE_EXISTS, Location(f"{RELEASES_DIR}/{version}"), f"version {version} is released already")
    state = git_state(project.root)
    if state is None:
        return
    if state.dirty:
        names = changed_files(project.root)
        changed = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        diagnostics.add(
            rules.RELEASE_DIRTY_TREE, Location(CONFIG_NAME), f"the work tree has uncommitted changes ({changed}): commit them, so the release is of a commit"
        )
    if git(project.root, "rev-parse", "--verify", "--quiet", f"refs/tags/v{version}").returncode == 0:
        diagnostics.add(rules.RELEASE_EXISTS, Location(CONFIG_NAME), f"the tag v{version} exists already")
