"""What each wizard step asks for: the fields, what they mean and their limits.

Fields are named by the answer-file key that is also the widget's accessible name, so
a docs test can check every documented field exists on its page. Every number comes
from `wizard.core.limits` (or the model's defaults), never retyped.
"""

from __future__ import annotations

from dataclasses import dataclass

from wizard.core.bandwidth import format_bandwidth
from wizard.core.fields import plain_label
from wizard.core.flow import Step
from wizard.core.limits import (CLOCK_SKEW_ALLOWANCE, CREDENTIAL_LIFETIME_DEFAULT, CREDENTIALS_EXTENSION,
                                GENERATED_PASSPHRASE_LENGTH, MAX_BANDWIDTH_BPS, MAX_MACHINES_PER_VAULT, MAX_PAC_BYTES,
                                MIN_BANDWIDTH_BPS, PASSPHRASE_MAX_LENGTH, PASSPHRASE_MIN_LENGTH, TLS_MINIMUM)
from wizard.core.model import RegistrationSettings

_D = RegistrationSettings()
BANDWIDTH_RANGE = f"{format_bandwidth(MIN_BANDWIDTH_BPS)} to {format_bandwidth(MAX_BANDWIDTH_BPS)}"


def hours(delta: object) -> str:
    """A timedelta in whole hours or minutes, as people say it."""
    seconds = int(delta.total_seconds())  # type: ignore[attr-defined]
    return f"{seconds // 3600} hours" if seconds % 3600 == 0 else f"{seconds // 60} minutes"


@dataclass(frozen=True)
class Field:
    key: str     # the widget's objectName (= the answer-file key where there is one)
    meaning: str
    within: str = ""  # the key of the row caption it sits in ("Work hours" for its Start box)

    @property
    def label(self) -> str:
        """As on the page, without the mnemonic "&": read from the field registry (`LABELS`),
        in the guide's language, so the guide cannot name a field the page calls otherwise."""
        own = plain_label(self.key)
        return f"{plain_label(self.within)}: {own}" if self.within else own


@dataclass(frozen=True)
class StepText:
    intro: str
    fields: tuple[Field, ...]
    after: str = ""


