"""Rebuilds after an edit inside chapters: each edited chapter alone is parsed, resolved
within the last build's paper, and rendered; everything else is the last build's.

That holds while the edit changes nothing the rest of the paper sees (a chapter's
`signature`: its numbering and targets, ids, links, cross-references, images,
citations and front matter), which is what most edits are: prose. Anything else (a
changed signature, a file other than a chapter, another option or tool version,
a diagnostic in an edited chapter before or after) takes the full path, so what a
rebuild writes and reports is always what a full build would.

Every check runs again (checks/): the chapter checks on each edited chapter, the paper
checks over the paper with the edited chapters in it; if they find other than the
last build did, the full path is taken.
"""

from __future__ import annotations

import copy
import json
import pickle
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from .. import checks
from ..cache import Cache, digest
from ..diagnostics import Diagnostic, Diagnostics
from ..pandoc.nodes import cites
from ..parse import parse_texts
from ..project import Project
from ..render.body import UNNAMED_CODE, Body, chapter_part, part_payload, render_parts
from ..render.summaries import SummaryTables
from ..resolve import Document, ResolvedChapter
from ..resolve.again import Again, resolve_again, signature
from ..sources.chapters import Chapter, body_of, normalised, read_chapter, still_a_chapter
from .analyse import Analysis
from .key import inputs_key
from .options import BuildOptions, Produced
from .publish import Rendered
from .timing import Timed

NAMESPACE = "rebuild"
MATH = '{"t":"Math",'  # how math starts in a part's pandoc JSON
STATE_KEY = digest("the last build's state", "4")  # 4: the layout of State; a state of another is not found


@dataclass
class State:
    """What the last build leaves for the next one."""

    key: str  # everything the build depended on but its chapters' text
    analysis: Analysis  # its resolved chapters without their blocks
    signatures: list[str]
    rendered: Rendered


@dataclass
class Edited:
    analysis: Analysis
    rendered: Rendered
    signatures: list[str]
    chapters: int  # how many were edited
    math: bool  # whether they have math


def edited(project: Project, options: BuildOptions, reporter: Timed) -> Edited | None:
    """The paper after an edit inside chapters, from the last build, or None for a full build."""
    opened = _open(project)
    if opened is None:
        return None
    files, data = opened
    edited_files = [rel for rel, text in files.items() if _text_digest(project, rel) != text]
    if not edited_files:
        return None
    cache = Cache(project.cache_dir)
    bodies = [body_of(_text(project, rel)) for rel in edited_files]
    with ThreadPoolExecutor(max_workers=1) as pool:
        parsing = pool.submit(parse_texts, bodies, cache)  # pandoc parses while the state is read
        state = _unpickle(data)
        if state is None or state.analysis.document is None or state.analysis.loaded is None:
            return None
        analysis, document = copy.copy(state.analysis), copy.copy(state.analysis.document)
        analysis.chapters, document.chapters = list(analysis.chapters), list(document.chapters)
        _rebase(analysis, project)
        if state.key != _key(project, options, list(files)):
            return None
        if any(d.location.path in edited_files or any(f in d.message for f in edited_files) for d in analysis.diagnostics):
            return None  # a diagnostic about an edited chapter: only a full build can tell whether it stays
        reporter.stage("sources", "edited chapters")
        changed = [i for i, c in enumerate(analysis.chapters) if c.rel in edited_files]
        if len(changed) != len(edited_files) or not _read_again(project, analysis, changed):
            return None
        reporter.stage("parse", "edited chapters")
        blocks = parsing.result()
    if [analysis.chapters[i].body for i in changed] != bodies:  # saved again meanwhile: parse what was read
        blocks = parse_texts([analysis.chapters[i].body for i in changed], cache)
    reporter.stage("resolve", "edited chapters")
    resolved: dict[int, ResolvedChapter] = {}
    for i, chapter_blocks in zip(changed, blocks, strict=True):
        again = _resolve_again(analysis, document, i, chapter_blocks, state.signatures[i])
        if again is None:
            return None
        resolved[i] = again.resolved
        document.chapters[i] = _without_blocks(again.resolved)
        document.targets, document.seen_ids = again.targets, again.seen_ids
    _cite_from(document, [analysis.chapters[i] for i in changed])
    analysis.document = document
    analysis.diagnostics = Diagnostics(list(state.analysis.diagnostics))  # the same, as nothing else changed
    if not _paper_checks_agree(analysis):
        return None
    reporter.stage("render", "edited chapters")
    body, math = _render_again(state.rendered.body, resolved, analysis, cache)
    context = copy.copy(state.rendered.context)
    context.abstract_html, context.body_html = body.abstract_html, body.body_html
    return Edited(analysis, Rendered(body, context), state.signatures, len(changed), math)


def _rebase(analysis: Analysis, project: Project) -> None:
    """Paths of the project's files as this build names the project: the last one may have
    named it otherwise (`.` here, `paper/` from the folder above)."""
    analysis.project = project
    for chapter in analysis.chapters:
        chapter.path = project.path(chapter.rel)
    name = analysis.loaded.config.csl if analysis.loaded else ""
    if name.endswith(".csl"):
        analysis.csl = project.path(name)


def _read_again(project: Project, analysis: Analysis, changed: list[int]) -> bool:
    """Read the edited chapters into `analysis`; False if one no longer reads without a diagnostic."""
    diagnostics = Diagnostics()
    for i in changed:
        before = analysis.chapters[i]
        if not still_a_chapter(before.path, project):  # gone, or now a link out of the project
            return False
        chapter = read_chapter(before.path, project, diagnostics, known=before)
        if chapter is None or len(diagnostics):
            return False
        chapter.slug = before.slug  # as read_chapters made it unique
        analysis.chapters[i] = chapter
    return True


