"""The HTML outputs at WCAG 2.1 AA, as axe-core and a keyboard find them in the real Chromium: the
sample's draft, a redline of the sample and its review round's comments report and response."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from conftest import CHROMIUM, copy_sample, run_cli

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed")
sync_api = pytest.importorskip("playwright.sync_api")
axe_playwright = pytest.importorskip("axe_playwright_python.sync_playwright")
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
LANDMARKS = ("banner", "navigation", "main", "contentinfo")


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The sample's HTML draft; its redline against a copy whose introduction opens with another
    sentence; the report and response of its review round r1 (which the sample ships)."""
    root = tmp_path_factory.mktemp("accessible")
    project = copy_sample(root / "paper")
    old = copy_sample(root / "old", review=False)
    chapter = old / "chapters" / "02-introduction.md"
    lines = chapter.read_text(encoding="utf-8").split("\n")
    first = next(
        n for n, line in enumerate(lines) if n > 3 and len(line) > 80 and line[0].isupper()
    )  # the first paragraph
    lines[first] = "An earlier opening sentence, since rewritten. " + lines[first].split(". ", 1)[-1]
    chapter.write_text("\n".join(lines), encoding="utf-8")
    for args in (
        ("build", project, "--html", "--quiet"),
        ("diff", old, "-C", project),
        ("review", "report", "r1", "-C", project),
    ):
        result = run_cli(*args)
        assert result.exit_code == 0, result.output
    return {
        "draft": project / "build" / "whitepaper.html",
        "redline": next((project / "build").glob("diff-*.html")),
        "report": project / "review" / "r1" / "report.html",
        "responses": project / "review" / "r1" / "responses.html",
    }


def open_page(browser: Any, path: Path, viewport: dict[str, int], **options: Any) -> Any:
    page = browser.new_page(viewport=viewport, **options)
    page.goto(path.as_uri())
    return page


def focused(page: Any, expression: str) -> Any:
    return page.evaluate(f"(() => {{ const el = document.activeElement; return {expression}; }})()")


def accessible_description(page: Any) -> str:
    """The focused element's description in Chromium's own accessibility tree, what a screen reader is given."""
    cdp = page.context.new_cdp_session(page)
    element = cdp.send("Runtime.evaluate", {"expression": "document.activeElement"})["result"]["objectId"]
    node = cdp.send("Accessibility.getPartialAXTree", {"objectId": element, "fetchRelatives": False})["nodes"][0]
    cdp.detach()
    return str(node.get("description", {}).get("value", ""))


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
@pytest.mark.parametrize("name", ["draft", "redline", "report", "responses"])
def test_axe_finds_no_violation(outputs: dict[str, Path], browser: Any, name: str, viewport: dict[str, int]) -> None:
    """None at all, of WCAG 2.1 AA or of axe's best practices, minor ones too: the issue asks only
    that none be serious or critical, but a page that has none is easier to keep so."""
    page = open_page(browser, outputs[name], viewport)
    violations = axe_playwright.Axe().run(page).response["violations"]
    assert not violations, "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']}: " + "; ".join(str(n["target"]) for n in v["nodes"][:5])
        for v in violations
    )
    # The page's frame: a language, a title that says what it is, the four landmarks, one main.
    assert re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]+)*", page.evaluate("document.documentElement.lang"))
    title = page.title()
    assert {"draft": "From Particles to Patients", "redline": "Redline: From Particles", "report": "Review r1: comments",
            "responses": "Response to reviewers"}[name] in title  # fmt: skip
    for role in LANDMARKS:
        assert page.get_by_role(role).count() >= 1, role
    assert page.get_by_role("main").count() == 1
    page.close()


def words(text: str | None) -> str:
    return re.sub(r"\s+", "", text or "")


def tab(page: Any) -> None:
    page.keyboard.press("Tab")


def has_focus_ring(page: Any) -> bool:
    return bool(
        focused(page, "(s => s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2)(getComputedStyle(el))")
    )


