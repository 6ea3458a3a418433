/* Reader features of the HTML draft: folding contents on phones, the side contents
   following the scroll, anchor links on headings, wide tables that scroll in their own
   box, and previews of cited works. All of them work with the keyboard alone. */
(function () {
  "use strict";
  var narrow = window.matchMedia("(max-width: 40rem)");
  var fold = document.querySelector(".toc-fold details");
  if (fold && narrow.matches) fold.removeAttribute("open");
  // A printed page has no fold to open: print the contents, then fold them as they were.
  var foldedBeforePrint = false;
  window.addEventListener("beforeprint", function () { foldedBeforePrint = fold && !fold.open; if (foldedBeforePrint) fold.open = true; });
  window.addEventListener("afterprint", function () { if (foldedBeforePrint) fold.open = false; });

  // Pointer convenience only: hidden, out of the tab order and out of the accessibility tree
  // (screen.css), so headings keep their names; the contents give keyboards the same links.
  document.querySelectorAll(".content h1[id], .content h2[id], .content h3[id], .content h4[id]").forEach(function (heading) {
    var link = document.createElement("a");
    link.className = "anchor";
    link.href = "#" + heading.id;
    link.setAttribute("aria-label", "Link to this section");
    link.textContent = "#";
    heading.appendChild(link);
  });

  // Wide tables scroll sideways in a box of their own, so the page itself never does (reflow at
  // 320 CSS pixels). A box that does scroll is a named region in the tab order, so the keyboard
  // can scroll it too; one that fits is a plain box.
  var boxes = [];
  document.querySelectorAll(".content table").forEach(function (table, index) {
    var box = document.createElement("div");
    box.className = "table-scroll";
    table.parentNode.insertBefore(box, table);
    box.appendChild(table);
    var caption = table.querySelector("caption");
    if (caption) {
      if (!caption.id) caption.id = "table-caption-" + (index + 1);
      box.dataset.label = caption.id;
    }
    boxes.push(box);
  });
  function scrollable() {
    boxes.forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        if (box.dataset.label) box.setAttribute("aria-labelledby", box.dataset.label);
        else box.setAttribute("aria-label", "Table");
      } else {
        ["tabindex", "role", "aria-labelledby", "aria-label"].forEach(function (name) { box.removeAttribute(name); });
      }
    });
  }
  scrollable();
  var pending = false;
  window.addEventListener("resize", function () {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(function () { pending = false; scrollable(); });
  });

  var links = {};
  document.querySelectorAll(".side-toc a[href^='#']").forEach(function (a) { links[a.getAttribute("href").slice(1)] = a; });
  if ("IntersectionObserver" in window) {
    var observer = new IntersectionObserver(function () {
      var headings = document.querySelectorAll(".content [id]");
      var current = null;
      for (var i = 0; i < headings.length; i++) {
        var h = headings[i];
        if (!links[h.id]) continue;
        if (h.getBoundingClientRect().top < window.innerHeight * 0.3) current = h.id;
      }
      Object.keys(links).forEach(function (id) {
        if (id === current) links[id].setAttribute("aria-current", "location"); else links[id].removeAttribute("aria-current");
      });
      var side = document.querySelector(".side-toc");
      // Keep the current entry in view, unless the reader is moving through the contents with the keyboard.
      if (current && side.offsetParent && !side.contains(document.activeElement)) links[current].scrollIntoView({ block: "nearest" });
    }, { rootMargin: "0px 0px -60% 0px" });
    Object.keys(links).forEach(function (id) { var el = document.getElementById(id); if (el) observer.observe(el); });
  }

  // Previews of cited works. Each citation is described by its entry in the reference list
  // (aria-describedby), so a screen reader says the work whether or not a preview is shown: on
  // focus, in browse mode, on touch. The preview shows the same text to the eye; it is hidden from
  // the accessibility tree so the entry is not read twice, and its links are out of the tab
  // order. It opens on hover, on keyboard focus and on a first tap (touch), stays while the
  // pointer moves onto it, and closes on Escape, on blur and when the pointer leaves.
  var preview = document.querySelector(".cite-preview");
  var touch = window.matchMedia("(hover: none)").matches;
  var shownFor = null;
  var overPreview = false;
  var closing = null;
  function entryOf(link) {
    return document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
  }
  function show(link) {
    var target = entryOf(link);
    if (!target || !preview) return false;
    window.clearTimeout(closing);
    preview.innerHTML = target.innerHTML;
    preview.querySelectorAll("a, [tabindex], [id]").forEach(function (element) {
      element.removeAttribute("id");
      if (element.matches("a, [tabindex]")) element.setAttribute("tabindex", "-1");
    });
    preview.hidden = false;
    shownFor = link;
    var box = link.getBoundingClientRect();
    var left = Math.max(8, Math.min(box.left + window.scrollX, window.scrollX + document.documentElement.clientWidth - preview.offsetWidth - 8));
    preview.style.left = left + "px";
    // Below the citation, or above it when the window ends first (as it does for a citation the
    // keyboard has just scrolled into view at the bottom edge).
    var below = box.bottom + 6 + preview.offsetHeight <= window.innerHeight || box.top - 6 - preview.offsetHeight < 0;
    preview.style.top = (below ? box.bottom + 6 : box.top - 6 - preview.offsetHeight) + window.scrollY + "px";
    return true;
  }
  function hide() {
    window.clearTimeout(closing);
    if (preview) preview.hidden = true;
    shownFor = null;
    overPreview = false;
  }
  function hideSoon() {  // time to move the pointer onto the preview (WCAG 1.4.13, hoverable)
    window.clearTimeout(closing);
    closing = window.setTimeout(function () { if (!overPreview) hide(); }, 300);
  }
  function keyboardFocus(link) {
    try { return link.matches(":focus-visible"); } catch (error) { return true; }
  }
  document.querySelectorAll("a[role='doc-biblioref']").forEach(function (link) {
    var target = entryOf(link);
    if (target && target.id) link.setAttribute("aria-describedby", target.id);
    link.addEventListener("focus", function () { if (keyboardFocus(link)) show(link); });
    link.addEventListener("blur", function () { if (!overPreview) hide(); });
    if (touch) {
      link.addEventListener("click", function (event) {
        if (preview.hidden || shownFor !== link) {
          if (show(link)) event.preventDefault();
        }
      });
    } else {
      link.addEventListener("mouseenter", function () { show(link); });
      link.addEventListener("mouseleave", hideSoon);
    }
  });
  if (preview) {
    preview.addEventListener("mouseenter", function () { overPreview = true; window.clearTimeout(closing); });
    preview.addEventListener("mouseleave", function () { overPreview = false; hideSoon(); });
  }
  document.addEventListener("keydown", function (event) {
    if ((event.key === "Escape" || event.key === "Esc") && preview && !preview.hidden) {
      hide();
      event.preventDefault();
    }
  });
  document.addEventListener("scroll", function () { if (touch) hide(); }, { passive: true });
})();
