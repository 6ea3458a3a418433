"""The review edition: the PDF made for reviewing.

Every block carries a marker in the margin naming its source line
(`03-challenges.md:42`) and is a PDF named destination `L:<file>:<line>`, so a
position on a page maps back to the Markdown an author must edit. Every page
has a diagonal watermark (an image, so it is not in the text layer) and a
stamp with the version, round, date and commit; each chapter opens with its
status and owners.
"""

from __future__ import annotations

import base64
import functools
import io
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from ..config.schema import Config
from ..diagnostics import Diagnostics
from ..gitinfo import git_state
from ..pandoc import nodes
from ..project import Project
from ..render.context import ReviewView, TemplateContext
from ..resolve import Document, ResolvedChapter
from ..sources.approvals import Approval, Standing, read_approvals, standing

DESTINATION_PREFIX = "L:"
STATUS_LABELS = {"draft": "Draft", "in-review": "In review", "approved": "Approved"}


@dataclass(frozen=True)
class ReviewEdition:
    """The review edition, as a build is given it (build/edition.py). Its look (watermark, comment
    margin, page size) comes from the validated config the build reads, once."""

    round: str | None = None  # the review round's name, e.g. "r1"
    commit: str | None = None  # short hash, with "+dirty" when the tree had uncommitted changes
    approvals: tuple[Approval, ...] = ()  # the chapters' sign-off, shown under each chapter heading
    suffix: str = ".review"
    formats: tuple[str, ...] = ("pdf",)

    @classmethod
    def of(cls, project: Project, round_name: str | None = None) -> ReviewEdition:
        """The review edition of a project as it stands: its commit, if it is in git, and its approvals
        (a broken approvals file is the build's to report)."""
        state = git_state(project.root)
        approvals = tuple(read_approvals(project, Diagnostics()))
        return cls(round=round_name, commit=state.describe() if state else None, approvals=approvals)

    def configure(self, config: Config) -> Config:
        if config.review.paper_size:
            return config.model_copy(update={"paper_size": config.review.paper_size})
        return config

    def transform(self, document: Document) -> None:
        mark_sources(document, list(self.approvals))

    def view(self, config: Config, ctx: TemplateContext) -> None:
        png = watermark_png(config.review.watermark)
        uri = f"data:image/png;base64,{base64.b64encode(png).decode('ascii')}"
        ctx.review = ReviewView(uri, self.stamp(config.version, ctx.date), config.review.comment_margin)

    def stamp(self, version: str, date: str) -> str:
        parts = [f"Review {self.round}" if self.round else "Review edition", f"version {version}", date]
        if self.commit:
            parts.append(f"commit {self.commit}")
        return " · ".join(parts)


def destination(path: str, line: int) -> str:
    return f"{DESTINATION_PREFIX}{path}:{line}"


def parse_destination(name: str) -> tuple[str, int] | None:
    """`L:chapters/03-x.md:42` (maybe with a `~2` suffix) -> ("chapters/03-x.md", 42)."""
    name = name.lstrip("/")
    if not name.startswith(DESTINATION_PREFIX):
        return None
    path, _, rest = name[len(DESTINATION_PREFIX) :].rpartition(":")
    line = rest.split("~", 1)[0]
    return (path, int(line)) if path and line.isdigit() else None


def mark_sources(document: Document, approvals: list[Approval] | None = None) -> None:
    """Wrap every mapped block in a marker div; put status, owners and sign-off under each chapter heading."""
    used: dict[str, int] = {}
    for chapter in document.chapters:
        chapter.blocks = _wrap(chapter.blocks, chapter, used)
        _status_badge(chapter, standing(approvals or [], chapter.source))


