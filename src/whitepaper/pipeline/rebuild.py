"""Rebuilds after an edit inside chapters: each edited chapter alone is parsed, resolved
within the last build's paper, and rendered; everything else is the last build's.

That holds while the edit changes nothing the rest of the paper sees (a chapter's
`signature`: its numbering and targets, ids, links, cross-references, images,
citations and front matter), which is what most edits are: prose. Anything else (a
changed signature, a file other than a chapter, another option or tool version) takes
the full path, so what a rebuild writes and reports is always what a full build would.

Diagnostics are found again for what was redone, and the last build's kept for the rest:
an edited chapter's own (reading it, resolving it, the chapter checks) come from the
chapter as it now reads, every paper check runs again over the paper with the edited
chapters in it, and those of other chapters and of later stages (render, pdf) are the
last build's. A warning or an error in an edited chapter thus keeps the fast path;
only a last build's diagnostic about an edited chapter that a whole-paper stage found
(WHOLE_PAPER, or another chapter's naming it) takes the full path.
"""

from __future__ import annotations

import copy
import json
import pickle
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from .. import checks, rules
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
# Rules a whole-paper stage raises about a chapter and a rebuild does not run again.
WHOLE_PAPER = frozenset(
    rule.id
    for rule in (
        rules.CITATION_UNKNOWN, rules.CITATION_UNRESOLVED, rules.CITATION_IDENTIFIER_INVALID, rules.CITATION_TAG_UNKNOWN,
        rules.CITATION_TAG_DUPLICATE, rules.CITATION_TAG_INVALID, rules.DUPLICATE_ID, rules.CHAPTER_OUTSIDE, rules.CHAPTER_MISSING,
    )
)  # fmt: skip
AGAIN = ("sources", "resolve", "checks")  # the stages whose diagnostics an edited chapter gets afresh
LATER = ("render", "pdf")  # the stages after the analysis, which a failed build does not reach
STATE_KEY = digest("the last build's state", "5")  # 5: the layout of State (surveys with the glossary's uses); another's is not found


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
    math: bool  # whether they have math (or had math that could not be drawn)
    later: list[Diagnostic]  # the last build's diagnostics of the stages after the analysis


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
        last = _last_diagnostics(analysis.diagnostics, edited_files)
        if last is None:
            return None
        reporter.stage("sources", "edited chapters")
        found = Diagnostics()
        changed = [i for i, c in enumerate(analysis.chapters) if c.rel in edited_files]
        if len(changed) != len(edited_files) or not _read_again(project, analysis, changed, found):
            return None
        reporter.stage("parse", "edited chapters")
        blocks = parsing.result()
    if [analysis.chapters[i].body for i in changed] != bodies:  # saved again meanwhile: parse what was read
        blocks = parse_texts([analysis.chapters[i].body for i in changed], cache)
    reporter.stage("resolve", "edited chapters")
    resolved: dict[int, ResolvedChapter] = {}
    for i, chapter_blocks in zip(changed, blocks, strict=True):
        again = _resolve_again(analysis, document, i, chapter_blocks, state.signatures[i], found)
        if again is None:
            return None
        resolved[i] = again.resolved
        document.chapters[i] = _without_blocks(again.resolved)
        document.targets, document.seen_ids = again.targets, again.seen_ids
    _cite_from(document, [analysis.chapters[i] for i in changed])
    analysis.document = document
    found.extend(Diagnostics(_paper_checks(analysis)))
    kept, later = last
    analysis.diagnostics = Diagnostics(_in_found_order([*kept, *found]))
    reporter.stage("render", "edited chapters")
    body, math = _render_again(state.rendered.body, resolved, analysis, cache)
    context = copy.copy(state.rendered.context)
    context.abstract_html, context.body_html = body.abstract_html, body.body_html
    math = math or any(d.rule == rules.MATH_UNSUPPORTED.id and d.location.path in edited_files for d in later)
    return Edited(analysis, Rendered(body, context), state.signatures, len(changed), math, later)


