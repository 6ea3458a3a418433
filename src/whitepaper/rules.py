"""The catalogue: every rule a diagnostic can name, declared once.

Each rule has its id (what diagnostics print and `rules:` in whitepaper.yaml names), its
default severity, the stage that finds it, and a one-line summary; `whitepaper rules`
lists them. Code raises a diagnostic by naming its rule here (`rules.XREF_UNKNOWN`), so a
rule cannot be misspelt at one place, and a new rule is listed as soon as it exists.
"""

from __future__ import annotations

import difflib

from .diagnostics import Rule, Severity

CATALOGUE: dict[str, Rule] = {}

# The stages, in the order a build runs them (then the commands built on it).
STAGES = ("config", "sources", "resolve", "checks", "render", "pdf", "review", "redline", "release", "cite", "import", "environment")


def rule(id: str, severity: Severity, stage: str, summary: str) -> Rule:  # noqa: A002
    """Declare a rule; each id once."""
    if id in CATALOGUE:
        raise ValueError(f"rule '{id}' is declared twice")
    if stage not in STAGES:
        raise ValueError(f"rule '{id}': unknown stage '{stage}'")
    declared = CATALOGUE[id] = Rule(id, severity, stage, summary)
    return declared


def known(rule_id: str) -> bool:
    return rule_id in CATALOGUE


def did_you_mean(rule_id: str) -> str | None:
    close = difflib.get_close_matches(rule_id, list(CATALOGUE), n=1)
    return close[0] if close else None


E, W = Severity.ERROR, Severity.WARNING

# config: whitepaper.yaml --------------------------------------------------------------
CONFIG_MISSING = rule("config-missing", E, "config", "no whitepaper.yaml, or a key it must have is missing")
CONFIG_ENCODING = rule("config-encoding", E, "config", "whitepaper.yaml is not UTF-8")
CONFIG_SYNTAX = rule("config-syntax", E, "config", "whitepaper.yaml is not valid YAML (or repeats a key)")
CONFIG_TYPE = rule("config-type", E, "config", "a value of whitepaper.yaml has the wrong type")
CONFIG_VALUE = rule("config-value", E, "config", "a value of whitepaper.yaml is not allowed (an ORCID iD, a role, a length)")
CONFIG_UNKNOWN_KEY = rule("config-unknown-key", W, "config", "whitepaper.yaml has a key the tool does not know")
CONFIG_DUPLICATE_ID = rule("config-duplicate-id", E, "config", "two affiliations have the same id")
CONFIG_UNKNOWN_AFFILIATION = rule("config-unknown-affiliation", E, "config", "an author names an affiliation id that is not declared")
CONFIG_UNKNOWN_RULE = rule("config-unknown-rule", W, "config", "`rules:` names a rule that does not exist")
CROSSREF_UNSUPPORTED = rule("crossref-unsupported", W, "config", "a pandoc-crossref option (in whitepaper.yaml or front matter) or `\\listoffigures` that the tool does not follow")

