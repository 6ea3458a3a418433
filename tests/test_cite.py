"""Citations by identifier: keys normalised to one entry, `whitepaper cite resolve` against a fake
registry on loopback (recorded answers in tests/cite_responses/, and the failures real services
have), the store's stable form, hand edits, citation tags, and builds that never touch the network.
"""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from conftest import run_cli, write_project
from whitepaper.sources.identifiers import InvalidIdentifier, identify
from whitepaper.sources.store import dumps

RESPONSES = Path(__file__).parent / "cite_responses"
CSL = "application/vnd.citationstyles.csl+json"
CONFIG = """\
    title: Cite Fixture
    authors:
      - name: Ada Example
    cite:
      mailto: editor@example.org
      per-host: 2
      retries: 2
      backoff: 0.05
      request-timeout: 0.3
      timeout: 30
    """
GOOD = {
    "doi:10.1038/sdata.2016.18", "doi:10.1038/s41591-018-0300-7", "doi:10.6084/m9.figshare.4724797",
    "pmid:31337762", "pmcid:PMC5832410", "arxiv:1602.05629v3", "isbn:9780262033848",
}  # fmt: skip
FAILING = {
    "doi:10.1234/no-such-doi": ("cite-not-found", "has no record of it (404"),
    "doi:10.1234/always-down": ("cite-failed", "answered 503 Service Unavailable (3 tries)"),
    "doi:10.1234/slow": ("cite-failed", "did not answer within 0.3 s (3 tries)"),
    "doi:10.1234/garbled": ("cite-failed", "malformed JSON"),
    "pmid:99999999": ("cite-not-found", "NCBI has no record of it (ID 99999999 not found)"),
    "arxiv:9912.99999": ("cite-not-found", "arXiv has no record of it"),
}


# The fake registry ---------------------------------------------------------------------------


@dataclass
class Request:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    at: float


@dataclass
class Registry:
    """What the fake services were asked, and how many requests were in flight at most."""

    base: str = ""
    requests: list[Request] = field(default_factory=list)
    in_flight: int = 0
    most_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def asked(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]


def _answer(registry: Registry, request: Request) -> tuple[int, dict[str, str], bytes]:
    """The recorded answer to one request, as doi.org, Crossref, DataCite, NCBI, arXiv, Open Library
    or a publisher's page would give it."""
    path, arg = request.path, lambda name: request.query.get(name, [""])[0]
    times = len(registry.asked(path))  # including this one
    csl_json = {"Content-Type": f"{CSL}; charset=utf-8"}
    if path.startswith("/doi/"):
        doi = path.removeprefix("/doi/").lower()
        if doi == "10.1038/s41591-018-0300-7" and times <= 2:
            return (500, {}, b"Internal Server Error") if times == 1 else (502, {}, b"Bad Gateway")
        if doi == "10.6084/m9.figshare.4724797" and times == 1:
            return 429, {"Retry-After": "1"}, b"Too Many Requests"
        redirects = {
            "10.1038/sdata.2016.18": "/crossref/works/10.1038/sdata.2016.18/transform",
            "10.1038/s41591-018-0300-7": "/crossref/works/10.1038/s41591-018-0300-7/transform",
            "10.6084/m9.figshare.4724797": "/datacite/dois/10.6084/m9.figshare.4724797",
        }
        if doi in redirects:  # doi.org hands the request to the DOI's registration agency
            return 302, {"Location": redirects[doi]}, b""
        if doi == "10.1234/always-down":
            return 503, {}, b"Service Unavailable"
        if doi == "10.1234/slow":
            time.sleep(0.6)
            return 200, csl_json, b"{}"
        if doi == "10.1234/garbled":
            return 200, csl_json, b'{"title": "The first half of an ans'
        return 404, {"Content-Type": "text/html"}, (RESPONSES / "doi-not-found.html").read_bytes()
    if path.startswith(("/crossref/", "/datacite/")):
        if CSL not in request.headers.get("accept", ""):
            return 200, {"Content-Type": "text/html"}, b"<html>a landing page</html>"
        name = {
            "/crossref/works/10.1038/sdata.2016.18/transform": "crossref-sdata.2016.18.json",
            "/crossref/works/10.1038/s41591-018-0300-7/transform": "crossref-s41591-018-0300-7.json",
            "/datacite/dois/10.6084/m9.figshare.4724797": "datacite-figshare.4724797.json",
        }[path]
        return 200, csl_json, (RESPONSES / name).read_bytes()
    if path in ("/ncbi/pubmed/", "/ncbi/pmc/"):
        name = {"31337762": "ncbi-pubmed-31337762.json", "5832410": "ncbi-pmc-PMC5832410.json"}.get(
            arg("id"), "ncbi-error.json"
        )
        return 200, {"Content-Type": "application/json"}, (RESPONSES / name).read_bytes()
    if path == "/arxiv/query":
        name = "arxiv-1602.05629v3.xml" if arg("id_list") == "1602.05629v3" else "arxiv-empty.xml"
        return 200, {"Content-Type": "application/atom+xml; charset=utf-8"}, (RESPONSES / name).read_bytes()
    if path == "/openlibrary/api/books":
        body = (
            (RESPONSES / "openlibrary-9780262033848.json").read_bytes()
            if arg("bibkeys") == "ISBN:9780262033848"
            else b"{}"
        )
        return 200, {"Content-Type": "application/json"}, body
    pages = {"/articles/fair-data": "page-highwire.html", "/blog/federated": "page-opengraph.html"}
    if path in pages:
        return 200, {"Content-Type": "text/html; charset=utf-8"}, (RESPONSES / pages[path]).read_bytes()
    return 404, {}, b"not here"


