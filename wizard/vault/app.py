"""The vault's HTTP interface: a small Starlette app over `VaultStorage`, `VaultPki` and `TokenAuthority`.

Every answer is JSON. Every refusal is ``{"error": {"code", "message"}}`` with a 4xx status
(5xx only for a bug, as ``internal.error``). Malformed input never reaches a handler
unguarded: bodies are capped at `wire.MAX_BODY_BYTES` before they are read (Content-Length)
and while they stream (chunked), content types are checked, JSON is parsed defensively.
Handlers are ``async`` and call SQLite directly: each database call is sub-millisecond, so
running them on the event loop is faster than a thread pool hop and keeps one writer.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import re
from datetime import datetime, timezone
from typing import Any, Awaitable, Callable
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wizard.core.registration import wire
from wizard.vault.auth import TokenAuthority
from wizard.vault.pki import VaultPki
from wizard.vault.machine_auth import verify_machine_assertion
from wizard.vault.refusal import VaultRefusal
from wizard.vault.security import VaultSecurity
from wizard.vault.storage import EscrowWrite, VaultStorage

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
_MACHINE_NAME = re.compile(wire.MACHINE_NAME_PATTERN)


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _error(code: str, status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


class BodyLimit:
    """Pure ASGI middleware: refuse bodies over `limit` bytes with 413, before or while reading them."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None:
            try:
                too_big = int(declared) > self.limit
            except ValueError:
                await _error("request.invalid", 400, "Content-Length is not a number.")(scope, receive, send)
                return
            if too_big:
                await self._refuse(scope, receive, send)
                return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limit:
                await self._refuse(scope, receive, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        delivered = False

        async def replay() -> Message:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = _error("request.too_large", 413, f"Request bodies are limited to {self.limit} bytes.")
        response.headers["Connection"] = "close"
        await response(scope, receive, send)


def _require_type(request: Request, expected: str) -> None:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != expected:
        raise VaultRefusal("request.unsupported_media_type", 415, f"This endpoint takes {expected}.")


async def _json_body(request: Request) -> dict[str, Any]:
    _require_type(request, "application/json")
    body = await request.body()
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise VaultRefusal("request.invalid", 400, "The request body is not valid JSON.") from None
    except RecursionError:
        # A few thousand nested brackets fit under the body cap and exhaust the parser's stack;
        # unanswered, that was a 500 (arrays) or a dropped connection (objects).
        raise VaultRefusal("request.invalid", 400, "The request body nests too deeply.") from None
    if not isinstance(data, dict):
        raise VaultRefusal("request.invalid", 400, "The request body must be a JSON object.")
    return data


def _field(data: dict[str, Any], name: str, *, max_length: int, required: bool = True) -> str | None:
    value = data.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value or len(value) > max_length:
        raise VaultRefusal("request.invalid", 400, f"Field {name!r} must be a non-empty string of at most "
                                                   f"{max_length} characters.")
    return value


def _verifier(data: dict[str, Any]) -> bytes:
    """The passphrase verifier of a request body: base64url of exactly VERIFIER_LENGTH bytes."""
    text = _field(data, "verifier", max_length=128)
    try:
        verifier = base64.urlsafe_b64decode((text or "") + "==")
    except (binascii.Error, ValueError):
        raise VaultRefusal("request.invalid", 400, "The verifier is not base64url.") from None
    if len(verifier) != wire.VERIFIER_LENGTH:
        raise VaultRefusal("request.invalid", 400, "The verifier has the wrong length.")
    return verifier


def _escrow(data: dict[str, Any]) -> tuple[bytes, str] | None:
    """The (envelope, fingerprint) a request carries, if any; shape-checked, never opened."""
    value = data.get(wire.ESCROW_FIELD)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise VaultRefusal("request.invalid", 400, f"Field {wire.ESCROW_FIELD!r} must be an object.")
    text = _field(value, "envelope", max_length=wire.MAX_ENVELOPE_BASE64)
    fingerprint = _field(value, "fingerprint", max_length=64)
    try:
        envelope = base64.b64decode(text or "", validate=True)
    except (binascii.Error, ValueError):
        raise VaultRefusal("request.invalid", 400, "The escrow envelope is not base64.") from None
    return envelope, fingerprint or ""


def _certificate_answer(security: VaultSecurity, vault_id: int) -> Response:
    found = security.recovery_certificate(vault_id)
    if found is None:
        return JSONResponse({"certificate": None, "fingerprint": None})
    return JSONResponse({"certificate": found.certificate_pem.decode("ascii"), "fingerprint": found.fingerprint})


def create_app(storage: VaultStorage, pki: VaultPki, authority: TokenAuthority, *, clock: Clock = _utcnow,
               security: VaultSecurity | None = None) -> ASGIApp:
    """The ASGI application of one vault service."""
    if security is None:
        security = VaultSecurity(getattr(storage, "path"))

    async def health(request: Request) -> Response:
        return JSONResponse({"ok": True})

    async def token(request: Request) -> Response:
        _require_type(request, "application/x-www-form-urlencoded")
        try:
            form = dict(parse_qsl((await request.body()).decode("ascii"), strict_parsing=False))
        except (UnicodeDecodeError, ValueError):
            raise VaultRefusal("request.invalid", 400, "The form body is not valid.") from None
        answer = authority.exchange(tenant=request.path_params["tenant"], form=form, now=clock())
        return JSONResponse(answer, headers={"Cache-Control": "no-store"})

    async def register(request: Request) -> Response:
        now = clock()
        grant = authority.verify_access_token(request.headers.get("authorization"), now)
        data = await _json_body(request)
        name = _field(data, "machine_name", max_length=63)
        assert name is not None
        if not _MACHINE_NAME.fullmatch(name):
            raise VaultRefusal("machine.name_invalid", 400, "The machine name is not a valid computer name.")
        csr = _field(data, "csr", max_length=8192)
        verifier = _verifier(data)
        agent_version = _field(data, "agent_version", max_length=64)
        existing = _field(data, "existing_machine_id", max_length=64, required=False)
        escrow = _escrow(data)
        vault = storage.vault_by_id(grant.vault_id)
        if vault is None or vault.deleted:
            raise VaultRefusal("vault.not_found", 404, "The vault no longer exists.")
        if escrow is not None:
            security.check_fingerprint(vault.id, escrow[1])
        certificate = pki.sign_machine_csr((csr or "").encode("ascii", "replace"), machine_name=name,
                                           vault_name=vault.name, now=now)
        record, re_registration, stored = storage.register_machine(
            vault.id, name=name, verifier_hash=hashlib.sha256(verifier).digest(), certificate_pem=certificate,
            agent_version=agent_version or "", now=now, existing_machine_id=existing,
            escrow=None if escrow is None else EscrowWrite(*escrow))
        kept = None if stored is None else {"version": stored.version, "fingerprint": stored.fingerprint}
        return JSONResponse({
            "escrow": kept,
            "machine_id": record.machine_id, "machine_name": record.name, "vault_name": vault.name,
            "resource_id": str(vault.resource_id), "certificate": certificate.decode("ascii"),
            "registered_at": record.registered_at.isoformat(), "re_registration": re_registration,
        }, status_code=200 if re_registration else 201)

    async def machine(request: Request) -> Response:
        grant = authority.verify_access_token(request.headers.get("authorization"), clock())
        found = [m for m in storage.machines(grant.vault_id) if m.machine_id == request.path_params["machine_id"]]
        if not found:
            raise VaultRefusal("machine.not_found", 404, "No such machine in this vault.")
        return JSONResponse({"machine_id": found[0].machine_id, "machine_name": found[0].name,
                             "registered_at": found[0].registered_at.isoformat()})

    async def unregister(request: Request) -> Response:
        machine = verify_machine_assertion(request.headers.get("authorization"),
                                           machine_id=request.path_params["machine_id"],
                                           request_path=request.url.path, storage=storage, now=clock())
        security.use_pin(machine.vault_id, request.headers.get(wire.PIN_HEADER), now=clock())
        storage.remove_machine_by_id(machine.machine_id)
        log.info("machine %s (%s) unregistered itself", machine.name, machine.machine_id)
        return JSONResponse({"machine_id": machine.machine_id, "removed": True})

    async def change_verifier(request: Request) -> Response:
        now = clock()
        machine = verify_machine_assertion(request.headers.get("authorization"),
                                           machine_id=request.path_params["machine_id"],
                                           request_path=request.url.path, storage=storage, now=now)
        data = await _json_body(request)
        verifier = _verifier(data)
        escrow = _escrow(data)
        if escrow is not None:
            security.check_fingerprint(machine.vault_id, escrow[1])
        security.use_pin(machine.vault_id, request.headers.get(wire.PIN_HEADER), now=now)
        _, stored = storage.set_verifier(machine.machine_id, hashlib.sha256(verifier).digest(), now=now,
                                         escrow=None if escrow is None else EscrowWrite(*escrow))
        kept = None if stored is None else {"version": stored.version, "fingerprint": stored.fingerprint}
        return JSONResponse({"machine_id": machine.machine_id, "verifier_updated": True, "escrow": kept})

    async def check_verifier(request: Request) -> Response:
        machine = verify_machine_assertion(request.headers.get("authorization"),
                                           machine_id=request.path_params["machine_id"],
                                           request_path=request.url.path, storage=storage, now=clock())
        verifier = _verifier(await _json_body(request))
        in_force = storage.verifier_matches(machine.machine_id, hashlib.sha256(verifier).digest())
        own = [e for e in security.envelopes(machine.vault_id, machine.name) if e.machine_id == machine.machine_id]
        newest = {"version": own[-1].version, "fingerprint": own[-1].fingerprint} if own else None
        return JSONResponse({"machine_id": machine.machine_id, "in_force": in_force, "escrow": newest})

    async def recovery_certificate(request: Request) -> Response:
        grant = authority.verify_access_token(request.headers.get("authorization"), clock())
        return _certificate_answer(security, grant.vault_id)

    async def machine_recovery_certificate(request: Request) -> Response:
        machine = verify_machine_assertion(request.headers.get("authorization"),
                                           machine_id=request.path_params["machine_id"],
                                           request_path=request.url.path, storage=storage, now=clock())
        return _certificate_answer(security, machine.vault_id)

    async def on_refusal(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, VaultRefusal)
        return JSONResponse(exc.body(), status_code=exc.status)

    async def on_http(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        code = {404: "request.not_found", 405: "request.method_not_allowed"}.get(exc.status_code, "request.invalid")
        return _error(code, exc.status_code, str(exc.detail))

    async def on_bug(request: Request, exc: Exception) -> Response:
        log.exception("vault request failed")
        return _error("internal.error", 500, "The vault service failed to handle the request.")

    handlers: dict[Any, Callable[[Request, Exception], Awaitable[Response]]] = {
        VaultRefusal: on_refusal, HTTPException: on_http, Exception: on_bug}
    app = Starlette(routes=[
        Route(wire.HEALTH_PATH, health, methods=["GET"]),
        Route(wire.TOKEN_PATH, token, methods=["POST"]),
        Route(wire.MACHINES_PATH, register, methods=["POST"]),
        Route(wire.MACHINE_PATH, machine, methods=["GET"]),
        Route(wire.MACHINE_PATH, unregister, methods=["DELETE"]),
        Route(wire.VERIFIER_PATH, change_verifier, methods=["PUT"]),
        Route(wire.VERIFIER_CHECK_PATH, check_verifier, methods=["POST"]),
        Route(wire.RECOVERY_CERTIFICATE_PATH, recovery_certificate, methods=["GET"]),
        Route(wire.MACHINE_RECOVERY_CERTIFICATE_PATH, machine_recovery_certificate, methods=["GET"]),
    ], exception_handlers=handlers)
    return BodyLimit(app, wire.MAX_BODY_BYTES)
