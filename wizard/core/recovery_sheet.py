"""The recovery sheet: one printable PDF page with the passphrase, for a safe or a sealed envelope.

Why paper: the passphrase file lives on some disk, and disks fail and get wiped together.
A page in a safe survives that, and a person must be able to type the passphrase back from
it without error years later: so it is printed in a monospaced font, in groups of four
characters with their positions, spaces shown as a visible mark, and as a QR code that a
phone or `zbarimg` reads back exactly.

The QR code is drawn as vector squares (segno's module matrix), not an embedded image: it
stays sharp at any printer resolution and the sheet needs no image library. Only the core
fonts of PDF are used (Courier, Helvetica), whose Latin-1 covers every passphrase character
(passphrases are printable ASCII).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from wizard.core.secret import Secret

GROUP = 4               # characters per group on the sheet
GROUPS_PER_LINE = 8
SPACE_MARK = "\u00b7"   # a middle dot stands for a space, which paper cannot show
QR_SIZE_MM = 60.0       # the smallest QR code printed
QR_MODULE_MM = 0.9      # ... grown so one module stays this big (phones read 0.9 mm squares)
QR_MAX_MM = 100.0


@dataclass(frozen=True)
class SheetFacts:
    """What the sheet says besides the passphrase."""

    vault_name: str
    machine_name: str
    created: datetime
    escrowed: bool = False


def printable_groups(passphrase: Secret) -> list[str]:
    """The passphrase in groups of `GROUP`, spaces replaced by `SPACE_MARK`."""
    text = passphrase.reveal().replace(" ", SPACE_MARK)
    return [text[i:i + GROUP] for i in range(0, len(text), GROUP)]


def from_printed(groups_text: str) -> str:
    """The passphrase back from the sheet's printed groups (what a test or a person types)."""
    return "".join(groups_text.split()).replace(SPACE_MARK, " ")


def render(passphrase: Secret, facts: SheetFacts) -> bytes:
    """The sheet as PDF bytes (one A4 page)."""
    import segno
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    pdf.set_margins(20, 18, 20)
    pdf.set_title("Backup passphrase recovery sheet")
    pdf.set_creator("register-server")
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(width, 10, "Backup encryption passphrase", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 11)
    for label, value in (("Vault", facts.vault_name), ("Machine", facts.machine_name),
                         ("Created", facts.created.strftime("%Y-%m-%d %H:%M %Z").strip())):
        pdf.cell(28, 6, f"{label}:")
        pdf.cell(width - 28, 6, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    groups = printable_groups(passphrase)
    long = len(groups) > 8 * GROUPS_PER_LINE  # over 256 characters: smaller, wider lines keep one page
    size = 9 if long else 14
    per_line = GROUPS_PER_LINE + 4 if long else GROUPS_PER_LINE
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(width, 6, f"Passphrase ({len(passphrase)} characters; {SPACE_MARK} is a space):",
             new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Courier", "B", size)
    line_height = size * (0.45 if long else 0.5)
    for start in range(0, len(groups), per_line):
        line = groups[start:start + per_line]
        pdf.set_font("Courier", "", 8)
        pdf.cell(12, line_height, f"{start * GROUP + 1:>4}")
        pdf.set_font("Courier", "B", size)
        pdf.cell(width - 12, line_height, " ".join(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)

    qr = segno.make(passphrase.reveal(), error="m", boost_error=False)
    modules = qr.symbol_size(scale=1, border=4)[0]
    size = min(max(QR_SIZE_MM, modules * QR_MODULE_MM), QR_MAX_MM)
    module = size / modules
    left, top = pdf.l_margin, pdf.get_y()
    pdf.set_fill_color(0, 0, 0)
    for row, bits in enumerate(qr.matrix_iter(scale=1, border=4)):
        # One rectangle per run of dark modules, slightly overlapping the next row: rectangles that
        # merely touch leave anti-aliased hairlines that confuse QR readers.
        col = 0
        bits = list(bits)
        while col < len(bits):
            if not bits[col]:
                col += 1
                continue
            end = col
            while end < len(bits) and bits[end]:
                end += 1
            pdf.rect(left + col * module, top + row * module, (end - col) * module, module * 1.05, style="F")
            col = end
    pdf.set_xy(left + size + 6, top + 4)
    pdf.set_font("Helvetica", "", 10)
    pdf.multi_cell(width - size - 6, 5,
                   "The QR code holds the same passphrase. Scan it with a reader that shows text; "
                   "it never needs a network.", align="L")
    pdf.set_xy(left, top + size + 6)

    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(width, 7, "What to do with this page", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    advice = [
        "Every restore of this machine's backups needs this passphrase. The vault cannot tell it to you.",
        "Keep this page in a locked place away from the server, such as a safe; do not scan or photograph it.",
        "Delete the PDF file once the page is printed, unless it is kept on encrypted storage.",
        "If the passphrase is changed, print a new sheet and destroy this one.",
    ]
    if facts.escrowed:
        advice.append("A copy is also sealed in the vault to your organisation's recovery certificate; "
                      "only the holders of its private key can open it.")
    for item in advice:
        pdf.multi_cell(width, 5, f"- {item}", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def write_sheet(path: Path | str, passphrase: Secret, facts: SheetFacts) -> Path:
    """Write the sheet to `path`, owner-only, never over an existing file."""
    import os

    from wizard.core.passphrase_file import restrict_to_owner
    from wizard.core.storage.atomic import atomic_write_bytes

    target = Path(path)
    atomic_write_bytes(target, render(passphrase, facts), mode=0o600, overwrite=False,
                       before_write=restrict_to_owner if os.name == "nt" else None)
    return target
