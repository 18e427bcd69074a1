"""`register-server demo`: the wizard against a throw-away local vault, nothing else needed.

Starts `register-server vault serve` on loopback in the background, creates a demo vault,
writes a fresh credentials file and opens the wizard with that file (and the service's
CA certificate) already chosen. When no secret store is reachable (a root shell, SSH: no
D-Bus session), it also starts a private Secret Service for the demo's own use and says so.
Closing the wizard stops both. State goes to a
temporary folder unless `--home` is given, so a demo never touches a real registration.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import subprocess

from wizard.commands import Command
from wizard.core.i18n import N_, _

DEMO_VAULT = "contoso-vault"
READY_TIMEOUT_S = 30.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--home", metavar="DIR", default=argparse.SUPPRESS,
                        help=_("state directory for the demo (default: a temporary folder, removed afterwards)"))
    parser.add_argument("--vault", default=DEMO_VAULT, help=_("name of the demo vault (default: {vault})").format(vault=DEMO_VAULT))


def _die_with_parent() -> None:
    """Linux: the service gets SIGTERM when the demo process dies, even if it is killed outright."""
    import ctypes
    import signal

    PR_SET_PDEATHSIG = 1
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class DemoVault:
    """The background `vault serve` process; a context manager that always stops it."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.process: subprocess.Popen[str] | None = None
        self.url = ""
        self.ca_file: Path | None = None

    def _cli(self, *args: str, tolerate: str | None = None) -> dict[str, Any]:
        """Run `vault ARGS --json`; its JSON answer. A refusal whose code is `tolerate` is an answer too."""
        import json
        import subprocess

        from wizard.self_command import self_command, self_environment

        done = subprocess.run([*self_command(), "vault", *args, "--data", str(self.data_dir), "--json"],
                              capture_output=True, text=True, timeout=60, env=self_environment())
        lines = done.stdout.strip().splitlines()
        answer: dict[str, Any] = json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {}
        if done.returncode != 0 and (tolerate is None or answer.get("error", {}).get("code") != tolerate):
            raise RuntimeError(f"vault {args[0]} failed: {(done.stdout + done.stderr).strip()[-500:]}")
        return answer

    def __enter__(self) -> "DemoVault":
        import json
        import subprocess
        import threading

        from wizard.self_command import self_command, self_environment

        command = [*self_command(), "vault", "serve", "--data", str(self.data_dir),
                   "--host", "127.0.0.1", "--port", "0", "--json"]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                        env=self_environment(),
                                        preexec_fn=_die_with_parent if sys.platform == "linux" else None)
        line: list[str] = []
        reader = threading.Thread(target=lambda: line.append(self.process.stdout.readline()), daemon=True)  # type: ignore[union-attr]
        reader.start()
        reader.join(READY_TIMEOUT_S)
        if not line or not line[0].strip():
            self.stop()
            raise RuntimeError("the local vault service did not start")
        ready = json.loads(line[0])
        self.url, self.ca_file = ready["url"], Path(ready["ca_file"])
        return self

    def create_vault_and_credentials(self, name: str, out_dir: Path) -> Path:
        self._cli("create", name, tolerate="vault.exists")  # a demo run again with the same --home
        return Path(self._cli("credentials", name, "--out", str(out_dir))["path"])

    def stop(self) -> None:
        import os
        import signal
        import subprocess

        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)

    def __exit__(self, *exc: object) -> None:
        self.stop()


class DemoSecretStore:
    """A private Secret Service for the demo when this session has no usable secret store.

    Why: the demo's job is a finished registration, which stores the passphrase in the OS
    secret store; a root shell or an SSH session has none. The private one lives in the
    demo's temporary folder, is unlocked with a random password nobody needs to know, and is
    stopped with the demo; a session that has a store keeps using its own.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.service: Any = None
        self._previous_bus: str | None = None

    def __enter__(self) -> "DemoSecretStore":
        import os

        from wizard.core.secrets.availability import secret_store_problem

        if secret_store_problem() is None:
            return self
        from wizard.core.secrets.private_service import start_private_secret_service

        self.root.mkdir(parents=True, exist_ok=True)
        self.service = start_private_secret_service(self.root)
        self._previous_bus = os.environ.get("DBUS_SESSION_BUS_ADDRESS")
        os.environ["DBUS_SESSION_BUS_ADDRESS"] = self.service.address
        sys.stderr.write("No secret store in this session: started a private one for the demo "
                         "(gnome-keyring on its own D-Bus; stopped when the demo ends).\n")
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop the private store if one was started (idempotent; also from a signal handler)."""
        import os

        service, self.service = self.service, None
        if service is None:
            return
        service.stop()
        if self._previous_bus is None:
            os.environ.pop("DBUS_SESSION_BUS_ADDRESS", None)
        else:
            os.environ["DBUS_SESSION_BUS_ADDRESS"] = self._previous_bus


def run(args: argparse.Namespace) -> int:
    import tempfile

    given_home = getattr(args, "home", None)
    with tempfile.TemporaryDirectory(prefix="register-server-demo-") as temp:
        home = Path(given_home) if given_home else Path(temp) / "home"
        home.mkdir(parents=True, exist_ok=True)
        downloads = Path(temp) / "Downloads"
        downloads.mkdir()
        vault_service = DemoVault(home / "local-vault")
        secret_store = DemoSecretStore(Path(temp) / "secret-service")
        _stop_on_termination((vault_service, secret_store), Path(temp))  # until the wizard has its own
        with secret_store:
            sys.stderr.write("Starting the local vault service...\n")
            return _run_with_vault(args, vault_service, home, downloads)


def _run_with_vault(args: argparse.Namespace, vault_service: DemoVault, home: Path, downloads: Path) -> int:
    from wizard.core.model import RegistrationSettings, VaultSettings

    with vault_service as vault:
        credentials = vault.create_vault_and_credentials(args.vault, downloads)
        sys.stderr.write(f"Vault service at {vault.url}; credentials file {credentials}\n")
        settings = RegistrationSettings(vault=VaultSettings(credentials_file=credentials, ca_bundle=vault.ca_file))
        from wizard.ui.app import run_wizard

        return run_wizard(home=str(home), settings=settings)


def _stop_on_termination(services: tuple[Any, ...], temp: Path) -> None:
    """SIGTERM or Ctrl+C before the wizard is up: stop what the demo started (the vault, a
    private secret store), remove the demo's files, exit 8.

    Why not raise KeyboardInterrupt from the handler: the signal may land inside an extension
    module's import (PySide6 loads for about 100 ms here), and an exception raised there
    aborted the process (SIGABRT) and left the vault service running without its parent.
    Once the wizard is up, its own handlers close it the normal way and the `with` block
    stops the vault.
    """
    import os
    import shutil
    import signal

    from wizard.core.exit_codes import ExitCode

    def stop(signum: int, frame: object) -> None:
        for service in services:
            service.stop()
        shutil.rmtree(temp, ignore_errors=True)
        sys.stderr.write("Stopped before the wizard opened; the local vault service is stopped.\n")
        os._exit(int(ExitCode.CANCELLED))

    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, stop)


COMMAND = Command("demo", N_("open the wizard against a local demo vault (started and stopped automatically)"),
                  add_arguments, run)