def in_view(page: Any) -> bool:
    return bool(
        focused(page, "(r => r.width > 0 && r.top >= -1 && r.bottom <= innerHeight + 1)(el.getBoundingClientRect())")
    )


def test_keyboard_alone_on_a_wide_screen(outputs: dict[str, Path], browser: Any) -> None:
    """Tab: the skip link, then every entry of the side contents, each with a focus ring, in view;
    the skip link leads into the text; a citation's preview opens on focus, its work is the
    citation's accessible description, and Escape closes it."""
    page = open_page(browser, outputs["draft"], DESKTOP)
    tab(page)
    assert focused(page, "el.textContent") == "Skip to main content"
    assert has_focus_ring(page) and in_view(page)
    entries = page.eval_on_selector_all(".side-toc ol a", "links => links.map(a => a.getAttribute('href'))")
    assert len(entries) > 30
    reached = []
    for _ in range(len(entries) + 1):
        tab(page)
        if focused(page, "el.closest('.side-toc ol')"):
            reached.append(focused(page, "el.getAttribute('href')"))
            assert has_focus_ring(page) and in_view(page), reached[-1]
    assert reached == entries

    page.goto(outputs["draft"].as_uri())
    tab(page)
    page.keyboard.press("Enter")  # skip to the main content
    for _ in range(40):  # past the links of the executive summary, if any, to the first citation
        tab(page)
        assert focused(page, "!!el.closest('main')")
        if focused(page, "el.getAttribute('role')") == "doc-biblioref":
            break
    else:
        pytest.fail("no citation reached from the main content")
    href = focused(page, "el.getAttribute('href')")
    reference = page.locator(f"[id='{href[1:]}']")
    text = words(reference.text_content())
    assert len(text) > 40
    preview = page.locator(".cite-preview")
    assert preview.is_visible() and words(preview.text_content()) == text
    # Within the window: the keyboard leaves the citation at its bottom edge, so the preview opens above it.
    assert page.evaluate(
        "(r => r.top >= 0 && r.bottom <= innerHeight)(document.querySelector('.cite-preview').getBoundingClientRect())"
    )
    assert has_focus_ring(page)
    assert words(accessible_description(page)) == text  # announced with the citation
    page.keyboard.press("Escape")
    assert preview.is_hidden() and focused(page, "el.getAttribute('role')") == "doc-biblioref"
    tab(page)  # the next citation opens its own
    if focused(page, "el.getAttribute('role')") == "doc-biblioref":
        assert preview.is_visible()

    # Every element the keyboard can reach shows where the focus is.
    missing = page.evaluate("""() => {
        const reachable = [...document.querySelectorAll('a[href], button, input, summary, [tabindex]')]
            .filter(el => el.tabIndex >= 0 && el.getClientRects().length && getComputedStyle(el).visibility === 'visible');
        const missing = [];
        for (const el of reachable) {
            el.focus();
            const s = getComputedStyle(el);
            if (s.outlineStyle === 'none' || parseFloat(s.outlineWidth) < 2) missing.push(el.outerHTML.slice(0, 80));
        }
        return [reachable.length, missing];
    }""")
    assert missing[0] > 200 and missing[1] == []
    page.close()


def test_keyboard_alone_on_a_phone(outputs: dict[str, Path], browser: Any) -> None:
    """The contents fold away on phones: the keyboard opens them and moves through every entry."""
    page = open_page(browser, outputs["draft"], PHONE)
    assert page.locator(".side-toc").is_hidden()
    entries = page.eval_on_selector_all("#toc ol a", "links => links.map(a => a.getAttribute('href'))")
    for _ in range(30):
        tab(page)
        if focused(page, "el.tagName") == "SUMMARY":
            break
    assert focused(page, "el.textContent") == "Contents" and has_focus_ring(page)
    assert page.locator("#toc").is_hidden()
    tab(page)
    assert not focused(page, "el.closest('#toc')")  # folded: the entries are not in the way
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    reached = []
    for _ in range(len(entries)):
        tab(page)
        reached.append(focused(page, "el.getAttribute('href')"))
        assert in_view(page)
    assert reached == entries
    for _ in range(len(entries)):
        page.keyboard.press("Shift+Tab")
    page.keyboard.press("Space")  # folds them away again
    assert page.locator("#toc").is_hidden()
    page.close()


