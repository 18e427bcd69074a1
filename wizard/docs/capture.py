"""Drive the real wizard page by page and save each screenshot (run as a child process).

`python -m wizard.docs.capture PLAN.json` is started by `wizard.docs.screenshots` inside
the sandbox (private HOME and keyring, offscreen Qt). It fills the pages through their
widgets, found by accessible name (= answer-file key), exactly as a user would: clicks,
typed text, Next. Registration is real: through a real tinyproxy with basic
authentication, over HTTPS, to the local vault service.

The sample proxy name `proxy.contoso.com` is resolved to the local tinyproxy in this
process only (a scoped hosts entry), so the screenshots show a realistic proxy and the
registration still goes through a real one.

Determinism: fixed window size, the wizard's own style, DejaVu Sans, a cursor that does
not blink, focus parked on the Next button, and the generated passphrase masked.
"""

from __future__ import annotations

import json
import socket
import sys
import time
from pathlib import Path
from typing import Any, Callable

from wizard.docs import sample_data as sample

TIMEOUT = 60.0


class CaptureError(RuntimeError):
    """The wizard did not reach the state a screenshot needs (the message says which)."""


def override_name(host: str, port: int, target_port: int) -> None:
    """Resolve `host:port` to 127.0.0.1:`target_port` in this process (a private hosts entry)."""
    original = socket.getaddrinfo

    def getaddrinfo(name: Any, service: Any, *args: Any, **kw: Any) -> Any:
        if isinstance(name, str) and name.lower() == host and int(service or 0) == port:
            return original("127.0.0.1", target_port, *args, **kw)
        return original(name, service, *args, **kw)

    socket.getaddrinfo = getaddrinfo  # type: ignore[assignment]


