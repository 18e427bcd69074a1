"""A refusal the vault sends back: a stable code, an HTTP status and a sentence.

The vault answers every refusal as ``{"error": {"code": ..., "message": ...}}`` with a 4xx
status, so the client can map it to the catalogue code without parsing prose. Codes that
name a user-facing situation come from `wizard.core.errors`; protocol-level complaints
(``request.*``, ``auth.invalid_token``) are the vault's own and the client shows them as
``vault.error``.
"""

from __future__ import annotations


class VaultRefusal(Exception):
    """Raised anywhere inside the service; the app turns it into a JSON error response."""

    def __init__(self, code: str, status: int, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.status = status
        self.message = message

    def body(self) -> dict[str, dict[str, str]]:
        return {"error": {"code": self.code, "message": self.message}}