def _handler(registry: Registry) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            request = Request(
                parts.path, parse_qs(parts.query), {k.lower(): v for k, v in self.headers.items()}, time.monotonic()
            )
            with registry.lock:
                registry.requests.append(request)
                registry.in_flight += 1
                registry.most_in_flight = max(registry.most_in_flight, registry.in_flight)
            try:
                status, headers, body = _answer(registry, request)
            finally:
                with registry.lock:
                    registry.in_flight -= 1
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (the time-out tests)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


@pytest.fixture(scope="module")
def registry() -> Iterator[Registry]:
    """The fake services on loopback, and the environment pointing `whitepaper cite` at them."""
    state = Registry()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    with pytest.MonkeyPatch.context() as patch:
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
            patch.delenv(name, raising=False)
        patch.setenv("NO_PROXY", "127.0.0.1")
        for service, path in (
            ("DOI", "/doi"),
            ("PUBMED", "/ncbi"),
            ("ARXIV", "/arxiv/query"),
            ("ISBN", "/openlibrary/api/books"),
        ):
            patch.setenv(f"WHITEPAPER_CITE_{service}", state.base + path)
        yield state
    server.shutdown()
    server.server_close()


# A paper citing every kind of identifier, resolved once for the tests below ------------------------


@dataclass
class Resolved:
    project: Path
    output: str
    exit_code: int
    seconds: float
    store_text: str


def _chapters(base: str) -> dict[str, str]:
    return {
        "01-found.md": f"""\
            ---
            title: Found
            ---

            Data should be FAIR [@doi:10.1038/sdata.2016.18], whatever the case of the DOI
            [@doi:10.1038/SDATA.2016.18], its prefix [@doi:https://doi.org/10.1038/sdata.2016.18]
            or its tag [@tag:fair].

            Medicine [@doi:10.1038/s41591-018-0300-7] and theses [@doi:10.6084/m9.figshare.4724797].
            Re-identification [@pmid:31337762]; access [@pmcid:PMC5832410]; learning [@arxiv:1602.05629v3];
            algorithms [@isbn:978-0-262-03384-8], the same book [@isbn:0-262-03384-4].
            A journal's page [@url:{base}/articles/fair-data] and a blog [@url:{base}/blog/federated?ref=share&lang=en].

            [@tag:fair]: doi:10.1038/sdata.2016.18
            """,
        "02-failing.md": """\
            ---
            title: Failing
            ---

            Not found [@doi:10.1234/no-such-doi]. Down [@doi:10.1234/always-down].
            Slow [@doi:10.1234/slow]. Garbled [@doi:10.1234/garbled].
            Unknown [@pmid:99999999] and [@arxiv:9912.99999].
            """,
    }


