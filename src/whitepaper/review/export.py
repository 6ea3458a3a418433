"""`review export --format w3c`: the comments register as W3C Web Annotation JSON-LD.

One AnnotationCollection per round; each register entry one Annotation, whoever made it
(a PDF note, a Word comment, a sheet's row, a comment in the browser). Its target is the
chapter's Markdown as the round froze it, selected three ways that select the same words:
the block's line (an RFC 5147 fragment, `line=41,42` for line 42), the quoted words with
the Markdown either side (TextQuoteSelector) and their character offsets in the file
(TextPositionSelector) when the words are found there as written. A suggested wording is
an `editing` body; a reply targets the annotation it answers; the editors' status and
response ride along under the `wp:` prefix.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ..project import Project
from ..write import write_atomic
from .frozen import FrozenSources, load_round
from .register import Comment, load_register

CONTEXT = ["http://www.w3.org/ns/anno.jsonld", {"wp": "urn:whitepaper:"}]
AROUND = 32  # characters of Markdown given as the quote's prefix and suffix
MOTIVATION = {"reply": "replying", "typo": "editing", "replacement": "editing"}


def export_w3c(project: Project | Path | str, round_name: str, output: Path | None = None) -> tuple[Path, int]:
    """Write the register as JSON-LD (by default `review/ROUND/comments.jsonld`); the path and the count."""
    project = Project.at(project)
    info = load_round(project, round_name)
    comments = load_register(project, round_name)
    sources = FrozenSources(project, info)
    items = [annotation(c, round_name, sources) for c in comments]
    collection = {
        "@context": CONTEXT,
        "id": f"urn:whitepaper:{round_name}",
        "type": "AnnotationCollection",
        "label": f"Review round {round_name} of {info.data.get('title', 'the paper')}",
        "total": len(items),
        "first": {"type": "AnnotationPage", "startIndex": 0, "items": items},
    }
    path = output or project.round_dir(round_name) / "comments.jsonld"
    write_atomic(path, (json.dumps(collection, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    return path, len(items)


def annotation_id(round_name: str, comment_id: str) -> str:
    return f"urn:whitepaper:{round_name}:{comment_id}"


def annotation(comment: Comment, round_name: str, sources: FrozenSources) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": annotation_id(round_name, comment.id),
        "type": "Annotation",
        "motivation": MOTIVATION.get(comment.kind, "commenting"),
        "creator": {"type": "Person", "name": comment.author or comment.reviewer},
    }
    if comment.date:
        data["created"] = comment.date
    bodies: list[dict[str, Any]] = []
    if comment.comment:
        bodies.append({"type": "TextualBody", "value": comment.comment, "format": "text/plain", "purpose": "commenting"})
    if comment.suggestion is not None:
        bodies.append({"type": "TextualBody", "value": comment.suggestion.new, "format": "text/markdown", "purpose": "editing"})
    if bodies:
        data["body"] = bodies if len(bodies) > 1 else bodies[0]
    if comment.in_reply_to:
        data["target"] = annotation_id(round_name, comment.in_reply_to)
    else:
        data["target"] = target(comment, sources)
    data["wp:kind"] = comment.kind
    data["wp:status"] = comment.status
    if comment.response:
        data["wp:response"] = comment.response
    return data


def target(comment: Comment, sources: FrozenSources) -> dict[str, Any] | str:
    """The chapter's Markdown and the words in it, or the reviewer's words alone when unplaced."""
    if not (comment.file and comment.line):
        quote = {"type": "TextQuoteSelector", "exact": comment.quote} if comment.quote else None
        return {"source": "urn:whitepaper:unplaced", "selector": quote} if quote else "urn:whitepaper:unplaced"
    selectors: list[dict[str, Any]] = [
        {"type": "FragmentSelector", "conformsTo": "http://tools.ietf.org/rfc/rfc5147", "value": f"line={comment.line - 1},{comment.line}"}
    ]
    text = "\n".join(sources.lines(comment.file))
    span = _span(text, comment, sources)
    if span is not None:
        start, end = span
        selectors.append(
            {"type": "TextQuoteSelector", "exact": text[start:end], "prefix": text[max(0, start - AROUND) : start], "suffix": text[end : end + AROUND]}
        )
        selectors.append({"type": "TextPositionSelector", "start": start, "end": end})
    elif comment.quote:
        selectors.append({"type": "TextQuoteSelector", "exact": comment.quote})
    return {"source": comment.file, "selector": selectors}


def _span(text: str, comment: Comment, sources: FrozenSources) -> tuple[int, int] | None:
    """Where the comment's words are in the file's text: its suggestion's old text, else its quote
    at the column the register gives (any white space matching any)."""
    lines = sources.lines(comment.file or "")
    if comment.suggestion is not None and comment.suggestion.line and comment.suggestion.col:
        start = _offset(lines, comment.suggestion.line, comment.suggestion.col)
        return (start, start + len(comment.suggestion.old)) if text[start : start + len(comment.suggestion.old)] == comment.suggestion.old else None
    if not (comment.quote.strip() and comment.line and comment.col):
        return None
    start = _offset(lines, comment.line, comment.col)
    found = re.compile(r"\s+".join(re.escape(w) for w in comment.quote.split())).match(text, start)
    return (start, found.end()) if found else None


def _offset(lines: list[str], line: int, col: int) -> int:
    """The character offset of `line:col` (from 1) in the file's text, lines joined by newlines."""
    return sum(len(text) + 1 for text in lines[: line - 1]) + col - 1
