"""`whitepaper import manubot SRC DEST`: a Manubot manuscript as a paper project that builds.

Manubot's `content/` holds numbered Markdown files (concatenated in name order),
`metadata.yaml`, `manual-references*.json` and images; a Manubot build adds
`output/references.json` and `output/citations.tsv`. Each numbered file becomes a chapter
(the abstract becomes `abstract:`), the metadata becomes whitepaper.yaml, the references the
manual file and the reference store, and the images the chapters use are copied into
`figures/`. The Jinja2 front-matter template, which only Manubot can fill, is left out: the
title page shows the authors from whitepaper.yaml. The source is only read.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from .. import pandoc, rules
from ..diagnostics import DiagnosticError, Diagnostics, EnvironmentProblem, Location
from ..pandoc import nodes
from ..project import CHAPTERS_DIR, CITATION_TAGS_FILE, CONFIG_NAME
from ..sources.citetags import definition_lines
from ..sources.identifiers import written_key
from ..sources.store import dumps
from . import text
from .metadata import Metadata, convert_metadata, funding_chapter
from .references import Built, References, gather, parse_json_list, read_citations_tsv
from .report import ImportReport

_NUMBERED = re.compile(r"^(\d+)[._-]?(.*)\.md$")
STORE = "bibliography/resolved.json"
MANUAL = "bibliography/manual.json"
FIGURES = "figures"


@dataclass
class Chapter:
    source: str  # content/02.introduction.md
    name: str  # 02-introduction.md
    title: str
    id: str | None
    body: str
    references: bool = False  # it places the bibliography (`<div id="refs">`)


@dataclass
class Source:
    """What was read from the Manubot repository."""

    root: Path
    content: Path
    metadata: dict[str, Any] = field(default_factory=dict)
    files: list[Path] = field(default_factory=list)  # the numbered .md files, in order
    manual: list[dict[str, Any]] = field(default_factory=list)
    built: Built = field(default_factory=Built)
    tags: dict[str, str] = field(default_factory=dict)  # citation-tags.tsv: tag -> identifier

    def rel(self, name: str | Path) -> str:
        """A path of the source as messages show it: relative to the repository."""
        path = self.content / name if isinstance(name, str) else name
        return path.relative_to(self.root).as_posix() if path.is_relative_to(self.root) else path.as_posix()


def import_manubot(source: Path, target: Path) -> ImportReport:
    """Convert the Manubot repository at `source` (or its `content/` folder) into a new paper
    project at `target`, which must not exist or be empty."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise EnvironmentProblem(f"'{target}' exists and is not empty; choose a new folder")
    found = _read_source(source)
    report = ImportReport(source, target)
    meta = convert_metadata(found.metadata, found.rel("metadata.yaml"), report)
    chapters, abstract = _chapters(found, report)
    cited, images = _survey(chapters, abstract, found, report)
    references = gather(cited, found.tags | _inline_tags(chapters), found.manual, found.built)
    _report_references(references, found, report)
    figures = _figures(chapters, images, found, report)
    config = _config(meta, chapters, abstract, report)
    _write(target, config, chapters, references, figures, found)
    report.counts = {
        "chapters": len(chapters),
        "references": len(references.store) + len(references.manual),
        "figures": len(figures),
    }
    return report


# Reading --------------------------------------------------------------------------------------


def _read_source(source: Path) -> Source:
    content = source / "content" if (source / "content").is_dir() else source
    if not (content / "metadata.yaml").is_file():
        raise EnvironmentProblem(f"'{source}' is not a Manubot manuscript: it has no content/metadata.yaml")
    root = source if content != source else source.parent
    found = Source(root, content)
    diagnostics = Diagnostics()
    found.metadata = _yaml(content / "metadata.yaml", found, diagnostics)
    found.files = sorted((p for p in content.glob("*.md") if _NUMBERED.match(p.name)), key=lambda p: p.name)
    for path in sorted(content.glob("manual-references*.json")):
        found.manual += _json(path, found, diagnostics)
    output = next((d for d in (root / "output", content / "output") if (d / "references.json").is_file()), None)
    if output is not None:
        found.built.items = {str(i.get("id")): i for i in _json(output / "references.json", found, diagnostics)}
        if (output / "citations.tsv").is_file():
            found.built.short_ids = read_citations_tsv((output / "citations.tsv").read_text(encoding="utf-8-sig"))
    if (content / CITATION_TAGS_FILE).is_file():
        rows = read_citations_tsv((content / CITATION_TAGS_FILE).read_text(encoding="utf-8-sig"))
        found.tags = {tag.removeprefix("tag:"): key for tag, key in rows.items()}
    if diagnostics.has_errors():
        raise DiagnosticError(diagnostics)
    return found


