"""Running the vault service: uvicorn over HTTPS on a socket we bind ourselves.

Binding the socket here (not in uvicorn) lets ``--port 0`` pick a free port and report it
before the first request, which is how the tests and the demo find the service. uvicorn
installs its own SIGINT/SIGTERM handlers in the main thread and shuts down gracefully;
``service.json`` is removed on the way out so `vault credentials` never points a new file
at a service that is gone.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import ssl
from pathlib import Path
from typing import Callable

from wizard.vault.admin import SERVICE_FILE, TOKEN_KEY_FILE, ServiceInfo, VaultAdmin
from wizard.vault.app import create_app
from wizard.vault import log_rate
from wizard.vault.auth import TokenAuthority
from wizard.vault.guard import ConnectionGuard, GuardLimits, guarded_protocol
from wizard.vault.pki import VaultPki

DEFAULT_HOST = "127.0.0.1"


def _url_host(host: str) -> str:
    if host in ("0.0.0.0", "::", ""):
        return socket.getfqdn()
    return f"[{host}]" if ":" in host else host


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP is not decoration: asyncio sets TCP_NODELAY on accepted sockets only when
    # the listening socket says it is TCP, and without NODELAY every response's body waited
    # ~40 ms behind its headers for the client's delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _tls_context(pki: VaultPki) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(str(pki.server_cert_file), str(pki.server_key_file))
    return context


def serve(data_dir: Path | str, *, host: str = DEFAULT_HOST, port: int = 0,
          on_ready: Callable[[ServiceInfo], None] | None = None) -> None:
    """Serve until SIGINT/SIGTERM. Calls `on_ready` once the socket listens."""
    import uvicorn

    admin = VaultAdmin(data_dir)
    extra = (socket.getfqdn(), socket.gethostname()) if host in ("0.0.0.0", "::") else ()
    if host not in ("127.0.0.1", "::1", "localhost", "0.0.0.0", "::"):
        extra = (host,)
    pki = VaultPki.load_or_create(admin.data_dir, extra_names=extra)
    authority = TokenAuthority(admin.storage, admin.data_dir / TOKEN_KEY_FILE)
    app = create_app(admin.storage, pki, authority, security=admin.security)
    sock = _bind(host, port)
    bound_port = sock.getsockname()[1]
    info = ServiceInfo(f"https://{_url_host(host)}:{bound_port}", pki.ca_file, os.getpid())
    # TLS is started per connection by the guard (wizard/vault/guard.py), not by the listener, so a
    # connection that never finishes its handshake is counted, timed and evictable too.
    guard = ConnectionGuard(GuardLimits.from_environment(), _tls_context(pki))
    log_rate.install()
    config = uvicorn.Config(app, http=guarded_protocol(guard), log_config=None, log_level="warning",
                            access_log=False, lifespan="off", timeout_keep_alive=15, backlog=2048,
                            server_header=False)
    server = uvicorn.Server(config)
    service_file = admin.data_dir / SERVICE_FILE

    original_startup = server.startup

    async def startup(sockets: list[socket.socket] | None = None) -> None:
        await original_startup(sockets=sockets)
        tmp = service_file.with_name(SERVICE_FILE + ".tmp")
        tmp.write_text(json.dumps({"url": info.url, "ca_file": str(info.ca_file), "pid": info.pid}),
                       encoding="utf-8")
        os.replace(tmp, service_file)
        if on_ready is not None:
            on_ready(info)

    server.startup = startup  # type: ignore[method-assign]
    # uvicorn shuts down gracefully on SIGINT/SIGTERM and then re-raises the signal to the
    # handler that was installed before it; a no-op handler here makes that a clean return.
    previous = {sig: signal.signal(sig, lambda *_: None) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.run(sockets=[sock])
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        try:
            if json.loads(service_file.read_text(encoding="utf-8")).get("pid") == info.pid:
                service_file.unlink()
        except (OSError, ValueError):
            pass
        sock.close()
        admin.close()
