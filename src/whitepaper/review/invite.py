"""`review invite`: one personal link per reviewer of a round, and the text that sends it.

A link carries a random token (`secrets`) after `#`, so it never reaches a server's logs or
another site's Referer; the round's store keeps only its SHA-256 (webstore.py). The only
copies of the tokens are the invitations written into `review/ROUND/invitations/` (kept
out of git, readable by their owner only): send each to its reviewer, then delete them.
Inviting again leaves reviewers who have a link alone, unless `renew` gives everyone a new
one (the old links stop working; what reviewers wrote stays theirs).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..diagnostics import EnvironmentProblem
from ..project import Project
from ..write import write_atomic
from .frozen import FrozenSources, load_round
from .rounds import slug
from .webstore import STORE_NAME, WebStore, new_token

DEFAULT_BASE = "http://127.0.0.1:8765"
INVITATIONS_DIR = "invitations"  # in review/ROUND/
IGNORED = f"# Secrets and working files of `review serve`: not part of the round's record.\n{STORE_NAME}\n{STORE_NAME}-*\n{INVITATIONS_DIR}/\n"


@dataclass
class Invitation:
    reviewer: str
    link: str
    path: Path


@dataclass
class InviteResult:
    invited: list[Invitation] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # reviewers who had a link already


def invite(project: Project | Path | str, round_name: str, base_url: str = DEFAULT_BASE, *, renew: bool = False) -> InviteResult:
    project = Project.at(project)
    info = load_round(project, round_name)
    reviewers = info.data.get("reviewers") or []
    if not reviewers:
        raise EnvironmentProblem(f"round '{round_name}' has no reviewers in {project.rel(project.round_file(round_name))}")
    base = _base(base_url)
    sources = FrozenSources(project, info)
    _keep_out_of_git(info.folder)
    result = InviteResult()
    store = WebStore.of_round(info.folder)
    try:
        already = store.invited()
        for index, reviewer in enumerate(reviewers, start=1):
            name = str(reviewer.get("name"))
            if name in already and not renew:
                result.kept.append(name)
                continue
            token = new_token()
            link = f"{base}/{round_name}/#token={token}"
            path = info.folder / INVITATIONS_DIR / f"{index:02d}-{slug(name)}.txt"
            _write_private(path, invitation_text(info.data, reviewer, link, sources))
            store.invite(name, token)  # after the text is written: a link the editor cannot send is never live
            result.invited.append(Invitation(name, link, path))
    finally:
        store.close()
    return result


def _base(url: str) -> str:
    url = url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise EnvironmentProblem(f"--base-url must start with http:// or https:// (got '{url}')")
    return url


def _keep_out_of_git(folder: Path) -> None:
    ignore = folder / ".gitignore"
    if not ignore.is_file():
        ignore.write_text(IGNORED, encoding="utf-8")


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    write_atomic(path, text.encode("utf-8"))
    os.chmod(path, 0o600)


def invitation_text(round_data: dict[str, Any], reviewer: dict[str, Any], link: str, sources: FrozenSources) -> str:
    name = reviewer.get("name")
    title, version, round_name = round_data.get("title"), round_data.get("version"), round_data.get("round")
    chapters = [f"  - {_chapter_title(sources, f)} ({f})" for f in reviewer.get("chapters") or []]
    due = _due(reviewer.get("due"))
    lines = [
        f"Dear {name},",
        "",
        f"Thank you for reviewing “{title}” (version {version}, review round {round_name}).",
        "You can read it and comment on it in your web browser, at your personal link:",
        "",
        f"  {link}",
        "",
        "The link is yours alone: anyone who has it can comment in your name, so please do not pass it on.",
        "",
        "Your chapters:",
        *chapters,
        "",
    ]
    if due:
        lines += [f"Please submit your review by {due}.", ""]
    lines += [
        "How to comment: select a few words in one of your chapters and a small box opens. Choose Comment,",
        "Suggest a change (the selected words are filled in; type the words you would put instead) or Typo.",
        "Without a mouse, press “Comment by keyboard” at the top of the page: the arrow keys move from",
        "paragraph to paragraph and Enter opens the box.",
        "Your comments show in the margin and are saved at once; you can edit or delete them until",
        "you press “Submit review” at the top of the page. After that they are final and go to the authors.",
        "",
        "With thanks,",
        "the editors",
        "",
    ]
    return "\n".join(lines)


def _chapter_title(sources: FrozenSources, file: str) -> str:
    lines = sources.lines(file)
    if not lines or lines[0].strip() != "---":
        return file
    end = next((i for i, text in enumerate(lines[1:], 1) if text.strip() in ("---", "...")), 0)
    try:
        meta = yaml.safe_load("\n".join(lines[1:end])) or {}
    except yaml.YAMLError:
        return file
    return str(meta.get("title") or file) if isinstance(meta, dict) else file


def _due(value: Any) -> str | None:
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return f"{day.day} {day.strftime('%B %Y')}"