@pytest.fixture(scope="module")
def resolved(registry: Registry, tmp_path_factory: pytest.TempPathFactory) -> Resolved:
    project = write_project(tmp_path_factory.mktemp("cite"), _chapters(registry.base), config=CONFIG, bib=None)
    started = time.monotonic()
    result = run_cli("cite", "resolve", project)
    seconds = time.monotonic() - started
    store = project / "bibliography" / "resolved.json"
    return Resolved(project, result.output, result.exit_code, seconds, store.read_text(encoding="utf-8"))


def _urls(registry: Registry) -> set[str]:
    return {f"url:{registry.base}/articles/fair-data", f"url:{registry.base}/blog/federated?ref=share&lang=en"}


def test_the_store_holds_exactly_the_good_entries(resolved: Resolved, registry: Registry) -> None:
    store = json.loads(resolved.store_text)
    assert {item["id"] for item in store} == GOOD | _urls(registry)
    by_id = {item["id"]: item for item in store}
    fair = by_id["doi:10.1038/sdata.2016.18"]
    assert fair["title"] == "The FAIR Guiding Principles for scientific data management and stewardship"
    assert fair["author"][0] == {"family": "Wilkinson", "given": "Mark D."}
    assert fair["container-title"] == "Scientific Data" and fair["ISSN"] == "2052-4463"
    assert fair["issued"] == {"date-parts": [[2016, 3, 15]]}
    for noise in ("indexed", "reference", "license", "abstract", "is-referenced-by-count", "link", "score"):
        assert noise not in fair  # Crossref's bookkeeping would make every refresh a diff
    assert by_id["doi:10.6084/m9.figshare.4724797"]["type"] == "thesis"  # DataCite
    assert by_id["pmid:31337762"]["author"][2] == {"family": "de Montjoye", "given": "Yves-Alexandre"}
    assert "accessed" not in by_id["pmid:31337762"] and "status" not in by_id["pmid:31337762"]
    assert by_id["pmcid:PMC5832410"]["container-title"] == "eLife"
    learning = by_id["arxiv:1602.05629v3"]
    assert learning["title"] == "Communication-Efficient Learning of Deep Networks from Decentralized Data"
    assert learning["author"][0] == {"family": "McMahan", "given": "H. Brendan"} and learning["version"] == "3"
    assert (
        learning["issued"] == {"date-parts": [[2016, 2, 17]]}
        and learning["URL"] == "https://arxiv.org/abs/1602.05629v3"
    )
    book = by_id["isbn:9780262033848"]
    assert (book["type"], book["publisher"], book["publisher-place"], book["number-of-pages"]) == (
        "book",
        "MIT Press",
        "Cambridge, Mass",
        "1292",
    )
    journal = by_id[f"url:{registry.base}/articles/fair-data"]  # Highwire tags win over Dublin Core and OpenGraph
    assert journal["title"] == "Federated analysis for rare diseases: code travels, data stays"
    assert journal["author"] == [{"family": "Okafor", "given": "Amara"}, {"family": "Brandt", "given": "Lukas"}]
    assert (journal["type"], journal["container-title"], journal["page"]) == (
        "article-journal",
        "Journal of Open Medicine",
        "101-117",
    )
    assert journal["issued"] == {"date-parts": [[2024, 5, 14]]} and "accessed" in journal
    blog = by_id[f"url:{registry.base}/blog/federated?ref=share&lang=en"]
    assert (blog["type"], blog["title"], blog["container-title"]) == (
        "webpage",
        "Why we share code, not data",
        "The Data Commons Blog",
    )
    assert blog["author"] == [{"family": "Marchetti", "given": "Sofia"}] and blog["issued"] == {
        "date-parts": [[2023, 11, 2]]
    }


