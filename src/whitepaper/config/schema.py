"""The schema of `whitepaper.yaml`: pydantic models, one documented field each."""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from ..project import GLOSSARY_NAME

CREDIT_ROLES = (
    "conceptualization", "data curation", "formal analysis", "funding acquisition",
    "investigation", "methodology", "project administration", "resources", "software",
    "supervision", "validation", "visualization", "writing - original draft",
    "writing - review & editing",
)  # fmt: skip


def kebab(name: str) -> str:
    return name.replace("_", "-")


def _to_text(value: Any) -> Any:
    """YAML reads `version: 1.0` as a float; authors mean the text."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value


def _to_list(value: Any) -> Any:
    """Allow a single value where a list is expected (`bibliography: refs.bib`)."""
    if isinstance(value, str):
        return [value]
    return value


Text = Annotated[str, BeforeValidator(_to_text)]


class Model(BaseModel):
    """Base: kebab-case keys in YAML, unknown keys kept aside to warn about."""

    # Schemas are built on first use, not at import: a rebuild from the last build's state
    # validates nothing, and building them all costs a tenth of a second.
    model_config = ConfigDict(alias_generator=kebab, populate_by_name=True, extra="allow", frozen=True, defer_build=True)


class Affiliation(Model):
    id: Text = Field(description="Short id that authors refer to, e.g. `cern`.")
    name: str = Field(description="Full name of the organisation.")
    ror: str | None = Field(None, description="ROR id, e.g. `https://ror.org/01ggx4157`.")
    city: str | None = Field(None, description="City.")
    country: str | None = Field(None, description="Country.")


class Author(Model):
    name: str = Field(description="The author's name as printed.")
    orcid: str | None = Field(None, description="ORCID iD, `0000-0002-1825-0097`.")
    email: str | None = Field(None, description="Contact address.")
    affiliations: Annotated[list[Text], BeforeValidator(_to_list)] = Field(
        default_factory=list, description="Ids of entries in `affiliations`."
    )
    roles: list[str] = Field(default_factory=list, description="CRediT contributor roles.")
    corresponding: bool = Field(False, description="Marks the corresponding author.")

    @field_validator("orcid")
    @classmethod
    def _orcid(cls, value: str | None) -> str | None:
        if value is None:
            return None
        bare = re.sub(r"^https?://orcid\.org/", "", value.strip())
        if not orcid_is_valid(bare):
            raise ValueError(f"'{value}' is not a valid ORCID iD (checksum or form)")
        return bare

    @field_validator("roles")
    @classmethod
    def _roles(cls, roles: list[str]) -> list[str]:
        for role in roles:
            if role.lower().replace("–", "-") not in CREDIT_ROLES:
                close = difflib.get_close_matches(role.lower(), CREDIT_ROLES, n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                raise ValueError(f"'{role}' is not a CRediT role{hint}")
        return roles


class Outputs(Model):
    formats: list[Literal["html", "pdf"]] = Field(
        default_factory=lambda: ["html", "pdf"], description="Which outputs to build."
    )
    name: str = Field("paper", description="Base name of the output files in `build/`.")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", value):
            raise ValueError("use letters, digits, '.', '_' and '-' only")
        return value


class BlockKind(Model):
    """A kind of numbered box authors write as `::: {#id .kind title="..."}`."""

    label: str = Field(description="Name shown and used in references, e.g. `Recommendation`.")
    prefix: str = Field("", description="Put before the number, e.g. `R` gives R1, R2.")
    plural: str | None = Field(None, description="Plural label for grouped references; default label + s.")
    summary: bool = Field(False, description="Offered for summary tables (`::: {.summary-of kind=...}`).")

    @property
    def plural_label(self) -> str:
        return self.plural or f"{self.label}s"


class Reviewer(Model):
    """Someone asked to review, and what they review."""

    name: str = Field(description="The reviewer's name; their packet's file name carries it.")
    email: str | None = Field(None, description="Contact address.")
    organisation: str | None = Field(None, description="Their organisation.")
    chapters: list[str] = Field(default_factory=list, description="Chapter files (or chapter ids) to review; empty: all.")
    due: dt.date | None = Field(None, description="When comments are due.")


class ReviewSettings(Model):
    watermark: str = Field("DRAFT", description="Diagonal text on every page of review editions.")
    comment_margin: str = Field("40mm", description="Width of the right margin left free for comments (a CSS length).")
    paper_size: Literal["a4", "letter"] | None = Field(None, description="Page size of review editions; default as the PDF.")
    other_chapters: Literal["read-only", "hidden"] = Field(
        "read-only", description="In `review serve`: how reviewers see the chapters not assigned to them."
    )
    shared_comments: bool = Field(False, description="In `review serve`: reviewers see each other's submitted comments and reply to them.")

    @field_validator("comment_margin")
    @classmethod
    def _length(cls, value: str) -> str:
        if not re.fullmatch(r"\d+(\.\d+)?(mm|cm|in|pt)", value.strip()):
            raise ValueError("give a length such as 40mm, 4cm, 1.5in or 110pt")
        return value.strip()


Prefix = str | list[str]


class CrossrefOptions(Model):
    """pandoc-crossref's options, under its own (camelCase) names so that a manuscript written for
    it builds unchanged: in whitepaper.yaml for the whole paper, or in a chapter's front matter for
    that chapter (its headings and the references it writes). Unset (None) defers to the paper's."""

    figPrefix: Prefix | None = Field(None, description="References to figures start with this: `fig.`, or `[fig., figs.]` for one and several.")
    eqnPrefix: Prefix | None = Field(None, description="References to equations start with this, e.g. `eq.` (default `Equation`).")
    tblPrefix: Prefix | None = Field(None, description="References to tables start with this, e.g. `tbl.` (default `Table`).")
    secPrefix: Prefix | None = Field(None, description="References to sections, chapters and appendices start with this, e.g. `sec.`.")
    lstPrefix: Prefix | None = Field(None, description="References to code listings start with this, e.g. `lst.` (default `Listing`).")
    autoSectionLabels: bool | None = Field(None, description="Every heading can be referred to as `@sec:` + its id.")
    linkReferences: bool | None = Field(None, description="References are links to what they name (default true).")
    nameInLink: bool | None = Field(None, description="A reference's link covers its name too, `Figure 3`, not `3` alone (default true).")
    subfigGrid: bool | None = Field(None, description="Accepted: subfigures are always laid out in rows, as the blank lines between images say.")
    codeBlockCaptions: bool | None = Field(None, description="Accepted: a `Listing: caption` paragraph next to a code block is always its caption.")