def _resolve_again(analysis: Analysis, document: Document, index: int, blocks: list[object], signed: str) -> Again | None:
    """Chapter `index` resolved within the last build's paper and checked, if that finds no problem
    and its signature is unchanged (so the rest of the paper is as the last build made it)."""
    assert analysis.loaded is not None
    config = analysis.loaded.config
    chapter = analysis.chapters[index]
    diagnostics = Diagnostics()
    again = resolve_again(analysis.project, config, document, index, chapter, blocks, analysis.bibliography, diagnostics)
    checks.check_chapters(checks.Paper(config, document, analysis.bibliography, analysis.approvals), [again.resolved], diagnostics)
    diagnostics.apply_rules(config.rules)
    if len(diagnostics) or signature(again.resolved, again.own, again.after) != signed:
        return None
    return again


def _cite_from(document: Document, chapters: list[Chapter]) -> None:
    """Where keys are cited, as the edited chapters now read (their citations are unchanged)."""
    by_file = {chapter.rel: chapter for chapter in chapters}
    document.cited_in = {key: [by_file.get(c.rel, c) for c in cited] for key, cited in document.cited_in.items()}


def _paper_checks_agree(analysis: Analysis) -> bool:
    """Whether the paper checks find, over the paper with its edited chapters, what the last build found."""
    assert analysis.loaded is not None
    found = Diagnostics()
    checks.check_paper(analysis.checked(), found, setup=False)
    found.apply_rules(analysis.loaded.config.rules)
    paper_rules = {rule.id for check in checks.PAPER_CHECKS if not check.setup for rule in check.rules}
    before = [d for d in analysis.diagnostics if d.rule in paper_rules]
    return _sorted(found.items) == _sorted(before)


def _sorted(items: list[Diagnostic]) -> list[Diagnostic]:
    return sorted(items, key=lambda d: (d.location.path, d.location.line, d.location.col, d.rule, d.message))


def _render_again(last: Body, resolved: dict[int, ResolvedChapter], analysis: Analysis, cache: Cache) -> tuple[Body, bool]:
    """The last build's body with the edited chapters rendered again, and whether they have math."""
    assert analysis.loaded is not None
    body = copy.copy(last)
    body.fragments, body.code_blocks = list(last.fragments), list(last.code_blocks)
    assert analysis.document is not None
    tables = SummaryTables(analysis.project, analysis.document.targets, analysis.loaded.config)
    math = False
    for i, chapter in resolved.items():
        tables.fill(chapter.blocks)
        payload = part_payload(chapter_part(chapter), list(cites(chapter.blocks)), analysis.loaded.config)
        body.fragments[i + 1] = render_parts([payload], cache)[0]  # part 0 is the abstract
        body.code_blocks[i + 1] = payload.count(UNNAMED_CODE)
        math = math or MATH in payload
    body.join()
    return body, math


def remember(project: Project, options: BuildOptions, produced: Produced) -> None:
    """Leave what the next build may reuse (nothing after an edition)."""
    analysis, document = produced.analysis, produced.analysis.document
    if options.edition is not None or document is None:
        return
    signatures = produced.signatures or [
        signature(chapter, document.targets, document.counters[i + 1]) for i, chapter in enumerate(document.chapters)
    ]
    slim = copy.copy(document)
    slim.chapters = [_without_blocks(chapter) for chapter in document.chapters]
    kept = copy.copy(analysis)
    kept.document = slim
    context = copy.copy(produced.rendered.context)
    context.abstract_html = context.body_html = ""  # joined again from the body's parts
    files = {c.rel: digest(c.text) for c in analysis.chapters}  # what was read, even if saved since
    state = State(_key(project, options, list(files)), kept, signatures, Rendered(produced.rendered.body, context))
    # The chapters' digests on a line of their own: the edited chapters are known (and parsed)
    # before the rest is read.
    payload = json.dumps(files).encode() + b"\n" + pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)
    Cache(project.cache_dir).put_bytes(NAMESPACE, STATE_KEY, payload)


def _open(project: Project) -> tuple[dict[str, str], bytes] | None:
    """The last build's chapter digests and (still pickled) state, if there is one."""
    payload = Cache(project.cache_dir).get_bytes(NAMESPACE, STATE_KEY)
    if payload is None:
        return None
    line, _, data = payload.partition(b"\n")
    try:
        files = json.loads(line)
    except ValueError:
        return None
    return (files, data) if isinstance(files, dict) else None


def _unpickle(data: bytes) -> State | None:
    try:
        state = pickle.loads(data)
    except Exception:  # a file of another version's classes
        return None
    return state if isinstance(state, State) else None


def _key(project: Project, options: BuildOptions, chapter_files: list[str]) -> str:
    """What a build depends on besides its chapters' text (formats and jobs do not matter here)."""
    return inputs_key(project, repr(options.paper_size), leave_out=frozenset(chapter_files))


def _text(project: Project, rel: str) -> str:
    """A chapter file's text as `read_chapter` reads it ("" if it cannot be read)."""
    try:
        return normalised(project.path(rel).read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError):
        return ""


def _text_digest(project: Project, rel: str) -> str:
    """By content, as a file saved twice within the clock's resolution keeps its time."""
    return digest(_text(project, rel))


def _without_blocks(chapter: ResolvedChapter) -> ResolvedChapter:
    slim = copy.copy(chapter)
    slim.blocks, slim.sources = [], None
    return slim
