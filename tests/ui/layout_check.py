"""Clipped and overlapping text, found by measuring rather than by looking.

For every visible text widget on a page (labels, buttons, check boxes, radio buttons) the
check compares the size its text needs with the size it is shown at:

* a label that does not wrap needs its text's width; one that wraps needs
  `heightForWidth(shown width)` in height (a long message must wrap, never be cut);
* a button or check box needs its `sizeHint()` width;
* every text widget must lie inside the window (not pushed off the bottom or the right);
* no two text widgets may overlap.

    python -m tests.ui.layout_check --size 860x640 [--out DIR] [--high-contrast]

runs the check in a fresh process (how a test gets a 1.5x scale: QT_SCALE_FACTOR must be set
before the application starts) and prints one JSON object: the problems, and with --out the
PNG of every page it looked at.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path
from typing import Any, Iterator

SIZES = {"default": (860, 640), "hd": (1280, 720), "small": (800, 600)}
TOLERANCE = 1  # px: rounding of fractional font metrics


def _text_widgets(root: Any) -> Iterator[Any]:
    from PySide6.QtWidgets import QAbstractButton, QLabel

    for widget in root.findChildren(QLabel) + root.findChildren(QAbstractButton):
        if widget.isVisibleTo(root) and _text_of(widget):
            yield widget


def _text_of(widget: Any) -> str:
    return widget.text() if hasattr(widget, "text") else ""


def _name(widget: Any) -> str:
    text = _text_of(widget).replace("\n", " ")
    return f"{type(widget).__name__} {widget.objectName() or '?'} {text[:50]!r}"


def _visible_rect(widget: Any, root: Any) -> Any:
    """The part of `widget` its ancestors let through (a scroll area or a parent clips it)."""
    from PySide6.QtCore import QPoint, QRect

    rect = QRect(widget.mapTo(root, QPoint(0, 0)), widget.size())
    parent = widget.parentWidget()
    while parent is not None and parent is not root:
        rect = rect.intersected(QRect(parent.mapTo(root, QPoint(0, 0)), parent.size()))
        parent = parent.parentWidget()
    return rect.intersected(root.rect())


def problems(root: Any) -> list[str]:
    """Every clipped, cut-off or overlapping text widget under `root` (a shown window)."""
    from PySide6.QtCore import QPoint, QRect
    from PySide6.QtWidgets import QAbstractButton, QLabel

    found: list[str] = []
    placed: list[tuple[Any, Any]] = []
    for widget in _text_widgets(root):
        if isinstance(widget, QLabel) and widget.pixmap() is not None and not widget.pixmap().isNull():
            continue
        shown = widget.contentsRect() if isinstance(widget, QLabel) else widget.rect()
        if isinstance(widget, QLabel):
            if widget.wordWrap() or widget.textFormat() == 1 and "<br" in widget.text():
                needed_h = widget.heightForWidth(widget.width())
                if needed_h > widget.height() + TOLERANCE:
                    found.append(f"{_name(widget)}: needs {needed_h}px height, shown {widget.height()}px")
            else:
                needed_w = widget.sizeHint().width()
                if needed_w > widget.width() + TOLERANCE:
                    found.append(f"{_name(widget)}: needs {needed_w}px width, shown {widget.width()}px")
                # Squeezed flat by a row that got too little height (rules overlapping in one line).
                needed_h = widget.fontMetrics().height()
                if needed_h > widget.height() + TOLERANCE:
                    found.append(f"{_name(widget)}: needs {needed_h}px height, shown {widget.height()}px")
        elif isinstance(widget, QAbstractButton):
            needed = widget.sizeHint()
            if needed.width() > shown.width() + TOLERANCE:
                found.append(f"{_name(widget)}: needs {needed.width()}px width, shown {shown.width()}px")
        full = QRect(widget.mapTo(root, QPoint(0, 0)), widget.size())
        if _visible_rect(widget, root) != full:
            found.append(f"{_name(widget)}: cut off by its window or a parent ({full} outside)")
        placed.append((widget, full))
    from PySide6.QtWidgets import QAbstractScrollArea, QLineEdit

    for edit in root.findChildren(QLineEdit):
        # A placeholder ("for example 3128") cut off in a narrow field says half of what it meant.
        placeholder = edit.placeholderText()
        room = edit.width() - 10  # the frame and text margins of Fusion's line edit
        if placeholder and edit.isVisibleTo(root) and not edit.text() \
                and edit.fontMetrics().horizontalAdvance(placeholder) > room + TOLERANCE:
            found.append(f"QLineEdit {edit.objectName() or '?'}: placeholder {placeholder!r} cut off "
                         f"({edit.fontMetrics().horizontalAdvance(placeholder)}px in {room}px)")

    for area in root.findChildren(QAbstractScrollArea):
        # A list whose text is too wide for it (a long German step title in the side panel)
        # shows a horizontal scroll bar instead of the whole text.
        if area.isVisibleTo(root) and area.horizontalScrollBar().isVisibleTo(root):
            found.append(f"{type(area).__name__} {area.objectName() or '?'}: scrolls sideways (its text is too wide)")
    for index, (first, first_rect) in enumerate(placed):
        for second, second_rect in placed[index + 1:]:
            if first.isAncestorOf(second) or second.isAncestorOf(first):
                continue
            overlap = first_rect.intersected(second_rect)
            if overlap.width() > TOLERANCE and overlap.height() > TOLERANCE:
                found.append(f"{_name(first)} overlaps {_name(second)}")
    return found


# Widgets that show data, not the product's words (a vault's name, a GUID, a path, a CLDR date):
# exempt from the pseudo-locale's "no English left" check.
DATA_WIDGETS = ("vault.details.", "summary.vault", "summary.machine", "summary.recovery", "summary.passphrase_file",
                "registered.vault", "registered.machine", "registered.since", "registered.recovery",
                "registered.passphrase_file")
_PSEUDO_SPAN = re.compile(r"\[[^\[\]]*\]")
# A word of prose left outside every pseudo span ("Browse", "the"); units, acronyms and
# tokens with digits or path/host punctuation are data.
_ENGLISH_WORD = re.compile(r"^[A-Za-z][a-z]+[,.;:!?)]*$")
_NOT_WORDS = {"Kbps", "Mbps"}


def english_left(text: str) -> list[str]:
    """The English words of `text` outside its pseudo-translated spans ("[Ɓŕóŵšé ···]")."""
    rest = text
    while _PSEUDO_SPAN.search(rest):
        rest = _PSEUDO_SPAN.sub(" ", rest)
    rest = re.sub(r"<[^<>]*>", " ", rest).replace("&", "")
    return [w for w in rest.split() if _ENGLISH_WORD.match(w) and w.rstrip(",.;:!?)") not in _NOT_WORDS]


def untranslated(root: Any) -> list[str]:
    """Every visible text under `root` (a shown window) with English left in the pseudo-locale:
    captions, buttons, group titles, tooltips, placeholders, list items, the window title."""
    from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QLineEdit, QListWidget, QWidget

    texts: list[tuple[str, str]] = [("window title", root.windowTitle())]
    for widget in root.findChildren(QWidget):
        if not widget.isVisibleTo(root) or widget.objectName().startswith(DATA_WIDGETS):
            continue
        name = f"{type(widget).__name__} {widget.objectName() or '?'}"
        if isinstance(widget, (QLabel, QAbstractButton)):
            texts.append((name, widget.text()))
        if isinstance(widget, QGroupBox):
            texts.append((name, widget.title()))
        if isinstance(widget, QLineEdit):
            texts.append((f"{name} placeholder", widget.placeholderText()))
        if isinstance(widget, QListWidget):
            texts += [(f"{name} item", widget.item(i).text()) for i in range(widget.count())]
        texts.append((f"{name} tooltip", widget.toolTip()))
    return [f"{name}: {text!r} ({' '.join(words)})" for name, text in texts if text
            for words in [english_left(text)] if words]


def duplicate_mnemonics(page: Any, *, with_back: bool = True) -> list[str]:
    """Alt+letter that two visible controls of one page (and the wizard's buttons) both claim.

    Back counts on every page but the first even where this walk shows it hidden (a page the
    walk starts on has no Back; a person arriving with Next sees one)."""
    from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget, QWizard

    wizard = page.wizard() if hasattr(page, "wizard") else None
    controls = [w for w in page.findChildren(QWidget) if isinstance(w, (QLabel, QAbstractButton))
                and w.isVisibleTo(w.window())]
    if wizard is not None:
        back = wizard.button(QWizard.WizardButton.BackButton)
        controls += [w for w in wizard.findChildren(QAbstractButton) if not page.isAncestorOf(w)
                     and (w.isVisibleTo(wizard) or (with_back and w is back))]
    seen: dict[str, str] = {}
    found = []
    for widget in controls:
        match = re.search(r"&([^&\s])", widget.text().replace("&&", ""))
        if not match:
            continue
        letter = match.group(1).lower()
        if letter in seen and seen[letter] != widget.text():
            found.append(f"Alt+{letter}: {seen[letter]!r} and {widget.text()!r}")
        seen.setdefault(letter, widget.text())
    return found


def settle(app: Any, rounds: int = 5) -> None:
    for _ in range(rounds):
        app.processEvents()


def check_wizard_pages(wizard: Any, app: Any, *, label: str, out: Path | None = None,
                       words: list[str] | None = None, mnemonics: list[str] | None = None) -> list[str]:
    """Show every page of `wizard` (with every message revealed) and measure it; `words` and
    `mnemonics`, when given, collect the English left and the doubled mnemonics of each page."""
    from wizard.core.flow import ORDER, Step
    from wizard.ui.page_base import StepPage

    found: list[str] = []
    wizard.build_all_pages()
    for step in ORDER:
        wizard.setStartId(int(step))
        wizard.restart()
        page = wizard.currentPage()
        if step is Step.THROTTLING:  # throttling on, overnight: the longest hours note and summary
            from PySide6.QtCore import QTime

            page.enabled.setChecked(True)
            page.start.setTime(QTime(22, 0))
            page.end.setTime(QTime(6, 0))
        if isinstance(page, StepPage):
            page.reveal_all()  # the longest state: every message shown
        settle(app)
        found += [f"{label} {step.name}: {p}" for p in problems(wizard)]
        if words is not None:
            words += [f"{step.name}: {p}" for p in untranslated(wizard)]
        if mnemonics is not None:
            mnemonics += [f"{step.name}: {p}" for p in duplicate_mnemonics(page, with_back=step is not ORDER[0])]
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            wizard.grab().save(str(out / f"{label}-{step.name.lower()}.png"))
    return found


def failed_test_connection(wizard: Any, app: Any, folder: Path) -> None:
    """The Backup Vault page after Test connection failed: its longest state (the issue's
    "...on the I" was this message cut off at the default size)."""
    import time
    import uuid

    from wizard.core.credentials import issue_credentials, write_credentials_file
    from wizard.core.flow import Step

    issued = issue_credentials(
        vault_name="contoso-backup-vault-west-europe", subscription_id=str(uuid.uuid4()), resource_group="rg",
        location="westeurope", resource_id=42, tenant_id=str(uuid.uuid4()), client_id=str(uuid.uuid4()),
        authority_url="https://127.0.0.1:1/aad", rest_endpoint="https://127.0.0.1:1/restapi/")
    folder.mkdir(parents=True, exist_ok=True)
    path = write_credentials_file(issued, folder)
    wizard.setStartId(int(Step.VAULT))
    wizard.restart()
    page = wizard.currentPage()
    page.set_credentials_file(str(path))
    page.start_slow_check()
    _wait(app, lambda: page.credentials() is not None)
    page.test_connection()
    _wait(app, lambda: not page._testing())
    settle(app)


def _wait(app: Any, condition: Any, timeout: float = 15.0) -> None:
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the wizard did not get there")
        app.processEvents()
        time.sleep(0.005)


def registered_home(home: Path) -> None:
    """A registration record as `register` saves it (long names: the longest rows)."""
    from wizard.core.storage import StateStore

    StateStore(home).save_registration({
        "registered_at": "2026-11-24T10:00:00+00:00",
        "machine": {"id": "3f2b8c4e-9a1d-4e7b-b5c6-0d1e2f3a4b5c", "name": "fileserver-west-europe-01"},
        "vault": {"name": "contoso-backup-vault-west-europe", "resource_id": "42",
                  "registration_url": "https://vault.example/restapi/machines"},
        "settings": {"proxy": {"mode": "custom", "host": "proxy.corp.contoso.example", "port": 3128,
                               "username": "CONTOSO\\svc-backup"},
                     "throttling": {"enabled": True, "work_days": ["monday", "tuesday", "wednesday", "thursday",
                                                                   "friday"],
                                    "work_start": "22:00", "work_end": "06:00", "work_bandwidth_bps": 2097152,
                                    "non_work_bandwidth_bps": 104857600},
                     "recovery": {"path": "/var/lib/register-server/recovery/a-rather-long-folder-name"},
                     "encryption": {"passphrase_file": "/mnt/secure/share/fileserver-west-europe-01.passphrase.txt"}},
    })


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", action="append", help="WIDTHxHEIGHT; repeat for several (default 860x640)")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--high-contrast", action="store_true", help="white on black, as register-server --high-contrast")
    parser.add_argument("--words", action="store_true",
                        help="also list English left outside pseudo spans and doubled mnemonics (REGISTER_SERVER_LANG=qps)")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from wizard.ui.app import application

    app = application()
    if args.high_contrast:
        from wizard.ui.contrast import use_high_contrast

        use_high_contrast(app)
    found: list[str] = []
    sizes: list[list[int]] = []
    words: list[str] | None = [] if args.words else None
    mnemonics: list[str] = []
    for index, size in enumerate(args.size or ["860x640"]):
        found += _check_at(app, size, args.home / str(index), args.out, sizes, words, mnemonics)
    print(json.dumps({"problems": found, "sizes": sizes, "untranslated": words, "mnemonics": mnemonics}))
    return 0


def _check_at(app: Any, size: str, home: Path, out: Path | None, sizes: list[list[int]],
              words: list[str] | None = None, mnemonics: list[str] | None = None) -> list[str]:
    from wizard.ui.wizard import create_wizard

    width, height = (int(n) for n in size.split("x"))
    label = f"{size}@{os.environ.get('QT_SCALE_FACTOR', '1')}x"
    found: list[str] = []

    def shown(home: Path) -> Any:
        wizard = create_wizard(home=home)
        wizard.resize(width, height)
        wizard.show()
        settle(app)
        sizes.append([wizard.width(), wizard.height()])
        return wizard

    wizard = shown(home / "first")
    found += check_wizard_pages(wizard, app, label=label, out=out, words=words, mnemonics=mnemonics)
    failed_test_connection(wizard, app, home / "creds")
    found += [f"{label} VAULT after a failed Test connection: {p}" for p in problems(wizard)]
    if words is not None:
        words += [f"VAULT after a failed Test connection: {p}" for p in untranslated(wizard)]
    _save(wizard, out, f"{label}-vault-test-failed")
    wizard.close_now()

    registered_home(home / "registered")
    wizard = shown(home / "registered")
    found += [f"{label} REGISTERED: {p}" for p in problems(wizard)]
    if words is not None:
        words += [f"REGISTERED: {p}" for p in untranslated(wizard)]
    if mnemonics is not None:
        mnemonics += [f"REGISTERED: {p}" for p in duplicate_mnemonics(wizard.currentPage(), with_back=False)]
    _save(wizard, out, f"{label}-registered")
    wizard.close_now()
    return found


def _save(wizard: Any, out: Path | None, name: str) -> None:
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        wizard.grab().save(str(out / f"{name}.png"))


if __name__ == "__main__":
    sys.exit(main())
