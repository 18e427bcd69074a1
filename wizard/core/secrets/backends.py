"""Choosing a keyring backend we trust, freshly, without keyring's process-wide cache.

Why not just `keyring.get_keyring()`: it picks the highest-priority *viable* backend,
which on a headless Linux is the `fail` backend and, once `keyrings.alt` is installed,
a file that stores passwords base64-encoded (plain text for any reader). We accept only
backends that keep secrets in an OS-protected store, listed by class name below; anything
else (fail, null, keyrings.alt, unknown third-party backends) means `secrets.unavailable`.

An explicit keyring configuration (PYTHON_KEYRING_BACKEND or keyringrc.cfg) is honoured
when it names a trusted backend, and refused otherwise.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

log = logging.getLogger(__name__)

# module -> class names of backends that keep secrets in an OS-protected store.
TRUSTED_BACKENDS: dict[str, tuple[str, ...]] = {
    # The same Secret Service, one D-Bus connection and session per thread (secret_service.py).
    "wizard.core.secrets.secret_service": ("SecretServiceKeyring",),
    "keyring.backends.SecretService": ("Keyring",),    # GNOME Keyring, KeePassXC, ... over D-Bus
    "keyring.backends.libsecret": ("Keyring",),        # the same store through libsecret
    "keyring.backends.kwallet": ("DBusKeyring", "DBusKeyringKWallet4"),
    "keyring.backends.Windows": ("WinVaultKeyring",),  # Windows Credential Manager
    "keyring.backends.macOS": ("Keyring",),            # macOS Keychain
}


class NoTrustedBackend(Exception):
    """No trusted backend is usable; `str()` is a secret-free reason for the user and the log."""


def qualified_name(backend: object) -> str:
    cls = backend if isinstance(backend, type) else type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def is_trusted(backend: object) -> bool:
    cls = backend if isinstance(backend, type) else type(backend)
    return cls.__qualname__ in TRUSTED_BACKENDS.get(cls.__module__, ())


def describe(backend: object) -> str:
    """`SecretService Keyring (keyring.backends.SecretService.Keyring)` - for diagnostics."""
    cls = type(backend)
    label = getattr(cls, "name", None) or cls.__qualname__
    return f"{label} ({qualified_name(backend)})"


def resolve_backend() -> Any:
    """A fresh instance of the best trusted, viable backend, or `NoTrustedBackend`."""
    configured = _configured_backend()
    if configured is not None:
        candidates = [b for b in _flatten(configured) if is_trusted(b)]
        if not candidates:
            raise NoTrustedBackend(f"the keyring configured for this account ({qualified_name(configured)}) "
                                   "is not a secure store")
        return candidates[0]
    viable = []
    reasons = []
    for module_name, class_names in TRUSTED_BACKENDS.items():
        try:
            module = importlib.import_module(module_name)
        except Exception as exc:  # a backend's optional dependency is missing on this OS
            reasons.append(f"{module_name}: {type(exc).__name__}")
            continue
        for class_name in class_names:
            cls = getattr(module, class_name, None)
            if cls is None:
                continue
            try:
                priority = cls.priority  # raises when the backend cannot work here
            except Exception as exc:
                reasons.append(f"{module_name}.{class_name}: {_short(exc)}")
                continue
            viable.append((priority, cls))
    if not viable:
        log.debug("no trusted keyring backend is viable: %s", "; ".join(reasons))
        raise NoTrustedBackend(_why_none())
    viable.sort(key=lambda pair: pair[0], reverse=True)
    return viable[0][1]()


def _why_none() -> str:
    """A plain reason for the most common case, so the administrator knows what to start."""
    import os
    import sys

    if sys.platform.startswith("linux"):
        bus = os.environ.get("DBUS_SESSION_BUS_ADDRESS", "")
        if not bus or bus.startswith("disabled:"):
            return ("no secure keyring is running in this session: there is no D-Bus session bus "
                    "(DBUS_SESSION_BUS_ADDRESS is not set), so no Secret Service can be reached")
        return "no secure keyring is running in this session: no Secret Service answers on the D-Bus session bus"
    return "no secure keyring is running in this session"


def _configured_backend() -> Any | None:
    """The backend the user configured for keyring explicitly, if any."""
    from keyring import core

    try:
        return core.load_env() or core.load_config()
    except Exception as exc:  # a broken configuration must not crash us
        raise NoTrustedBackend(f"the keyring configuration cannot be loaded ({type(exc).__name__})") from None


def _flatten(backend: Any) -> list[Any]:
    inner = getattr(backend, "backends", None)
    if inner is not None and not is_trusted(backend):  # a ChainerBackend
        return [b for sub in inner for b in _flatten(sub)]
    return [backend]


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:160]
