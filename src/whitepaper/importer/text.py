"""A Manubot content file as a chapter: its first heading becomes the chapter's title.

Manubot concatenates `content/NN.name.md` into one document whose sections start at `##`
(the title comes from metadata.yaml). Here each file is a chapter whose title is in its
front matter and whose sections start at `##` again: the first heading is taken out, the
headings under it move up a level, and every other line stays where it was written.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import yaml

_ATX = re.compile(r"^(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_ATTRIBUTES = re.compile(r"[ \t]*\{([^{}]*)\}$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
# Jinja2 as Manubot writes it: statements, expressions and its `{## … ##}` comments.
JINJA = re.compile(r"\{%|\{\{|\{##")
# Blocks that only a web page runs or styles: nothing of them belongs in a PDF or a chapter.
_HTML_ONLY = re.compile(r"^\s*<(script|style|iframe|link|meta)\b", re.IGNORECASE)


@dataclass
class Split:
    title: str | None  # the first heading's text, without its attributes
    id: str | None  # its `{#id}`, if it had one
    attributes: str  # its other attributes, as written (`.page_break_before`)
    level: int  # its level (2 in Manubot); 0 without a heading
    body: str  # the rest of the text


def outside_code(lines: list[str]) -> Iterator[int]:
    """The indexes of the lines that are not in fenced code."""
    fence = ""
    for index, line in enumerate(lines):
        opening = _FENCE.match(line)
        if opening and (not fence or opening.group(1).startswith(fence)):
            fence = "" if fence else opening.group(1)[:3]
            continue
        if not fence:
            yield index


def split_title(text: str) -> Split:
    """The first heading, if the text starts with one, and the text after it."""
    lines = text.split("\n")
    first = next((i for i in range(len(lines)) if lines[i].strip()), None)
    match = _ATX.match(lines[first]) if first is not None else None
    if match is None or first is None:
        return Split(None, None, "", 0, text)
    title, attributes = match.group(2), ""
    found = _ATTRIBUTES.search(title)
    if found:
        title, attributes = title[: found.start()], found.group(1).strip()
    identifier = next((part[1:] for part in attributes.split() if part.startswith("#")), None)
    others = " ".join(part for part in attributes.split() if not part.startswith("#"))
    body = "\n".join(lines[first + 1 :]).lstrip("\n")
    return Split(title.strip(), identifier, others, len(match.group(1)), body)


def shift_headings(text: str, levels: int) -> str:
    """Every heading `levels` levels up, none above `##` (a chapter has one title)."""
    if levels <= 0:
        return text
    lines = text.split("\n")
    for index in outside_code(lines):
        match = _ATX.match(lines[index])
        if match:
            level = max(2, len(match.group(1)) - levels)
            lines[index] = "#" * level + lines[index][len(match.group(1)) :]
    return "\n".join(lines)


def without_html_only(text: str) -> tuple[str, list[int]]:
    """The text without `<script>`, `<style>`, `<iframe>`, `<link>` and `<meta>` blocks (their
    lines are blanked, up to the closing tag), and the line numbers where they started."""
    lines = text.split("\n")
    removed, closing = [], ""
    for index in list(outside_code(lines)):
        line = lines[index]
        opening = _HTML_ONLY.match(line)
        if not closing and opening:
            removed.append(index + 1)
            tag = opening.group(1).lower()
            closing = f"</{tag}>" if tag in ("script", "style", "iframe") and f"</{tag}>" not in line.lower() else ""
            lines[index] = ""
        elif closing:
            closing = "" if closing in line.lower() else closing
            lines[index] = ""
    return "\n".join(lines), removed


def jinja_lines(text: str) -> list[int]:
    lines = text.split("\n")
    return [index + 1 for index in outside_code(lines) if JINJA.search(lines[index])]


def chapter_file(title: str, identifier: str | None, body: str) -> str:
    """A chapter: front matter with its title (and id), then its text."""
    meta: dict[str, str] = {"title": title}
    if identifier:
        meta["id"] = identifier
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{front}---\n\n{body.rstrip()}\n"


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "chapter"
