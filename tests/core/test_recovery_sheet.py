"""The recovery sheet reads back: its text (pdftotext) and its QR code (zbarimg) give the passphrase."""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest

from wizard.core.errors import RegisterServerError
from wizard.core.recovery_sheet import SheetFacts, from_printed, printable_groups, write_sheet
from wizard.core.secret import Secret

TOOLS = ("pdftotext", "pdftoppm", "pdfinfo", "zbarimg")
pytestmark = pytest.mark.skipif(any(shutil.which(t) is None for t in TOOLS),
                                reason="scripts/setup.sh installs poppler-utils and zbar-tools")
FACTS = SheetFacts(vault_name="contoso-vault", machine_name="server01",
                   created=datetime(2026, 12, 2, 9, 30, tzinfo=timezone.utc))


def read_back(pdf: Path) -> tuple[str, str, str]:
    """(text, decoded QR, pages) of a sheet - what a person with a printer and a phone would get."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(pdf), str(pdf.with_suffix(""))], check=True)
    qr = subprocess.run(["zbarimg", "-q", "--raw", str(pdf.with_suffix(".png"))], capture_output=True,
                        text=True, check=True).stdout
    pages = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return text, qr.rstrip("\n"), pages


@pytest.mark.parametrize("passphrase", [
    "correct horse battery staple 42!",            # spaces: shown as a mark, given back as spaces
    "Zq9#x!L0~`'\"\\{}[]|<>?,./;:-_=+()*&^%$@ end",  # every kind of ASCII punctuation
    ("Long 1024! " * 94)[:1024],                   # the longest passphrase allowed: still one page
])
def test_sheet_text_and_qr_read_back_to_the_passphrase(tmp_path: Path, passphrase: str) -> None:
    pdf = tmp_path / "sheet.pdf"
    write_sheet(pdf, Secret(passphrase), FACTS)
    assert pdf.stat().st_mode & 0o777 == 0o600
    text, qr, pages = read_back(pdf)
    assert qr == passphrase
    assert "Pages:           1" in pages
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Passphrase (")) + 1
    printed = []
    for line in lines[start:]:
        if not line.strip():
            break
        position, _, groups = line.strip().partition(" ")
        assert int(position) == len(from_printed(" ".join(printed))) + 1  # each line says where it starts
        printed.append(groups)
    assert from_printed(" ".join(printed)) == passphrase
    for fact in ("contoso-vault", "server01", "2026-12-02", "What to do with this page"):
        assert fact in text


def test_groups_are_four_characters_and_spaces_are_visible() -> None:
    assert printable_groups(Secret("abcd efgh")) == ["abcd", "\u00b7efg", "h"]


def test_sheet_is_never_written_over_an_existing_file(tmp_path: Path) -> None:
    pdf = tmp_path / "sheet.pdf"
    pdf.write_bytes(b"keep me")
    with pytest.raises(RegisterServerError) as caught:
        write_sheet(pdf, Secret("correct horse battery staple 42!"), FACTS)
    assert caught.value.code == "encryption.save_path_exists"
    assert pdf.read_bytes() == b"keep me"
