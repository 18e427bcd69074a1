"""`register-server --self-test`, run from source: what every build's smoke test prints and decides."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from wizard import self_test

ROOT = Path(__file__).resolve().parents[2]


def _run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "wizard", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=180, env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env or {})})


def _lines(stdout: str) -> dict[str, str]:
    """check name -> whole line, for lines of the form `<status> <name>: <detail>`."""
    found = {}
    for line in stdout.splitlines():
        status, _, rest = line.partition(" ")
        if status in {"ok", "FAIL", "info"} and ":" in rest:
            found[rest.strip().split(":", 1)[0]] = line
    return found


def test_self_test_fails_without_a_secret_store_naming_the_check_and_the_fix(no_keyring: None) -> None:
    """As root in a plain shell (no D-Bus session): the installation check must not say "passed"
    when nothing can be registered here; it names the check and the command that fixes it."""
    result = _run_cli("--self-test", env={"DBUS_SESSION_BUS_ADDRESS": ""})
    assert result.returncode != 0, result.stdout + result.stderr
    lines = _lines(result.stdout)
    assert {"runtime", "commands", "qt", "svg", "crypto", "tls", "pac", "keyring", "secret-store"} <= set(lines)
    line = lines["secret-store"]
    assert line.startswith("FAIL ") and "secrets.unavailable" in line
    assert "dbus-run-session" in line and "gnome-keyring-daemon" in line  # the command for this system
    assert "Credential Manager" not in line  # not the other system's sentence
    assert lines["crypto"].startswith("ok ") and "PKCS#12 round trip" in lines["crypto"]
    assert "self-test: FAILED (1 mandatory check)" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_self_test_passes_with_a_secret_store_and_names_it(secret_service: object) -> None:
    result = _run_cli("--self-test")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = _lines(result.stdout)
    assert lines["secret-store"].startswith("ok ") and "SecretService" in lines["secret-store"]
    assert result.stdout.rstrip().endswith("self-test: passed")


def test_self_test_lists_the_same_subcommands_as_the_cli() -> None:
    from wizard.commands import discover

    result = _run_cli("--self-test")
    names = ", ".join(c.name for c in discover()) or "(none)"
    assert f": {names} [" in _lines(result.stdout)["commands"]


def test_self_test_builds_the_product_wizard_when_it_exists() -> None:
    result = _run_cli("--self-test")
    qt_line = _lines(result.stdout)["qt"]
    try:
        from wizard.ui import create_wizard  # noqa: F401
    except ImportError:
        assert "bare QWizard" in qt_line
    else:
        assert "product wizard" in qt_line and qt_line.startswith("ok ")


def test_a_failing_check_fails_the_run_with_a_named_line_and_no_traceback(monkeypatch: pytest.MonkeyPatch,
                                                                           secret_service: object) -> None:
    def broken() -> self_test.Check:
        raise RuntimeError("cryptography bindings missing")

    monkeypatch.setattr(self_test, "check_crypto", broken)
    out = io.StringIO()
    assert self_test.run(out) == 1
    text = out.getvalue()
    assert "FAIL crypto: RuntimeError: cryptography bindings missing" in text
    assert text.rstrip().endswith("self-test: FAILED (1 mandatory check)")
    assert "Traceback" not in text


def test_a_failed_informational_check_does_not_fail_the_run(monkeypatch: pytest.MonkeyPatch,
                                                             secret_service: object) -> None:
    monkeypatch.setattr(self_test, "check_resources",
                        lambda: self_test.Check("resources", False, "none found", mandatory=False))
    out = io.StringIO()
    assert self_test.run(out) == 0
    assert "info resources: none found" in out.getvalue()


def test_a_hanging_check_is_stopped_by_the_watchdog() -> None:
    code = textwrap.dedent("""
        import sys, time
        from wizard import self_test
        self_test.WATCHDOG_SECONDS = 1.0
        self_test.check_tls = lambda: time.sleep(30)
        sys.exit(self_test.run())
    """)
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                            # Only the hanging check: under load the others alone can take the whole second.
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen", self_test.CHECKS_ENV: "tls"})
    assert result.returncode == 1
    assert "FAIL tls: did not finish within 1 s" in result.stdout
    assert result.stdout.rstrip().endswith("self-test: FAILED (timed out)")


def test_self_test_is_in_the_help() -> None:
    assert "--self-test" in _run_cli("--help").stdout


def test_the_qt_check_does_not_run_the_wizards_own_store_probe(monkeypatch: pytest.MonkeyPatch,
                                                               tmp_path: Path) -> None:
    """The store has its own line; a second probe in the wizard would only make the qt check (and
    the start-up benchmark built on it) wait for keyring when the wizard closes."""
    from wizard.ui.secret_store_notice import SecretStoreCheck

    started: list[object] = []
    monkeypatch.setattr(SecretStoreCheck, "recheck", lambda self: started.append(self))
    check = self_test.check_qt(tmp_path)
    assert check.ok, check.detail
    assert started == []