def test_the_store_is_written_to_diff_well(resolved: Resolved) -> None:
    store = json.loads(resolved.store_text)
    assert resolved.store_text == dumps(store) and resolved.store_text.endswith("}\n]\n")
    assert [item["id"] for item in store] == sorted(item["id"] for item in store)
    assert '\n  {\n    "DOI": "10.1038/s41591-018-0300-7",\n' in resolved.store_text  # keys sorted, indent 2


def test_failures_are_reported_with_their_ids_and_reasons(resolved: Resolved) -> None:
    assert resolved.exit_code == 1
    assert "bibliography/resolved.json written: 9 looked up, 0 in the store already, 6 failed" in resolved.output
    for key, (rule, why) in FAILING.items():
        line = next(line for line in resolved.output.splitlines() if f"'{key}' was not looked up" in line)
        assert line.startswith("chapters/02-failing.md:") and line.endswith(f"[{rule}]") and why in line, line
        assert f"  {key}: " in resolved.output  # the summary at the end
    assert (
        "chapters/02-failing.md:5:12: error: 'doi:10.1234/no-such-doi' was not looked up: 127.0.0.1:" in resolved.output
    )


def test_the_client_is_polite(resolved: Resolved, registry: Registry) -> None:
    agents = {r.headers.get("user-agent", "") for r in registry.requests}
    assert len(agents) == 1 and agents.pop().startswith("whitepaper/") and resolved.exit_code == 1
    assert all("mailto:editor@example.org" in r.headers["user-agent"] for r in registry.requests)
    assert all(CSL in r.headers.get("accept", "") for r in registry.requests if r.path.startswith("/doi/"))
    assert registry.most_in_flight <= 2  # per-host: 2
    flaky = registry.asked("/doi/10.1038/s41591-018-0300-7")
    assert len(flaky) == 3  # 500, 502, then the answer
    limited = registry.asked("/doi/10.6084/m9.figshare.4724797")
    assert len(limited) == 2 and limited[1].at - limited[0].at >= 0.95  # Retry-After: 1 honoured
    assert len(registry.asked("/doi/10.1234/always-down")) == 3 and len(registry.asked("/doi/10.1234/slow")) == 3
    assert len(registry.asked("/doi/10.1234/no-such-doi")) == 1  # a 404 is not tried again
    assert resolved.seconds < 20


def test_resolving_again_changes_nothing(resolved: Resolved, registry: Registry) -> None:
    store = resolved.project / "bibliography" / "resolved.json"
    before, mtime = store.read_bytes(), store.stat().st_mtime_ns
    asked = len(registry.requests)
    again = run_cli("cite", "resolve", resolved.project)
    assert store.read_bytes() == before and store.stat().st_mtime_ns == mtime
    assert "unchanged: 0 looked up, 9 in the store already, 6 failed" in again.output
    looked_up_again = {r.path for r in registry.requests[asked:]}
    assert not any(p.startswith(("/crossref", "/datacite", "/ncbi/pmc", "/articles", "/blog")) for p in looked_up_again)


def test_an_identifier_not_in_the_store_is_a_located_error(resolved: Resolved) -> None:
    result = run_cli("check", resolved.project)
    assert result.exit_code == 1
    assert (
        "chapters/02-failing.md:5:12: error: 'doi:10.1234/no-such-doi' is not in the reference store "
        "bibliography/resolved.json yet: run `whitepaper cite resolve` [citation-unresolved]"
    ) in result.output
    assert "01-found.md" not in result.output.split("errors,")[0]


