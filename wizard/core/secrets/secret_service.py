"""keyring's Secret Service backend, keeping one D-Bus connection and session per thread.

Why: keyring's `SecretService.Keyring` opens a new D-Bus connection for every call and,
for every secret it stores or reads, negotiates a new encrypted transfer session (a
Diffie-Hellman exchange computed in Python on our side and in the daemon). That is ~70% of
each call (~14 ms -> ~4 ms measured against gnome-keyring) and holds the interpreter lock
while it computes; a registration makes several calls (benchmarks/bench_fleet.py).

What is the same: secrets still travel only through the Secret Service, encrypted in
transit by the session (secretstorage's own `Collection` reuses one session for all its
items in exactly this way); a locked collection is still unlocked or refused on every
call. What is cached: the connection, the collection handle and its session, per thread
(a jeepney connection is not thread-safe) and per bus address and collection (so a
process that switches `DBUS_SESSION_BUS_ADDRESS` never talks to the old bus). When a
cached connection fails (daemon or bus restarted), the call is made once more on a fresh
connection - every operation here is idempotent - and a second failure is the answer.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any, Callable, TypeVar

from keyring.compat import properties
from keyring.backends import SecretService
from keyring.errors import KeyringLocked, PasswordDeleteError

log = logging.getLogger(__name__)

T = TypeVar("T")


class SecretServiceKeyring(SecretService.Keyring):
    """Secret Service (GNOME Keyring, KeePassXC...) with a per-thread connection and session."""

    _local = threading.local()

    @properties.classproperty
    def priority(cls) -> float:  # noqa: N805 - keyring's class property
        """Viable exactly when keyring's own Secret Service backend is; preferred over it."""
        return SecretService.Keyring.priority + 0.1

    def _key(self) -> tuple[str, str | None]:
        return os.environ.get("DBUS_SESSION_BUS_ADDRESS", ""), getattr(self, "preferred_collection", None)

    def _collection(self) -> Any:
        """This thread's collection handle for the current bus, unlocked, with an open session."""
        from secretstorage.util import open_session

        cached = getattr(self._local, "cached", None)
        if cached is not None and cached[0] == self._key():
            collection = cached[1]
            if collection.is_locked():
                collection.unlock()
                if collection.is_locked():
                    raise KeyringLocked("Failed to unlock the collection!")
            return collection
        self._forget()
        collection = super().get_preferred_collection()  # new connection; unlocks or raises KeyringLocked
        try:
            collection.session = open_session(collection.connection)
        except Exception:
            collection.connection.close()
            raise
        self._local.cached = (self._key(), collection)
        return collection

    def _forget(self) -> None:
        cached = getattr(self._local, "cached", None)
        self._local.cached = None
        if cached is not None:
            try:
                cached[1].connection.close()
            except Exception:  # already broken: nothing to release
                pass

    def _run(self, action: Callable[[Any], T]) -> T:
        reused = getattr(self._local, "cached", None) is not None and self._local.cached[0] == self._key()
        try:
            return action(self._collection())
        except (KeyringLocked, PasswordDeleteError):
            raise
        except Exception as exc:
            self._forget()
            if not reused:
                raise
            log.debug("cached Secret Service connection failed (%s); retrying on a new one", type(exc).__name__)
            return action(self._collection())

    def get_password(self, service: str, username: str) -> str | None:
        def get(collection: Any) -> str | None:
            for item in collection.search_items(self._query(service, username)):
                self.unlock(item)
                return item.get_secret().decode("utf-8")
            return None
        return self._run(get)

    def set_password(self, service: str, username: str, password: str) -> None:
        attributes = self._query(service, username, application=self.appid)
        label = f"Password for '{username}' on '{service}'"
        self._run(lambda collection: collection.create_item(label, attributes, password, replace=True))

    def delete_password(self, service: str, username: str) -> None:
        def delete(collection: Any) -> None:
            for item in collection.search_items(self._query(service, username)):
                item.delete()
                return
            raise PasswordDeleteError("No such password!")
        self._run(delete)

    def get_credential(self, service: str, username: str | None) -> Any:
        # Not used by the product; keyring's own (one connection per call) keeps its semantics.
        return super().get_credential(service, username)
