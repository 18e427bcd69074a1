"""The real local vault service for tests: `register-server vault serve --port 0 --json` as a subprocess.

The fixture reads the service's ready line (URL and CA file), administers vaults through
`VaultAdmin` on the same data directory (as the `vault` commands do, safe next to the
running service thanks to SQLite WAL), and stops the process by its PID with SIGTERM.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from tests.support.fixtures_proxy import die_with_parent

_names = itertools.count(1)


@dataclass
class VaultService:
    """A running `vault serve` process and helpers to administer it."""

    data_dir: Path
    url: str
    ca_file: Path
    process: subprocess.Popen[str]
    _admin: Any = field(default=None, repr=False)

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    @property
    def admin(self) -> Any:
        if self._admin is None:
            from wizard.vault.admin import VaultAdmin

            self._admin = VaultAdmin(self.data_dir)
        return self._admin

    def create_vault(self, name: str | None = None, **options: Any) -> str:
        name = name or f"vault-{os.getpid()}-{next(_names)}"
        self.admin.create_vault(name, **options)
        return name

    def issue(self, vault: str, out_dir: Path, *, now: datetime | None = None,
              lifetime: timedelta | None = None) -> Path:
        """A fresh credentials file in its own folder (files of one day share a name)."""
        target = out_dir / f"creds-{next(_names)}"
        return self.admin.issue_credentials(vault, target, base_url=self.url, now=now, lifetime=lifetime)

    def stop(self) -> None:
        if self._admin is not None:
            self._admin.close()
            self._admin = None
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)

    @property
    def running(self) -> bool:
        return self.process.poll() is None


def start_vault_service(data_dir: Path, *, timeout: float = 30.0, env: dict[str, str] | None = None,
                        descriptor_limit: int | None = None, stderr_file: Path | None = None) -> VaultService:
    """Start `register-server vault serve` and wait for its JSON ready line.

    `env` adds environment variables, `descriptor_limit` lowers the service's RLIMIT_NOFILE and
    `stderr_file` keeps its log output for the test to measure."""
    command = [sys.executable, "-m", "wizard", "vault", "serve", "--data", str(data_dir), "--port", "0", "--json"]

    def prepare() -> None:
        die_with_parent()
        if descriptor_limit is not None:
            import resource

            resource.setrlimit(resource.RLIMIT_NOFILE, (descriptor_limit, descriptor_limit))

    stderr: Any = subprocess.PIPE if stderr_file is None else stderr_file.open("wb")
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, text=True, preexec_fn=prepare,
                               env={**os.environ, **(env or {})})
    if stderr_file is not None:
        stderr.close()
    line: list[str] = []
    reader = threading.Thread(target=lambda: line.append(process.stdout.readline() if process.stdout else ""),
                              daemon=True)
    reader.start()
    reader.join(timeout)
    if not line or not line[0].strip():
        process.kill()
        _, err = process.communicate(timeout=5)
        err = err or (stderr_file.read_text(errors="replace") if stderr_file is not None else "")
        raise RuntimeError(f"vault service did not start: {err[-2000:]}")
    ready = json.loads(line[0])
    # Drain stderr so a chatty server never blocks on a full pipe.
    if stderr_file is None:
        threading.Thread(target=lambda: process.stderr and process.stderr.read(), daemon=True).start()
    return VaultService(data_dir, ready["url"], Path(ready["ca_file"]), process)


@pytest.fixture(scope="session")
def vault_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VaultService]:
    """One vault service for the session; tests create their own vaults in it."""
    service = start_vault_service(tmp_path_factory.mktemp("vault-data"))
    yield service
    service.stop()


@pytest.fixture
def vault_service_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., VaultService]]:
    """Start a private vault service (for tests that stop it)."""
    started: list[VaultService] = []

    def start(**options: Any) -> VaultService:
        service = start_vault_service(tmp_path_factory.mktemp("vault-private"), **options)
        started.append(service)
        return service

    yield start
    for service in started:
        service.stop()
