"""Fuzzing: no chapter, front matter or config makes the tool raise an unhandled exception.

CI runs a short profile; `HYPOTHESIS_PROFILE=long` runs 3,000 examples per target.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import write_project
from test_hardening import CONFIG, GOOD


def _fuzz_check(project: Path) -> None:
    from whitepaper.diagnostics import EnvironmentProblem
    from whitepaper.pipeline import check

    try:
        result = check(project, use_cache=False)
    except EnvironmentProblem:
        return  # reported as a message and exit 2 by the CLI, never a traceback
    for diagnostic in result.diagnostics:
        assert diagnostic.rule and diagnostic.location.path


settings.register_profile("ci", max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
settings.register_profile("long", max_examples=3000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
MARKDOWNISH = st.lists(
    st.sampled_from(["# ", "## ", "---\n", ":::", " {#x}", "[@", "]", "@fig-", "![", "](", ")", "|", "\n\n", "$$", "<div>", "\t", "\r\n", "*", "`"]) | TEXT,
    max_size=30,
).map("".join)


@given(text=MARKDOWNISH)
def test_fuzz_chapter_markdown(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    project = write_project(tmp_path_factory.mktemp("fz"), {"01-x.md": text}, CONFIG)
    _fuzz_check(project)


@given(front=TEXT)
def test_fuzz_front_matter(tmp_path_factory: pytest.TempPathFactory, front: str) -> None:
    project = write_project(tmp_path_factory.mktemp("fz"), {"01-x.md": f"---\n{front}\n---\n\nText.\n"}, CONFIG)
    _fuzz_check(project)


@given(config=TEXT | st.dictionaries(st.sampled_from(["title", "authors", "chapters", "csl", "bibliography", "blocks", "rules", "outputs", "date", "x"]),
                                      st.recursive(st.none() | st.booleans() | st.integers() | TEXT, lambda c: st.lists(c, max_size=3) | st.dictionaries(TEXT, c, max_size=3), max_leaves=6),
                                      max_size=6).map(lambda d: json.dumps(d)))  # fmt: skip
def test_fuzz_config(tmp_path_factory: pytest.TempPathFactory, config: str) -> None:
    project = write_project(tmp_path_factory.mktemp("fz"), {"01-x.md": GOOD}, config)
    _fuzz_check(project)