class Driver:
    def __init__(self, plan: dict[str, Any]) -> None:
        from PySide6.QtGui import QFont
        from PySide6.QtWidgets import QApplication

        from wizard.ui.app import application

        self.plan = plan
        self.out = Path(plan["out"])
        self.app = application()
        self.app.setFont(QFont("DejaVu Sans", 9))
        QApplication.setCursorFlashTime(0)
        self.saved: list[Path] = []

    # --- waiting ------------------------------------------------------------------------------
    def pump(self, seconds: float = 0.05) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            self.app.processEvents()
            time.sleep(0.005)

    def wait(self, condition: Callable[[], bool], what: str, timeout: float = TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise CaptureError(f"timed out waiting for {what}")
            self.pump(0.02)

    def settle(self, page: Any) -> None:
        """Wait until the page's background check (if any) ran for what the widgets hold now."""
        self.pump(0.5)  # past the slow-check debounce
        if hasattr(page, "slow_check_current"):
            self.wait(page.slow_check_current, f"the background check of {type(page).__name__}")
        self.pump(0.1)

    # --- widgets -----------------------------------------------------------------------------
    @staticmethod
    def find(wizard: Any, key: str) -> Any:
        from PySide6.QtWidgets import QWidget

        for widget in wizard.findChildren(QWidget):
            if widget.objectName() == key:
                return widget
        raise CaptureError(f"no widget named {key!r} in the wizard")

    def type_into(self, wizard: Any, key: str, text: str) -> None:
        from PySide6.QtCore import Qt

        widget = self.find(wizard, key)
        widget.setFocus(Qt.FocusReason.TabFocusReason)
        widget.clear()
        widget.insert(text) if hasattr(widget, "insert") else widget.setText(text)
        self.pump()

    def click(self, wizard: Any, key: str) -> None:
        self.find(wizard, key).click()
        self.pump()

    def next(self, wizard: Any, expected: Any) -> None:
        from PySide6.QtWidgets import QWizard

        button = wizard.button(QWizard.WizardButton.NextButton)
        self.wait(button.isEnabled, f"Next to be enabled on {wizard.currentPage().title()}")
        button.click()
        self.wait(lambda: wizard.currentId() == int(expected),
                  f"page {expected.name} (still on {wizard.currentPage().title()}: "
                  f"{[i.code for i in getattr(wizard.currentPage(), 'issues', lambda: [])()]})")
        self.pump(0.2)

    # --- screenshots -------------------------------------------------------------------------
    def shoot(self, wizard: Any, shot: sample.Shot) -> None:
        from PySide6.QtCore import QSize
        from PySide6.QtGui import QPixmap
        from PySide6.QtWidgets import QWizard

        if wizard.size() != QSize(sample.SHOT_WIDTH, sample.SHOT_HEIGHT):
            wizard.resize(sample.SHOT_WIDTH, sample.SHOT_HEIGHT)
        # Park the focus on a button, so no text cursor or focus frame sits in a field.
        for which in (QWizard.WizardButton.NextButton, QWizard.WizardButton.CommitButton,
                      QWizard.WizardButton.FinishButton, QWizard.WizardButton.CancelButton):
            button = wizard.button(which)
            if button.isVisible() and button.isEnabled():
                button.setFocus()
                break
        self.pump(0.2)
        one = wizard.grab()
        two = QPixmap(QSize(sample.SHOT_WIDTH, sample.SHOT_HEIGHT) * sample.HIGH_DPI_RATIO)
        two.setDevicePixelRatio(sample.HIGH_DPI_RATIO)
        wizard.render(two)
        for pixmap, name in ((one, shot.file), (two, shot.file_2x)):
            path = self.out / name
            if not pixmap.save(str(path), "PNG"):
                raise CaptureError(f"could not save {path}")
            self.saved.append(path)

    # --- the runs ----------------------------------------------------------------------------
    def new_wizard(self, home: str, settings: Any = None) -> Any:
        from wizard.core.model import MachineSettings, RegistrationSettings
        from wizard.ui import create_wizard

        settings = settings or RegistrationSettings(machine=MachineSettings(sample.MACHINE_NAME))
        wizard = create_wizard(home=home, settings=settings)
        wizard.resize(sample.SHOT_WIDTH, sample.SHOT_HEIGHT)
        wizard.show()
        self.pump(0.2)
        return wizard

    def fill_proxy(self, wizard: Any, password: str) -> None:
        self.click(wizard, "proxy.mode.custom")
        self.type_into(wizard, "proxy.host", sample.PROXY_HOST)
        self.type_into(wizard, "proxy.port", str(sample.PROXY_PORT))
        self.type_into(wizard, "proxy.username", self.plan["proxy_user"])
        self.type_into(wizard, "proxy.password", password)

    def choose_credentials(self, wizard: Any, path: str) -> None:
        self.type_into(wizard, "vault.credentials_file", path)
        self.find(wizard, "vault.credentials_file").clearFocus()
        wizard.currentPage().touch("vault.credentials_file")
        self.settle(wizard.currentPage())

    def run_main(self) -> None:
        from wizard.core.flow import Step

        shots = {s.name: s for s in sample.ALL_SHOTS}
        page_shots = {s.step: s for s in sample.PAGE_SHOTS}
        plan = self.plan
        wizard = self.new_wizard(plan["home"])

        self.fill_proxy(wizard, plan["proxy_password"])
        self.shoot(wizard, page_shots[Step.PROXY])
        self.next(wizard, Step.VAULT)

        self.choose_credentials(wizard, plan["expired_file"])
        self.shoot(wizard, shots["e1-credentials-expired"])
        self.choose_credentials(wizard, plan["older_file"])
        self.wait(lambda: self.find(wizard, "vault.use_newer").isVisible(), "the 'Use the newer file' button")
        self.shoot(wizard, shots["e2-credentials-newer-file"])
        self.choose_credentials(wizard, plan["credentials_file"])
        self.type_into(wizard, "vault.ca_bundle", plan["ca_file"])
        self.settle(wizard.currentPage())
        self.click(wizard, "vault.test_connection")
        test_button = self.find(wizard, "vault.test_connection")
        self.wait(test_button.isEnabled, "the connection test")
        self.shoot(wizard, page_shots[Step.VAULT])
        self.next(wizard, Step.THROTTLING)

        self.fill_throttling(wizard)
        self.shoot(wizard, page_shots[Step.THROTTLING])
        self.next(wizard, Step.RECOVERY)

        self.type_into(wizard, "recovery.folder", plan["recovery_folder"])
        self.find(wizard, "recovery.create").setChecked(True)
        self.type_into(wizard, "recovery.space_needed", sample.RECOVERY_SPACE_TEXT)
        self.settle(wizard.currentPage())
        self.shoot(wizard, page_shots[Step.RECOVERY])
        self.next(wizard, Step.ENCRYPTION)

        page = wizard.currentPage()
        self.type_into(wizard, "encryption.passphrase", sample.SHORT_PASSPHRASE)
        self.type_into(wizard, "encryption.passphrase_confirm", sample.SHORT_PASSPHRASE)
        page.touch("encryption.passphrase", "encryption.passphrase_confirm")
        self.wait_for_strength(wizard, "")
        self.shoot(wizard, shots["e3-passphrase-too-short"])
        self.fill_encryption(wizard, plan["passphrase_file"])
        self.shoot(wizard, page_shots[Step.ENCRYPTION])
        self.next(wizard, Step.REGISTER)

        self.register(wizard, page_shots[Step.REGISTER])
        self.wait(lambda: wizard.currentId() == int(Step.SUMMARY), "the Summary page")
        self.pump(0.2)
        self.shoot(wizard, page_shots[Step.SUMMARY])
        wizard.done(0)

        # Opened again on the same state folder: the registered view, not a blank wizard.
        from wizard.ui.registered_page import REGISTERED_ID

        again = self.new_wizard(plan["home"])
        self.wait(lambda: again.currentId() == REGISTERED_ID, "the registered view")
        self.pump(0.2)
        self.shoot(again, sample.AFTER_SHOTS[0])
        again.done(0)

    def fill_throttling(self, wizard: Any) -> None:
        from PySide6.QtCore import QTime

        from wizard.core.model import Weekday

        self.find(wizard, "throttling.enabled").setChecked(True)
        for day in Weekday:
            self.find(wizard, f"throttling.work_days.{day.key}").setChecked(day in sample.WORK_DAYS)
        self.find(wizard, "throttling.work_start").setTime(QTime(sample.WORK_START.hour, sample.WORK_START.minute))
        self.find(wizard, "throttling.work_end").setTime(QTime(sample.WORK_END.hour, sample.WORK_END.minute))
        for key, text in (("throttling.work_bandwidth", sample.WORK_BANDWIDTH_TEXT),
                          ("throttling.non_work_bandwidth", sample.NON_WORK_BANDWIDTH_TEXT)):
            number, unit = text.split()
            self.type_into(wizard, key, number)
            self.find(wizard, f"{key}.unit").setCurrentText(unit)
        self.pump(0.2)

    def wait_for_strength(self, wizard: Any, before: str) -> str:
        """The strength estimate runs in a worker after typing pauses: wait for its new verdict."""
        from PySide6.QtWidgets import QLabel

        label = wizard.findChild(QLabel, "encryption.strength_label")
        if label is None:
            raise CaptureError("no strength label on the Encryption page")
        self.wait(lambda: bool(label.text()) and label.text() != before, "the passphrase strength estimate")
        return str(label.text())

    def fill_encryption(self, wizard: Any, passphrase_file: str) -> None:
        from PySide6.QtWidgets import QLabel

        label = wizard.findChild(QLabel, "encryption.strength_label")
        before = label.text() if label is not None else ""
        self.click(wizard, "encryption.generate")
        self.wait_for_strength(wizard, before)
        show = self.find(wizard, "encryption.show_passphrase")
        show.setChecked(False)  # the docs show the generated passphrase masked
        self.type_into(wizard, "encryption.save_passphrase_to", passphrase_file)
        self.find(wizard, "encryption.stored_safely").setChecked(True)
        self.settle(wizard.currentPage())

    def register(self, wizard: Any, shot: sample.Shot | None) -> None:
        """Click Register; when it succeeds, shoot the finished Register page before the Summary."""
        from PySide6.QtWidgets import QWizard

        page = wizard.currentPage()
        if shot is not None:
            page.registered.connect(lambda _result: self.shoot(wizard, shot))
        button = wizard.button(QWizard.WizardButton.CommitButton)
        self.wait(button.isEnabled, "the Register button")
        button.click()
        self.wait(lambda: page.result is not None or page.error is not None, "the registration to end", 120)
        self.pump(0.2)

    def run_wrong_proxy_password(self) -> None:
        """A second wizard, same data but the wrong proxy password: Register fails at the proxy."""
        from wizard.core.flow import Step

        plan = self.plan
        wizard = self.new_wizard(plan["home_failure"])
        self.fill_proxy(wizard, sample.WRONG_PROXY_PASSWORD)
        self.next(wizard, Step.VAULT)
        self.choose_credentials(wizard, plan["credentials_file"])
        self.type_into(wizard, "vault.ca_bundle", plan["ca_file"])
        self.settle(wizard.currentPage())
        self.next(wizard, Step.THROTTLING)
        self.fill_throttling(wizard)
        self.next(wizard, Step.RECOVERY)
        self.type_into(wizard, "recovery.folder", plan["recovery_folder"])
        self.find(wizard, "recovery.create").setChecked(True)
        self.settle(wizard.currentPage())
        self.next(wizard, Step.ENCRYPTION)
        self.fill_encryption(wizard, plan["passphrase_file_failure"])
        self.next(wizard, Step.REGISTER)
        self.register(wizard, None)
        page = wizard.currentPage()
        if page.error is None or page.error.code != "proxy.auth_required":
            raise CaptureError(f"expected proxy.auth_required, got {page.error and page.error.code}")
        self.shoot(wizard, next(s for s in sample.ERROR_SHOTS if s.name == "e4-proxy-wrong-password"))
        wizard.done(0)


def main(argv: list[str]) -> int:
    plan = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    override_name(sample.PROXY_HOST, sample.PROXY_PORT, int(plan["proxy_port"]))
    driver = Driver(plan)
    driver.run_wrong_proxy_password()
    driver.run_main()
    sys.stdout.write(json.dumps([str(p) for p in driver.saved]) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