@pytest.fixture(scope="module")
def offline_build(resolved: Resolved, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, list[object]]:
    """The resolved paper without its failing chapter, built (HTML and PDF) with every socket
    connection and name lookup of this process refused and recorded."""
    project = tmp_path_factory.mktemp("offline") / "paper"
    shutil.copytree(resolved.project, project)
    (project / "chapters" / "02-failing.md").unlink()
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args[1:] if len(args) > 1 else args)
        raise OSError("the network is off limits to a build")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", refuse)
        patch.setattr(socket.socket, "connect_ex", refuse)
        patch.setattr(socket, "create_connection", refuse)
        patch.setattr(socket, "getaddrinfo", refuse)
        result = run_cli("build", project)
    assert result.exit_code == 0, result.output
    return project, result.output, attempts


def test_a_build_never_touches_the_network(offline_build: tuple[Path, str, list[object]]) -> None:
    project, _, attempts = offline_build
    assert attempts == []
    assert (project / "build" / "paper.pdf").stat().st_size > 0
    html = (project / "build" / "paper.html").read_text(encoding="utf-8")
    for title in ("High-performance medicine", "The hetnet awakens", "Estimating the success of re-identifications",
                  "Sci-Hub provides access", "Communication-Efficient Learning", "Introduction to algorithms",
                  "Federated analysis for rare diseases", "Why we share code, not data"):  # fmt: skip
        assert html.count(title) == 1, title


def test_doi_variants_and_a_tag_cite_one_entry(offline_build: tuple[Path, str, list[object]]) -> None:
    project, _, _ = offline_build
    html = (project / "build" / "paper.html").read_text(encoding="utf-8")
    assert html.count('id="ref-doi:10.1038/sdata.2016.18"') == 1
    assert html.count("The FAIR Guiding Principles") == 1
    paragraph = html.split("Data should be FAIR", 1)[1].split("</p>", 1)[0]
    assert paragraph.count('href="#ref-doi:10.1038/sdata.2016.18"') == 4  # three spellings and the tag
    assert (
        html.count('href="#ref-isbn:9780262033848"') == 2
        and "[@tag:fair]" not in html
        and "doi:10.1038/sdata.2016.18</" not in html
    )


def test_the_paper_builds_clean_and_other_commands_read_the_store(
    offline_build: tuple[Path, str, list[object]], tmp_path: Path
) -> None:
    project, _, _ = offline_build
    checked = run_cli("check", "--strict", project)
    assert checked.exit_code == 0, checked.output
    newer = tmp_path / "newer"
    shutil.copytree(project, newer, ignore=shutil.ignore_patterns("build"))
    chapter = newer / "chapters" / "01-found.md"
    chapter.write_text(
        chapter.read_text(encoding="utf-8").replace("Medicine [", "Medicine, again [@pmid:31337762; "), encoding="utf-8"
    )
    diffed = run_cli("diff", str(project), str(newer), "--stat", "-C", newer)
    assert diffed.exit_code == 0, diffed.output
    assert "01-found.md" in diffed.output and "changed" in diffed.output


def test_hand_edits_survive_and_manual_entries_win(resolved: Resolved, registry: Registry, tmp_path: Path) -> None:
    project = tmp_path / "paper"
    shutil.copytree(resolved.project, project)
    (project / "chapters" / "02-failing.md").unlink()
    store = project / "bibliography" / "resolved.json"
    store.write_text(
        store.read_text(encoding="utf-8").replace("High-performance medicine:", "High-performance medicine (edited):"),
        encoding="utf-8",
    )
    assert run_cli("cite", "resolve", project).exit_code == 0
    assert "High-performance medicine (edited):" in store.read_text(
        encoding="utf-8"
    )  # a store entry is never fetched again unasked

    manual = [{"id": "DOI:10.1038/SDATA.2016.18", "type": "article-journal", "title": "FAIR, as the editors want it",
               "author": [{"family": "Wilkinson", "given": "M. D."}], "container-title": "Sci. Data", "issued": {"date-parts": [[2016]]}}]  # fmt: skip
    (project / "bibliography" / "manual.json").write_text(json.dumps(manual), encoding="utf-8")
    asked = len(registry.requests)
    result = run_cli(
        "cite",
        "resolve",
        "--refresh",
        "doi:10.1038/sdata.2016.18",
        "--refresh",
        "doi:10.1038/s41591-018-0300-7",
        project,
    )
    assert result.exit_code == 0, result.output
    assert "1 looked up, 7 in the store already, 1 written by hand, 1 removed" in result.output
    assert (
        next(r.path for r in registry.requests[asked:]) == "/doi/10.1038/s41591-018-0300-7"
    )  # refreshed; the manual one not
    text = store.read_text(encoding="utf-8")
    assert "High-performance medicine: the convergence" in text and "doi:10.1038/sdata.2016.18" not in text
    assert json.loads((project / "bibliography" / "manual.json").read_text(encoding="utf-8")) == manual  # never written
    built = run_cli("build", "--html", project)
    assert built.exit_code == 0, built.output
    html = (project / "build" / "paper.html").read_text(encoding="utf-8")
    assert "FAIR, as the editors want it" in html and "The FAIR Guiding Principles" not in html