# sources: chapters, front matter, bibliography, citation style, stylesheet --------------
CHAPTER_OUTSIDE = rule("chapter-outside", E, "sources", "a chapter is outside the project folder")
CHAPTER_MISSING = rule("chapter-missing", E, "sources", "a chapter listed in whitepaper.yaml does not exist")
CHAPTER_NONE = rule("chapter-none", E, "sources", "the paper has no chapters")
CHAPTER_TOO_LARGE = rule("chapter-too-large", E, "sources", "a chapter file is too large to be prose")
CHAPTER_ENCODING = rule("chapter-encoding", E, "sources", "a chapter is not UTF-8 text")
FRONT_MATTER_SYNTAX = rule("front-matter-syntax", E, "sources", "a chapter's front matter is not valid YAML, or not closed")
FRONT_MATTER_TYPE = rule("front-matter-type", E, "sources", "a front matter value has the wrong type")
FRONT_MATTER_VALUE = rule("front-matter-value", E, "sources", "a front matter value is not allowed")
FRONT_MATTER_MISSING = rule("front-matter-missing", E, "sources", "front matter lacks a key it must have")
FRONT_MATTER_UNKNOWN_KEY = rule("front-matter-unknown-key", W, "sources", "front matter has a key the tool does not know")
BIBLIOGRAPHY_MISSING = rule("bibliography-missing", E, "sources", "a bibliography file listed in whitepaper.yaml does not exist")
BIBLIOGRAPHY_TYPE = rule("bibliography-type", E, "sources", "a bibliography file is not .bib, .json or .yaml")
BIBLIOGRAPHY_ENCODING = rule("bibliography-encoding", E, "sources", "a bibliography file is not UTF-8")
BIBLIOGRAPHY_SYNTAX = rule("bibliography-syntax", E, "sources", "a bibliography file does not parse")
BIBLIOGRAPHY_DUPLICATE_KEY = rule("bibliography-duplicate-key", W, "sources", "two bibliography entries have the same key")
CSL_MISSING = rule("csl-missing", E, "sources", "the citation style file does not exist")
CSL_INVALID = rule("csl-invalid", E, "sources", "the citation style is not a valid CSL style")
CSL_UNKNOWN = rule("csl-unknown", E, "sources", "no citation style has this name")
CSS_OUTSIDE = rule("css-outside", E, "sources", "the stylesheet named by `css:` is outside the project")
CSS_MISSING = rule("css-missing", E, "sources", "the stylesheet named by `css:` does not exist")
CSS_EXTERNAL = rule("css-external", E, "sources", "the stylesheet refers to a file outside the project or the network")
APPROVALS_SYNTAX = rule("approvals-syntax", E, "sources", "review/approvals.yaml is not one approval per line as `whitepaper approve` writes")
CITATION_TAG_DUPLICATE = rule("citation-tag-duplicate", E, "sources", "a citation tag (`[@tag:X]: doi:…`) is defined twice")
CITATION_TAG_INVALID = rule("citation-tag-invalid", E, "sources", "a citation tag's definition is not a tag and an identifier")
CRITICMARKUP_UNCLOSED = rule("criticmarkup-unclosed", E, "sources", "a CriticMarkup suggestion ({++ … ++} and the like) is not closed")
GLOSSARY_MISSING = rule("glossary-missing", E, "sources", "the glossary file named by `glossary: {file: …}` does not exist or is outside the project")
GLOSSARY_SYNTAX = rule("glossary-syntax", E, "sources", "glossary.yaml is not valid YAML (or repeats a key)")
GLOSSARY_INVALID = rule("glossary-invalid", E, "sources", "an entry of glossary.yaml is empty, not text or a mapping, or has a key the glossary does not know")

# resolve: numbering, cross-references, citations, images ------------------------------
HTML_UNSAFE = rule("html-unsafe", W, "resolve", "raw HTML with scripts, event handlers or frames was removed")
CHAPTER_NO_TITLE = rule("chapter-no-title", W, "resolve", "a chapter has neither a `title:` nor a leading heading")
BLOCK_UNDECLARED = rule("block-undeclared", E, "resolve", "a titled box uses a kind not declared under `blocks:`")
BLOCK_NO_ID = rule("block-no-id", W, "resolve", "a numbered box has no id, so it cannot be referred to")
DUPLICATE_ID = rule("duplicate-id", E, "resolve", "two elements of the paper have the same id")
XREF_UNKNOWN = rule("xref-unknown", E, "resolve", "a cross-reference names no figure, table, section or box")
CITATION_UNKNOWN = rule("citation-unknown", E, "resolve", "a citation key is not in the bibliography")
CITATION_UNRESOLVED = rule("citation-unresolved", E, "resolve", "a cited DOI, PMID, arXiv id, ISBN or URL is not in the reference store yet (`whitepaper cite resolve`)")
CITATION_IDENTIFIER_INVALID = rule("citation-identifier-invalid", E, "resolve", "a citation by identifier is malformed (`[@doi:banana]`, an ISBN with a wrong check digit)")
CITATION_TAG_UNKNOWN = rule("citation-tag-unknown", E, "resolve", "a cited tag (`[@tag:X]`) is defined nowhere")
IMAGE_REMOTE = rule("image-remote", W, "resolve", "an image is on the web; it is not fetched")
IMAGE_OUTSIDE = rule("image-outside", E, "resolve", "an image is outside the project folder")
IMAGE_MISSING = rule("image-missing", E, "resolve", "an image file does not exist")
SUMMARY_UNKNOWN_KIND = rule("summary-unknown-kind", E, "resolve", "a summary table names a kind of box not declared")
FIGURE_UNREFERENCED = rule("figure-unreferenced", W, "resolve", "a figure is never referred to in the text")
TABLE_UNREFERENCED = rule("table-unreferenced", W, "resolve", "a table is never referred to in the text")