STEP_TEXT: dict[Step, StepText] = {
    Step.PROXY: StepText(
        "How this server reaches the vault. Every connection is HTTPS with "
        f"{TLS_MINIMUM.replace('TLSv', 'TLS ')} or newer; when a proxy is set, it goes through the proxy "
        "(HTTP CONNECT). When this server cannot store secrets (no keyring is running, as in a root shell over "
        "SSH), a notice at the top of this first page says so, with the command to run on this system and a "
        "**Recheck** button; Register is not offered until a recheck finds a usable store.",
        (
            Field("proxy.mode.none", "No proxy: the server connects to the vault itself."),
            Field("proxy.mode.system",
                  "Use what the operating system is configured with: on Windows its automatic configuration "
                  "script (AutoConfigURL), then its WinINET and WinHTTP proxy; elsewhere the proxy environment "
                  "variables, then a PAC file found by WPAD (`http://wpad.<domain>/wpad.dat`). The connection "
                  "test says which proxy it chose and why."),
            Field("proxy.mode.custom", "Use the proxy given below."),
            Field("proxy.host",
                  "Host name (proxy.contoso.com), IPv4 address (10.0.0.5) or IPv6 address in brackets; "
                  "an `http://` prefix is accepted."),
            Field("proxy.port", "1 to 65535, for example 3128 or 8080."),
            Field("proxy.username",
                  "Only if the proxy asks for a sign-in. A domain account is "
                  "written `DOMAIN\\user` or `user@domain`; a colon is not allowed."),
            Field("proxy.password",
                  "The proxy password; always masked, kept in this machine's keyring, never written to a file."),
            Field("proxy.mode.pac",
                  "Let a proxy auto-configuration (PAC) script choose: its `FindProxyForURL` answer for the "
                  "vault's address (`PROXY host:port` or `DIRECT`) is used. The script runs in a sandbox with "
                  "time and memory limits."),
            Field("proxy.pac_url",
                  "Where the PAC file is: `http://`, `https://` or `file://`. It is downloaded directly (never "
                  f"through a proxy), up to {MAX_PAC_BYTES // (1024 * 1024)} MiB, within the request deadline."),
            Field("proxy.bypass",
                  "Custom proxy and PAC: hosts that connect directly, separated by commas: exact names, "
                  "`*.contoso.com`, `.contoso.com`, `<local>`, IP addresses and CIDR ranges (`10.0.0.0/8`)."),
            Field("proxy.auth",
                  "Which sign-in scheme to answer the proxy's 407 with: Automatic (the strongest the proxy offers "
                  "that the sign-in given can do: Negotiate, then NTLM, then Digest, then Basic), or one named. "
                  "NTLM's and Negotiate's steps all run on one connection inside the tunnel."),
            Field("proxy.integrated",
                  "Sign in as the identity signed in on this machine, with no user name or password: the logged-on "
                  "Windows user (SSPI), or on Linux the Kerberos ticket from `kinit`. Works with Automatic, "
                  "Negotiate and NTLM."),
        ),
        "A user name needs a password and the other way round, and integrated sign-in needs neither. Whether the "
        "proxy accepts them is found out when you test the connection (its proxy line names the scheme used) or "
        "register; a refusal is `proxy.auth_required`, with no Kerberos ticket its reason is `no_ticket`.",
    ),
    Step.VAULT: StepText(
        "Which vault this server backs up to. Download a vault credentials file from the vault "
        f"(it ends in `{CREDENTIALS_EXTENSION}`) and browse to it. The wizard checks the file at once, offline: "
        "its format, its certificate and private key, and its validity window, then shows which vault it "
        "belongs to and until when it can be used.",
        (
            Field("vault.credentials_file",
                  f"The `{CREDENTIALS_EXTENSION}` file. It is valid for {hours(CREDENTIAL_LIFETIME_DEFAULT)} by "
                  "default (a vault setting). Each new download makes the earlier files useless: only the newest "
                  "works. A clock that is off by up to "
                  f"{hours(CLOCK_SKEW_ALLOWANCE)} is tolerated."),
            Field("vault.use_newer",
                  "Shown when a newer credentials file for the same vault lies in the same folder: one click "
                  "switches to it."),
            Field("vault.ca_bundle",
                  "Optional PEM file with a CA certificate to trust for the vault's TLS certificate, in addition "
                  "to this machine's trust store (for a private vault or a TLS-inspecting proxy)."),
            Field("vault.test_connection",
                  "Checks the way to the vault (name lookup, connection, proxy, TLS, the vault's sign-in "
                  "endpoint) without registering."),
        ),
        f"A vault holds at most {MAX_MACHINES_PER_VAULT} machines.",
    ),
    Step.THROTTLING: StepText(
        "Optionally limit the network bandwidth backups use: one limit during work hours on work days, "
        "another at every other time. Limits are in bits per second with binary units "
        "(1 Kbps = 1,024 bit/s), like the original agent.",
        (
            Field("throttling.enabled",
                  f"Off by default; when off, backups use the bandwidth available."),
            Field("throttling.work_days", "Any set of weekdays, at least one."),
            Field("throttling.work_start", f"24-hour time; default {_D.throttling.work_start:%H:%M}.",
                  within="throttling.work_hours"),
            Field("throttling.work_end",
                  f"Default {_D.throttling.work_end:%H:%M}. An end before the start means the work hours run "
                  "overnight into the next day; start and end may not be equal.", within="throttling.work_hours"),
            Field("throttling.work_bandwidth",
                  f"{BANDWIDTH_RANGE}; default {_D.throttling.work_bandwidth}."),
            Field("throttling.non_work_bandwidth",
                  f"{BANDWIDTH_RANGE}; default {_D.throttling.non_work_bandwidth}."),
        ),
        "The week preview colours each hour by the limit in force, so an overnight window or a missing day "
        "is seen before registering. A value in bytes per second (`10 MB/s`) is refused with its bit-per-second "
        "equivalent, so a limit is never silently eight times off.",
    ),
    Step.RECOVERY: StepText(
        "A local folder used as a temporary holding area while a recovery runs.",
        (
            Field("recovery.folder",
                  "A full local path. It must exist (or be created) and be writable by this account."),
            Field("recovery.create",
                  "Create the folder if it does not exist yet."),
            Field("recovery.space_needed",
                  "Optional: how much data recoveries restore at the same time (for example `50 GB`); "
                  "checked against the folder's free space, which the page shows."),
        ),
    ),
    Step.ENCRYPTION: StepText(
        "Backups are encrypted with a passphrase only you hold. The vault's operator never receives it and "
        "cannot recover it: without it, backups cannot be restored. The same passphrase is needed to register "
        "this server again.",
        (
            Field("encryption.passphrase",
                  f"{PASSPHRASE_MIN_LENGTH} to {PASSPHRASE_MAX_LENGTH:,} printable ASCII characters. "
                  "A checklist under the field shows each rule as you type, and a strength meter warns about "
                  "easy-to-guess passphrases."),
            Field("encryption.generate",
                  f"Creates a random {GENERATED_PASSPHRASE_LENGTH}-character passphrase that meets every rule."),
            Field("encryption.passphrase_confirm", "The same passphrase again."),
            Field("encryption.show_passphrase",
                  "Shows the passphrase instead of dots (masked by default; masked in these screenshots)."),
            Field("encryption.save_passphrase_to",
                  "Full path of the passphrase file the wizard writes (owner-only permissions). An existing file "
                  "is never overwritten. Saving it on this server's own disk is allowed with a warning: if the "
                  "server is lost, so is the passphrase."),
            Field("encryption.print_sheet",
                  "Saves a one-page PDF with the vault, the machine, the passphrase in numbered groups of four "
                  "(a middle dot marks a space) and a QR code of it, to print and lock away. Once a sheet is "
                  "saved, the promise below counts only after you type back the characters at three random "
                  "positions from the printed page. The same sheet: "
                  "`register-server passphrase sheet --out FILE.pdf` after registration."),
            Field("encryption.escrow",
                  "On by default. When the vault's administrator has set a recovery certificate (`register-server "
                  "vault recovery-certificate`), the passphrase is encrypted to it and kept at the vault, a new "
                  "version on every change. The vault cannot read it; the holders of the certificate's private "
                  "key can (`register-server passphrase recover`). Answer file: `[encryption] escrow`."),
            Field("encryption.stored_safely",
                  "Required: your promise to store the file away from this server. The file is written when "
                  "you click Register; before Finish, the Summary asks you to open it where it was saved and "
                  "type back the passphrase's characters at three random positions."),
        ),
    ),
    Step.REGISTER: StepText(
        "Review and register. The wizard signs in to the vault with the credentials file, registers this "
        "server with a key pair it creates itself (the vault never sees the passphrase, only a verifier), and "
        "saves the result. Each stage shows its progress; Cancel stops between stages and registers nothing.",
        (),
        "When a stage fails, the page shows what happened, what to do, and a button that goes back to the "
        "step that fixes it.",
    ),
    Step.SUMMARY: StepText(
        "What was registered, and how to repeat it on other servers without the wizard.",
        (
            Field("summary.save_answers",
                  "Writes these settings as an answer file (no secrets in it) for `register-server register`."),
            Field("summary.copy_command",
                  "Copies the command that registers another server with that answer file."),
        ),
        "Finish is offered once you have typed back the characters asked (three random positions of the "
        "passphrase, never a space), read from the passphrase file Register just saved: it shows the copy you "
        "keep can be opened and read from where it is. Wrong characters are named under the boxes "
        "(`encryption.file_not_typed_back`). "
        "Proxy, throttling, recovery folder and passphrase can be changed later without registering again: "
        "`register-server settings --answers FILE` with only the sections to change; `register-server status` "
        "shows the registration.",
    ),
}
