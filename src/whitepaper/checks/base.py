"""What a check is: the rules it may raise, what it looks at, and so when it must run again."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..config.schema import Config
from ..diagnostics import Diagnostics, Rule
from ..resolve import Document, ResolvedChapter
from ..sources.approvals import Approval
from ..sources.bibliography import Bibliography


@dataclass(frozen=True)
class Paper:
    """What the checks look at: the resolved paper, its bibliography and its config.

    Paper checks see each chapter through what resolving surveyed (`chapter.survey`) and its
    source text, never its blocks: a rebuild keeps the blocks of edited chapters only.
    """

    config: Config
    document: Document
    bibliography: Bibliography
    approvals: list[Approval] = field(default_factory=list)  # review/approvals.yaml
    stylesheet: str = ""  # the project's own CSS (`css:` names it), as sources read it


@dataclass(frozen=True)
class ChapterCheck:
    """Looks at one chapter (its text and blocks) in the paper; a rebuild runs it on each edited chapter."""

    rules: tuple[Rule, ...]
    run: Callable[[ResolvedChapter, Paper, Diagnostics], None]


@dataclass(frozen=True)
class PaperCheck:
    """Looks at the whole paper; a rebuild runs it again over the paper with the edited chapters in it.

    `setup` checks look at the machine and the config only (installed fonts): a rebuild,
    which happens only when the config is unchanged, keeps what the last build found.
    """

    rules: tuple[Rule, ...]
    run: Callable[[Paper, Diagnostics], None]
    setup: bool = False
