"""Inline messages and Next gating on the Proxy, Throttling, Recovery and Encryption pages.

Each test types like a person (key by key, then leaves the field) and asserts the
message under the field and whether Next is enabled. The texts come from the core's
catalogue; the tests check the codes' messages, not copies of them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from tests.ui.helpers import click_next, drop_path, find, leave_field, message, next_button, type_into
from wizard.core.errors import info
from wizard.core.flow import Step


def page_alone(make_wizard: Any, step: Step) -> Any:
    """The wizard showing `step` directly (the pages before it are not under test here)."""
    wizard = make_wizard()
    wizard.setStartId(int(step))
    wizard.restart()
    assert wizard.currentId() == int(step)
    return wizard


# --- Proxy -------------------------------------------------------------------------------------
def test_no_proxy_needs_nothing_more(make_wizard: Any) -> None:
    wizard = make_wizard()
    assert find(wizard, "proxy.mode.none").isChecked()
    assert next_button(wizard).isEnabled()
    assert not find(wizard, "proxy.host").isEnabled()


def test_custom_proxy_address_errors_appear_after_leaving_the_field(make_wizard: Any, qtbot: Any) -> None:
    wizard = make_wizard()
    find(wizard, "proxy.mode.custom").setChecked(True)
    assert not next_button(wizard).isEnabled()  # address and port are required
    assert message(wizard, "proxy.host") == ""  # nothing said before the user has been there
    host = find(wizard, "proxy.host")
    type_into(qtbot, host, "proxy..contoso", leave=False)
    assert message(wizard, "proxy.host") == ""  # still typing
    leave_field(host)
    assert message(wizard, "proxy.host") == info("proxy.host_invalid").message
    assert host.property("hasError") is True
    type_into(qtbot, host, "proxy.contoso.com")
    assert message(wizard, "proxy.host") == ""
    type_into(qtbot, find(wizard, "proxy.port"), "70000")
    assert message(wizard, "proxy.port") == info("proxy.port_range").message
    assert not next_button(wizard).isEnabled()
    type_into(qtbot, find(wizard, "proxy.port"), "3128")
    assert next_button(wizard).isEnabled()


def test_port_field_accepts_digits_only(make_wizard: Any, qtbot: Any) -> None:
    wizard = make_wizard()
    find(wizard, "proxy.mode.custom").setChecked(True)
    port = find(wizard, "proxy.port")
    type_into(qtbot, port, "80a8-0")
    assert port.text() == "8080"


def test_user_name_without_password_blocks_and_is_explained_on_enter(make_wizard: Any, qtbot: Any) -> None:
    wizard = make_wizard()
    find(wizard, "proxy.mode.custom").setChecked(True)
    type_into(qtbot, find(wizard, "proxy.host"), "10.0.0.5")
    type_into(qtbot, find(wizard, "proxy.port"), "8080")
    user = find(wizard, "proxy.username")
    type_into(qtbot, user, "backup-svc", leave=False)
    assert not next_button(wizard).isEnabled()
    qtbot.keyClick(user, Qt.Key.Key_Return)  # trying to go on reveals why it cannot
    assert message(wizard, "proxy.password") == info("proxy.username_without_password").message
    type_into(qtbot, find(wizard, "proxy.password"), "s3cret")
    assert next_button(wizard).isEnabled()
    click_next(qtbot, wizard, expect=Step.VAULT)
    proxy = wizard.settings.proxy
    assert (proxy.host, proxy.port, proxy.username, proxy.password.reveal()) == ("10.0.0.5", 8080, "backup-svc", "s3cret")


def test_switching_back_to_no_proxy_clears_the_block(make_wizard: Any) -> None:
    wizard = make_wizard()
    find(wizard, "proxy.mode.custom").setChecked(True)
    assert not next_button(wizard).isEnabled()
    find(wizard, "proxy.mode.none").setChecked(True)
    assert next_button(wizard).isEnabled()


# --- Throttling ----------------------------------------------------------------------------------
def test_throttling_off_is_complete_and_disables_the_details(make_wizard: Any) -> None:
    wizard = page_alone(make_wizard, Step.THROTTLING)
    assert not find(wizard, "throttling.enabled").isChecked()
    assert not find(wizard, "throttling.work_start").isEnabled()
    assert next_button(wizard).isEnabled()
    assert all(v is None for row in find(wizard, "throttling.week_preview").grid() for v in row)


def test_bandwidth_in_bytes_is_refused_with_the_bit_equivalent(make_wizard: Any, qtbot: Any) -> None:
    wizard = page_alone(make_wizard, Step.THROTTLING)
    find(wizard, "throttling.enabled").setChecked(True)
    field = find(wizard, "throttling.work_bandwidth")
    type_into(qtbot, field, "10 MB/s")
    shown = message(wizard, "throttling.work_bandwidth")
    assert shown.startswith(info("throttling.bandwidth_bytes").message) and "80 Mbps" in shown
    assert not next_button(wizard).isEnabled()
    type_into(qtbot, field, "256")
    find(wizard, "throttling.work_bandwidth.unit").setCurrentText("Kbps")
    assert info("throttling.bandwidth_range").message in message(wizard, "throttling.work_bandwidth")
    find(wizard, "throttling.work_bandwidth.unit").setCurrentText("Mbps")
    assert message(wizard, "throttling.work_bandwidth") == ""
    assert next_button(wizard).isEnabled()


def test_a_bytes_limit_is_named_while_typing_not_only_after_leaving(make_wizard: Any, qtbot: Any) -> None:
    wizard = page_alone(make_wizard, Step.THROTTLING)
    find(wizard, "throttling.enabled").setChecked(True)
    type_into(qtbot, find(wizard, "throttling.work_bandwidth"), "10 MB/s", leave=False)  # focus stays
    assert not next_button(wizard).isEnabled()
    qtbot.waitUntil(lambda: "10 MB/s is 80 Mbps" in message(wizard, "throttling.work_bandwidth"))


def test_an_end_before_the_start_is_shown_as_overnight_with_the_time_zone(make_wizard: Any, qtbot: Any) -> None:
    from PySide6.QtCore import QTime

    from wizard.ui.week_preview import local_zone_name

    wizard = page_alone(make_wizard, Step.THROTTLING)
    find(wizard, "throttling.enabled").setChecked(True)
    note = find(wizard, "throttling.work_hours")
    assert note.text() == f"09:00 \u2013 18:00 ({local_zone_name()})"
    find(wizard, "throttling.work_start").setTime(QTime(22, 0))
    find(wizard, "throttling.work_end").setTime(QTime(6, 0))
    assert note.text() == f"22:00 \u2013 06:00, overnight ({local_zone_name()})"
    assert "22:00 \u2013 06:00, overnight" in find(wizard, "throttling.summary").text()


def test_time_boxes_take_typed_digits_after_a_click(make_wizard: Any, qtbot: Any) -> None:
    from PySide6.QtCore import QPoint

    wizard = page_alone(make_wizard, Step.THROTTLING)
    find(wizard, "throttling.enabled").setChecked(True)
    start = find(wizard, "throttling.work_start")
    edit = start.lineEdit()
    middle_of_hours = edit.fontMetrics().horizontalAdvance("0") + 3
    qtbot.mouseClick(edit, Qt.MouseButton.LeftButton, pos=QPoint(middle_of_hours, edit.height() // 2))
    qtbot.waitUntil(lambda: edit.selectedText() == "09")
    qtbot.keyClicks(start, "2230")
    assert start.time().toString("HH:mm") == "22:30"
    qtbot.mouseClick(edit, Qt.MouseButton.LeftButton, pos=QPoint(edit.width() - 3, edit.height() // 2))
    qtbot.waitUntil(lambda: edit.selectedText() == "30")  # after the digits: the minutes
    qtbot.keyClicks(start, "45")
    assert start.time().toString("HH:mm") == "22:45"


def test_no_work_day_and_equal_times_block(make_wizard: Any, qtbot: Any) -> None:
    wizard = page_alone(make_wizard, Step.THROTTLING)
    find(wizard, "throttling.enabled").setChecked(True)
    for day in ("monday", "tuesday", "wednesday", "thursday", "friday"):
        find(wizard, f"throttling.work_days.{day}").setChecked(False)
    assert message(wizard, "throttling.work_days") == info("throttling.no_work_days").message
    assert not next_button(wizard).isEnabled()
    find(wizard, "throttling.work_days.saturday").setChecked(True)
    assert next_button(wizard).isEnabled()
    end = find(wizard, "throttling.work_end")
    end.setTime(find(wizard, "throttling.work_start").time())
    leave_field(end)
    assert message(wizard, "throttling.work_end") == info("throttling.same_start_end").message
    assert not next_button(wizard).isEnabled()


def test_week_preview_paints_what_the_schedule_says(make_wizard: Any, qtbot: Any) -> None:
    from PySide6.QtCore import QTime

    wizard = page_alone(make_wizard, Step.THROTTLING)
    find(wizard, "throttling.enabled").setChecked(True)
    find(wizard, "throttling.work_start").setTime(QTime(22, 0))
    find(wizard, "throttling.work_end").setTime(QTime(6, 0))  # overnight
    grid = find(wizard, "throttling.week_preview").grid()
    assert grid[4][23] is True       # Friday 23:30 is work time
    assert grid[5][3] is True        # ... running into Saturday 03:30
    assert grid[5][23] is False      # Saturday is not a work day
    assert grid[0][3] is False       # Monday 03:30: Sunday night is not work time
    assert grid[0][12] is False      # Monday noon lies outside 22:00-06:00


def test_throttling_values_reach_the_model(make_wizard: Any, qtbot: Any) -> None:
    from wizard.core.limits import KBPS, MBPS

    wizard = page_alone(make_wizard, Step.THROTTLING)
    find(wizard, "throttling.enabled").setChecked(True)
    type_into(qtbot, find(wizard, "throttling.work_bandwidth"), "1.5")
    type_into(qtbot, find(wizard, "throttling.non_work_bandwidth"), "768")
    find(wizard, "throttling.non_work_bandwidth.unit").setCurrentText("Kbps")
    click_next(qtbot, wizard, expect=Step.RECOVERY)
    schedule = wizard.settings.throttling
    assert schedule.enabled
    assert schedule.work_bandwidth.bits_per_second == int(1.5 * MBPS)
    assert schedule.non_work_bandwidth.bits_per_second == 768 * KBPS


# --- Recovery folder ---------------------------------------------------------------------------
def test_relative_recovery_path_is_refused(make_wizard: Any, qtbot: Any) -> None:
    wizard = page_alone(make_wizard, Step.RECOVERY)
    assert not next_button(wizard).isEnabled()
    type_into(qtbot, find(wizard, "recovery.folder"), "recovery")
    assert message(wizard, "recovery.folder") == info("recovery.folder_not_absolute").message


def test_missing_folder_offers_to_create_it(make_wizard: Any, qtbot: Any, tmp_path: Path) -> None:
    wizard = page_alone(make_wizard, Step.RECOVERY)
    folder = tmp_path / "new" / "recovery"
    type_into(qtbot, find(wizard, "recovery.folder"), str(folder))
    qtbot.waitUntil(lambda: message(wizard, "recovery.folder") == info("recovery.folder_missing").message)
    assert not next_button(wizard).isEnabled()
    create = find(wizard, "recovery.create")
    assert create.isVisible()
    create.setChecked(True)
    qtbot.waitUntil(lambda: "will be created" in message(wizard, "recovery.folder"))
    assert next_button(wizard).isEnabled()
    click_next(qtbot, wizard, expect=Step.ENCRYPTION)
    assert wizard.settings.recovery.path == folder and wizard.settings.recovery.create


def test_existing_folder_shows_free_space_and_compares_space_needed(make_wizard: Any, qtbot: Any,
                                                                    tmp_path: Path) -> None:
    import shutil

    wizard = page_alone(make_wizard, Step.RECOVERY)
    type_into(qtbot, find(wizard, "recovery.folder"), str(tmp_path))
    qtbot.waitUntil(lambda: "on this volume" in find(wizard, "recovery.free_space").text())
    assert not find(wizard, "recovery.create").isVisible()
    free_gb = shutil.disk_usage(tmp_path).free / 1024 ** 3
    assert f"{free_gb:,.1f} GB" in find(wizard, "recovery.free_space").text() or "TB" in \
        find(wizard, "recovery.free_space").text()
    type_into(qtbot, find(wizard, "recovery.space_needed"), "lots")
    assert message(wizard, "recovery.space_needed") == info("recovery.space_needed_invalid").message
    type_into(qtbot, find(wizard, "recovery.space_needed"), "900 TB")
    qtbot.waitUntil(lambda: message(wizard, "recovery.folder").startswith(info("recovery.not_enough_space").message))
    assert not next_button(wizard).isEnabled()
    type_into(qtbot, find(wizard, "recovery.space_needed"), "1 KB")
    qtbot.waitUntil(lambda: next_button(wizard).isEnabled() and message(wizard, "recovery.folder") == "")


def test_a_file_is_not_a_folder(make_wizard: Any, qtbot: Any, tmp_path: Path) -> None:
    wizard = page_alone(make_wizard, Step.RECOVERY)
    target = tmp_path / "file.txt"
    target.write_text("x")
    type_into(qtbot, find(wizard, "recovery.folder"), str(target))
    qtbot.waitUntil(lambda: message(wizard, "recovery.folder") == info("recovery.folder_is_file").message)
    assert not next_button(wizard).isEnabled()


def test_unwritable_folder_is_refused(make_wizard: Any, qtbot: Any, tmp_path: Path) -> None:
    if os.geteuid() == 0:
        locked = Path("/proc/sys")  # root can write anywhere except on a read-only file system like this
        assert not os.access(locked, os.W_OK)
    else:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(0o500)
    try:
        wizard = page_alone(make_wizard, Step.RECOVERY)
        type_into(qtbot, find(wizard, "recovery.folder"), str(locked))
        qtbot.waitUntil(lambda: message(wizard, "recovery.folder") == info("recovery.folder_not_writable").message)
        assert not next_button(wizard).isEnabled()
    finally:
        if locked.is_relative_to(tmp_path):
            locked.chmod(0o700)


def test_browse_fills_the_folder(make_wizard: Any, qtbot: Any, dialogs: Any, tmp_path: Path) -> None:
    wizard = page_alone(make_wizard, Step.RECOVERY)
    dialogs.answers["folder"] = str(tmp_path)
    qtbot.mouseClick(find(wizard, "recovery.browse"), Qt.MouseButton.LeftButton)
    assert find(wizard, "recovery.folder").text() == str(tmp_path)
    qtbot.waitUntil(lambda: next_button(wizard).isEnabled())


def test_a_folder_dropped_onto_the_field_replaces_its_text(make_wizard: Any, qtbot: Any, tmp_path: Path) -> None:
    wizard = page_alone(make_wizard, Step.RECOVERY)
    field = find(wizard, "recovery.folder")
    type_into(qtbot, field, "/var/tmp/recov")
    assert drop_path(field, tmp_path)
    assert field.text() == str(tmp_path)
    qtbot.waitUntil(lambda: next_button(wizard).isEnabled())


# --- Encryption ----------------------------------------------------------------------------------
def test_a_folder_dropped_onto_the_save_location_keeps_the_file_name(make_wizard: Any, qtbot: Any,
                                                                     tmp_path: Path) -> None:
    """Dropping a folder means "save it in there"; a dropped file is taken as it is (and refused
    if it exists, as typed paths are)."""
    wizard = page_alone(make_wizard, Step.ENCRYPTION)
    field = find(wizard, "encryption.save_passphrase_to")
    type_into(qtbot, field, "/somewhere/else/srv01.passphrase.txt")
    assert drop_path(field, tmp_path)
    assert field.text() == str(tmp_path / "srv01.passphrase.txt")
    field.clear()
    assert drop_path(field, tmp_path)
    assert field.text() == str(tmp_path / "passphrase.txt")
    existing = tmp_path / "old.txt"
    existing.write_text("x")
    assert drop_path(field, existing)
    assert field.text() == str(existing)
    qtbot.waitUntil(lambda: message(wizard, "encryption.save_passphrase_to") == info("encryption.save_path_exists").message)


def rules_state(wizard: Any) -> dict[str, bool]:
    return dict(find(wizard, "encryption.rules").state())


def test_rules_checklist_follows_each_keystroke(make_wizard: Any, qtbot: Any) -> None:
    wizard = page_alone(make_wizard, Step.ENCRYPTION)
    field = find(wizard, "encryption.passphrase")
    type_into(qtbot, field, "short", leave=False)
    assert rules_state(wizard)["At least 16 characters"] is False
    assert message(wizard, "encryption.passphrase") == ""  # not yet left
    qtbot.keyClicks(field, " but now long enough")
    assert rules_state(wizard)["At least 16 characters"] is True
    assert rules_state(wizard)["Confirmation matches"] is False
    field.insert("é")  # QTest cannot type non-ASCII characters; insert() edits like a paste
    assert rules_state(wizard)["Only plain ASCII characters"] is False
    leave_field(field)
    assert message(wizard, "encryption.passphrase") == info("passphrase.not_ascii").message


def test_short_passphrase_message_and_mismatch(make_wizard: Any, qtbot: Any) -> None:
    wizard = page_alone(make_wizard, Step.ENCRYPTION)
    type_into(qtbot, find(wizard, "encryption.passphrase"), "too short")
    assert message(wizard, "encryption.passphrase") == info("passphrase.too_short").message
    type_into(qtbot, find(wizard, "encryption.passphrase"), "a long enough passphrase here")
    type_into(qtbot, find(wizard, "encryption.passphrase_confirm"), "a long enough passphrase HERE")
    assert message(wizard, "encryption.passphrase_confirm") == info("passphrase.confirm_mismatch").message
    assert not next_button(wizard).isEnabled()


def test_passphrase_fields_are_hidden_until_shown(make_wizard: Any, qtbot: Any) -> None:
    from PySide6.QtWidgets import QLineEdit

    wizard = page_alone(make_wizard, Step.ENCRYPTION)
    fields = [find(wizard, "encryption.passphrase"), find(wizard, "encryption.passphrase_confirm")]
    assert all(f.echoMode() == QLineEdit.EchoMode.Password for f in fields)
    find(wizard, "encryption.show_passphrase").setChecked(True)
    assert all(f.echoMode() == QLineEdit.EchoMode.Normal for f in fields)


def test_generate_fills_both_fields_with_a_strong_passphrase(make_wizard: Any, qtbot: Any) -> None:
    wizard = page_alone(make_wizard, Step.ENCRYPTION)
    qtbot.mouseClick(find(wizard, "encryption.generate"), Qt.MouseButton.LeftButton)
    first = find(wizard, "encryption.passphrase").text()
    assert len(first) >= 16 and first == find(wizard, "encryption.passphrase_confirm").text()
    assert all(rules_state(wizard).values())
    qtbot.waitUntil(lambda: find(wizard, "encryption.strength").value() == 4)  # estimated off the GUI thread
    qtbot.mouseClick(find(wizard, "encryption.generate"), Qt.MouseButton.LeftButton)
    assert find(wizard, "encryption.passphrase").text() != first


def test_strength_meter_updates_after_typing_pauses(make_wizard: Any, qtbot: Any) -> None:
    wizard = page_alone(make_wizard, Step.ENCRYPTION)
    type_into(qtbot, find(wizard, "encryption.passphrase"), "passwordpassword", leave=False)
    qtbot.waitUntil(lambda: find(wizard, "encryption.strength_label").text() != "")
    assert find(wizard, "encryption.strength").value() <= 1


def test_save_location_warns_on_this_servers_disk_and_refuses_existing_files(
        make_wizard: Any, qtbot: Any, tmp_path: Path) -> None:
    wizard = page_alone(make_wizard, Step.ENCRYPTION)
    qtbot.mouseClick(find(wizard, "encryption.generate"), Qt.MouseButton.LeftButton)
    existing = tmp_path / "old.txt"
    existing.write_text("keep me")
    type_into(qtbot, find(wizard, "encryption.save_passphrase_to"), str(existing))
    qtbot.waitUntil(lambda: message(wizard, "encryption.save_passphrase_to") == info("encryption.save_path_exists").message)
    type_into(qtbot, find(wizard, "encryption.save_passphrase_to"), str(tmp_path / "missing" / "p.txt"))
    qtbot.waitUntil(lambda: message(wizard, "encryption.save_passphrase_to") == info("encryption.save_dir_missing").message)
    type_into(qtbot, find(wizard, "encryption.save_passphrase_to"), str(tmp_path / "p.txt"))
    qtbot.waitUntil(lambda: message(wizard, "encryption.save_passphrase_to")
                    == info("encryption.save_path_on_local_disk").message)
    assert not next_button(wizard).isEnabled()  # a warning does not block, but stored_safely does
    find(wizard, "encryption.stored_safely").setChecked(True)
    assert next_button(wizard).isEnabled()
    find(wizard, "encryption.stored_safely").setChecked(False)
    assert message(wizard, "encryption.stored_safely") == info("encryption.not_stored_safely").message
    assert not next_button(wizard).isEnabled()


def test_secrets_never_show_in_the_model_repr(make_wizard: Any, qtbot: Any, tmp_path: Path) -> None:
    wizard = page_alone(make_wizard, Step.ENCRYPTION)
    type_into(qtbot, find(wizard, "encryption.passphrase"), "a very secret passphrase 123")
    settings = wizard.page(int(Step.ENCRYPTION)).apply(wizard.settings)
    assert "a very secret" not in repr(settings)


def test_in_change_settings_the_encryption_page_says_an_empty_passphrase_keeps_the_one_in_force(
        make_wizard: Any) -> None:
    """The subtitle of Change settings (its initializePage once sat on the rules list, where
    nothing called it, and the page showed the first-run text)."""
    wizard = make_wizard()
    wizard.mode = "change"
    wizard.setStartId(int(Step.ENCRYPTION))
    wizard.restart()
    assert wizard.currentPage().subTitle().startswith("To keep the passphrase in force, leave the passphrase empty.")
    wizard.mode = "first"
    wizard.restart()
    assert wizard.currentPage().subTitle().startswith("Backups are encrypted with a passphrase only you hold.")