# checks: what an editor wants fixed before a draft goes out ----------------------------
BIBLIOGRAPHY_MISSING_FIELD = rule("bibliography-missing-field", W, "checks", "an entry lacks what citation styles print")
BIBLIOGRAPHY_BAD_DOI = rule("bibliography-bad-doi", W, "checks", "an entry's DOI is malformed")
BIBLIOGRAPHY_DUPLICATE_WORK = rule("bibliography-duplicate-work", W, "checks", "one work is cited under two keys")
UNUSED_REFERENCE = rule("unused-reference", W, "checks", "a bibliography entry is never cited")
IMAGE_UNREADABLE = rule("image-unreadable", E, "checks", "an image cannot be read, or is not what its name says")
IMAGE_SVG_EXTERNAL = rule("image-svg-external", E, "checks", "an SVG image refers to files or entities outside itself")
IMAGE_LARGE = rule("image-large", W, "checks", "an image is larger than `max-image-size`")
LINK_BROKEN = rule("link-broken", E, "checks", "a link to an anchor lands on no id of the paper")
CHAPTER_EMPTY = rule("chapter-empty", W, "checks", "a chapter has no content")
HEADING_SKIP = rule("heading-skip", W, "checks", "a heading skips a level")
TODO_MARKER = rule("todo-marker", W, "checks", "a TODO, FIXME, XXX or [citation needed] marker is left in the text")
STATUS_UNAPPROVED = rule("status-unapproved", W, "checks", "a chapter says `status: approved` but has no approval of its text")
SUGGESTION_PENDING = rule("suggestion-pending", W, "checks", "a CriticMarkup suggestion in a chapter awaits its owner's decision")
FONT_MISSING = rule("font-missing", W, "checks", "a font the PDF is set in is not installed")
CITATION_TAG_UNUSED = rule("citation-tag-unused", W, "checks", "a citation tag is defined but never cited")
IMAGE_ALT_MISSING = rule("image-alt-missing", W, "checks", "an image has no alternative text and is not marked decorative")
TABLE_HEADER_MISSING = rule("table-header-missing", W, "checks", "a table has no header row")
LINK_TEXT_VAGUE = rule("link-text-vague", W, "checks", "a link's text says nothing of where it goes (\"here\", a bare URL in prose)")
LANG_INVALID = rule("lang-invalid", E, "checks", "a chapter's, span's or div's `lang` is not a valid BCP 47 language tag")
CONTRAST_LOW = rule("contrast-low", W, "checks", "a colour of the project's CSS is below WCAG AA contrast against its background")
ABBREVIATION_UNDEFINED = rule("abbreviation-undefined", W, "checks", "an all-capitals word is used in two or more chapters but glossary.yaml does not define it")
ABBREVIATION_MISMATCH = rule("abbreviation-mismatch", W, "checks", "an abbreviation is spelled out by hand otherwise than glossary.yaml defines it")
ABBREVIATION_SPELLED_OUT = rule("abbreviation-spelled-out", W, "checks", "an abbreviation's long form is written but the abbreviation itself never is")
GLOSSARY_UNUSED = rule("glossary-unused", W, "checks", "an abbreviation or term of glossary.yaml is never used")
TERM_UNKNOWN = rule("term-unknown", W, "checks", "a `[…]{.term}` span names no term of glossary.yaml")

# render and pdf ------------------------------------------------------------------------
PANDOC_WARNING = rule("pandoc-warning", W, "render", "pandoc warned while formatting citations")
MATH_UNSUPPORTED = rule("math-unsupported", W, "render", "a formula cannot be drawn for the PDF; it is shown as TeX")
FETCH_REFUSED = rule("fetch-refused", E, "pdf", "the PDF would read a file outside the project or the network")

