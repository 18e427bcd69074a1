"""`register-server --self-test`: the smoke test every build (source, frozen Linux, Windows) runs.

A frozen app can start fine and still be broken: a Qt plugin trimmed too far, a keyring
backend or a cryptography binding left out, subcommand modules PyInstaller did not see.
This module exercises each of those parts for real, prints one line per check and exits 0
only when every mandatory check passes. One fact about the machine is mandatory too: a
usable secret store (`secret-store`), because without one nothing can be registered here and
"passed" would be a false promise; its line says what to run to get one.
Nothing here touches the user's state: the wizard is built on a throw-away home folder.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, TextIO

from wizard import __version__
from wizard.core.exit_codes import ExitCode
from wizard.core.i18n import _, ngettext


@dataclass(frozen=True)
class Check:
    """The outcome of one check: `mandatory` checks decide the exit code."""

    name: str
    ok: bool
    detail: str
    mandatory: bool = True


def check_runtime() -> Check:
    frozen = "frozen" if getattr(sys, "frozen", False) else "from source"
    return Check("runtime", True, f"register-server {__version__}, Python {sys.version.split()[0]} "
                                  f"({sys.platform}), {frozen}", mandatory=False)


def check_commands() -> Check:
    """Subcommands are found with pkgutil: proves the frozen importer lists the package."""
    from wizard.commands import discover

    names = [command.name for command in discover()]
    return Check("commands", True, f"{len(names)} found: {', '.join(names) or '(none)'}")


def check_qt(home: Path) -> Check:
    """Build the wizard (or a bare QWizard before the UI exists) and paint it once."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import PySide6
    from PySide6.QtWidgets import QApplication, QWizard, QWizardPage

    app = QApplication.instance() or QApplication(["register-server-self-test"])
    try:
        from wizard.ui import create_wizard  # type: ignore[attr-defined]
    except ImportError:
        create_wizard = None
    if create_wizard is not None:
        wizard = create_wizard(home=home, check_secret_store=False)  # the store has its own check below
        what = f"product wizard {type(wizard).__name__}"
    else:
        wizard = QWizard()
        wizard.addPage(QWizardPage())
        what = "bare QWizard (wizard.ui.create_wizard not present)"
    try:
        wizard.show()
        app.processEvents()
        image = wizard.grab().toImage()
        pages = len(wizard.pageIds())
    finally:
        wizard.done(0)  # not close(): the product's wizard asks "leave unregistered?" on close
        wizard.deleteLater()
        app.processEvents()
    if image.isNull() or image.width() == 0:
        return Check("qt", False, f"{what}: painting produced an empty image")
    step_x, step_y = max(1, image.width() // 40), max(1, image.height() // 40)
    colours = {image.pixel(x, y) for x in range(0, image.width(), step_x) for y in range(0, image.height(), step_y)}
    if len(colours) < 3:
        return Check("qt", False, f"{what}: the painted window is blank ({len(colours)} colours)")
    return Check("qt", True, f"PySide6 {PySide6.__version__}, platform {app.platformName()}, "
                             f"{what}: {pages} pages, painted {image.width()}x{image.height()}")


_INLINE_SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16">'
               b'<rect width="16" height="16" fill="#2b6cb0"/></svg>')


def check_svg() -> Check:
    """Icons are SVG: both Qt plugins that draw them (image format and icon engine) must be
    in the build, or the wizard silently shows blank icons."""
    from PySide6.QtCore import QSize
    from PySide6.QtGui import QIcon, QImage

    image = QImage.fromData(_INLINE_SVG, "SVG")
    if image.isNull():
        return Check("svg", False, "the SVG image-format plugin is missing")
    icons = sorted(p for folder in find_resources() for p in folder.rglob("*.svg"))
    if not icons:
        return Check("svg", True, "SVG image format works (no SVG icons in resources)")
    pixmap = QIcon(str(icons[0])).pixmap(QSize(32, 32))
    if pixmap.isNull():
        return Check("svg", False, f"the SVG icon engine cannot draw {icons[0].name}")
    return Check("svg", True, f"SVG image format and icon engine work ({icons[0].name})")


