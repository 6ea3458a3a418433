"""The CI files for GitHub and GitLab, rendered from the templates in templates/.

The templates are YAML full of the hostings' own `${{ }}` and `$VAR` syntax, so they mark their
own placeholders differently: `[[ name ]]` and `[% if %]` (jinja2 with other delimiters).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files

from ..project import BUILD_DIR, CACHE_DIR, RELEASES_DIR
from ..version import __version__
from .actions import ACTIONS
from .generated import stamp
from .repo import FALLBACK_BRANCH, Placement

# The system packages a build needs: Pango for WeasyPrint, the fonts the PDF is set in.
SYSTEM_PACKAGES = ("libpango-1.0-0", "libpangoft2-1.0-0", "fonts-noto-core", "fonts-dejavu-core")
DEFAULT_PYTHON = "3.12"

# Each hosting's files: (template, where the hosting reads it, relative to the repository's top).
# GitHub's releases are a workflow of their own: zizmor rightly reports any cache in a workflow
# that a tag starts, as a cache poisoned by one run could reach what another publishes.
HOSTS = {
    "github": (
        ("github.yml", ".github/workflows/whitepaper.yml"),
        ("github-release.yml", ".github/workflows/whitepaper-release.yml"),
    ),
    "gitlab": (("gitlab.yml", ".gitlab-ci.yml"),),
}


@dataclass(frozen=True)
class CiOptions:
    install: str | None = None  # what pip installs (default: this version of whitepaper)
    branch: str | None = None  # the default branch, whose pushes publish the drafts (GitHub); None: ask git
    python: str = DEFAULT_PYTHON


def render(template: str, placement: Placement, options: CiOptions) -> str:
    """The text of a CI file (a template of HOSTS) for a project at `placement`, stamped (generated.py)."""
    import jinja2

    source = files("whitepaper").joinpath("hosting/templates", template).read_text(encoding="utf-8")
    environment = jinja2.Environment(
        variable_start_string="[[",
        variable_end_string="]]",
        block_start_string="[%",
        block_end_string="%]",
        comment_start_string="[#",
        comment_end_string="#]",
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # YAML, not HTML
    )
    prefix = placement.prefix
    text = environment.from_string(source).render(
        version=__version__,
        workflow=HOSTS["github"][0][1],  # the cache of pip is keyed on it: it names the version installed
        install=options.install or f"whitepaper=={__version__}",
        branch=options.branch or FALLBACK_BRANCH,
        python=options.python,
        packages=" ".join(SYSTEM_PACKAGES),
        folder=prefix.rstrip("/"),  # where the jobs run, "" at the top
        build=prefix + BUILD_DIR,
        cache=prefix + CACHE_DIR,
        releases=RELEASES_DIR,
        uses={key: str(action) for key, action in ACTIONS.items()},
    )
    return stamp(text)
