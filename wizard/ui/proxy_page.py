"""Step 1, Proxy Configuration: no proxy, the system's proxy settings, a custom proxy, or a PAC file;
a bypass list for the last two."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QRegularExpression, QTimer
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (QButtonGroup, QCheckBox, QComboBox, QFormLayout, QLabel, QLineEdit, QRadioButton,
                               QVBoxLayout, QWidget)

from wizard.core.bypass import split_entries
from wizard.core.fields import hint, label
from wizard.core.flow import Step
from wizard.core.i18n import _
from wizard.core.issues import Issue
from wizard.core.model import ProxyAuth, ProxyMode, ProxySettings, RegistrationSettings
from wizard.core.secret import Secret
from wizard.core.validators import parse_port_text, validate_proxy
from wizard.ui import accessible
from wizard.ui.page_base import StepPage, content_layout, name_input
from wizard.ui.secret_entry import SecretEntry

# The modes this page offers, in order; each one's label is `proxy.mode.<mode>` in the field registry.
_MODES = (ProxyMode.NONE, ProxyMode.SYSTEM, ProxyMode.CUSTOM, ProxyMode.PAC)



def system_proxy_text() -> str:
    """One line describing the proxy the operating system is configured with (read only)."""
    import urllib.request

    proxies = urllib.request.getproxies()
    chosen = proxies.get("https") or proxies.get("http")
    if chosen:
        return _("Currently configured: {proxy}").format(proxy=chosen)
    # Nothing read here touches the network: the automatic configuration (Windows' script, WPAD)
    # is looked up when connecting, and Test connection names what it chose.
    return _("No proxy is set in this machine's settings; an automatic configuration script, if the system "
             "names one or one is found by WPAD, is looked up when connecting. Test connection shows the choice.")


class ProxyPage(StepPage):
    step = Step.PROXY

    def subtitle(self) -> str:
        return _("Choose how this server reaches the backup vault over HTTPS.")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        outer = content_layout(self)  # inside the frame named for readers (page_base)
        mode_box = QWidget(self)
        name_input(mode_box, "proxy.mode")
        mode_layout = QVBoxLayout(mode_box)
        mode_layout.setContentsMargins(0, 0, 0, 0)
        self.mode_group = QButtonGroup(self)
        self.mode_buttons: dict[ProxyMode, QRadioButton] = {}
        for mode in _MODES:
            button = QRadioButton(label(f"proxy.mode.{mode.value}"), mode_box)
            name_input(button, f"proxy.mode.{mode.value}")
            self.mode_group.addButton(button)
            self.mode_buttons[mode] = button
            mode_layout.addWidget(button)
        self.system_note = QLabel(self)
        self.system_note.setObjectName("proxy.system_note")
        self.system_note.setIndent(24)
        self.system_note.setWordWrap(True)
        mode_layout.insertWidget(2, self.system_note)

        self.custom_box = QWidget(mode_box)
        custom_outer = QVBoxLayout(self.custom_box)
        custom_outer.setContentsMargins(24, 4, 0, 0)
        form = QFormLayout()
        form.setVerticalSpacing(4)
        custom_outer.addLayout(form)
        self.host = QLineEdit(self.custom_box)
        self.add_row(form, "proxy.host", self.host)
        self.port = QLineEdit(self.custom_box)
        self.port.setValidator(QRegularExpressionValidator(QRegularExpression(r"\d{0,5}"), self.port))
        self.add_row(form, "proxy.port", self.port)
        # Narrow (five digits), but never narrower than its placeholder in the reader's language.
        self.port.setMaximumWidth(max(90, self.port.fontMetrics().horizontalAdvance(self.port.placeholderText()) + 16))
        self.username = QLineEdit(self.custom_box)
        self.add_row(form, "proxy.username", self.username)
        self.password = SecretEntry(self.custom_box)
        self.add_row(form, "proxy.password", self.password)
        self.integrated = QCheckBox(label("proxy.integrated"), self.custom_box)
        self.integrated.setToolTip(hint("proxy.integrated"))
        accessible.describe(self.integrated, hint("proxy.integrated"))
        form.addRow("", self.integrated)
        self.watch("proxy.integrated", self.integrated)
        self.auth = QComboBox(self.custom_box)
        for scheme in ProxyAuth:
            self.auth.addItem(label(f"proxy.auth.{scheme.value}"), scheme.value)
        self.auth.setToolTip(hint("proxy.auth"))
        self.add_row(form, "proxy.auth", self.auth)
        # The custom fields sit under their radio button, the PAC address under its own.
        mode_layout.insertWidget(mode_layout.indexOf(self.mode_buttons[ProxyMode.CUSTOM]) + 1, self.custom_box)
        self.pac_box = QWidget(mode_box)
        pac_form = QFormLayout(self.pac_box)
        pac_form.setContentsMargins(24, 4, 0, 0)
        pac_form.setVerticalSpacing(4)
        self.pac_url = QLineEdit(self.pac_box)
        self.add_row(pac_form, "proxy.pac_url", self.pac_url)
        mode_layout.addWidget(self.pac_box)
        outer.addWidget(mode_box)

        # For the custom proxy and the PAC file alike: hosts that connect directly.
        self.bypass_box = QWidget(self)
        bypass_form = QFormLayout(self.bypass_box)
        bypass_form.setContentsMargins(0, 4, 0, 0)
        bypass_form.setVerticalSpacing(4)
        self.bypass = QLineEdit(self.bypass_box)
        self.add_row(bypass_form, "proxy.bypass", self.bypass)
        outer.addWidget(self.bypass_box)
        outer.addStretch(1)

        self.mode_group.buttonToggled.connect(self._mode_changed)
        for edit in (self.host, self.port, self.username, self.password, self.pac_url, self.bypass):
            edit.textChanged.connect(self.refresh)
        self.integrated.toggled.connect(self._integrated_changed)
        self.auth.currentIndexChanged.connect(self.refresh)

    def _integrated_changed(self, *_args: object) -> None:
        """Integrated sign-in has no user name or password: their boxes are off while it is on."""
        for edit in (self.username, self.password):
            edit.setEnabled(not self.integrated.isChecked())
        self.refresh()

    def mode(self) -> ProxyMode:
        for mode, button in self.mode_buttons.items():
            if button.isChecked():
                return mode
        return ProxyMode.NONE

    def _mode_changed(self, *_args: object) -> None:
        custom = self.mode() is ProxyMode.CUSTOM
        self.custom_box.setEnabled(custom)
        # Shown only when they apply (the custom fields stay, greyed, as the page always showed them):
        # with the secret-store notice the page must still fit 800x600.
        self.pac_box.setVisible(self.mode() is ProxyMode.PAC)
        self.bypass_box.setVisible(self.mode() in (ProxyMode.CUSTOM, ProxyMode.PAC))
        if self.mode() is ProxyMode.SYSTEM:
            self.system_note.setText(system_proxy_text())
        self.system_note.setVisible(self.mode() is ProxyMode.SYSTEM)
        self.refresh()

    def load(self, settings: RegistrationSettings) -> None:
        proxy = settings.proxy
        self.mode_buttons[proxy.mode].setChecked(True)
        self.host.setText(proxy.host)
        self.port.setText("" if proxy.port is None else str(proxy.port))
        self.username.setText(proxy.username)
        self.password.setText(proxy.password.reveal() if proxy.password else "")
        self.pac_url.setText(proxy.pac_url)
        self.bypass.setText(", ".join(proxy.bypass))
        self.auth.setCurrentIndex(max(0, self.auth.findData(proxy.auth.value)))
        self.integrated.setChecked(proxy.integrated)
        self._integrated_changed()
        self._mode_changed()

    def initializePage(self) -> None:
        super().initializePage()
        if self.mode() is ProxyMode.CUSTOM and self.username.text() and not self.password.text():
            # Opened from an answer file (which never holds secrets): the password is what is
            # left to type, so the cursor waits there rather than on the first radio button.
            QTimer.singleShot(0, self, self._focus_password)

    def _focus_password(self) -> None:
        if self.wizard() is not None and self.wizard().currentPage() is self:
            self.password.setFocus()

    def _build(self) -> tuple[ProxySettings, list[Issue]]:
        port, port_issues = parse_port_text(self.port.text())
        integrated = self.integrated.isChecked()
        password = "" if integrated else self.password.text()  # greyed out: not what signs in
        proxy = ProxySettings(mode=self.mode(), host=self.host.text().strip(), port=port,
                              username="" if integrated else self.username.text().strip(),
                              password=Secret(password) if password else None,
                              auth=ProxyAuth(self.auth.currentData() or ProxyAuth.AUTO.value), integrated=integrated,
                              pac_url=self.pac_url.text().strip(), bypass=split_entries(self.bypass.text()))
        return proxy, (port_issues if proxy.mode is ProxyMode.CUSTOM else [])

    def collect_issues(self) -> list[Issue]:
        proxy, parse_issues = self._build()
        return parse_issues + [i for i in validate_proxy(proxy) if not (parse_issues and i.field == "proxy.port")]

    def apply(self, settings: RegistrationSettings) -> RegistrationSettings:
        proxy, _issues = self._build()
        return replace(settings, proxy=proxy)