def _yaml(path: Path, found: Source, diagnostics: Diagnostics) -> dict[str, Any]:
    """metadata.yaml (Manubot's has a `---` and no closing one: the first document)."""
    try:
        documents = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8-sig")) if d is not None]
    except UnicodeDecodeError:
        diagnostics.add(rules.IMPORT_SOURCE_INVALID, Location(found.rel(path), 1, 1), "not valid UTF-8")
        return {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = Location(found.rel(path), mark.line + 1, mark.column + 1) if mark else Location(found.rel(path), 1, 1)
        diagnostics.add(rules.IMPORT_SOURCE_INVALID, where, f"invalid YAML: {getattr(exc, 'problem', exc)}")
        return {}
    if not documents or not isinstance(documents[0], dict):
        diagnostics.add(rules.IMPORT_SOURCE_INVALID, Location(found.rel(path), 1, 1), "metadata.yaml is a mapping")
        return {}
    return documents[0]


def _json(path: Path, found: Source, diagnostics: Diagnostics) -> list[dict[str, Any]]:
    try:
        return parse_json_list(path.read_text(encoding="utf-8-sig"))
    except json.JSONDecodeError as exc:
        diagnostics.add(
            rules.IMPORT_SOURCE_INVALID, Location(found.rel(path), exc.lineno, exc.colno), f"invalid JSON: {exc.msg}"
        )
    except TypeError as exc:
        diagnostics.add(rules.IMPORT_SOURCE_INVALID, Location(found.rel(path), 1, 1), str(exc))
    except UnicodeDecodeError:
        diagnostics.add(rules.IMPORT_SOURCE_INVALID, Location(found.rel(path), 1, 1), "not valid UTF-8")
    return []


# Chapters -------------------------------------------------------------------------------------


def _chapters(found: Source, report: ImportReport) -> tuple[list[Chapter], str]:
    """Each numbered file as a chapter, but the front-matter template (dropped) and the abstract."""
    chapters: list[Chapter] = []
    abstract = ""
    for path in found.files:
        rel = found.rel(path)
        written = path.read_text(encoding="utf-8-sig")
        jinja = text.jinja_lines(written)
        if jinja and "front-matter" in path.name:
            report.drop(
                rel, "a Jinja2 template that Manubot fills (build date, author list); the title page shows the authors"
            )
            continue
        if jinja:
            report.todo.append(f"{rel}: Jinja2 template code kept as text (lines {_ranges(jinja)})")
        body, html_only = text.without_html_only(written)
        if html_only:
            report.drop(
                f"{rel}: HTML-only blocks (lines {_ranges(html_only)})", "scripts and styles of Manubot's web page"
            )
        split = text.split_title(body)
        number, rest = _NUMBERED.match(path.name).groups()  # type: ignore[union-attr]
        title = split.title or rest.replace("_", " ").replace("-", " ").strip().capitalize() or f"Chapter {number}"
        content = text.shift_headings(split.body, max(split.level - 1, 1) if split.level else 1)
        if split.attributes:
            report.drop(
                f"{rel}: heading attributes {{{split.attributes}}}", "Manubot's CSS classes; each chapter starts a page"
            )
        if title.lower() == "abstract" and not abstract and not chapters:
            abstract = content.strip()
            report.convert(rel, f"{CONFIG_NAME} `abstract:`")
            continue
        name = f"{number}-{text.slug(rest)}.md"
        chapters.append(Chapter(rel, name, title, split.id, content, '<div id="refs">' in content.replace("'", '"')))
        report.convert(rel, f"{CHAPTERS_DIR}/{name}")
    for path in sorted(found.content.glob("*.md")):
        if not _NUMBERED.match(path.name):
            report.drop(found.rel(path), "not numbered: Manubot leaves it out of the manuscript")
    return chapters, abstract


def _ranges(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers[:5]) + (", …" if len(numbers) > 5 else "")


def _inline_tags(chapters: list[Chapter]) -> dict[str, str]:
    """The `[@tag:X]: doi:…` lines of the chapters (they stay: the paper reads them too)."""
    return {m.group(1): m.group(2) for c in chapters for _, m in definition_lines(c.body)}


def _survey(
    chapters: list[Chapter], abstract: str, found: Source, report: ImportReport
) -> tuple[list[str], list[tuple[int, str]]]:
    """Every citation key in reading order, and every image target with its chapter's index;
    slips in citations that Manubot let pass are listed to look at."""
    known = set(found.built.short_ids) | {str(item.get("id")) for item in found.manual}
    asts = pandoc.markdown_to_asts([c.body for c in chapters] + [abstract])
    cited: list[str] = []
    images: list[tuple[int, str]] = []
    for index, ast in enumerate(asts):
        where = chapters[index].source if index < len(chapters) else "the abstract"
        for node in nodes.walk(ast["blocks"]):
            if node.get("t") == "Cite":
                cited += [written_key(citation, known) for citation in node["c"][0]]
                report.todo += [f"{where}: {slip}" for slip in _slips(node["c"][0])]
            elif node.get("t") == "Image" and index < len(chapters):
                images.append((index, node["c"][2][0]))
    return list(dict.fromkeys(cited)), images


def _slips(citations: list[dict[str, Any]]) -> list[str]:
    """Citations that cite less than was meant: a key after a comma (pandoc reads it as the
    previous one's suffix, and citeproc prints the group as that one alone), an identifier
    without its `@` (which cites nothing)."""
    found = []
    for citation in citations:
        for inline in citation["citationPrefix"] + citation["citationSuffix"]:
            if inline.get("t") == "Cite":
                inner = ", ".join("@" + c["citationId"] for c in inline["c"][0])
                found.append(
                    f"[@{citation['citationId']}, {inner}]: a comma where `;` was meant? it prints as one citation"
                )
            elif inline.get("t") == "Str" and _BARE_IDENTIFIER.match(inline["c"]):
                found.append(f"'{inline['c'].rstrip(';,')}' in a citation has no `@`: it cites nothing")
    return found


_BARE_IDENTIFIER = re.compile(r"^(?:doi|pmid|pmcid|arxiv|isbn|url):\S", re.IGNORECASE)


def _report_references(references: References, found: Source, report: ImportReport) -> None:
    manubot = "output/references.json and output/citations.tsv"
    if references.store:
        report.convert(manubot if found.built.items else "identifiers", STORE, f"{len(references.store)} entries")
    if references.manual:
        report.convert("content/manual-references*.json", MANUAL, f"{len(references.manual)} entries written by hand")
    for key in references.placeholders:
        report.todo.append(
            f"'{key}' has no metadata in {manubot}: a placeholder "
            f"names it in {STORE}; `whitepaper cite resolve --refresh {key}` looks it up"
        )
    for key in references.unknown:
        report.todo.append(f"'{key}' is cited but no reference has that id: add it to {MANUAL}")
    for key in references.invalid:
        report.todo.append(f"'{key}' is not a valid identifier: `whitepaper check` says why")
    for key in references.uncited:
        report.drop(f"manual reference '{key}'", "nothing cites it")
    if references.unresolved:
        report.todo.append(
            f"no Manubot build output (output/references.json): run `whitepaper cite resolve` once, "
            f"to look up the {len(references.unresolved)} identifiers cited"
        )


# Figures --------------------------------------------------------------------------------------


def _figures(
    chapters: list[Chapter], images: list[tuple[int, str]], found: Source, report: ImportReport
) -> dict[str, Path | str]:
    """The local images the chapters use, copied to figures/ (each chapter's text pointed there);
    returns new project-relative path -> source file (or, standing in for a remote image, an SVG's text)."""
    copies: dict[str, Path | str] = {}
    for index, target in images:
        chapter = chapters[index]
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):
            new = _stand_in(target, copies)
            chapter.body = chapter.body.replace(f"]({target}", f"]({new}")
            report.todo.append(
                f"{chapter.source}: image {target} is on the web, and builds fetch nothing: "
                f"{new} stands in for it (its caption and number kept); download it into {FIGURES}/ and point the chapter at it"
            )
            continue
        path = (found.content / target).resolve()
        if not path.is_file() or not path.is_relative_to(found.content.resolve()):
            report.todo.append(f"{chapter.source}: image {target} is not in content/")
            continue
        parts = PurePosixPath(target).parts
        for folder in ("images", "figures"):
            parts = parts[1:] if parts and parts[0] == folder and len(parts) > 1 else parts
        new = "/".join((FIGURES, *parts))
        copies[new] = path
        chapter.body = chapter.body.replace(f"]({target}", f"]({new}")
    used = {p for p in copies.values() if isinstance(p, Path)}
    unused = [
        p
        for p in found.content.rglob("*")
        if p.is_file() and p.suffix.lower() in _IMAGE_SUFFIXES and p.resolve() not in used
    ]
    if copies:
        report.convert("content/images", FIGURES, f"{len(used)} images the chapters show")
    if unused:
        report.drop(
            ", ".join(found.rel(p) for p in unused[:6]) + (", …" if len(unused) > 6 else ""),
            "images no chapter shows (the front-matter template's icons, sources)",
        )
    return copies


_IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".pdf"}
_STAND_IN = """<svg xmlns="http://www.w3.org/2000/svg" width="600" height="120" viewBox="0 0 600 120">
<rect x="1" y="1" width="598" height="118" fill="#f4f4f4" stroke="#666" stroke-dasharray="6 4"/>
<text x="300" y="52" font-family="sans-serif" font-size="18" text-anchor="middle" fill="#222">Image not imported: it is on the web</text>
<text x="300" y="82" font-family="sans-serif" font-size="12" text-anchor="middle" fill="#444">{name}</text>
</svg>
"""


def _stand_in(url: str, copies: dict[str, Path | str]) -> str:
    """A local SVG that stands in for a remote image (its contents, for `_write`); its path."""
    name = PurePosixPath(url.split("?")[0].split("#")[0]).name or "image"
    new = f"{FIGURES}/remote-{PurePosixPath(name).stem}.svg"
    copies[new] = _STAND_IN.format(name=html.escape(name))
    return new


# Writing --------------------------------------------------------------------------------------


def _config(meta: Metadata, chapters: list[Chapter], abstract: str, report: ImportReport) -> dict[str, Any]:
    config = dict(meta.config)
    if abstract:
        config["abstract"] = abstract + "\n"
    if meta.funders:
        before = next((i for i, c in enumerate(chapters) if c.references), len(chapters))
        number = max(int(chapters[before].name.split("-")[0]) - 1, 0) if before < len(chapters) else 99
        name = f"{number:02d}-funding.md"
        name = "funding.md" if any(c.name == name for c in chapters) else name  # the list gives the order
        chapters.insert(before, Chapter("", name, "Funding", None, funding_chapter(meta.funders)))
        report.convert("the authors' funders", f"{CHAPTERS_DIR}/{chapters[before].name}")
    config["chapters"] = [f"{CHAPTERS_DIR}/{c.name}" for c in chapters]
    config["number-sections"] = False  # Manubot numbers no sections
    config["number-unlabelled"] = False  # pandoc-crossref numbers only figures and tables with an id
    return config


