/* Reader features of the HTML draft: folding contents on phones, the side contents
   following the scroll, anchor links on headings, and previews of cited works. */
(function () {
  "use strict";
  var narrow = window.matchMedia("(max-width: 40rem)");
  var fold = document.querySelector("details.toc-fold");
  if (fold && narrow.matches) fold.removeAttribute("open");

  document.querySelectorAll(".content h1[id], .content h2[id], .content h3[id], .content h4[id]").forEach(function (heading) {
    var link = document.createElement("a");
    link.className = "anchor";
    link.href = "#" + heading.id;
    link.setAttribute("aria-label", "Link to this section");
    link.textContent = "#";
    heading.appendChild(link);
  });

  var links = {};
  document.querySelectorAll(".side-toc a[href^='#']").forEach(function (a) { links[a.getAttribute("href").slice(1)] = a; });
  if ("IntersectionObserver" in window) {
    var visible = {};
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (entry) { visible[entry.target.id] = entry.isIntersecting; });
      var headings = document.querySelectorAll(".content [id]");
      var current = null;
      for (var i = 0; i < headings.length; i++) {
        var h = headings[i];
        if (!links[h.id]) continue;
        if (h.getBoundingClientRect().top < window.innerHeight * 0.3) current = h.id;
      }
      Object.keys(links).forEach(function (id) {
        if (id === current) links[id].setAttribute("aria-current", "true"); else links[id].removeAttribute("aria-current");
      });
      if (current && links[current].scrollIntoView && document.querySelector(".side-toc").offsetParent) {
        links[current].scrollIntoView({ block: "nearest" });
      }
    }, { rootMargin: "0px 0px -60% 0px" });
    Object.keys(links).forEach(function (id) { var el = document.getElementById(id); if (el) observer.observe(el); });
  }

  var preview = document.querySelector(".cite-preview");
  var touch = window.matchMedia("(hover: none)").matches;
  function show(link) {
    var target = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
    if (!target) return false;
    preview.innerHTML = target.innerHTML;
    preview.hidden = false;
    var box = link.getBoundingClientRect();
    var left = Math.max(8, Math.min(box.left + window.scrollX, window.scrollX + document.documentElement.clientWidth - preview.offsetWidth - 8));
    preview.style.left = left + "px";
    preview.style.top = (box.bottom + window.scrollY + 6) + "px";
    return true;
  }
  function hide() { preview.hidden = true; }
  document.querySelectorAll("a[role='doc-biblioref']").forEach(function (link) {
    if (touch) {
      link.addEventListener("click", function (event) {
        if (preview.hidden || preview.dataset.for !== link.getAttribute("href")) {
          if (show(link)) { preview.dataset.for = link.getAttribute("href"); event.preventDefault(); }
        }
      });
    } else {
      link.addEventListener("mouseenter", function () { show(link); });
      link.addEventListener("focus", function () { show(link); });
      link.addEventListener("mouseleave", hide);
      link.addEventListener("blur", hide);
    }
  });
  document.addEventListener("keydown", function (event) { if (event.key === "Escape") hide(); });
  document.addEventListener("scroll", function () { if (touch) hide(); }, { passive: true });
})();
