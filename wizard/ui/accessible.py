"""What assistive technology hears: names and descriptions for people, keys only for code.

Why one module: the earlier rule "accessible name = answer-file key" made Orca say
"proxy.mode.none, selected radio button". Keys are for code (tests, the docs generator,
automation find a widget by its `objectName`); people find a control by its accessible
name, which is the visible label text without the mnemonic ampersand. Inline messages and
help go in the accessible description and are announced when they change. Every page
goes through these few functions, so the rule lives once and a test can check it.
"""

from __future__ import annotations

import re
from typing import TypeVar

from PySide6.QtWidgets import QLabel, QWidget

from wizard.core.fields import without_mnemonic
from wizard.core.i18n import _

W = TypeVar("W", bound=QWidget)

# An answer-file key or an internal widget name: lower-case words joined by dots.
_KEY = re.compile(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)+")


def looks_like_key(text: str) -> bool:
    """True for text a person should never hear ("proxy.mode.none", "vault.details.name")."""
    return bool(_KEY.fullmatch(text.strip()))


plain = without_mnemonic  # label text as spoken (the core's rule, shared with the guide)


def keyed(widget: W, key: str) -> W:
    """Let code find `widget` by `key`. Only the objectName: the key never reaches a person."""
    widget.setObjectName(key)
    return widget


def name(widget: W, text: str, description: str | None = None) -> W:
    """Give `widget` the name (and optionally description) a person hears."""
    widget.setAccessibleName(plain(text))
    if description is not None:
        widget.setAccessibleDescription(description)
    return widget


def describe(widget: QWidget, *parts: str) -> None:
    """Set the accessible description from the non-empty `parts` (help, then the current message)."""
    text = " ".join(p.strip() for p in parts if p and p.strip())
    if widget.accessibleDescription() != text:
        widget.setAccessibleDescription(text)


def announce(widget: QWidget, text: str, *, assertive: bool = False) -> None:
    """Have screen readers say `text` now, as coming from `widget`.

    Qt 6.8 added QAccessibleAnnouncementEvent (AT-SPI "announcement", UIA notification);
    on older Qt the widget's description change is what a reader can pick up.
    """
    if not text:
        return
    from PySide6 import QtGui

    event_type = getattr(QtGui, "QAccessibleAnnouncementEvent", None)
    if event_type is None or not QtGui.QAccessible.isActive():
        return
    event = event_type(widget, text)
    if assertive:
        event.setPoliteness(QtGui.QAccessible.AnnouncementPoliteness.Assertive)
    QtGui.QAccessible.updateAccessibility(event)


def spoken_name(widget: QWidget) -> str:
    """The name every bridge (AT-SPI, UIA) exposes for `widget`, as Qt computes it."""
    from PySide6.QtGui import QAccessible

    interface = QAccessible.queryAccessibleInterface(widget)
    return interface.text(QAccessible.Text.Name) if interface is not None else ""


def name_for_people(root: QWidget) -> None:
    """One pass over `root`: every labelled input gets its label's text as name.

    Inputs in a form row get the text of their buddy label; a unit list gets the name of the
    number it belongs to plus "unit"; buttons and check boxes speak their own text. Names set
    on purpose before this pass are kept, unless they look like a key.
    """
    for label in root.findChildren(QLabel):
        buddy = label.buddy()
        if buddy is None or not label.text():
            continue
        if "&" in label.text() and not label.accessibleName():
            # Qt's bridge strips the mnemonic for some labels and not others ("&Credentials file:").
            label.setAccessibleName(label.text().replace("&&", "\0").replace("&", "").replace("\0", "&"))
        # A value label (a form row's "Vault: contoso") keeps its own text as name; its
        # caption reaches a reader as the labelled-by relation.
        if not isinstance(buddy, QLabel) and _unnamed(buddy):
            buddy.setAccessibleName(plain(label.text()))
    for widget in root.findChildren(QWidget):
        key = widget.objectName()
        # inherits(), not isinstance: no widget class beyond the first page's on the start-up path
        if widget.inherits("QComboBox") and key.endswith(".unit") and _unnamed(widget):
            owner = root.findChild(QWidget, key.removesuffix(".unit"))
            owner_name = owner.accessibleName() if owner is not None else ""
            widget.setAccessibleName(_("{name} unit").format(name=owner_name).strip())
        elif widget.inherits("QAbstractButton") and looks_like_key(widget.accessibleName()):
            widget.setAccessibleName("")  # its own text is the right name


def _unnamed(widget: QWidget) -> bool:
    current = widget.accessibleName()
    return not current or looks_like_key(current)
