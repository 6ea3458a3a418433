"""The one adapter to pandoc.

pypandoc finds the pandoc that the `pypandoc-binary` wheel bundles; we then
call it directly with pipes, because we need its stderr (warnings) and exit
status, and because pypandoc's temporary files cost time on every call.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from ..diagnostics import EnvironmentProblem


@functools.cache
def pandoc_path() -> str:
    """The pandoc the `pypandoc-binary` wheel bundles, found without importing pypandoc (which
    takes longer than resolving an edited chapter); else wherever pypandoc finds one."""
    spec = importlib.util.find_spec("pypandoc")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        bundled = Path(folder) / "files" / "pandoc"
        if bundled.is_file() and os.access(bundled, os.X_OK):
            return str(bundled)
    try:
        import pypandoc

        return str(pypandoc.get_pandoc_path())
    except (ImportError, OSError) as exc:
        raise EnvironmentProblem(f"pandoc is not available: {exc}; install with `pip install pypandoc-binary`") from None


@functools.cache
def _versions() -> tuple[str, list[int]]:
    """pandoc's version and the version of the AST it speaks, asked in one run."""
    output = run(["lua", "-e", "io.write(tostring(PANDOC_VERSION), ' ', tostring(PANDOC_API_VERSION))"]).stdout.decode()
    version, api = output.split()
    return version, [int(part) for part in api.split(".")]


def pandoc_version() -> str:
    return _versions()[0]


def api_version() -> list[int]:
    """The AST version pandoc speaks, needed to hand it a JSON document."""
    return _versions()[1]


class PandocFailed(EnvironmentProblem):
    pass


Item = TypeVar("Item")
Result = TypeVar("Result")


def in_processes(items: list[Item], call: Callable[[list[Item]], list[Result]]) -> list[Result]:
    """`call` (one pandoc process for a list of items) over `items` shared among one process per
    core, results in the items' order. Starting pandoc costs more than most of its work on one
    chapter, so each process takes many."""
    if not items:
        return []
    batches = dealt(len(items))
    with ThreadPoolExecutor(max_workers=len(batches)) as pool:
        results = list(pool.map(lambda batch: call([items[i] for i in batch]), batches))
    ordered: dict[int, Result] = {}
    for batch, values in zip(batches, results, strict=True):
        ordered.update(zip(batch, values, strict=True))
    return [ordered[index] for index in range(len(items))]


def dealt(count: int) -> list[list[int]]:
    """Indexes 0..count-1 dealt round-robin to one pandoc process per core (at most 8): each
    process gets a share of long and short texts, and each writes its next one at about the
    same time as the others."""
    workers = max(1, min(count, os.cpu_count() or 1, 8))
    return [list(range(start, count, workers)) for start in range(workers)] if count else []


def failed(args: list[str], stderr: bytes) -> PandocFailed:
    """The error for a pandoc run with `args` that exited non-zero, with what it said."""
    return PandocFailed(f"pandoc {' '.join(args[:4])} failed: {stderr.decode(errors='replace').strip()}")


# The bundled pandoc asks its runtime for a 64 MB heap up front (-H64m); touching that memory
# costs more than parsing a chapter. Measured on one 3,000-word chapter: 88 ms with the
# default, 45 ms with -H1m; on 60 chapters at once 1.58 s and 1.32 s.
RUNTIME = ["+RTS", "-H1m", "-RTS"]


def run(args: list[str], stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    """Run pandoc; a non-zero exit is a bug or a broken install, not a user error."""
    process = subprocess.run([pandoc_path(), *RUNTIME, *args], input=stdin, capture_output=True, check=False)
    if process.returncode != 0:
        raise failed(args, process.stderr)
    return process


READ_MANY = Path(__file__).parent / "lua" / "read_many.lua"
WRITE_MANY = Path(__file__).parent / "lua" / "write_many.lua"
HTML_WRITER = "html5 --wrap=none --mathml"  # what WRITE_MANY does, for cache keys


def markdown_to_asts(texts: list[str], reader: str = "markdown") -> list[dict[str, Any]]:
    """Parse several Markdown texts, each on its own, in one pandoc process.

    Starting pandoc costs more than parsing a chapter (its runtime reserves a
    64 MB heap), so one `pandoc lua` process reads them all with pandoc.read.
    """
    request = json.dumps({"reader": reader, "texts": texts}).encode("utf-8")
    lines = run(["lua", str(READ_MANY)], request).stdout.splitlines()
    if len(lines) != len(texts):
        raise PandocFailed(f"pandoc returned {len(lines)} documents for {len(texts)} texts")
    return [json.loads(line) for line in lines]


def asts_to_html(documents: list[str]) -> list[str]:
    """Render several documents (each as pandoc JSON text) to HTML fragments in one pandoc
    process, as `-t html5 --wrap=none --mathml` would, each on its own."""
    lines = run(["lua", str(WRITE_MANY)], json.dumps(documents).encode("utf-8")).stdout.splitlines()
    if len(lines) != len(documents):
        raise PandocFailed(f"pandoc returned {len(lines)} fragments for {len(documents)} documents")
    return [json.loads(line) for line in lines]


def citeproc_args(csl: Path, bibliography_json: Path | None) -> list[str]:
    """pandoc's arguments for formatting citations with citeproc: the style and the bibliography."""
    return ["--citeproc", "--csl", str(csl)] + (["--bibliography", str(bibliography_json)] if bibliography_json else [])


def markdown_to_docx(text: str) -> bytes:
    """A Word file from Markdown (pandoc writes it to stdout)."""
    return run(["-f", "markdown", "-t", "docx", "-o", "-"], text.encode("utf-8")).stdout


def ast_to_html(document: dict[str, Any], extra_args: list[str]) -> tuple[str, str]:
    """Render an AST to an HTML fragment; returns the HTML and pandoc's warnings."""
    payload = json.dumps(document, ensure_ascii=False).encode("utf-8")
    process = run(["-f", "json", "-t", "html5", "--wrap=none", *extra_args], payload)
    return process.stdout.decode("utf-8"), process.stderr.decode("utf-8", errors="replace")


def ast_to_docx(document: dict[str, Any], extra_args: list[str]) -> bytes:
    """Render an AST to a Word file (pandoc writes it to stdout)."""
    payload = json.dumps(document, ensure_ascii=False).encode("utf-8")
    return run(["-f", "json", "-t", "docx", "-o", "-", *extra_args], payload).stdout


def bibliography_to_csl(path: str) -> list[dict[str, Any]]:
    """Read a .bib/.json/.yaml bibliography into CSL JSON items (pandoc does the parsing)."""
    process = run(["-f", _bibliography_reader(path), "-t", "csljson", path])
    return json.loads(process.stdout)  # type: ignore[no-any-return]


def _bibliography_reader(path: str) -> str:
    if path.endswith(".bib"):
        return "biblatex"
    if path.endswith(".json"):
        return "csljson"
    return "markdown"  # YAML bibliographies are pandoc Markdown metadata
