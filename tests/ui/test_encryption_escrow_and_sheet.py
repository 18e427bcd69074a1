"""Encryption page: the escrow box (on by default, off means never) and "Print recovery sheet..."."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from wizard.core.flow import Step
from wizard.core.model import EncryptionSettings
from wizard.core.secret import Secret

PASSPHRASE = "printed and locked away, 2026 edition"


@pytest.fixture
def page(qtbot, tmp_path: Path):  # type: ignore[no-untyped-def]
    from wizard.ui import create_wizard

    wizard = create_wizard(home=tmp_path / "state")
    qtbot.addWidget(wizard)
    encryption = wizard.page(int(Step.ENCRYPTION))
    return wizard, encryption


def test_escrow_is_on_by_default_and_unticked_means_never(page) -> None:  # type: ignore[no-untyped-def]
    wizard, encryption = page
    assert encryption.escrow.isChecked()
    assert encryption.apply(wizard.settings).encryption.escrow is None  # sealed when the vault has a certificate
    encryption.escrow.setChecked(False)
    assert encryption.apply(wizard.settings).encryption.escrow is False
    encryption.load(replace(wizard.settings, encryption=EncryptionSettings(escrow=None)))
    assert encryption.escrow.isChecked()


@pytest.mark.skipif(shutil.which("zbarimg") is None or shutil.which("pdftoppm") is None,
                    reason="scripts/setup.sh installs poppler-utils and zbar-tools")
def test_print_recovery_sheet_writes_the_pdf_chosen_and_says_so(page, monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from wizard.ui import dialogs

    wizard, encryption = page
    target = tmp_path / "sheet.pdf"
    asked: list[str] = []
    monkeypatch.setattr(dialogs, "choose_save_file", lambda parent, caption, start, filt: asked.append(start) or
                        str(target))
    encryption.print_sheet.click()
    assert not target.exists() and "first" in encryption.sheet_status.text()  # nothing to print yet
    encryption.passphrase.setText(PASSPHRASE)
    encryption.confirmation.setText(PASSPHRASE)
    encryption.print_sheet.click()
    assert str(target) in encryption.sheet_status.text()
    assert asked and asked[-1].endswith(".recovery-sheet.pdf")
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(target), str(tmp_path / "sheet")], check=True)
    decoded = subprocess.run(["zbarimg", "-q", "--raw", str(tmp_path / "sheet.png")], capture_output=True, text=True,
                             check=True).stdout
    assert decoded.rstrip("\n") == PASSPHRASE

    encryption.print_sheet.click()  # the same name again: refused inline, the first sheet kept
    assert "not saved" in encryption.sheet_status.text()
    assert Secret(PASSPHRASE).reveal() not in encryption.sheet_status.text()


def test_after_a_sheet_the_promise_counts_only_with_characters_typed_back(page, monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from wizard.core.issues import Issue
    from wizard.ui import dialogs

    wizard, encryption = page
    monkeypatch.setattr(dialogs, "choose_save_file", lambda *a: str(tmp_path / "sheet.pdf"))
    encryption.passphrase.setText(PASSPHRASE)
    encryption.confirmation.setText(PASSPHRASE)
    encryption.stored_safely.setChecked(True)
    codes = lambda: {i.code for i in encryption.collect_issues() if isinstance(i, Issue)}  # noqa: E731
    assert "encryption.not_typed_back" not in codes()  # no sheet, nothing to type back: as before
    assert not encryption.type_back.isVisibleTo(encryption)

    encryption.print_sheet.click()
    assert encryption.type_back.isVisibleTo(encryption) and len(encryption.type_back.boxes) == 3
    assert "encryption.not_typed_back" in codes()
    positions = encryption.type_back.positions
    assert positions == sorted(set(positions)) and all(PASSPHRASE[p - 1] != " " for p in positions)
    for box, position in zip(encryption.type_back.boxes, positions):
        box.setText("#" if PASSPHRASE[position - 1] != "#" else "%")
    assert "encryption.not_typed_back" in codes()
    for box, position in zip(encryption.type_back.boxes, positions):
        box.setText(PASSPHRASE[position - 1])
    assert "encryption.not_typed_back" not in codes()