# pandoc-crossref options the tool does not follow, with what to do instead: reported as such
# (crossref-unsupported) rather than as unknown keys, so that an imported manuscript says why.
CROSSREF_UNSUPPORTED = {
    "chapters": "use `numbering: chapter` in whitepaper.yaml",
    "chaptersDepth": "use `numbering: chapter` in whitepaper.yaml",
    "numberSections": "use `number-sections` in whitepaper.yaml",
    "sectionsDepth": "sections are numbered at every depth",
    "autoEqnLabels": "give each equation an id: `$$ … $$ {#eq:name}`",
    "tableEqns": "equations are numbered on the right",
    "figureTitle": "captions say Figure, Table and Listing",
    "tableTitle": "captions say Figure, Table and Listing",
    "listingTitle": "captions say Figure, Table and Listing",
    "titleDelim": "captions read `Figure 1. Caption`",
    "lofTitle": "use `lists-of:` in whitepaper.yaml",
    "lotTitle": "use `lists-of:` in whitepaper.yaml",
    "lolTitle": "use `lists-of:` in whitepaper.yaml",
    "figLabels": "figures, tables, equations and listings are numbered 1, 2, 3",
    "eqLabels": "figures, tables, equations and listings are numbered 1, 2, 3",
    "tblLabels": "figures, tables, equations and listings are numbered 1, 2, 3",
    "lstLabels": "figures, tables, equations and listings are numbered 1, 2, 3",
    "secLabels": "sections are numbered 1.1, 1.2; appendices A, B",
    "subfigLabels": "subfigures are lettered a, b, c",
    "rangeDelim": "groups of references read `Figures 1, 2 and 3`",
    "pairDelim": "groups of references read `Figures 1, 2 and 3`",
    "lastDelim": "groups of references read `Figures 1, 2 and 3`",
    "refDelim": "groups of references read `Figures 1, 2 and 3`",
    "chapDelim": "per-chapter numbers read `3.2`",
    "cref": "LaTeX output only; nothing to do for HTML and PDF",
    "listings": "LaTeX output only; nothing to do for HTML and PDF",
    "prefixes": "use figPrefix, eqnPrefix, tblPrefix, secPrefix or lstPrefix",
    "secLevelLabels": "sections are numbered 1.1, 1.2; appendices A, B",
    "setLabelAttribute": "numbers are in the text, not in attributes",
    "eqnBlockInlineMath": "equations are numbered on the right",
    "ccsLabelSep": "each subfigure has its own caption under it",
    "autoFigLabels": "give each figure an id: `{#fig:name}`",
    "crossrefYaml": "put the options in whitepaper.yaml",
}
CROSSREF_TEMPLATES = ("Template", "ItemTitle", "Delim", "TeX")  # name endings: templates and the like, none followed


