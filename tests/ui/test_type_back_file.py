"""After Register wrote the passphrase file, Finish waits until characters of the passphrase at
three random positions are typed back from that file: wrong ones get the catalogued message
under the boxes (read out with them), the right ones offer Finish. Real vault, real keyring."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QWizard

from tests.ui.helpers import PASSPHRASE, click_next, find, walk_to_register
from wizard.core.errors import info
from wizard.core.flow import Step
from wizard.ui.accessible import looks_like_key, spoken_name

pytestmark = pytest.mark.e2e


def test_finish_waits_for_characters_typed_back_from_the_saved_file(make_wizard, qtbot, vault_service,  # type: ignore[no-untyped-def]
                                                                    secret_service, tmp_path: Path) -> None:
    vault = vault_service.create_vault()
    wizard = make_wizard(home=str(tmp_path / "home"))
    walk_to_register(qtbot, wizard, credentials=vault_service.issue(vault, tmp_path), ca_file=vault_service.ca_file,
                     tmp=tmp_path)
    click_next(qtbot, wizard)  # Register
    qtbot.waitUntil(lambda: wizard.currentId() == int(Step.SUMMARY), timeout=60_000)
    saved = tmp_path / "keys" / "passphrase.txt"
    assert saved.exists()  # written by Register: the first moment it can be read back from

    type_back, shown = find(wizard, "summary.type_back"), find(wizard, "summary.type_back.message")
    finish = wizard.button(QWizard.WizardButton.FinishButton)
    prompt = find(wizard, "summary.type_back.prompt").text()
    assert str(saved) in prompt and len(type_back.boxes) == 3
    assert not finish.isEnabled() and not shown.isVisible()
    qtbot.waitUntil(lambda: type_back.boxes[0].hasFocus(), timeout=30_000)
    for box, position in zip(type_back.boxes, type_back.positions):
        assert spoken_name(box) == f"Character {position} of the passphrase" and not looks_like_key(spoken_name(box))
        assert box.accessibleDescription() == prompt
        assert box.echoMode() == box.EchoMode.Password

    first, *rest = zip(type_back.boxes, type_back.positions)
    first[0].setText(PASSPHRASE[first[1] - 1])
    assert not shown.isVisible()  # not judged until every box holds a character
    for box, position in rest:
        box.setText("#" if PASSPHRASE[position - 1] != "#" else "%")
    assert shown.isVisible() and shown.issue.code == "encryption.file_not_typed_back"
    assert shown.text() == info("encryption.file_not_typed_back").message
    assert info("encryption.file_not_typed_back").message in shown.accessibleDescription()
    assert not finish.isEnabled()

    for box, position in rest:
        box.setText(PASSPHRASE[position - 1])
    assert not shown.isVisible() and finish.isEnabled()
    finish.click()
    assert wizard.result is not None and not wizard.isVisible()
