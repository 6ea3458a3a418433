/* The HTML redline's change navigation (redline_nav.html). A change is the first of a run of
   changed blocks (class "change", id change-N, marked by redline/view.py). The buttons and the
   keys n and p move the focus to the next or previous one, scrolled to the top of the window,
   and say which it is; the contents show how many changes each chapter has. The keys can be
   turned off with the checkbox beside the buttons. */
(function () {
  "use strict";
  var changes = [];
  var current = -1;
  var position = null;

  function onScreen(element) {
    var box = element.getBoundingClientRect();
    return box.bottom > 0 && box.top < window.innerHeight;
  }

  // Where the reader is: in the change that has the focus, or the one last moved to while it is
  // on screen; else (after scrolling) between the changes above and below the top of the window.
  function here() {
    var focused = document.activeElement && document.activeElement.closest ? document.activeElement.closest(".change") : null;
    var index = changes.indexOf(focused);
    return index < 0 && current >= 0 && onScreen(changes[current]) ? current : index;
  }

  function target(step) {
    var index = here();
    if (index >= 0) return index + step;
    var i;
    if (step > 0) {
      for (i = 0; i < changes.length; i++) if (changes[i].getBoundingClientRect().top > 1) return i;
      return changes.length;
    }
    for (i = changes.length - 1; i >= 0; i--) if (changes[i].getBoundingClientRect().top < -1) return i;
    return -1;
  }

  function go(step) {
    var index = target(step);
    if (index < 0 || index >= changes.length) {
      var end = step > 0 ? "no later change" : "no earlier change";
      position.textContent = here() >= 0 ? at(here()) + " · " + end : end.charAt(0).toUpperCase() + end.slice(1);
      return;
    }
    current = index;
    changes[index].scrollIntoView({ block: "start" });
    changes[index].focus({ preventScroll: true });
    position.textContent = at(index);
  }

  function at(index) { return "Change " + (index + 1) + " of " + changes.length; }

  // Each chapter's count of changes beside its entry in the contents.
  function countInContents() {
    document.querySelectorAll(".content .chapter").forEach(function (chapter) {
      var count = chapter.querySelectorAll(".change").length;
      var heading = chapter.querySelector("h1[id]");
      if (!count || !heading) return;
      document.querySelectorAll(".side-toc a, .toc-fold a").forEach(function (link) {
        if (link.getAttribute("href") !== "#" + heading.id) return;
        var badge = document.createElement("span");
        badge.className = "change-count";
        badge.textContent = count + (count === 1 ? " change" : " changes");
        link.appendChild(document.createTextNode(" "));
        link.appendChild(badge);
      });
    });
  }

  function start() {
    var nav = document.querySelector(".redline-nav");
    if (!nav) return;
    position = nav.querySelector(".redline-position");
    changes = Array.prototype.slice.call(document.querySelectorAll(".content .change"));
    // Focusable from the script, without putting every change in the tab order.
    changes.forEach(function (change) { change.tabIndex = -1; });
    nav.querySelector(".redline-previous").addEventListener("click", function () { go(-1); });
    nav.querySelector(".redline-next").addEventListener("click", function () { go(1); });
    // The single-key shortcuts can be turned off (WCAG 2.1.4); the choice is kept for the next redline.
    var keys = nav.querySelector(".redline-keys input");
    try { if (keys && window.localStorage.getItem("whitepaper-redline-keys") === "off") keys.checked = false; } catch (error) { /* no storage */ }
    if (keys) keys.addEventListener("change", function () {
      try { window.localStorage.setItem("whitepaper-redline-keys", keys.checked ? "on" : "off"); } catch (error) { /* no storage */ }
    });
    document.addEventListener("keydown", function (event) {
      if (keys && !keys.checked) return;
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.target.closest && event.target.closest("input, textarea, select, [contenteditable]")) return;
      if (event.key === "n" || event.key === "p") {
        event.preventDefault();
        go(event.key === "n" ? 1 : -1);
      }
    });
    countInContents();
  }

  // The navigation stands after the summary, before the chapters it steps through.
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