def _last_diagnostics(diagnostics: Diagnostics, edited_files: list[str]) -> tuple[list[Diagnostic], list[Diagnostic]] | None:
    """The last build's diagnostics a rebuild keeps: those of its analysis that are not found
    again (other chapters', but the paper checks'), and those of the later stages; None if one
    of them is about an edited chapter and only a full build would find it again."""
    paper_rules = {rule.id for check in checks.PAPER_CHECKS if not check.setup for rule in check.rules}
    kept, later = [], []
    for item in diagnostics:
        stage = _stage(item.rule)
        if item.location.path in edited_files:
            if stage not in AGAIN + LATER or item.rule in WHOLE_PAPER or _setup_rule(item.rule):
                return None
        elif any(rel in item.message for rel in edited_files):
            return None  # another chapter's, pointing into an edited one (whose lines may have moved)
        if stage in LATER:
            later.append(item)
        elif item.location.path not in edited_files and item.rule not in paper_rules:
            kept.append(item)
    return kept, later


def _stage(rule: str) -> str:
    declared = rules.CATALOGUE.get(rule)
    return declared.stage if declared is not None else ""


def _setup_rule(rule: str) -> bool:
    return any(rule in {r.id for r in check.rules} for check in checks.PAPER_CHECKS if check.setup)


def _in_found_order(items: list[Diagnostic]) -> list[Diagnostic]:
    """In the order a full build finds them in each place: by stage, chapter checks before paper checks."""
    paper_rules = {rule.id for check in checks.PAPER_CHECKS for rule in check.rules}

    def rank(item: Diagnostic) -> int:
        stage = _stage(item.rule)
        order = AGAIN.index(stage) if stage in AGAIN else 0
        return 2 * order + (item.rule in paper_rules)

    return sorted(items, key=lambda d: (d.location.path, d.location.line, d.location.col, rank(d)))


def _rebase(analysis: Analysis, project: Project) -> None:
    """Paths of the project's files as this build names the project: the last one may have
    named it otherwise (`.` here, `paper/` from the folder above)."""
    analysis.project = project
    for chapter in analysis.chapters:
        chapter.path = project.path(chapter.rel)
    name = analysis.loaded.config.csl if analysis.loaded else ""
    if name.endswith(".csl"):
        analysis.csl = project.path(name)


def _read_again(project: Project, analysis: Analysis, changed: list[int], found: Diagnostics) -> bool:
    """Read the edited chapters into `analysis`, their problems into `found`; False if one no longer reads."""
    for i in changed:
        before = analysis.chapters[i]
        if not still_a_chapter(before.path, project):  # gone, or now a link out of the project
            return False
        diagnostics = Diagnostics()
        chapter = read_chapter(before.path, project, diagnostics, known=before)
        assert analysis.loaded is not None
        diagnostics.apply_rules(analysis.loaded.config.rules)
        found.extend(diagnostics)
        if chapter is None:
            return False
        chapter.slug = before.slug  # as read_chapters made it unique
        analysis.chapters[i] = chapter
    return True


def _resolve_again(analysis: Analysis, document: Document, index: int, blocks: list[object], signed: str, found: Diagnostics) -> Again | None:
    """Chapter `index` resolved within the last build's paper and checked (its problems into `found`),
    if its signature is unchanged (so the rest of the paper is as the last build made it)."""
    assert analysis.loaded is not None
    config = analysis.loaded.config
    chapter = analysis.chapters[index]
    diagnostics = Diagnostics()
    again = resolve_again(analysis.project, config, document, index, chapter, blocks, analysis.bibliography, diagnostics)
    checks.check_chapters(checks.Paper(config, document, analysis.bibliography, analysis.approvals), [again.resolved], diagnostics)
    diagnostics.apply_rules(config.rules)
    if signature(again.resolved, again.own, again.after) != signed:
        return None
    found.extend(diagnostics)
    return again


def _cite_from(document: Document, chapters: list[Chapter]) -> None:
    """Where keys are cited, as the edited chapters now read (their citations are unchanged)."""
    by_file = {chapter.rel: chapter for chapter in chapters}
    document.cited_in = {key: [by_file.get(c.rel, c) for c in cited] for key, cited in document.cited_in.items()}


def _paper_checks(analysis: Analysis) -> list[Diagnostic]:
    """What the paper checks (but those of the machine's set-up) find over the paper with its edited chapters."""
    assert analysis.loaded is not None
    found = Diagnostics()
    checks.check_paper(analysis.checked(), found, setup=False)
    found.apply_rules(analysis.loaded.config.rules)
    return found.items


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
