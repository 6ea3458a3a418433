"""The review rounds a paper went through, as its back matter thanks them: each round's
reviewers, and how many comments each made (read from the rounds' registers).

Only counted here; `review collect` and `review report` read the registers in full and
report what is wrong with one.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import yaml

from ..project import REGISTER_FILE, ROUND_FILE, Project


@dataclass(frozen=True)
class RoundReviewer:
    name: str
    organisation: str | None
    comments: int


@dataclass(frozen=True)
class ReviewRound:
    name: str
    reviewers: list[RoundReviewer]


def read_rounds(project: Project) -> list[ReviewRound]:
    """Every round with a readable round.yaml, in name order."""
    rounds = []
    for path in sorted(project.review_dir.glob(f"*/{ROUND_FILE}")):
        data = _yaml(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            continue
        register = _yaml((path.parent / REGISTER_FILE).read_text(encoding="utf-8")) if (path.parent / REGISTER_FILE).is_file() else {}
        entries = register.get("comments") if isinstance(register, dict) else None
        counts = Counter(e.get("reviewer") for e in entries or [] if isinstance(e, dict) and e.get("kind") != "reply")
        reviewers = [
            RoundReviewer(str(r.get("name")), r.get("organisation"), counts.get(r.get("name"), 0))
            for r in data.get("reviewers") or []
            if isinstance(r, dict) and r.get("name")
        ]
        rounds.append(ReviewRound(str(data.get("round") or path.parent.name), reviewers))
    return rounds


def _yaml(text: str) -> object:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None
