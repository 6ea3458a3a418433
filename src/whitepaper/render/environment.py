"""The jinja2 templates: the project's `templates/` folder first, then the package's own.

Every page the tool writes comes from a template file here (render/templates/), so a
project can restyle any of them by putting a file of the same name in its own folder.
"""

from __future__ import annotations

from typing import Any

import jinja2
import jinja2.bccache
import markupsafe

from ..cache import Cache
from ..project import Project


def environment(project: Project) -> jinja2.Environment:
    """Templates from the project's `templates/` folder first, then the package's own."""
    loaders: list[jinja2.BaseLoader] = []
    if project.templates_dir.is_dir():
        loaders.append(jinja2.FileSystemLoader(str(project.templates_dir)))
    loaders.append(jinja2.PackageLoader("whitepaper.render", "templates"))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        bytecode_cache=_CompiledTemplates(project),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["css_string"] = css_string
    return env


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept in the project's cache: compiling them all takes longer than
    rendering after a one-word edit. jinja2 checks that a template's source is unchanged; the
    cache's checksum checks the compiled code itself, so a damaged entry is compiled again."""

    def __init__(self, project: Project):
        self.cache = Cache(project.cache_dir)

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = self.cache.get_bytes("templates", bucket.key)
        if data is None:
            return
        try:
            bucket.bytecode_from_string(data)
        except Exception:  # another Python's code, say: compile again
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.cache.put_bytes("templates", bucket.key, bucket.bytecode_to_string())


def css_string(value: str) -> str:
    """Text safe inside a double-quoted CSS string (and inside an HTML <style>)."""
    escaped = []
    for char in str(value):
        if char in '"\\<>&' or ord(char) < 0x20:
            escaped.append(f"\\{ord(char):x} ")
        else:
            escaped.append(char)
    # Inside <style> the HTML parser decodes no entities, so this must not be autoescaped.
    return markupsafe.Markup("".join(escaped))


def render_template(project: Project, name: str, **values: Any) -> str:
    """A page from one template."""
    return environment(project).get_template(name).render(**values)