def check_crypto() -> Check:
    """Key generation, signing, and a PKCS#12 round trip: what credentials files need."""
    import datetime

    from cryptography import __version__ as crypto_version
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    message = b"register-server self-test"
    signature = key.sign(message, ec.ECDSA(hashes.SHA256()))
    key.public_key().verify(signature, message, ec.ECDSA(hashes.SHA256()))
    try:
        key.public_key().verify(signature, message + b"!", ec.ECDSA(hashes.SHA256()))
        return Check("crypto", False, "a tampered message verified")
    except InvalidSignature:
        pass
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "register-server self-test")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    # A fixed throw-away password for a throw-away key: nothing secret is involved.
    blob = pkcs12.serialize_key_and_certificates(
        b"self-test", key, cert, None, serialization.BestAvailableEncryption(b"self-test-only"))
    loaded_key, loaded_cert, _ = pkcs12.load_key_and_certificates(blob, b"self-test-only")
    if loaded_cert != cert or loaded_key is None or loaded_key.public_key() != key.public_key():
        return Check("crypto", False, "PKCS#12 round trip returned a different key or certificate")
    from cryptography.hazmat.backends.openssl import backend

    return Check("crypto", True, f"cryptography {crypto_version} ({backend.openssl_version_text()}): "
                                 "EC key, sign/verify, PKCS#12 round trip")


def check_tls() -> Check:
    """The HTTPS stack the vault client uses: ssl, truststore, httpx."""
    import ssl

    import httpx
    import truststore

    context = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    from wizard.net.openssl_support import line_status

    _, status = line_status(ssl.OPENSSL_VERSION)
    return Check("tls", True, f"{ssl.OPENSSL_VERSION} ({status}), truststore {truststore.__version__}, "
                              f"httpx {httpx.__version__}, TLS >= 1.2 context")


def check_pac() -> Check:
    """The PAC engine a frozen build must carry: QuickJS (a C extension), pypac's helpers, the
    public-suffix list WPAD needs (package data), and the engine's time limit."""
    from wizard.core.errors import RegisterServerError
    from wizard.net.pac import evaluate
    from wizard.net.proxy_choice import wpad_candidates

    # Host names are matched before isInNet, which would resolve them: the check sends no DNS query.
    script = ("function FindProxyForURL(url, host) { if (dnsDomainIs(host, '.corp.contoso.com')) return 'DIRECT'; "
              "if (shExpMatch(host, '*.contoso.com')) return 'PROXY proxy.contoso.com:3128'; "
              "return isInNet(host, '10.0.0.0', '255.0.0.0') ? 'DIRECT' : 'PROXY proxy.contoso.com:3128'; }")
    answers = [evaluate(script, f"https://{host}/", host) for host in ("vault.contoso.com", "10.1.2.3")]
    if answers != ["PROXY proxy.contoso.com:3128", "DIRECT"]:
        return Check("pac", False, f"a PAC script answered {answers}")
    try:
        evaluate("function FindProxyForURL(u, h) { for (;;) {} }", "https://x/", "x", cpu_seconds=0.2)
        return Check("pac", False, "an endless PAC script was not stopped")
    except RegisterServerError as error:
        if error.reason != "time_limit":
            return Check("pac", False, f"an endless PAC script ended with {error.code} ({error.reason})")
    candidates = wpad_candidates("pc.corp.contoso.com")
    if candidates != ["http://wpad.corp.contoso.com/wpad.dat", "http://wpad.contoso.com/wpad.dat"]:
        return Check("pac", False, f"WPAD candidates {candidates}")
    import quickjs  # noqa: F401 - its presence is what was just shown to work

    return Check("pac", True, "PAC scripts run in QuickJS with pypac's helpers and a time limit; WPAD candidates "
                              "from the public-suffix list")


def check_keyring() -> list[Check]:
    """Which backend keyring picks. No usable backend is a fact about the machine, not a
    failure; a backend the build should contain but cannot import is a packaging failure."""
    import keyring
    from keyring.backends import fail

    checks: list[Check] = []
    if sys.platform == "win32":
        from keyring.backends.Windows import WinVaultKeyring

        viable = WinVaultKeyring.viable
        checks.append(Check("keyring-backend", viable, "Windows Credential Manager backend "
                            + ("available" if viable else "NOT viable (pywin32-ctypes missing?)")))
    elif sys.platform.startswith("linux"):
        import secretstorage  # noqa: F401  (the Secret Service backend needs it)

        checks.append(Check("keyring-backend", True, "Secret Service backend importable"))
    backend = keyring.get_keyring()
    label = f"{type(backend).__module__}.{type(backend).__name__}"
    usable = not isinstance(backend, fail.Keyring)
    checks.append(Check("keyring", True, f"keyring picks {label}" + ("" if usable else " (none usable)"),
                        mandatory=False))
    return checks


