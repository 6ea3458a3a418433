/* Commenting on a review round in the browser (`whitepaper review serve`).

   The reviewer's token comes from their link's #fragment (never sent to a server in a URL)
   and goes only in the X-Review-Token header of our own requests. Everything a person
   wrote is put in the page with textContent, never as HTML. Selecting words in one of
   your chapters opens a small box: Comment, Suggest a change, Typo; "Comment by keyboard"
   walks the paragraphs with the arrow keys instead. */
(function () {
  "use strict";

  var KEY = "whitepaper-review:" + location.pathname;
  var CONTEXT = 32, MAX_QUOTE = 2000;
  var me = null, comments = [], token = null, pop = null, walking = null;

  function $(selector, root) { return (root || document).querySelector(selector); }
  function all(selector, root) { return Array.prototype.slice.call((root || document).querySelectorAll(selector)); }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") node.textContent = attrs.text;
      else if (name === "on") Object.keys(attrs.on).forEach(function (type) { node.addEventListener(type, attrs.on[type]); });
      else if (attrs[name] !== null && attrs[name] !== undefined && attrs[name] !== false) node.setAttribute(name, attrs[name]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(typeof child === "string" ? document.createTextNode(child) : child); });
    return node;
  }

  function announce(text) {
    var live = $("#wp-live");
    live.textContent = "";
    setTimeout(function () { live.textContent = text; }, 30);
  }

  function readToken() {
    var match = /(?:^#|&)token=([A-Za-z0-9_-]+)/.exec(location.hash);
    if (match) sessionStorage.setItem(KEY, match[1]);
    return match ? match[1] : sessionStorage.getItem(KEY);
  }

  function call(method, path, body) {
    var headers = { "X-Review-Token": token };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    return fetch("api/" + path, {
      method: method, headers: headers, credentials: "omit", cache: "no-store",
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (response) {
      var type = response.headers.get("content-type") || "";
      var read = response.status === 204 ? Promise.resolve(null) : type.indexOf("json") >= 0 ? response.json() : response.text();
      return read.then(function (data) { return { status: response.status, data: data }; });
    });
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  /* ---- where a comment is: the block's source file:line, and the words in its text ---- */

  function blockSource(block) {
    var match = /^L:(.+):(\d+)(?:~\d+)?$/.exec(block.id || "");
    return match ? { file: match[1], line: parseInt(match[2], 10) } : null;
  }

  function isOpen(block) {
    var chapter = block && block.closest(".chapter");
    return !!(chapter && chapter.getAttribute("data-review") === "open" && !me.submitted);
  }

  function texts(block) {  // the block's text nodes, not those of our notes put inside it
    var walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT, { acceptNode: function (node) {
      return node.parentElement && node.parentElement.closest(".wp-ui") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT;
    } });
    var nodes = [], node;
    while ((node = walker.nextNode())) nodes.push(node);
    return nodes;
  }

  function textOf(block) { return texts(block).map(function (node) { return node.data; }).join(""); }

  function offsetOf(block, container, offset) {  // a boundary of the selection, as a position in the block's text
    var total = 0, nodes = texts(block), i;
    if (container.nodeType === 3) {
      for (i = 0; i < nodes.length; i++) { if (nodes[i] === container) return total + offset; total += nodes[i].data.length; }
      return total;
    }
    var range = document.createRange();
    range.setStart(block, 0);
    range.setEnd(container, offset);
    nodes.forEach(function (node) { if (range.comparePoint(node, node.data.length) === 0) total += node.data.length; });
    return total;
  }

  function anchor(block, start, end) {
    var text = textOf(block);
    while (start < end && /\s/.test(text[start])) start++;
    while (end > start && /\s/.test(text[end - 1])) end--;
    if (end - start > MAX_QUOTE) end = start + MAX_QUOTE;
    var source = blockSource(block);
    return {
      block: block, file: source.file, line: source.line, start: start, end: end, exact: text.slice(start, end),
      prefix: text.slice(Math.max(0, start - CONTEXT), start), suffix: text.slice(end, end + CONTEXT)
    };
  }

  function selectionAnchor() {
    var selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount) return null;
    var range = selection.getRangeAt(0);
    var node = range.startContainer.nodeType === 3 ? range.startContainer.parentElement : range.startContainer;
    var block = node && node.closest(".src");
    if (!block || !block.contains(range.endContainer) || block.closest(".wp-ui") || !isOpen(block)) return null;
    var found = anchor(block, offsetOf(block, range.startContainer, range.startOffset), offsetOf(block, range.endContainer, range.endOffset));
    return found.exact ? found : null;
  }

  function blockOf(comment) {
    var id = "L:" + comment.file + ":" + comment.line;
    var candidates = [document.getElementById(id)];
    for (var n = 2; n < 20; n++) candidates.push(document.getElementById(id + "~" + n));
    candidates = candidates.filter(Boolean);
    return candidates.filter(function (b) { return textOf(b).indexOf(comment.exact) >= 0; })[0] || candidates[0] || null;
  }

  function offsetsIn(block, comment) {
    var text = textOf(block);
    if (comment.start !== null && text.slice(comment.start, comment.end) === comment.exact) return [comment.start, comment.end];
    var best = -1, at = text.indexOf(comment.exact);
    while (at >= 0) {  // the same words twice: the place whose preceding text matches
      if (best < 0 || text.slice(0, at).endsWith(comment.prefix)) best = at;
      at = text.indexOf(comment.exact, at + 1);
    }
    return best < 0 ? null : [best, best + comment.exact.length];
  }

  /* ---- highlights ---- */

  function highlight(block, start, end, id) {
    var pos = 0, marks = [], pieces = [];
    texts(block).forEach(function (node) {
      var length = node.data.length, from = Math.max(start - pos, 0), to = Math.min(end - pos, length);
      if (from < to) pieces.push([node, from, to]);
      pos += length;
    });
    pieces.forEach(function (piece) {
      var target = piece[0];
      if (piece[2] < target.data.length) target.splitText(piece[2]);
      if (piece[1] > 0) target = target.splitText(piece[1]);
      var mark = el("mark", { "class": "wp-hl", "data-comment": id });
      target.parentNode.replaceChild(mark, target);
      mark.appendChild(target);
      mark.addEventListener("click", function () {  // to its note; not when the click ends a selection
        var note = document.getElementById("note-" + id), selection = window.getSelection();
        if (note && (!selection || selection.isCollapsed)) note.focus();
      });
      marks.push(mark);
    });
    return marks;
  }

  function unhighlight(id) {
    all('mark.wp-hl[data-comment="' + id + '"]').forEach(function (mark) {
      var parent = mark.parentNode;
      while (mark.firstChild) parent.insertBefore(mark.firstChild, mark);
      parent.removeChild(mark);
      parent.normalize();
    });
  }

  /* ---- margin notes ---- */

  var KINDS = { comment: "Comment", replacement: "Suggestion", typo: "Typo", reply: "Reply" };

  function who(comment) { return comment.mine ? "you" : comment.reviewer; }

  function noteBox(block) {
    var box = block.previousElementSibling;
    if (box && box.classList.contains("wp-notes") && box.getAttribute("data-for") === block.id) return box;
    box = el("div", { "class": "wp-notes wp-ui", "data-for": block.id });
    block.parentNode.insertBefore(box, block);
    return box;
  }

  function editable(comment) { return comment.mine && !me.submitted; }

  function noteFor(comment) {
    var quote = comment.exact.length > 90 ? comment.exact.slice(0, 88) + "…" : comment.exact;
    var note = el("aside", {
      "class": "wp-note wp-kind-" + comment.kind + (comment.mine ? " wp-mine" : ""), id: "note-" + comment.id, tabindex: "-1",
      "aria-label": KINDS[comment.kind] + " by " + who(comment) + " on “" + quote + "”"
    }, [
      el("p", { "class": "wp-note-head" }, [el("span", { "class": "wp-kind", text: KINDS[comment.kind] }), " · " + who(comment)]),
      el("p", { "class": "wp-quote", text: "“" + quote + "”" })
    ]);
    if (comment.kind === "replacement") {
      note.appendChild(el("p", { "class": "wp-suggest" }, [
        el("del", { text: comment.exact }), " → ", el("ins", { text: comment.replacement || "(delete)" })
      ]));
    }
    if (comment.body) note.appendChild(el("p", { "class": "wp-body", text: comment.body }));
    var actions = el("div", { "class": "wp-actions" });
    if (editable(comment)) {
      actions.appendChild(el("button", { type: "button", text: "Edit", "aria-label": "Edit this " + KINDS[comment.kind].toLowerCase(), on: { click: function () { editNote(comment, note); } } }));
      actions.appendChild(el("button", { type: "button", text: "Delete", "aria-label": "Delete this " + KINDS[comment.kind].toLowerCase(), on: { click: function () { remove(comment); } } }));
    } else if (me.shared && !comment.mine && comment.kind !== "reply" && !me.submitted) {
      actions.appendChild(el("button", { type: "button", text: "Reply", "aria-label": "Reply to " + comment.reviewer, on: { click: function () { replyForm(comment, note); } } }));
    }
    if (actions.childNodes.length) note.appendChild(actions);
    return note;
  }

  function render(comment) {
    if (comment.kind === "reply") {
      var parent = document.getElementById("note-" + comment.in_reply_to);
      if (parent) parent.appendChild(noteFor(comment));
      return;
    }
    var block = blockOf(comment);
    if (!block) return;
    var offsets = offsetsIn(block, comment);
    if (offsets) highlight(block, offsets[0], offsets[1], comment.id);
    noteBox(block).appendChild(noteFor(comment));
  }

  function renderAll() {
    all(".wp-notes").forEach(function (box) { box.remove(); });
    all("mark.wp-hl").forEach(function (mark) { unhighlight(mark.getAttribute("data-comment")); });
    comments.filter(function (c) { return c.kind !== "reply"; }).forEach(render);
    comments.filter(function (c) { return c.kind === "reply"; }).forEach(render);
    layoutNotes();
    updateBar();
  }

  function layoutNotes() {  // margin notes that would overlap move down, in reading order
    var bottom = -Infinity;
    all(".wp-notes").forEach(function (box) {
      box.style.marginTop = "";
      if (getComputedStyle(box).position !== "absolute") return;
      var top = box.getBoundingClientRect().top + window.scrollY;
      if (top < bottom + 8) box.style.marginTop = (bottom + 8 - top) + "px";
      bottom = box.getBoundingClientRect().bottom + window.scrollY;
    });
  }

  /* ---- saving ---- */

  function save(payload, done) {
    payload.key = newKey();
    function shown(comment) {
      if (!comments.some(function (c) { return c.id === comment.id; })) comments.push(comment);
      renderAll();
      announce(KINDS[comment.kind] + " saved");
      if (done) done(comment);
    }
    call("POST", "comments", payload).then(function (reply) {
      if (reply.status === 201) {
        shown(reply.data);
      } else if (reply.status === 409 && reply.data && reply.data.id) {
        // saved already: sent again after the answer to the first try was lost
        call("GET", "comments/" + encodeURIComponent(reply.data.id)).then(function (again) {
          if (again.status === 200) shown(again.data); else announce("This comment is there already");
        }, function () { announce("This comment is there already"); });
      } else {
        announce("Not saved: " + ((reply.data && reply.data.error) || reply.status));
      }
    }, function () { announce("Not saved: the server cannot be reached; try again"); });
  }

  function remove(comment) {
    call("DELETE", "comments/" + encodeURIComponent(comment.id)).then(function (reply) {
      if (reply.status === 204) {
        comments = comments.filter(function (c) { return c.id !== comment.id; });
        renderAll();
        announce(KINDS[comment.kind] + " deleted");
      } else announce("Not deleted: " + ((reply.data && reply.data.error) || reply.status));
    }, function () { announce("Not deleted: the server cannot be reached; try again"); });
  }

  function editNote(comment, note) {
    var body = el("textarea", { id: "wp-edit-" + comment.id, rows: "3", maxlength: "5000" });
    body.value = comment.body;
    var fields = [el("label", { "for": body.id, text: comment.kind === "replacement" ? "Why (optional)" : "Your comment" }), body];
    var replacement = null;
    if (comment.kind === "replacement") {
      replacement = el("textarea", { id: "wp-edit-new-" + comment.id, rows: "2", maxlength: "5000" });
      replacement.value = comment.replacement || "";
      fields.unshift(el("label", { "for": replacement.id, text: "Replace with" }), replacement);
    }
    var form = el("form", { "class": "wp-form" }, fields.concat([el("div", { "class": "wp-actions" }, [
      el("button", { type: "submit", text: "Save" }),
      el("button", { type: "button", text: "Cancel", on: { click: renderAll } })
    ])]));
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var changes = { body: body.value };
      if (replacement) changes.replacement = replacement.value;
      call("PUT", "comments/" + encodeURIComponent(comment.id), changes).then(function (reply) {
        if (reply.status === 200) {
          comments = comments.map(function (c) { return c.id === comment.id ? reply.data : c; });
          renderAll();
          announce("Saved");
          var again = document.getElementById("note-" + comment.id);
          if (again) again.focus();
        } else announce("Not saved: " + ((reply.data && reply.data.error) || reply.status));
      }, function () { announce("Not saved: the server cannot be reached; try again"); });
    });
    note.appendChild(form);
    layoutNotes();  // the note grew: the notes below it move down, clear of its buttons
    (replacement || body).focus();
  }

  function replyForm(comment, note) {
    var body = el("textarea", { id: "wp-reply-" + comment.id, rows: "2", maxlength: "5000" });
    var form = el("form", { "class": "wp-form" }, [
      el("label", { "for": body.id, text: "Your reply to " + comment.reviewer }), body,
      el("div", { "class": "wp-actions" }, [el("button", { type: "submit", text: "Reply" }), el("button", { type: "button", text: "Cancel", on: { click: renderAll } })])
    ]);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      save({ kind: "reply", in_reply_to: comment.id, body: body.value });
    });
    note.appendChild(form);
    layoutNotes();
    body.focus();
  }

  /* ---- the box that opens on a selection ---- */

  function closePop(restore) {
    if (!pop) return;
    var back = pop.back;
    pop.node.remove();
    pop = null;
    if (restore && back) back.focus();
  }

  function openPop(found, back, typed) {
    closePop(false);
    var node = el("div", { "class": "wp-pop wp-ui", role: "dialog", "aria-label": "Comment on the selected words" });
    pop = { node: node, found: found, back: back, typed: typed };
    choose();
    document.body.appendChild(node);
    place(found);
    var first = $("button, textarea, input", node);
    if (first) first.focus();
  }

  function place(found) {
    var rect = null, selection = window.getSelection();
    if (selection && selection.rangeCount && !selection.isCollapsed) rect = selection.getRangeAt(0).getBoundingClientRect();
    if (!rect || (!rect.width && !rect.height)) rect = found.block.getBoundingClientRect();
    var left = Math.min(Math.max(8, rect.left + window.scrollX), window.scrollX + document.documentElement.clientWidth - 340);
    pop.node.style.left = Math.max(8, left) + "px";
    pop.node.style.top = (rect.bottom + window.scrollY + 8) + "px";
  }

  function quoteField() {  // the words a comment is about: shown as selected, or typed by a keyboard user
    var found = pop.found;
    if (!pop.typed) return el("p", { "class": "wp-quote", text: "“" + found.exact + "”" });
    var input = el("textarea", { id: "wp-quote", rows: "2", maxlength: String(MAX_QUOTE), "aria-describedby": "wp-quote-help" });
    input.value = found.exact;
    return el("div", {}, [
      el("label", { "for": "wp-quote", text: "The words you mean" }), input,
      el("p", { id: "wp-quote-help", "class": "wp-help", text: "As they stand in the paragraph; shorten them to the words your comment is about." })
    ]);
  }

  function typedAnchor() {  // a keyboard user's words, found in their paragraph
    var found = pop.found, input = $("#wp-quote", pop.node);
    if (!input) return found;
    var words = input.value.trim(), text = textOf(found.block), at = text.indexOf(words);
    if (!words || at < 0) return null;
    return anchor(found.block, at, at + words.length);
  }

  function choose() {
    var node = pop.node;
    node.textContent = "";
    node.appendChild(el("p", { "class": "wp-pop-title", text: pop.typed ? "Comment on this paragraph" : "Comment on the selected words" }));
    node.appendChild(el("div", { "class": "wp-actions" }, [
      el("button", { type: "button", text: "Comment", on: { click: function () { form("comment"); } } }),
      el("button", { type: "button", text: "Suggest a change", on: { click: function () { form("replacement"); } } }),
      el("button", { type: "button", text: "Typo", on: { click: function () { form("typo"); } } }),
      el("button", { type: "button", "class": "wp-quiet", text: "Cancel", on: { click: function () { closePop(true); } } })
    ]));
  }

  function form(kind) {
    var node = pop.node, fields = [quoteField()], replacement = null;
    var title = { comment: "Your comment", replacement: "Suggest a change", typo: "Mark a typo" }[kind];
    if (kind === "replacement") {
      replacement = el("textarea", { id: "wp-new", rows: "2", maxlength: "5000" });
      replacement.value = pop.found.exact;
      fields.push(el("label", { "for": "wp-new", text: "Replace with" }), replacement);
    }
    var body = el("textarea", { id: "wp-body", rows: kind === "comment" ? "3" : "2", maxlength: "5000", required: kind === "comment" ? "required" : null });
    fields.push(el("label", { "for": "wp-body", text: kind === "comment" ? "Comment" : "Why (optional)" }), body);
    var error = el("p", { "class": "wp-error", role: "alert" });
    var formNode = el("form", { "class": "wp-form", "aria-label": title }, [el("p", { "class": "wp-pop-title", text: title })].concat(fields, [error,
      el("div", { "class": "wp-actions" }, [
        el("button", { type: "submit", text: "Save" }),
        el("button", { type: "button", "class": "wp-quiet", text: "Cancel", on: { click: function () { closePop(true); } } })
      ])]));
    formNode.addEventListener("submit", function (event) {
      event.preventDefault();
      var found = typedAnchor();
      if (!found) { error.textContent = "Those words are not in this paragraph as written."; return; }
      if (kind === "comment" && !body.value.trim()) { error.textContent = "Write your comment first."; return; }
      var payload = { kind: kind, file: found.file, line: found.line, exact: found.exact, prefix: found.prefix, suffix: found.suffix, start: found.start, end: found.end, body: body.value };
      if (replacement) payload.replacement = replacement.value;
      var back = pop.back;
      save(payload, function (saved) {
        closePop(false);
        window.getSelection().removeAllRanges();
        var note = document.getElementById("note-" + saved.id);
        if (walking && back) back.focus(); else if (note) note.focus();
      });
    });
    node.textContent = "";
    node.appendChild(formNode);
    (replacement || body).focus();
    if (replacement) replacement.select();
  }

  function onSelection() {
    if (pop && pop.node.contains(document.activeElement)) return;
    var found = selectionAnchor();
    if (found) openPop(found, null, false);
    else if (pop && !$("form", pop.node)) closePop(false);
  }

  /* ---- keyboard: walking the paragraphs of your chapters ---- */

  function leafBlocks() {
    return all('.chapter[data-review="open"] .src').filter(function (b) { return !$(".src", b); });
  }

  function walkTo(block) {
    if (walking) { walking.classList.remove("wp-walking"); walking.setAttribute("tabindex", "-1"); }
    walking = block;
    block.classList.add("wp-walking");
    block.setAttribute("tabindex", "0");
    block.setAttribute("aria-label", "Paragraph at " + blockSource(block).file + " line " + blockSource(block).line + ". Enter to comment, arrows to move, Escape to stop.");
    block.focus();
  }

  function startWalking() {
    var blocks = leafBlocks();
    if (!blocks.length) { announce("You have no chapters to comment on"); return; }
    announce("Arrow keys move between paragraphs, Enter comments, Escape stops");
    walkTo(blocks[0]);
  }

  function onKey(event) {
    if (event.key === "Escape" && pop) { event.preventDefault(); closePop(true); return; }
    var block = event.target.closest && event.target.closest(".src.wp-walking");
    if (!block || block !== event.target) return;
    var blocks = leafBlocks(), index = blocks.indexOf(block);
    if (event.key === "ArrowDown" || event.key === "j") { event.preventDefault(); if (index + 1 < blocks.length) walkTo(blocks[index + 1]); }
    else if (event.key === "ArrowUp" || event.key === "k") { event.preventDefault(); if (index > 0) walkTo(blocks[index - 1]); }
    else if (event.key === "Enter") {
      event.preventDefault();
      var found = selectionAnchor() || anchor(block, 0, textOf(block).length);
      openPop(found, block, true);
    } else if (event.key === "Escape") {
      block.classList.remove("wp-walking");
      walking = null;
      announce("Stopped walking the paragraphs");
    }
  }

  /* ---- the bar: who you are, your chapters, submitting ---- */

  function updateBar() {
    var mine = comments.filter(function (c) { return c.mine; }).length;
    var count = $("#wp-count");
    if (count) count.textContent = mine + (mine === 1 ? " comment" : " comments") + (me.submitted ? " · submitted" : "");
    var submit = $("#wp-submit");
    if (submit) submit.hidden = !!me.submitted;
    var walk = $("#wp-walk");
    if (walk) walk.hidden = !!me.submitted;
  }

  function buildBar() {
    var bar = $("#wp-bar");
    var due = me.due ? " · due " + me.due : "";
    $(".wp-bar-title", bar).remove();  // the page shows the title; the bar says who and what
    bar.appendChild(el("p", { "class": "wp-bar-who" }, [
      "Reviewing as ", el("strong", { text: me.reviewer }), " · " + me.chapters.length + (me.chapters.length === 1 ? " chapter" : " chapters") + due + " · ",
      el("span", { id: "wp-count" })
    ]));
    bar.appendChild(el("div", { "class": "wp-actions" }, [
      el("button", { type: "button", id: "wp-walk", text: "Comment by keyboard", on: { click: startWalking } }),
      el("button", { type: "button", id: "wp-submit", "class": "wp-primary", text: "Submit review", on: { click: confirmSubmit } })
    ]));
    bar.appendChild(el("p", { "class": "wp-help wp-bar-help" }, [
      el("span", { "class": "wp-stamp", text: me.stamp + " · " }),
      el("span", { id: "wp-bar-hint", text: me.submitted
        ? "Your review is submitted; thank you. Your comments are final."
        : "Select words in one of your chapters to comment on them, suggest a change or mark a typo." })
    ]));
  }

  function confirmSubmit() {
    var mine = comments.filter(function (c) { return c.mine; }).length;
    var dialog = el("dialog", { "class": "wp-dialog wp-ui", "aria-labelledby": "wp-dialog-title" }, [
      el("h2", { id: "wp-dialog-title", text: "Submit your review?" }),
      el("p", { text: "Your " + mine + (mine === 1 ? " comment goes" : " comments go") + " to the editors and can no longer be changed." })
    ]);
    var yes = el("button", { type: "button", "class": "wp-primary", text: "Submit", on: { click: function () {
      call("POST", "submit", {}).then(function (reply) {
        dialog.close();
        dialog.remove();
        if (reply.status === 200) {
          me.submitted = reply.data.submitted;
          $("#wp-bar-hint").textContent = "Your review is submitted; thank you. Your comments are final.";
          renderAll();
          announce("Review submitted; thank you");
          $("#wp-count").focus();
        } else announce("Not submitted: " + ((reply.data && reply.data.error) || reply.status));
      });
    } } });
    var no = el("button", { type: "button", text: "Not yet", on: { click: function () { dialog.close(); dialog.remove(); $("#wp-submit").focus(); } } });
    dialog.appendChild(el("div", { "class": "wp-actions" }, [yes, no]));
    document.body.appendChild(dialog);
    dialog.showModal();
    yes.focus();
  }

  /* ---- starting ---- */

  function gate(message) { $("#wp-gate-message").textContent = message; }

  function start() {
    token = readToken();
    if (!token) return;
    call("GET", "me").then(function (reply) {
      if (reply.status !== 200) { gate(reply.status === 401 ? "This link is not (or no longer) valid: ask the editors for a new one." : "The review cannot be opened (" + reply.status + ")."); return null; }
      me = reply.data;
      return call("GET", "edition");
    }).then(function (reply) {
      if (!reply) return null;
      $("#wp-page").innerHTML = reply.data;  // the round's own HTML edition, from our server
      $("#wp-count") || buildBar();
      $("#wp-count").setAttribute("tabindex", "-1");
      var script = el("script", { src: "edition.js" });  // the paper's own reader script: contents, citation previews
      document.body.appendChild(script);
      return call("GET", "comments");
    }).then(function (reply) {
      if (!reply) return;
      comments = reply.data;
      renderAll();
      document.addEventListener("mouseup", function () { setTimeout(onSelection, 10); });
      document.addEventListener("touchend", function () { setTimeout(onSelection, 350); });
      document.addEventListener("keyup", function (event) { if (event.shiftKey) onSelection(); });
      document.addEventListener("keydown", onKey);
      window.addEventListener("resize", layoutNotes);
      if (document.fonts) document.fonts.ready.then(layoutNotes);  // heights change once the fonts are in
      document.body.setAttribute("data-review-ready", "true");
    }, function () { gate("The review server cannot be reached."); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
