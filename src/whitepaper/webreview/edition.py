"""The round's HTML edition, served to reviewers by `review serve`: `review/ROUND/web/`.

It is built on demand from the round's frozen sources (the round's commit, or its source
copy outside git) — the very text its PDF packets were made from — so a round started
before browsers could review it (the sample's r1) is served as well as a new one, and
`review start` stays as quick as it was. Once built it is kept: the same bytes are served
for the rest of the round (commit `review/ROUND/web/` to keep them with the round).

Every block is wrapped as in the PDF review edition (review/edition.py `mark_sources`):
`<div class="src" id="L:chapters/03-challenges.md:42">`, which is how a selection in the
browser names its Markdown `file:line`. The page's own style and script are taken out of
the HTML into files, so the server can forbid inline script (Content-Security-Policy),
and its chapters are kept apart, so each reviewer is sent only what they may see.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, select_autoescape

from ..config.schema import Config
from ..diagnostics import Diagnostics, EnvironmentProblem
from ..pipeline import BuildOptions, Reporter, Timed, produce
from ..project import Project
from ..redline.sides import materialise
from ..render.context import TemplateContext
from ..resolve import Document
from ..review.edition import ReviewEdition, mark_sources
from ..review.frozen import load_round
from ..sources.approvals import read_approvals
from ..write import write_atomic

WEB_DIR = "web"  # in review/ROUND/
EDITION_FILE = "edition.json"  # the page's parts and what it was built from; never served as a file
ASSETS = ("review.js", "review.css")  # copied from the package, so every file served is in the round's folder
SERVED = ("index.html", "edition.css", "edition.js", *ASSETS)  # the only files the server sends

_CHAPTER = re.compile(r'<div id="chapter-[^"]*" class="chapter[^"]*"[^>]*>')
_FILE = re.compile(r'data-file="([^"]+)"')
_BLOCK = re.compile(r'<div id="L:([^"]+?):(\d+)(?:~\d+)?" class="src"')
_STYLE = re.compile(r"<style>(.*?)</style>", re.DOTALL)
_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


@dataclass(frozen=True)
class WebEdition:
    """The round's paper as a build is given it: blocks marked with their source lines, HTML only."""

    round: str
    approvals: tuple[Any, ...] = ()
    suffix: str = ".web"
    formats: tuple[str, ...] = ("html",)

    def configure(self, config: Config) -> Config:
        return config

    def transform(self, document: Document) -> None:
        mark_sources(document, list(self.approvals))

    def view(self, config: Config, ctx: TemplateContext) -> None:
        pass  # the screen page as it is; the review bar is the browser's (review.js)


@dataclass
class Chapter:
    file: str | None  # None for the back matter (references, contributors)
    html: str
    blocks: list[int] = field(default_factory=list)  # the source lines of its blocks


@dataclass
class Page:
    """The built page, in the parts the server puts together for each reviewer."""

    folder: Path
    title: str
    stamp: str
    lang: str
    head: str  # the start of the body, before the first chapter
    chapters: list[Chapter]
    tail: str  # the end of the body, after the last chapter

    def chapter(self, file: str) -> Chapter | None:
        return next((c for c in self.chapters if c.file == file), None)


def web_folder(project: Project, round_name: str) -> Path:
    return project.round_dir(round_name) / WEB_DIR


def ensure_edition(project: Project, round_name: str, reporter: Reporter | None = None) -> Page:
    """The round's HTML edition, built first if it is not there yet; the page around it refreshed."""
    folder = web_folder(project, round_name)
    if not (folder / EDITION_FILE).is_file():
        _build(project, round_name, folder, reporter)
    page = load_page(folder)
    # The page around the paper follows the installed whitepaper; the paper's text never changes.
    files = {name: resources.files(__package__).joinpath("static", name).read_bytes() for name in ASSETS}
    files["index.html"] = _shell(page.title, page.stamp, page.lang).encode("utf-8")
    for name, data in files.items():
        if not (folder / name).is_file() or (folder / name).read_bytes() != data:
            write_atomic(folder / name, data)
    return page


def _shell(title: str, stamp: str, lang: str) -> str:
    """The page a reviewer's link opens, without the paper's text (static/index.html)."""
    env = Environment(autoescape=select_autoescape(default=True))
    return env.from_string(resources.files(__package__).joinpath("static", "index.html").read_text(encoding="utf-8")).render(
        title=title, stamp=stamp, lang=lang
    )


def load_page(folder: Path) -> Page:
    data = json.loads((folder / EDITION_FILE).read_text(encoding="utf-8"))
    chapters = [Chapter(c["file"], c["html"], c["blocks"]) for c in data["chapters"]]
    return Page(folder, data["title"], data["stamp"], data["lang"], data["head"], chapters, data["tail"])


def _build(project: Project, round_name: str, folder: Path, reporter: Reporter | None) -> None:
    info = load_round(project, round_name)
    timed = Timed(reporter)
    with tempfile.TemporaryDirectory(prefix="whitepaper-web-") as scratch:
        side = materialise(project, round_name, Path(scratch), "round")
        paper = side.project
        if not paper.root.is_relative_to(Path(scratch)):  # a source copy: built where nothing of the round is written
            paper = paper.copy_paper(Path(scratch) / "copy")
        approvals = tuple(read_approvals(paper, Diagnostics()))
        produced = produce(paper, BuildOptions(edition=WebEdition(round_name, approvals), use_cache=False), timed)
    html = next(iter(produced.outputs.values())).decode("utf-8")
    config = produced.analysis.loaded.config if produced.analysis.loaded else None
    commit = str(info.data.get("commit") or "")[:7] or None
    stamp = ReviewEdition(round=round_name, commit=commit).stamp(str(info.data.get("version", "")), produced.rendered.context.date)
    title = config.title if config else round_name
    _write(folder, html, title, stamp, produced.rendered.context.lang)
    timed.finish()


def _write(folder: Path, html: str, title: str, stamp: str, lang: str) -> None:
    """The page's style and scripts as files, its body in parts, and the shell page the browser opens."""
    head, _, rest = html.partition("</head>")
    body = rest.split(">", 1)[1].rsplit("</body>", 1)[0]  # inside <body class="…">
    css = "\n".join(_STYLE.findall(head))
    js = "\n".join(_SCRIPT.findall(body))
    body = _SCRIPT.sub("", body)
    starts = [m.start() for m in _CHAPTER.finditer(body)]
    end = body.rfind("</article>")
    if not starts or end < starts[-1]:
        raise EnvironmentProblem("the round's HTML edition has no chapters: its page template lacks the chapters' <div class=\"chapter\">")
    chapters = []
    for start, stop in zip(starts, [*starts[1:], end], strict=True):
        part = body[start:stop]
        found = _FILE.search(part[: part.find(">")])
        chapters.append({"file": found.group(1) if found else None, "html": part, "blocks": [int(m.group(2)) for m in _BLOCK.finditer(part)]})
    edition = {"title": title, "stamp": stamp, "lang": lang, "head": body[: starts[0]], "chapters": chapters, "tail": body[end:]}
    staging = folder.with_name(f".{folder.name}.partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    (staging / "edition.css").write_text(css, encoding="utf-8")
    (staging / "edition.js").write_text(js, encoding="utf-8")
    (staging / EDITION_FILE).write_text(json.dumps(edition, ensure_ascii=False, indent=0), encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)
    staging.rename(folder)  # whole or not at all