def test_prune_removes_what_nothing_cites(resolved: Resolved, tmp_path: Path) -> None:
    project = tmp_path / "paper"
    shutil.copytree(resolved.project, project)
    (project / "chapters" / "02-failing.md").unlink()
    chapter = project / "chapters" / "01-found.md"
    chapter.write_text(
        chapter.read_text(encoding="utf-8").replace(" learning [@arxiv:1602.05629v3];", ""), encoding="utf-8"
    )
    checked = run_cli("check", project)
    assert (
        "bibliography/resolved.json:" in checked.output
        and "entry 'arxiv:1602.05629v3' is never cited [unused-reference]" in checked.output
    )
    pruned = run_cli("cite", "resolve", "--prune", project)
    assert pruned.exit_code == 0 and "1 removed" in pruned.output
    assert "arxiv:1602.05629v3" not in (project / "bibliography" / "resolved.json").read_text(encoding="utf-8")


def test_cite_add_prints_the_key_to_paste(registry: Registry, tmp_path: Path) -> None:
    project = write_project(tmp_path / "paper", {"01-a.md": "# A\n\nText.\n"}, config=CONFIG, bib=None)
    result = run_cli(
        "cite", "add", "doi:https://doi.org/10.1038/SDATA.2016.18", "isbn:0-262-03384-4", "pmid:99999999", "-C", project
    )
    assert result.exit_code == 1
    assert "[@doi:10.1038/sdata.2016.18]  Wilkinson et al. (2016) The FAIR Guiding Principles" in result.output
    assert "[@isbn:9780262033848]  Cormen et al. (2009) Introduction to algorithms" in result.output
    assert "pmid:99999999: NCBI has no record of it" in result.output
    stored = json.loads((project / "bibliography" / "resolved.json").read_text(encoding="utf-8"))
    assert [item["id"] for item in stored] == ["doi:10.1038/sdata.2016.18", "isbn:9780262033848"]
    for bad, why in (
        ("doi:banana", "'banana' is not a DOI"),
        ("wilkinson2016", "'wilkinson2016' is not an identifier"),
    ):
        refused = run_cli("cite", "add", bad, "-C", project)
        assert refused.exit_code == 2 and why in refused.output


def test_the_total_time_out_bounds_a_lookup(registry: Registry, tmp_path: Path) -> None:
    config = CONFIG.replace("timeout: 30", "timeout: 0.8").replace("retries: 2", "retries: 5")
    project = write_project(
        tmp_path / "paper", {"01-a.md": "# A\n\nSlow [@doi:10.1234/slow].\n"}, config=config, bib=None
    )
    started = time.monotonic()
    result = run_cli("cite", "resolve", project)
    assert result.exit_code == 1 and time.monotonic() - started < 6
    assert "chapters/01-a.md:3:7: error: 'doi:10.1234/slow' was not looked up:" in result.output
    assert "time-out of 0.8 s" in result.output and "[cite-failed]" in result.output


