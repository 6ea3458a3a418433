"""`review serve`: the round's review server on uvicorn, on loopback unless told otherwise.

The socket is bound here, before uvicorn starts, so a port in use is a clear error rather
than a log line; and a server told to listen beyond this machine says so, since it speaks
plain HTTP: on a network it belongs behind an HTTPS reverse proxy (README).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass, field
from pathlib import Path

import uvicorn

from ..config import load_config
from ..diagnostics import Diagnostics, EnvironmentProblem
from ..pipeline import Reporter
from ..project import Project
from ..review.frozen import FrozenSources, load_round
from .app import create_app, open_round
from .edition import ensure_edition

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8765


@dataclass
class Prepared:
    """A server ready to run: its socket bound, its page built."""

    url: str
    app: object
    sock: socket.socket
    warnings: list[str] = field(default_factory=list)
    invited: int = 0

    def run(self) -> None:
        config = uvicorn.Config(self.app, log_level="warning", access_log=False, lifespan="off", server_header=False)  # type: ignore[arg-type]
        uvicorn.Server(config).run(sockets=[self.sock])


def prepare(project: Project | Path | str, round_name: str, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, reporter: Reporter | None = None) -> Prepared:
    project = Project.at(project)
    info = load_round(project, round_name)
    settings = load_config(project, Diagnostics()).config.review  # how to serve: as whitepaper.yaml says now
    sock = _bind(host, port)  # a port in use is said before anything is built
    try:
        page = ensure_edition(project, round_name, reporter)
    except BaseException:
        sock.close()
        raise
    served = open_round(info, page, FrozenSources(project, info), settings)
    shown_host = f"[{host}]" if ":" in host else host
    prepared = Prepared(f"http://{shown_host}:{sock.getsockname()[1]}/{round_name}/", create_app(served), sock)
    prepared.invited = len(served.store.invited())
    if not _loopback(host):
        prepared.warnings.append(
            f"listening on {host}, beyond this machine, in plain HTTP: put it behind an HTTPS reverse proxy "
            "(see 'Reviewing in the browser' in the README)"
        )
    if not prepared.invited:
        prepared.warnings.append(f"nobody has a link yet: run `whitepaper review invite {round_name}`")
    return prepared


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _bind(host: str, port: int) -> socket.socket:
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise EnvironmentProblem(f"cannot listen on '{host}': {exc.strerror}") from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise EnvironmentProblem(f"cannot listen on {host}:{port}: {exc.strerror} (give another --port)") from None
    sock.listen(128)
    return sock