def check_secret_store(store: str | None = None, home: str | None = None) -> Check:
    """Secrets can be stored here now (a real round trip). Mandatory: without a store the
    product cannot register, so "passed" would send the administrator to a last-step failure.

    The store probed is the one this server would use: `--secret-store`, else the one the
    registration record (of `--home`, or the default state folder) names, else the keyring."""
    from wizard.core.errors import RegisterServerError
    from wizard.core.paths import state_dir
    from wizard.core.secrets.availability import secret_store_problem
    from wizard.core.secrets.choice import SYSTEMD_CREDS, store_for

    try:
        kind = store_for(state_dir(home), store)
    except RegisterServerError as error:
        return Check("secret-store", False, f"{error.code}: {error.message} " + _("What to do:") + f" {error.fix}")
    problem = secret_store_problem(store=kind)
    if problem is None:
        if kind == SYSTEMD_CREDS:
            return Check("secret-store", True, "systemd-creds seals and opens a secret (host key, TPM2 when present)")
        from wizard.core.secrets.store import keyring_status

        return Check("secret-store", True, f"stores, returns and forgets a secret ({keyring_status()[1]})")
    return Check("secret-store", False, f"{problem.code}: {problem.message} " + _("What to do:") + f" {problem.fix}")


def find_resources() -> list[Path]:
    """Resource folders the product may read: packaged in `wizard/resources`, or next to the
    package (`resources/` at the repository root, or at the root of a frozen bundle)."""
    package = Path(__file__).resolve().parent
    candidates = [package / "resources", package.parent / "resources"]
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        candidates.append(Path(bundle) / "resources")
    seen: list[Path] = []
    for path in candidates:
        if path.is_dir() and path not in seen:
            seen.append(path)
    return seen


def check_resources() -> Check:
    folders = find_resources()
    detail = "; ".join(f"{sum(1 for p in f.rglob('*') if p.is_file())} files in {f.name}/ "
                       f"({f.parent.name})" for f in folders) or "none found"
    return Check("resources", True, detail, mandatory=False)


def _guarded(name: str, check: Callable[[], Check | list[Check]]) -> tuple[list[Check], float]:
    start = time.perf_counter()
    try:
        result = check()
        checks = result if isinstance(result, list) else [result]
    except Exception as error:  # a self-test reports every failure; it never shows a traceback
        checks = [Check(name, False, f"{type(error).__name__}: {error}")]
    return checks, time.perf_counter() - start


WATCHDOG_SECONDS = 120.0
# Run only some checks, e.g. "qt" (the start-up benchmark times process start to painted wizard).
CHECKS_ENV = "REGISTER_SERVER_SELF_TEST_CHECKS"


def _start_watchdog(out: TextIO, current: list[str]) -> threading.Timer:
    """A smoke test must end: a check stuck on a modal dialog or a dead service fails the
    run (named) instead of hanging a build pipeline forever."""
    def expire() -> None:
        out.write(_("FAIL") + " " + _("{check}: did not finish within {seconds} s").format(
            check=current[0], seconds=f"{WATCHDOG_SECONDS:.0f}") + "\n" + _("self-test: FAILED (timed out)") + "\n")
        out.flush()
        os._exit(int(ExitCode.UNEXPECTED))

    timer = threading.Timer(WATCHDOG_SECONDS, expire)
    timer.daemon = True
    timer.start()
    return timer


def run(out: TextIO | None = None, *, secret_store: str | None = None, home: str | None = None) -> int:
    """Run every check, print one line each, return 0 when all mandatory checks passed."""
    out = out or sys.stdout
    failed = 0
    current = ["start"]
    watchdog = _start_watchdog(out, current)
    with tempfile.TemporaryDirectory(prefix="register-server-self-test-") as home:
        steps: list[tuple[str, Callable[[], Check | list[Check]]]] = [
            ("runtime", check_runtime), ("commands", check_commands),
            ("qt", lambda: check_qt(Path(home))), ("svg", check_svg), ("crypto", check_crypto),
            ("tls", check_tls), ("pac", check_pac),
            ("keyring", check_keyring), ("secret-store", lambda: check_secret_store(secret_store, home)), ("resources", check_resources),
        ]
        wanted = {n.strip() for n in os.environ.get(CHECKS_ENV, "").split(",") if n.strip()}
        for name, step in steps:
            if wanted and name not in wanted:
                continue
            current[0] = name
            checks, seconds = _guarded(name, step)
            for check in checks:
                status = f"{(_('ok') if check.ok else _('FAIL')) if check.mandatory else _('info'):<4}"
                failed += int(check.mandatory and not check.ok)
                out.write(f"{status} {check.name}: {check.detail} [{seconds * 1000:.0f} ms]\n")
                out.flush()  # line by line: a hang in the next check shows where it happened
    watchdog.cancel()
    out.write((_("self-test: passed") if not failed else
               ngettext("self-test: FAILED ({count} mandatory check)", "self-test: FAILED ({count} mandatory checks)",
                        failed).format(count=failed)) + "\n")
    out.flush()
    return int(ExitCode.OK if not failed else ExitCode.UNEXPECTED)
