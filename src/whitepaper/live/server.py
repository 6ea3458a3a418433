"""The preview server: the drafts in `build/`, reloaded in the browser after every build.

Serves only files inside `build/`, on the loopback address unless told
otherwise. Each HTML page gets a small script that listens to build events
(server-sent events): after a good build it reloads and keeps its scroll
position; after a failed one it shows the diagnostics over the page.
"""

from __future__ import annotations

import json
import mimetypes
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..project import CACHE_DIR
from .watch import BuildState

EVENTS = "/__whitepaper/events"
STATE = "/__whitepaper/state"
KEEPALIVE = 10.0  # seconds between keep-alive comments on the event stream
CACHE = Path(CACHE_DIR).name  # never served

LIVE_SCRIPT = """
<script id="whitepaper-live">
(function () {
  var known = null;
  var saved = sessionStorage.getItem("whitepaper-scroll");
  if (saved !== null) { sessionStorage.removeItem("whitepaper-scroll"); window.addEventListener("load", function () { window.scrollTo(0, +saved); }); }
  function overlay(state) {
    var box = document.getElementById("whitepaper-overlay");
    if (state.ok) { if (box) box.remove(); return; }
    if (!box) { box = document.createElement("div"); box.id = "whitepaper-overlay"; document.body.appendChild(box); }
    box.setAttribute("style", "position:fixed;inset:auto 0 0 0;max-height:60vh;overflow:auto;z-index:99999;background:#2b0d0d;color:#fff;font:13px/1.5 monospace;padding:12px 16px;border-top:4px solid #e5484d");
    var lines = state.diagnostics.filter(function (d) { return d.severity === "error"; }).map(function (d) {
      var where = d.path + (d.line ? ":" + d.line + (d.col ? ":" + d.col : "") : "");
      return where + ": " + d.severity + ": " + d.message + " [" + d.rule + "]";
    });
    box.textContent = "";
    var title = document.createElement("strong"); title.textContent = "The last build failed; this page is out of date."; box.appendChild(title);
    lines.forEach(function (text) { var row = document.createElement("div"); row.textContent = text; box.appendChild(row); });
  }
  var source = new EventSource("%s");
  source.addEventListener("build", function (event) {
    var state = JSON.parse(event.data);
    if (known !== null && state.generation !== known && state.ok) {
      sessionStorage.setItem("whitepaper-scroll", String(window.scrollY));
      window.location.reload();
      return;
    }
    known = state.generation;
    overlay(state);
  });
})();
</script>
""" % EVENTS


def make_handler(build_dir: Path, state: BuildState, default_page: str) -> type[BaseHTTPRequestHandler]:
    root = build_dir.resolve()

    class Handler(BaseHTTPRequestHandler):
        server_version = "whitepaper"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass  # the terminal shows builds, not requests

        def do_GET(self) -> None:  # noqa: N802
            path = urlsplit(self.path).path
            if path == EVENTS:
                return self._events()
            if path == STATE:
                return self._send(HTTPStatus.OK, json.dumps(state.as_dict()).encode(), "application/json")
            if path in ("", "/"):
                self.send_response(HTTPStatus.FOUND)
                self.send_header("Location", "/" + default_page)
                self.end_headers()
                return None
            file = self._confined(path)
            if file is None:
                return self._send(HTTPStatus.NOT_FOUND, b"not found", "text/plain")
            data = file.read_bytes()
            kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
            if kind == "text/html":
                data = data.replace(b"</body>", LIVE_SCRIPT.encode() + b"</body>", 1)
            return self._send(HTTPStatus.OK, data, kind)

        def _confined(self, path: str) -> Path | None:
            """The file a URL path names inside build/, or None (for `..`, however encoded)."""
            decoded = path
            for _ in range(3):  # %252e%252e decodes twice
                decoded = unquote(decoded)
            if "\x00" in decoded or any(part == ".." for part in decoded.replace("\\", "/").split("/")):
                return None
            candidate = (root / decoded.lstrip("/")).resolve()
            if not candidate.is_relative_to(root) or not candidate.is_file() or CACHE in candidate.relative_to(root).parts:
                return None
            return candidate

        def _send(self, status: HTTPStatus, data: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind + ("; charset=utf-8" if kind.startswith("text/") or kind.endswith("json") else ""))
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)

        def _events(self) -> None:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            seen = -1
            try:
                while not getattr(self.server, "closing", False):
                    with state.changed:
                        if state.generation == seen:
                            state.changed.wait(KEEPALIVE)
                        current = state.generation
                        payload = json.dumps(state.as_dict())
                    if current != seen:
                        self.wfile.write(f"event: build\ndata: {payload}\n\n".encode())
                        seen = current
                    else:
                        self.wfile.write(b": keep-alive\n\n")
                    self.wfile.flush()
            except (BrokenPipeError, ConnectionResetError):
                return

    return Handler


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True
    closing = False


def start_server(build_dir: Path, state: BuildState, default_page: str, host: str, port: int) -> PreviewServer:
    server = PreviewServer((host, port), make_handler(build_dir, state, default_page))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def stop_server(server: PreviewServer, state: BuildState) -> None:
    server.closing = True
    with state.changed:
        state.changed.notify_all()
    server.shutdown()
    server.server_close()