class _Dumper(yaml.SafeDumper):
    """Multi-line text (the abstract) as a `|` block, as a person would write it."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


_Dumper.add_representer(str, _text)


def _write(
    target: Path,
    config: dict[str, Any],
    chapters: list[Chapter],
    references: References,
    figures: dict[str, Path | str],
    found: Source,
) -> None:
    (target / CHAPTERS_DIR).mkdir(parents=True, exist_ok=True)
    header = "# Imported from a Manubot manuscript by `whitepaper import manubot`.\n"
    dumped = yaml.dump(config, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
    (target / CONFIG_NAME).write_text(header + dumped, encoding="utf-8")
    for chapter in chapters:
        (target / CHAPTERS_DIR / chapter.name).write_text(
            text.chapter_file(chapter.title, chapter.id, chapter.body), encoding="utf-8"
        )
    if references.store or references.manual:
        (target / "bibliography").mkdir(exist_ok=True)
    if references.store:
        (target / STORE).write_text(dumps(references.store), encoding="utf-8")
    if references.manual:
        (target / MANUAL).write_text(dumps(references.manual), encoding="utf-8")
    for new, path in figures.items():
        (target / new).parent.mkdir(parents=True, exist_ok=True)
        if isinstance(path, Path):
            shutil.copyfile(path, target / new)
        else:
            (target / new).write_text(path, encoding="utf-8")
    if (found.content / CITATION_TAGS_FILE).is_file():
        shutil.copyfile(found.content / CITATION_TAGS_FILE, target / CITATION_TAGS_FILE)
