"""Stage 1, config: `whitepaper.yaml` read into a typed, validated `Config`.

The schema is declarative (schema.py: pydantic models, one documented field each).
Every problem is collected with its line and column, then reported at once.
Unknown keys are warnings, so a typo is never silently ignored; so are `rules:`
entries that name no rule of the catalogue.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from .. import rules
from ..diagnostics import DiagnosticError, Diagnostics, Location
from ..project import CONFIG_NAME, Project
from .schema import Config
from .validate import FieldRules, validate
from .yamlpos import LocatedYaml, load_located

CONFIG_RULES = FieldRules(rules.CONFIG_MISSING, rules.CONFIG_TYPE, rules.CONFIG_VALUE, rules.CONFIG_UNKNOWN_KEY)


@dataclass(frozen=True)
class LoadedConfig:
    """The validated config and where each of its values was written."""

    config: Config
    source: LocatedYaml

    def location(self, *keys: str | int) -> Location:
        return self.source.location(keys)


def load_config(project: Project, diagnostics: Diagnostics) -> LoadedConfig:
    """Read and validate the project's config; raise DiagnosticError on errors.

    Warnings (unknown keys and the like) are added to `diagnostics`.
    """
    path = project.config_file
    if not path.is_file():
        diagnostics.add(rules.CONFIG_MISSING, Location(CONFIG_NAME), "no whitepaper.yaml here: not a paper project")
        raise DiagnosticError(diagnostics)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        diagnostics.add(rules.CONFIG_ENCODING, Location(CONFIG_NAME, 1, 1), f"not valid UTF-8 ({exc.reason})")
        raise DiagnosticError(diagnostics) from None
    located = load_located(text, CONFIG_NAME, diagnostics, rule=rules.CONFIG_SYNTAX)
    if located is None or diagnostics.has_errors():
        raise DiagnosticError(diagnostics)
    if not isinstance(located.data, dict):
        diagnostics.add(rules.CONFIG_TYPE, located.location(()), "whitepaper.yaml must be a mapping of keys to values")
        raise DiagnosticError(diagnostics)
    config = validate(Config, located, diagnostics, CONFIG_RULES)
    if config is None or diagnostics.has_errors():
        raise DiagnosticError(diagnostics)
    _check_references(config, located, diagnostics)
    _check_rules(config, located, diagnostics)
    if diagnostics.has_errors():
        raise DiagnosticError(diagnostics)
    return LoadedConfig(config, located)


def _check_rules(config: Config, located: LocatedYaml, diagnostics: Diagnostics) -> None:
    """A severity set for a rule that does not exist changes nothing: say so."""
    for rule_id in config.rules:
        if not rules.known(rule_id):
            close = rules.did_you_mean(rule_id)
            hint = f"; did you mean '{close}'?" if close else " (`whitepaper rules` lists them)"
            diagnostics.add(
                rules.CONFIG_UNKNOWN_RULE, located.location(("rules", rule_id), of_key=True), f"unknown rule '{rule_id}'{hint}"
            )


def _check_references(config: Config, located: LocatedYaml, diagnostics: Diagnostics) -> None:
    ids = [a.id for a in config.affiliations]
    for index, affiliation_id in enumerate(ids):
        if affiliation_id in ids[:index]:
            diagnostics.add(
                rules.CONFIG_DUPLICATE_ID,
                located.location(("affiliations", index, "id")),
                f"duplicate affiliation id '{affiliation_id}'",
            )
    for a_index, author in enumerate(config.authors):
        for i_index, affiliation_id in enumerate(author.affiliations):
            if affiliation_id not in ids:
                close = difflib.get_close_matches(affiliation_id, ids, n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                diagnostics.add(
                    rules.CONFIG_UNKNOWN_AFFILIATION,
                    located.location(("authors", a_index, "affiliations", i_index)),
                    f"author '{author.name}' names unknown affiliation '{affiliation_id}'{hint}",
                )
