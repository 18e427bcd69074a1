"""Screenshots of every wizard page, filled with real values, for review and for the docs.

    python -m tests.ui.screenshots OUT_DIR [--screen] [--high-contrast] [--size 1280x720]

Starts a real vault service and a private Secret Service, walks the wizard with valid
values, registers, and saves one PNG per page (`widget.grab()`). With `--screen` (run it
under `xvfb-run` with a window manager) it also grabs the whole screen per page through
`QScreen.grabWindow(0)`, which shows the window frame the window manager draws.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QTime


class Bot:
    """The little of pytest-qt's qtbot the walkthrough helpers use, for running outside pytest."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def keyClicks(self, widget: Any, text: str) -> None:
        from PySide6.QtTest import QTest

        QTest.keyClicks(widget, text)

    def keyClick(self, widget: Any, key: Any) -> None:
        from PySide6.QtTest import QTest

        QTest.keyClick(widget, key)

    def mouseClick(self, widget: Any, button: Any) -> None:
        from PySide6.QtTest import QTest

        QTest.mouseClick(widget, button)

    def waitUntil(self, condition: Any, timeout: int = 5000) -> None:
        deadline = time.monotonic() + timeout / 1000
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError("condition not met")
            self.app.processEvents()
            time.sleep(0.005)

    def wait(self, ms: int) -> None:
        self.waitUntil(lambda: False, ms) if False else self._spin(ms)

    def _spin(self, ms: int) -> None:
        deadline = time.monotonic() + ms / 1000
        while time.monotonic() < deadline:
            self.app.processEvents()
            time.sleep(0.005)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--screen", action="store_true", help="also grab the whole screen (real display)")
    parser.add_argument("--high-contrast", action="store_true", help="white on black, as register-server --high-contrast")
    parser.add_argument("--size", help="WIDTHxHEIGHT of the window (default: the wizard's own)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    from tests.support.fixtures_vault import start_vault_service
    from tests.support.secret_service import SecretService
    from tests.ui import helpers
    from wizard.core.flow import Step
    from wizard.ui.app import application
    from wizard.ui.wizard import create_wizard

    with tempfile.TemporaryDirectory() as temp_text:
        temp = Path(temp_text)
        secrets = SecretService(temp / "secret-service", "screenshot-keyring").start()
        os.environ["DBUS_SESSION_BUS_ADDRESS"] = secrets.address
        os.environ["XDG_CONFIG_HOME"] = str(temp / "config")
        vault = start_vault_service(temp / "vault")
        try:
            name = vault.create_vault("contoso-vault")
            downloads = temp / "Downloads"
            credentials = vault.issue(name, downloads)
            app = application()
            if args.high_contrast:
                from wizard.ui.contrast import use_high_contrast

                use_high_contrast(app)
            bot = Bot(app)
            helpers_state = {"save": str(temp / "answers.toml")}
            from wizard.ui import dialogs

            dialogs.confirm = lambda *a, **k: True  # type: ignore[assignment]
            dialogs.choose_save_file = lambda *a, **k: helpers_state["save"]  # type: ignore[assignment]
            wizard = create_wizard(home=str(temp / "home"))
            if args.size:
                wizard.resize(*(int(n) for n in args.size.split("x")))
            wizard.show()
            bot.waitUntil(lambda: wizard.isVisible())
            bot._spin(300)

            def shot(name: str) -> None:
                bot._spin(250)
                wizard.grab().save(str(args.out / f"{name}.png"))
                if args.screen:
                    app.primaryScreen().grabWindow(0).save(str(args.out / f"{name}-screen.png"))

            shot("1-proxy")
            helpers.find(wizard, "proxy.mode.custom").setChecked(True)
            helpers.type_into(bot, helpers.find(wizard, "proxy.host"), "proxy..contoso")
            helpers.type_into(bot, helpers.find(wizard, "proxy.port"), "70000")
            shot("1-proxy-errors")
            helpers.find(wizard, "proxy.mode.none").setChecked(True)
            helpers.click_next(bot, wizard, expect=Step.VAULT)
            helpers.fill_vault(bot, wizard, credentials, vault.ca_file)
            bot.mouseClick(helpers.find(wizard, "vault.test_connection"), Qt.MouseButton.LeftButton)
            bot.waitUntil(lambda: helpers.find(wizard, "vault.test_connection").isEnabled(), 30_000)
            shot("2-vault")
            helpers.click_next(bot, wizard, expect=Step.THROTTLING)
            helpers.find(wizard, "throttling.enabled").setChecked(True)
            helpers.find(wizard, "throttling.work_start").setTime(QTime(8, 0))
            helpers.find(wizard, "throttling.work_end").setTime(QTime(18, 30))
            helpers.type_into(bot, helpers.find(wizard, "throttling.work_bandwidth"), "10 MB/s")
            shot("3-throttling-error")
            helpers.type_into(bot, helpers.find(wizard, "throttling.work_bandwidth"), "4")
            shot("3-throttling")
            helpers.click_next(bot, wizard, expect=Step.RECOVERY)
            helpers.fill_recovery(bot, wizard, temp / "recovery")
            bot.waitUntil(lambda: helpers.find(wizard, "recovery.create").isVisible(), 10_000)
            shot("4-recovery-missing")
            helpers.find(wizard, "recovery.create").setChecked(True)
            helpers.type_into(bot, helpers.find(wizard, "recovery.space_needed"), "2 GB")
            bot._spin(600)
            shot("4-recovery")
            helpers.click_next(bot, wizard, expect=Step.ENCRYPTION)
            helpers.type_into(bot, helpers.find(wizard, "encryption.passphrase"), "too short")
            shot("5-encryption-errors")
            bot.mouseClick(helpers.find(wizard, "encryption.generate"), Qt.MouseButton.LeftButton)
            (temp / "keys").mkdir()
            helpers.type_into(bot, helpers.find(wizard, "encryption.save_passphrase_to"),
                              str(temp / "keys" / "server01-passphrase.txt"))
            helpers.find(wizard, "encryption.stored_safely").setChecked(True)
            bot._spin(600)
            shot("5-encryption")
            helpers.click_next(bot, wizard, expect=Step.REGISTER)
            shot("6-register-ready")
            # the Register page the moment it succeeds
            wizard.currentPage().registered.connect(
                lambda _result: wizard.grab().save(str(args.out / "6-register-done.png")))
            helpers.click_next(bot, wizard)
            wizard.grab().save(str(args.out / "6-register-running.png"))
            bot.waitUntil(lambda: wizard.currentId() == int(Step.SUMMARY), 60_000)
            shot("7-summary")
            wizard.close()
        finally:
            vault.stop()
            secrets.stop()
    print(f"screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