# Citation tags --------------------------------------------------------------------------------


def test_citation_tags(tmp_path: Path) -> None:
    store = [
        {"id": "doi:10.1038/sdata.2016.18", "type": "article-journal", "title": "The FAIR Guiding Principles", "author": [{"family": "Wilkinson"}],
         "container-title": "Scientific Data", "issued": {"date-parts": [[2016]]}},
        {"id": "pmid:31337762", "type": "article-journal", "title": "Estimating the success of re-identifications", "author": [{"family": "Rocher"}],
         "container-title": "Nature Communications", "issued": {"date-parts": [[2019]]}},
    ]  # fmt: skip
    chapters = {
        "01-a.md": """\
            # A

            Principles [@tag:fair], risks [@tag:rocher; @doi:10.1038/sdata.2016.18].

            [@tag:fair]: doi:10.1038/sdata.2016.18

            ```
            [@tag:in-code]: doi:10.1/not-a-definition
            ```
            """,
    }
    project = write_project(tmp_path / "paper", chapters, config=CONFIG, bib=None)
    (project / "bibliography").mkdir()
    (project / "bibliography" / "resolved.json").write_text(dumps(store), encoding="utf-8")
    (project / "citation-tags.tsv").write_text("tag\tcitation\nrocher\tpmid:31337762\n", encoding="utf-8")
    built = run_cli("build", "--html", project)
    assert built.exit_code == 0, built.output
    html = (project / "build" / "paper.html").read_text(encoding="utf-8")
    assert html.count('id="ref-doi:10.1038/sdata.2016.18"') == 1 and 'id="ref-pmid:31337762"' in html
    assert "[@tag:fair]:" not in html and "doi:10.1038/sdata.2016.18</p>" not in html
    assert "[@tag:in-code]: doi:10.1/not-a-definition" in html  # code is code
    assert html.split("Principles", 1)[1].split("</a>", 1)[0].count('href="#ref-doi:10.1038/sdata.2016.18"') == 1

    # A tag redefined: the rebuild after the edit cites the tag's new work (every other chapter may cite it).
    chapter = project / "chapters" / "01-a.md"
    chapter.write_text(
        chapter.read_text(encoding="utf-8").replace(
            "[@tag:fair]: doi:10.1038/sdata.2016.18", "[@tag:fair]: pmid:31337762"
        ),
        encoding="utf-8",
    )
    assert run_cli("build", "--html", project).exit_code == 0
    html = (project / "build" / "paper.html").read_text(encoding="utf-8")
    assert html.split("Principles", 1)[1].split("</a>", 1)[0].count('href="#ref-pmid:31337762"') == 1

    chapter.write_text(
        chapter.read_text(encoding="utf-8")
        + "\n[@tag:fair]: doi:10.1038/other\n[@tag:spare]: pmid:31337762\n[@tag:bad]: doi:banana\nAnd [@tag:missing].\n",
        encoding="utf-8",
    )
    (project / "citation-tags.tsv").write_text(
        "tag\tcitation\nrocher\tpmid:31337762\nrocher\tpmid:1\njust one cell\n", encoding="utf-8"
    )
    result = run_cli("check", project)
    assert result.exit_code == 1
    for expected in (
        "chapters/01-a.md:11:1: error: tag 'fair' is defined twice (first at chapters/01-a.md:5:1); the first is used [citation-tag-duplicate]",
        "chapters/01-a.md:12:1: warning: tag 'spare' is never cited (as [@tag:spare]) [citation-tag-unused]",
        "chapters/01-a.md:13:1: error: tag 'bad': 'banana' is not a DOI",
        "chapters/01-a.md:14:6: error: tag 'missing' is defined nowhere: add a line `[@tag:missing]: doi:…` to a chapter, or a row to citation-tags.tsv [citation-tag-unknown]",
        "citation-tags.tsv:3:1: error: tag 'rocher' is defined twice (first at citation-tags.tsv:2:1)",
        "citation-tags.tsv:4:1: error: a row of citation-tags.tsv is a tag, a tab and a citation key",
    ):
        assert expected in result.output, expected
    assert "[citation-tag-invalid]" in result.output


