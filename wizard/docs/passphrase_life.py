"""The guide's section on the passphrase after the wizard: paper, sealed escrow, security PINs.

Generated like the rest of the guide, from the product's own constants and codes (the PIN's
length and lifetime, the envelope's name, the error catalogue), so it cannot drift from them.
"""

from __future__ import annotations

from wizard.core.errors import CATALOGUE
from wizard.core.escrow import envelope_name
from wizard.docs.markdown import code, table


def passphrase_life() -> list[str]:
    from wizard.vault.security import MAX_PIN_FAILURES, PIN_DIGITS, PIN_LIFETIME

    minutes = int(PIN_LIFETIME.total_seconds() // 60)
    return [
        "## Keeping the passphrase recoverable", "",
        "Every restore needs the passphrase, and the vault never sees it. Three things make losing it unlikely "
        "without giving it to anyone who takes over the server.", "",
        "### On paper: the recovery sheet", "",
        "**Print recovery sheet...** on the Encryption Setting page, or `register-server passphrase sheet --out "
        "FILE.pdf` after registration (it reads the passphrase from this server's keyring), writes one page: "
        "the vault, the machine, the date, the passphrase in numbered groups of four characters (a middle dot "
        "marks a space) and a QR code of it. The file is owner-only and never written over another. Print it, "
        "lock the page away, delete the file.", "",
        "### Sealed at the vault: escrow", "",
        "The vault's administrator sets the organisation's recovery certificate (RSA, at least 2048 bits; its "
        "private key stays offline): `register-server vault recovery-certificate VAULT FILE`. From then on, "
        "registrations with **Also keep a sealed copy at the vault** ticked (the default; "
        f"{code('[encryption] escrow')} in an answer file) encrypt the passphrase to that certificate as CMS "
        f"enveloped data and the vault keeps it under {code(envelope_name('MACHINE', 'VAULT'))}, a new version on "
        "every passphrase change. The envelope travels inside the registration (or the passphrase change) "
        "itself: if the vault refuses it, nothing is registered or changed. `register-server status` says "
        "whether escrow is in force.", "",
        table(("who", "command"), [
            ("administrator", "`register-server vault escrow VAULT MACHINE --list` (versions, dates, certificate "
                              "fingerprints), `... --out FILE [--version N]` (export one)"),
            ("holder of the recovery key", "`register-server passphrase recover --envelope FILE --key-file KEY.pem "
                                           "[--certificate CERT.pem]`: the key's password from "
                                           "`--key-password-env NAME`, `--key-password-file FILE` or a prompt; the "
                                           "passphrase goes to the terminal or to an owner-only `--out FILE`, never "
                                           "to a pipe. `openssl cms -decrypt -inform DER -in FILE -inkey KEY.pem` "
                                           "opens the same file."),
        ]), "",
        "### Security PIN for changes", "",
        "A vault can require a security PIN before a passphrase change or unregistering "
        "(`register-server vault create --require-pin`, or `register-server vault require-pin VAULT on`; off by "
        "default). The administrator issues one with `register-server vault security-pin VAULT`: "
        f"{PIN_DIGITS} digits, valid {minutes} minutes, good for one operation; {MAX_PIN_FAILURES} wrong tries "
        "void every outstanding PIN. The server gives it from `[security] pin_env` or `pin_file` (settings), "
        "`--pin-env` or `--pin-file` (unregister), or a terminal prompt; in the wizard, from the PIN box on "
        "the **Save settings** page (Change settings) and on the registered view (Unregister). Refusals:", "",
        table(("code", "what happened", "what to do"),
              ((code(c), CATALOGUE[c].message, CATALOGUE[c].fix)
               for c in ("security.pin_required", "security.pin_invalid", "security.pin_expired"))), "",
    ]