def crossref_unsupported(key: str) -> str | None:
    """What to do instead of pandoc-crossref option `key`, or None when it is not one the tool ignores."""
    if key in CROSSREF_UNSUPPORTED:
        return CROSSREF_UNSUPPORTED[key]
    if key[:1].islower() and key.endswith(CROSSREF_TEMPLATES) and key != key.lower():
        return "caption, reference and equation templates are not followed"
    if key in {name[0].upper() + name[1:] for name in CrossrefOptions.model_fields if name.endswith("Prefix")}:
        return f"a capitalised reference (`@Fig:x`) capitalises {key[0].lower() + key[1:]}"
    return None


class CiteEndpoints(Model):
    """Where `whitepaper cite` looks identifiers up; each can also be set by an environment
    variable (WHITEPAPER_CITE_DOI and so on), which wins: a CI job or a test points them elsewhere."""

    doi: str = Field("https://doi.org", description="DOI content negotiation (Crossref, DataCite and the other agencies).")
    pubmed: str = Field("https://api.ncbi.nlm.nih.gov/lit/ctxp/v1", description="NCBI's literature citation exporter, for PMID and PMCID.")
    arxiv: str = Field("https://export.arxiv.org/api/query", description="The arXiv API (Atom).")
    isbn: str = Field("https://openlibrary.org/api/books", description="Open Library's books API, for ISBN.")


class CiteSettings(Model):
    """Citations by identifier (`[@doi:…]`): the store `whitepaper cite resolve` writes, and how it asks."""

    resolved: str = Field("bibliography/resolved.json", description="The reference store: CSL JSON written by `whitepaper cite resolve`, committed.")
    manual: str = Field("bibliography/manual.json", description="Entries written by hand (CSL JSON); they win over the store and are never fetched.")
    mailto: str | None = Field(None, description="A contact address sent with every lookup, as Crossref and NCBI ask of clients.")
    endpoints: CiteEndpoints = Field(default_factory=CiteEndpoints, description="The services asked.")
    per_host: int = Field(2, ge=1, le=8, description="Requests in flight at once to one host.")
    retries: int = Field(3, ge=0, le=10, description="Tries again after a time-out, a 429 or a 5xx.")
    backoff: float = Field(1.0, ge=0, le=60, description="Seconds before the first retry, doubled each time, with jitter (or as Retry-After says).")
    request_timeout: float = Field(20.0, gt=0, description="Seconds one request may take.")
    timeout: float = Field(120.0, gt=0, description="Seconds the whole lookup may take.")


class GlossarySettings(Model):
    """Abbreviations and terms (glossary.yaml): where they are defined and how the text spells them out."""

    file: str = Field(GLOSSARY_NAME, description="The file of abbreviations and terms, project-relative.")
    expand: Literal["chapter", "paper", "never"] = Field(
        "chapter", description="Spell an abbreviation out on its first use in each chapter (read apart by reviewers), in the paper, or never."
    )
    ignore: list[str] = Field(
        default_factory=list, description="All-capitals words that need no definition, besides units, country codes and Roman numerals."
    )


Severity = Literal["error", "warning", "ignore"]