def test_a_malformed_identifier_is_a_located_error(tmp_path: Path) -> None:
    project = write_project(
        tmp_path / "paper",
        {"01-a.md": "# A\n\nSee [@isbn:978-0-262-03384-9] and [@pmid:12ab].\n"},
        config=CONFIG,
        bib=None,
    )
    result = run_cli("check", project)
    assert result.exit_code == 1
    assert (
        "chapters/01-a.md:3:6: error: 'isbn:978-0-262-03384-9' cites no work: '978-0-262-03384-9' is not an ISBN: its check digit is wrong [citation-identifier-invalid]"
        in result.output
    )
    assert "chapters/01-a.md:3:" in result.output and "'pmid:12ab' cites no work" in result.output


# Normalisation: one work, one key -------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "key"),
    [
        ("doi:10.1038/SDATA.2016.18", "doi:10.1038/sdata.2016.18"),
        ("doi:https://doi.org/10.1038/sdata.2016.18", "doi:10.1038/sdata.2016.18"),
        ("doi:http://dx.doi.org/10.1038/sdata.2016.18", "doi:10.1038/sdata.2016.18"),
        ("DOI:doi:10.1038/sdata.2016.18", "doi:10.1038/sdata.2016.18"),
        ("doi:10/BM8DNF", "doi:10/bm8dnf"),  # a shortDOI, as Manubot users write them
        ("pmid:031337762", "pmid:31337762"),
        ("pmcid:pmc5832410", "pmcid:PMC5832410"),
        ("pmc:PMC5832410", "pmcid:PMC5832410"),
        ("arxiv:1602.05629v3", "arxiv:1602.05629v3"),
        ("arxiv:1602.05629", "arxiv:1602.05629"),
        ("arxiv:https://arxiv.org/abs/1602.05629v2", "arxiv:1602.05629v2"),
        ("arxiv:hep-ex/0307015", "arxiv:hep-ex/0307015"),
        ("isbn:978-0-262-03384-8", "isbn:9780262033848"),
        ("isbn:0-262-03384-4", "isbn:9780262033848"),
        ("isbn:0 8044 2957 X", "isbn:9780804429573"),
        ("url:HTTPS://Example.ORG/Path?Q=1", "url:https://example.org/Path?Q=1"),
    ],
)
def test_identifiers_are_normalised(written: str, key: str) -> None:
    found = identify(written)
    assert found is not None and found.key == key


@pytest.mark.parametrize(
    "written",
    [
        "doi:banana",
        "doi:10.1038",
        "pmid:12ab",
        "pmcid:PMC",
        "arxiv:1602",
        "isbn:978-0-262-03384-9",
        "isbn:123",
        "url:ftp://x.org/a",
    ],
)
def test_malformed_identifiers_are_refused(written: str) -> None:
    with pytest.raises(InvalidIdentifier):
        identify(written)


def test_ordinary_keys_are_no_identifiers() -> None:
    assert identify("wilkinson2016fair") is None and identify("fig:pipeline") is None and identify("tag:x") is None


def test_a_broken_store_is_never_overwritten(tmp_path: Path) -> None:
    project = write_project(
        tmp_path / "paper", {"01-a.md": "# A\n\nSee [@doi:10.1038/sdata.2016.18].\n"}, config=CONFIG, bib=None
    )
    (project / "bibliography").mkdir()
    store = project / "bibliography" / "resolved.json"
    store.write_text('[\n  {"id": "doi:10.1/x",\n  "title": "unclosed"\n', encoding="utf-8")
    result = run_cli("cite", "resolve", project)
    assert result.exit_code == 1 and "bibliography/resolved.json:4:1: error: invalid JSON" in result.output
    assert "[bibliography-syntax]" in result.output and store.read_text(encoding="utf-8").endswith('"unclosed"\n')
