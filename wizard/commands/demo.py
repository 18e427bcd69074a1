"""`register-server demo`: the wizard against a throw-away local vault, nothing else needed.

Starts `register-server vault serve` on loopback in the background, creates a demo vault,
writes a fresh credentials file and opens the wizard with that file (and the service's
CA certificate) already chosen. Closing the wizard stops the service. State goes to a
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

DEMO_VAULT = "contoso-vault"
READY_TIMEOUT_S = 30.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--home", metavar="DIR", default=argparse.SUPPRESS,
                        help="state directory for the demo (default: a temporary folder, removed afterwards)")
    parser.add_argument("--vault", default=DEMO_VAULT, help=f"name of the demo vault (default: {DEMO_VAULT})")


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

    def _cli(self, *args: str) -> dict[str, Any]:
        import json
        import subprocess

        done = subprocess.run([sys.executable, "-m", "wizard", "vault", *args, "--data", str(self.data_dir), "--json"],
                              capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            raise RuntimeError(f"vault {args[0]} failed: {(done.stdout + done.stderr).strip()[-500:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    def __enter__(self) -> "DemoVault":
        import json
        import subprocess
        import threading

        command = [sys.executable, "-m", "wizard", "vault", "serve", "--data", str(self.data_dir),
                   "--host", "127.0.0.1", "--port", "0", "--json"]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
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
        self._cli("create", name)
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


def run(args: argparse.Namespace) -> int:
    import tempfile

    from wizard.core.model import RegistrationSettings, VaultSettings

    given_home = getattr(args, "home", None)
    with tempfile.TemporaryDirectory(prefix="register-server-demo-") as temp:
        home = Path(given_home) if given_home else Path(temp) / "home"
        home.mkdir(parents=True, exist_ok=True)
        downloads = Path(temp) / "Downloads"
        downloads.mkdir()
        _cancel_on_sigterm()  # until the wizard installs its own handler, SIGTERM still stops the vault cleanly
        sys.stderr.write("Starting the local vault service...\n")
        with DemoVault(home / "local-vault") as vault:
            credentials = vault.create_vault_and_credentials(args.vault, downloads)
            sys.stderr.write(f"Vault service at {vault.url}; credentials file {credentials}\n")
            settings = RegistrationSettings(vault=VaultSettings(credentials_file=credentials, ca_bundle=vault.ca_file))
            from wizard.ui.app import run_wizard

            return run_wizard(home=str(home), settings=settings)


def _cancel_on_sigterm() -> None:
    """SIGTERM as Ctrl+C: the `with` blocks stop the vault and the command exits as cancelled (8)."""
    import signal

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


COMMAND = Command("demo", "open the wizard against a local demo vault (started and stopped automatically)",
                  add_arguments, run)