def test_redline_change_keys_can_be_turned_off(outputs: dict[str, Path], browser: Any) -> None:
    """Single-key shortcuts can be turned off (WCAG 2.1.4); the buttons still work."""
    page = open_page(browser, outputs["redline"], DESKTOP)
    status = page.locator(".redline-position")
    page.keyboard.press("n")
    assert status.inner_text().startswith("Change 1 of")
    keys = page.get_by_label("Keys n and p")
    keys.focus()
    page.keyboard.press("Space")
    assert not keys.is_checked()
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("p")
    assert status.inner_text().startswith("Change 1 of") and "earlier" not in status.inner_text()
    page.get_by_role("button", name="Previous change").press("Enter")
    assert "no earlier change" in status.inner_text()
    page.close()


def test_reduced_motion(outputs: dict[str, Path], browser: Any) -> None:
    """The preview fades in, unless the reader asks for less motion: then nothing moves, even what
    a project's own stylesheet animates or scrolls smoothly."""
    project_css = "html { scroll-behavior: smooth; } .content p { transition: color 2s; animation: spin 1s infinite; }"
    for motion, expected in (("no-preference", "cite-preview-in"), ("reduce", "none")):
        page = open_page(browser, outputs["draft"], DESKTOP, reduced_motion=motion)
        page.add_style_tag(content=project_css)
        page.locator("a[role='doc-biblioref']").first.focus()
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")  # a keyboard focus, which opens the preview
        style = page.evaluate("""() => {
            const preview = getComputedStyle(document.querySelector('.cite-preview'));
            const paragraph = getComputedStyle(document.querySelector('.content p'));
            return [preview.animationName, getComputedStyle(document.documentElement).scrollBehavior,
                    paragraph.transitionDuration, paragraph.animationName];
        }""")
        if motion == "reduce":
            assert style == ["none", "auto", "0s", "none"]
        else:
            assert style == [expected, "smooth", "2s", "spin"]
        page.close()


def test_text_reflows_at_320_css_pixels(outputs: dict[str, Path], browser: Any) -> None:
    """400 % zoom of a 1280-pixel window: nothing scrolls sideways but a wide table, in its own box,
    which the keyboard can reach (a named region in the tab order)."""
    for name in ("draft", "redline", "report"):
        page = open_page(browser, outputs[name], {"width": 320, "height": 256})
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), name
        if name == "draft":
            boxes = page.evaluate("""() => [...document.querySelectorAll('.table-scroll')].map(box =>
                [box.scrollWidth > box.clientWidth, box.getAttribute('tabindex'), box.getAttribute('role')])""")
            assert [True, "0", "region"] in boxes
            assert all(tabindex == "0" for scrolls, tabindex, _ in boxes if scrolls)
            region = page.locator(".table-scroll[role=region]").first
            assert region.get_attribute("aria-labelledby")  # named by its caption
        page.close()


def test_print_styles(outputs: dict[str, Path], browser: Any) -> None:
    """Printed from the browser, the draft drops the screen's aids and shows its contents."""
    page = open_page(browser, outputs["draft"], {"width": 794, "height": 1123})  # A4 at 96 dpi
    page.emulate_media(media="print")
    for selector in (".skip-link", ".side-toc", ".toc-fold summary"):
        assert page.locator(selector).is_hidden(), selector
    assert page.locator("#toc").is_visible()
    assert page.evaluate("getComputedStyle(document.querySelector('.content a')).textDecorationLine") == "none"
    page.close()
