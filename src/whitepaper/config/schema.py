"""The schema of `whitepaper.yaml`: pydantic models, one documented field each."""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

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

    @field_validator("comment_margin")
    @classmethod
    def _length(cls, value: str) -> str:
        if not re.fullmatch(r"\d+(\.\d+)?(mm|cm|in|pt)", value.strip()):
            raise ValueError("give a length such as 40mm, 4cm, 1.5in or 110pt")
        return value.strip()


Severity = Literal["error", "warning", "ignore"]


class Config(Model):
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
    blocks: dict[str, BlockKind] = Field(default_factory=dict, description="Kinds of numbered boxes, by class name.")
    lists_of: list[Literal["figures", "tables"]] = Field(
        default_factory=list, description="Lists after the table of contents: `figures`, `tables`."
    )
    reviewers: list[Reviewer] = Field(default_factory=list, description="Who reviews which chapters.")
    editors: list[str] = Field(default_factory=list, description="Who may approve any chapter (besides its owners).")
    contributors: bool = Field(True, description="End the paper with a Contributors section: authors' roles, owners, reviewers.")
    review: ReviewSettings = Field(default_factory=ReviewSettings, description="How review editions look.")
    allow_scripts: bool = Field(False, description="Keep raw <script>, event handlers and javascript: URLs from chapters.")
    max_image_size: float = Field(5.0, gt=0, description="Images larger than this many MB are reported.")
    rules: dict[str, Severity] = Field(default_factory=dict, description="Severity per rule id: error, warning or ignore.")

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