# review rounds ----------------------------------------------------------------------------
ROUND_EXISTS = rule("round-exists", E, "review", "a review round of this name exists already")
ROUND_DIRTY_TREE = rule("round-dirty-tree", E, "review", "the work tree has uncommitted changes")
ROUND_NO_REVIEWERS = rule("round-no-reviewers", E, "review", "no reviewers are listed in whitepaper.yaml")
REVIEWER_UNKNOWN_CHAPTER = rule("reviewer-unknown-chapter", E, "review", "a reviewer is assigned a chapter the paper does not have")
COLLECT_UNREADABLE_PDF = rule("collect-unreadable-pdf", E, "review", "a returned PDF cannot be read")
COLLECT_UNREADABLE_SHEET = rule("collect-unreadable-sheet", E, "review", "a returned comment sheet cannot be read")
COLLECT_BAD_SHEET = rule("collect-bad-sheet", W, "review", "a row of a comment sheet has no comment, or a location not found")
COLLECT_NO_DESTINATIONS = rule("collect-no-destinations", W, "review", "a returned PDF has no source-line destinations")
COLLECT_OTHER_ROUND = rule("collect-other-round", W, "review", "a returned packet belongs to another round")
COLLECT_UNKNOWN_PACKET = rule("collect-unknown-packet", W, "review", "a returned PDF is none of the round's packets")
COLLECT_UNREADABLE_DOCX = rule("collect-unreadable-docx", E, "review", "a returned Word file cannot be read")
COLLECT_NO_ANCHORS = rule("collect-no-anchors", W, "review", "a returned file lost what places its comments; they are kept without file and line")
COLLECT_REWRITTEN_PDF = rule("collect-rewritten-pdf", W, "review", "a returned PDF was rewritten; its comments were placed by its margin markers and text")
COLLECT_SUGGESTION_UNPLACED = rule("collect-suggestion-unplaced", W, "review", "a suggested edit's text is not in the source; it is kept as a comment")
COLLECT_WEB_UNSUBMITTED = rule("collect-web-unsubmitted", W, "review", "a reviewer commenting in the browser has not submitted yet; their comments wait")
COLLECT_WEB_UNPLACED = rule("collect-web-unplaced", W, "review", "a browser comment's block is not in the round's sources; it is kept without file and line")
APPROVE_UNKNOWN_CHAPTER = rule("approve-unknown-chapter", E, "review", "`whitepaper approve` names a chapter the paper does not have")
APPROVER_UNKNOWN = rule("approver-unknown", E, "review", "an approval is given by someone who owns neither the chapter nor is an editor")
SUGGESTION_UNKNOWN = rule("suggestion-unknown", E, "review", "no CriticMarkup suggestion of the chapter starts at this LINE:COL id")
APPLY_CONFLICT = rule("apply-conflict", E, "review", "a suggestion's old text is no longer where it was: its file is left as it is")
REGISTER_SYNTAX = rule("register-syntax", E, "review", "the comments register is not valid YAML or lacks ids")
REGISTER_STATUS = rule("register-status", E, "review", "a comment's status is not one the register allows")

# redlines -----------------------------------------------------------------------------------
DIFF_NOT_A_PROJECT = rule("diff-not-a-project", E, "redline", "a side of the redline is not a paper project")
DIFF_UNKNOWN_REVISION = rule("diff-unknown-revision", E, "redline", "a side is not a git revision, a review round or a folder")
DIFF_SIDE_FAILS = rule("diff-side-fails", E, "redline", "a side of the redline cannot be read")

# releases ---------------------------------------------------------------------------------
RELEASE_UNAPPROVED = rule("release-unapproved", E, "release", "a chapter has no approval of its text as it stands")
RELEASE_OPEN_COMMENT = rule("release-open-comment", E, "release", "a reviewer's comment is still open")
RELEASE_DIRTY_TREE = rule("release-dirty-tree", E, "release", "the work tree has uncommitted changes")
RELEASE_EXISTS = rule("release-exists", E, "release", "this version is released already (a release folder or a tag)")

# cite: `whitepaper cite resolve` and `cite add` looking identifiers up ------------------------
CITE_NOT_FOUND = rule("cite-not-found", E, "cite", "the registry has no record of a cited identifier (a DOI that does not exist)")
CITE_FAILED = rule("cite-failed", E, "cite", "an identifier could not be looked up (time-outs, server errors, a malformed answer)")
# import: `whitepaper import manubot` reading another tool's manuscript ---------------------------
IMPORT_SOURCE_INVALID = rule("import-source-invalid", E, "import", "a file of the manuscript being imported cannot be read (YAML, JSON or TSV that does not parse)")

# outside the paper ----------------------------------------------------------------------------
ENVIRONMENT = rule("environment", E, "environment", "a tool is missing or a folder cannot be used")
