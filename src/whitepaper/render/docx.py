"""Word files of chapters: citations formatted, figures included, by pandoc's DOCX writer.

Tracked changes come free: pandoc writes spans of class `insertion` and `deletion` (as
the redline marks them) as Word's w:ins and w:del.
"""

from __future__ import annotations

from pathlib import Path

from .. import pandoc
from ..config.schema import Config
from ..pandoc import nodes
from ..project import Project
from ..resolve import ResolvedChapter
from .ooxml import read_parts, set_custom_properties, write_parts

REFERENCE_DOC = "reference.docx"  # in the project's templates/: the styles of its Word files


def write_docx(
    project: Project,
    config: Config,
    csl: Path,
    bibliography_json: Path | None,
    chapters: list[ResolvedChapter],
    *,
    link_citations: bool = True,
    project_styles: bool = True,
) -> bytes:
    """A Word file of `chapters` with their references; styles from the project's
    `templates/reference.docx` when there is one and `project_styles` asks for them."""
    references = [nodes.header(1, "references", nodes.text_inlines("References")), nodes.div("refs", [], [])]
    blocks = [block for chapter in chapters for block in chapter.blocks] + references
    meta = {"title": {"t": "MetaInlines", "c": nodes.text_inlines(config.title)}, "lang": {"t": "MetaString", "c": config.lang}}
    if link_citations:
        meta["link-citations"] = {"t": "MetaBool", "c": True}
    args = pandoc.citeproc_args(csl, bibliography_json) + ["--resource-path", str(project.root)]
    reference_doc = project.templates_dir / REFERENCE_DOC
    if project_styles and reference_doc.is_file():
        args += ["--reference-doc", str(reference_doc)]
    data = pandoc.ast_to_docx({"pandoc-api-version": pandoc.api_version(), "meta": meta, "blocks": blocks}, args)
    return without_pandoc_properties(data)


def without_pandoc_properties(data: bytes) -> bytes:
    """A Word file without the custom properties pandoc writes from its options, which name this
    machine's paths (the bibliography in the cache, the citation style in the environment)."""
    parts = read_parts(data)
    if "docProps/custom.xml" not in parts:
        return data
    set_custom_properties(parts, {})
    return write_parts(parts)