class Config(CrossrefOptions):
    """Everything `whitepaper.yaml` may say."""

    title: str = Field(description="Title of the paper.")
    subtitle: str | None = Field(None, description="Subtitle, under the title.")
    short_title: str | None = Field(None, description="Running header text; defaults to the title.")
    version: Text = Field("draft", description="Version printed on the title page and header.")
    date: dt.date | None = Field(None, description="Date of the draft; default today or SOURCE_DATE_EPOCH.")
    lang: str = Field("en", description="Language tag (BCP 47), e.g. `en-GB`.")
    abstract: str | None = Field(None, description="Abstract (Markdown).")
    keywords: list[str] = Field(default_factory=list, description="Keywords.")
    license: str | None = Field(None, description="Licence statement, e.g. `CC BY 4.0`.")
    repository: str | None = Field(None, description="Where the paper's sources are (a git repository's URL), for citations.")
    authors: list[Author] = Field(default_factory=list, description="Authors in order.")
    affiliations: list[Affiliation] = Field(default_factory=list, description="Organisations.")
    chapters: list[str] | None = Field(None, description="Chapter files in order; default `chapters/*.md`.")
    bibliography: Annotated[list[str], BeforeValidator(_to_list)] = Field(
        default_factory=list, description="`.bib`, `.json` (CSL JSON) or `.yaml` files."
    )
    csl: str = Field("vancouver", description="Citation style: a name (`apa`, `ieee`, ...) or a `.csl` path.")
    outputs: Outputs = Field(default_factory=Outputs, description="What to build.")
    paper_size: Literal["a4", "letter"] = Field("a4", description="PDF page size.")
    toc_depth: int = Field(2, ge=1, le=4, description="Heading levels in the table of contents.")
    css: str | None = Field(None, description="Extra CSS file applied to HTML and PDF.")
    number_sections: bool = Field(True, description="Number chapters and sections: 1, 1.1, 1.1.1.")
    numbering: Literal["global", "chapter"] = Field(
        "global", description="Figures, tables, equations and blocks: `global` (Figure 7) or `chapter` (Figure 3.2)."
    )
    number_unlabelled: bool = Field(
        True, description="Number figures and tables without an id too; `false` numbers only those with one, as pandoc-crossref and Quarto do."
    )
    blocks: dict[str, BlockKind] = Field(default_factory=dict, description="Kinds of numbered boxes, by class name.")
    lists_of: list[Literal["figures", "tables", "listings"]] = Field(
        default_factory=list, description="Lists after the table of contents: `figures`, `tables`, `listings`."
    )
    reviewers: list[Reviewer] = Field(default_factory=list, description="Who reviews which chapters.")
    editors: list[str] = Field(default_factory=list, description="Who may approve any chapter (besides its owners).")
    contributors: bool = Field(True, description="End the paper with a Contributors section: authors' roles, owners, reviewers.")
    review: ReviewSettings = Field(default_factory=ReviewSettings, description="How review editions look.")
    cite: CiteSettings = Field(default_factory=CiteSettings, description="Citations by DOI, PMID, arXiv id, ISBN or URL (`whitepaper cite`).")
    glossary: GlossarySettings = Field(default_factory=GlossarySettings, description="Abbreviations and terms: glossary.yaml and how uses are spelled out.")
    allow_scripts: bool = Field(False, description="Keep raw <script>, event handlers and javascript: URLs from chapters.")
    max_image_size: float = Field(5.0, gt=0, description="Images larger than this many MB are reported.")
    rules: dict[str, Severity] = Field(default_factory=dict, description="Severity per rule id: error, warning or ignore.")

    @field_validator("chapters", mode="before")
    @classmethod
    def _chapters(cls, value: Any) -> Any:
        if isinstance(value, bool):  # pandoc-crossref's option of the same name, from an imported manuscript
            raise ValueError("a list of chapter files is expected; pandoc-crossref's `chapters: true` is `numbering: chapter` here")
        return value

    @field_validator("lang")
    @classmethod
    def _lang(cls, value: str) -> str:
        problem = language_tag_problem(value)
        if problem:
            raise ValueError(problem)
        return value

    @property
    def running_title(self) -> str:
        return self.short_title or self.title

    def resolved_date(self) -> dt.date:
        if self.date:
            return self.date
        epoch = os.environ.get("SOURCE_DATE_EPOCH")
        if epoch and epoch.isdigit():
            return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
        return dt.date.today()


def language_tag_problem(tag: str) -> str:
    """Why `tag` is not a valid BCP 47 language tag ("" when it is), as the IANA registry has them.

    The config's `lang:` and the checks of chapters' and spans' `lang` (lang-invalid) say the same.
    """
    import langcodes  # imported here: its registry takes tens of milliseconds to load

    # langcodes also takes CLDR's `en_GB`, which BCP 47 (and so HTML and PDF) does not.
    hyphenated = tag.replace("_", "-")
    if not langcodes.tag_is_valid(hyphenated):
        return f"'{tag}' is not a valid BCP 47 language tag (such as en, en-GB or zh-Hant-TW)"
    if hyphenated != tag:
        return f"'{tag}' is not a valid BCP 47 language tag: write '{hyphenated}'"
    return ""


def orcid_is_valid(orcid: str) -> bool:
    """ISO 7064 11,2 checksum, as ORCID specifies."""
    if not re.fullmatch(r"\d{4}-\d{4}-\d{4}-\d{3}[\dX]", orcid):
        return False
    digits = orcid.replace("-", "")
    total = 0
    for char in digits[:-1]:
        total = (total + int(char)) * 2
    check = (12 - total % 11) % 11
    return digits[-1] == ("X" if check == 10 else str(check))