def _wrap(blocks: list[Any], chapter: ResolvedChapter, used: dict[str, int]) -> list[Any]:
    wrapped = []
    for block in blocks:
        _wrap_children(block, chapter, used)
        line = chapter.sources.line_of(block) if chapter.sources else None
        if line is None or block["t"] in ("BulletList", "OrderedList", "BlockQuote"):
            # a list or quote starts on its first item's line: the item carries the marker
            wrapped.append(block)
            continue
        name = destination(chapter.source.rel, line)
        count = used[name] = used.get(name, 0) + 1
        identifier = name if count == 1 else f"{name}~{count}"
        label = marker_label(PurePosixPath(chapter.source.rel).name, line)
        wrapped.append(nodes.div(identifier, ["src"], [block], {"data-src": label}))
    return wrapped


MARKER_WIDTH = 19  # characters that fit on a line of the margin column


def marker_label(file_name: str, line: int) -> str:
    """`03-challenges.md:42`, whole: a label longer than a line of the margin breaks into lines
    (after a `-` or `_`, or before a `.`), never shortened."""
    label, lines = f"{file_name}:{line}", []
    while len(label) > MARKER_WIDTH:
        cuts = [p for p in range(1, MARKER_WIDTH + 1) if label[p - 1] in "-_" or label[p] == "."]
        fitting = [p for p in cuts if len(label) - p <= MARKER_WIDTH]  # the rest on one line, if it can be
        cut = max(fitting or cuts or [MARKER_WIDTH])
        lines.append(label[:cut])
        label = label[cut:]
    return "\n".join([*lines, label])


def _wrap_children(block: dict[str, Any], chapter: ResolvedChapter, used: dict[str, int]) -> None:
    kind, content = block["t"], block.get("c")
    if kind == "Div":
        content[1] = _wrap(content[1], chapter, used)
    elif kind == "BlockQuote":
        block["c"] = _wrap(content, chapter, used)
    elif kind == "BulletList":
        block["c"] = [_wrap(item, chapter, used) for item in content]
    elif kind == "OrderedList":
        content[1] = [_wrap(item, chapter, used) for item in content[1]]


def _status_badge(chapter: ResolvedChapter, held: Standing) -> None:
    meta = chapter.source.meta
    text = f"Status: {STATUS_LABELS[meta.status]}"
    if meta.owners:
        text += f" · Owners: {', '.join(meta.owners)}"
    if held.valid:
        text += " · Approved by " + ", ".join(f"{a.by} ({a.at[:10]})" for a in held.valid)
    elif held.stale:
        text += " · Approval stale: edited since " + ", ".join(f"{a.by} approved it ({a.at[:10]})" for a in held.stale)
    classes = ["chapter-meta", f"status-{meta.status}"] + (["approval-stale"] if held.stale and not held.valid else [])
    badge = nodes.div("", classes, [nodes.para(nodes.text_inlines(text))])
    chapter.blocks.insert(1, badge)


@functools.lru_cache(maxsize=8)
def watermark_png(text: str) -> bytes:
    """The watermark as a picture: light grey text at 45 degrees on a transparent A4-shaped canvas.

    A picture rather than text, so it stays out of what a reader selects or copies.
    """
    from PIL import Image, ImageDraw, ImageFont

    width, height = 620, 877  # A4 at 75 dpi: enough for faint letters, and cheap to paint on every page
    canvas = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    size = int(width * 1.1 / max(len(text), 4))
    try:
        font = ImageFont.truetype("DejaVuSans-Bold.ttf", size)
    except OSError:
        font = ImageFont.load_default(size=size)
    label = Image.new("RGBA", (int(size * 0.75 * len(text)) + size, int(size * 1.5)), (255, 255, 255, 0))
    ImageDraw.Draw(label).text((size // 2, size // 6), text, font=font, fill=(120, 130, 145, 40))
    rotated = label.rotate(54.7, expand=True, resample=Image.Resampling.BICUBIC)
    canvas.alpha_composite(rotated, ((width - rotated.width) // 2, (height - rotated.height) // 2))
    out = io.BytesIO()
    canvas.save(out, format="PNG", optimize=True)
    return out.getvalue()
