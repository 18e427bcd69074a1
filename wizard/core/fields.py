"""Every answer-file field, declared once: its key, its type, the page that edits it, what it means.

The answer-file reader checks keys and types against this table, the error routing sends a
field's problem to the page of its section, and the guide's answer-file reference is this
table's `doc` column — so adding a field is one row here (plus the model and the control
that shows it), and no second list can drift. The visible label of every control a page
shows (and its placeholder or tooltip) is a row of `LABELS`: the page, the guide's step
tables and the test that holds them together all read it there. Descriptions are Markdown (backticks for
values) and every number in them is formatted from `wizard.core.limits` or the model's
defaults, never retyped.
"""

from __future__ import annotations

from dataclasses import dataclass

from wizard.core.bandwidth import format_bandwidth
from wizard.core.flow import Step
from wizard.core.i18n import N_, gettext
from wizard.core.limits import (CREDENTIALS_EXTENSION, GENERATED_PASSPHRASE_LENGTH, MACHINE_NAME_MAX_LENGTH,
                                MAX_BANDWIDTH_BPS, MIN_BANDWIDTH_BPS, PASSPHRASE_MIN_LENGTH)
from wizard.core.model import ProxyAuth, RegistrationSettings, Weekday

DEFAULT_PROXY_PASSWORD_ENV = "PROXY_PASSWORD"
DEFAULT_PASSPHRASE_ENV = "BACKUP_PASSPHRASE"

# The answer-file sections, in file order, and the wizard step whose page edits each (None: no
# page does — the machine name is this computer's, a PIN is typed when a change asks for it).
SECTIONS: dict[str, Step | None] = {
    "machine": None,
    "proxy": Step.PROXY,
    "vault": Step.VAULT,
    "throttling": Step.THROTTLING,
    "recovery": Step.RECOVERY,
    "encryption": Step.ENCRYPTION,
    "security": None,
    "secrets": None,  # where the secrets are kept: no page; the record remembers it (secrets/choice.py)
}


@dataclass(frozen=True)
class Field:
    """One `section.key` of the answer file."""

    key: str
    types: tuple[type, ...]
    doc: str

    @property
    def section(self) -> str:
        return self.key.split(".", 1)[0]

    @property
    def name(self) -> str:
        """The key inside its section (`port` of `proxy.port`)."""
        return self.key.split(".", 1)[1]

    @property
    def step(self) -> Step | None:
        return SECTIONS[self.section]


def _c(value: object) -> str:
    return f"`{value}`"


_DEFAULTS = RegistrationSettings()
_BANDWIDTH_RANGE = f"{format_bandwidth(MIN_BANDWIDTH_BPS)} to {format_bandwidth(MAX_BANDWIDTH_BPS)}"
_WEEKDAYS = ", ".join(_c(d.key) for d in Weekday)

FIELDS: tuple[Field, ...] = (
    Field("machine.name", (str,),
          f"The name this server registers under; 1 to {MACHINE_NAME_MAX_LENGTH} letters, digits and hyphens. "
          "Default: this computer's name. The same name again is a re-registration."),
    Field("proxy.mode", (str,),
          f"{_c('none')} (connect directly), {_c('system')} (the operating system's proxy settings, including its "
          f"automatic configuration: a PAC file it names, or one found by WPAD), {_c('custom')} (the proxy below) "
          f"or {_c('pac')} (the proxy auto-configuration file at {_c('pac_url')}). Default {_c('none')}."),
    Field("proxy.pac_url", (str,),
          f"PAC mode: the address of the proxy auto-configuration file ({_c('http://')}, {_c('https://')} or "
          f"{_c('file://')}); its {_c('FindProxyForURL')} answer for the vault's address picks the proxy."),
    Field("proxy.bypass", (list,),
          "Custom and PAC modes: hosts that connect directly, a list of exact names (`vault.corp.example`), "
          "wildcard suffixes (`*.corp.example`), leading-dot domains (`.corp.example`), `<local>` (names "
          "without a dot), IP addresses and CIDR ranges (`10.0.0.0/8`, `fd00::/8`). A range matches a vault "
          "addressed by IP; names are not resolved to match one."),
    Field("proxy.host", (str,),
          "Custom proxy: host name, IPv4 address or IPv6 address in brackets; an `http://` prefix is allowed."),
    Field("proxy.port", (int,), "Custom proxy: its port, 1 to 65535."),
    Field("proxy.username", (str,),
          "Custom proxy: the user name when the proxy asks for a sign-in (`DOMAIN\\user` or `user@REALM` for NTLM "
          "and Negotiate)."),
    Field("proxy.auth", (str,),
          "How to sign in when the proxy answers 407: " + ", ".join(_c(a.value) for a in ProxyAuth)
          + f". Default {_c(ProxyAuth.AUTO.value)}: the strongest scheme the proxy offers that the given sign-in can do "
          "(Negotiate, then NTLM, then Digest, then Basic); naming one makes the sign-in fail when the proxy does not "
          "offer it."),
    Field("proxy.integrated", (bool,),
          "`true`: sign in as the identity already signed in on this machine, with no user name or password "
          "(Windows: the logged-on user through SSPI; Linux: the Kerberos ticket cache, `kinit`). Works with "
          "`negotiate`, `ntlm` and `auto`. Default `false`."),
    Field("proxy.password_env", (str,),
          f"Name of the environment variable holding the proxy password (the wizard writes "
          f"{_c(DEFAULT_PROXY_PASSWORD_ENV)})."),
    Field("proxy.password_file", (str,), "Path of a file whose first line is the proxy password."),
    Field("proxy.password_keyring", (bool,), "`true`: take the proxy password from this machine's keyring."),
    Field("vault.credentials_file", (str,),
          "Path of the vault credentials file (`.VaultCredentials`) downloaded from the vault. "
          "Relative paths are resolved against the answer file's folder."),
    Field("vault.ca_bundle", (str,),
          "Optional PEM file with an extra CA certificate to trust for the vault's TLS certificate."),
    Field("throttling.enabled", (bool,),
          f"`true` to limit the bandwidth backups use. Default {_c(str(_DEFAULTS.throttling.enabled).lower())}."),
    Field("throttling.work_days", (list,),
          f"Work days: a list of weekday names ({_WEEKDAYS}). Default Monday to Friday."),
    Field("throttling.work_start", (str,),
          f"Start of work hours, 24-hour `HH:MM`. Default {_c(_DEFAULTS.throttling.work_start.strftime('%H:%M'))}."),
    Field("throttling.work_end", (str,),
          "End of work hours, `HH:MM`; an end before the start means overnight work hours. Default "
          f"{_c(_DEFAULTS.throttling.work_end.strftime('%H:%M'))}."),
    Field("throttling.work_bandwidth", (str, int),
          f"Limit during work hours, in bits per second: {_BANDWIDTH_RANGE} (for example `\"2 Mbps\"`, or a whole "
          f"number of bit/s). Default {_c(_DEFAULTS.throttling.work_bandwidth)}."),
    Field("throttling.non_work_bandwidth", (str, int),
          f"Limit at all other times: {_BANDWIDTH_RANGE}. Default {_c(_DEFAULTS.throttling.non_work_bandwidth)}."),
    Field("recovery.folder", (str,), "Full path of the recovery folder (temporary holding area during recovery)."),
    Field("recovery.create", (bool,), "`true`: create the recovery folder when it does not exist. Default `false`."),
    Field("recovery.space_needed", (str, int),
          "Optional room the recoveries need (`\"50 GB\"`, or bytes); checked against the folder's free space."),
    Field("encryption.passphrase_env", (str,),
          f"Name of the environment variable holding the passphrase (the wizard writes {_c(DEFAULT_PASSPHRASE_ENV)})."),
    Field("encryption.passphrase_file", (str,),
          "Path of a passphrase file saved earlier, or a file whose first line is the passphrase."),
    Field("encryption.passphrase_keyring", (bool,),
          "`true`: take the passphrase from this machine's keyring (re-registration)."),
    Field("encryption.generate", (bool,),
          f"`true`: generate a new random passphrase (at least {PASSPHRASE_MIN_LENGTH} characters)."),
    Field("encryption.save_passphrase_to", (str,),
          "Full path of the passphrase file to write; an existing file is never overwritten. Keep it off this server."),
    Field("encryption.escrow", (bool,),
          "`true`: also seal the passphrase to the vault's recovery certificate and keep the envelope at the vault "
          "(refused with `escrow.not_configured` if the vault has none); `false`: never. Unset: sealed when the "
          "vault has a recovery certificate. Only the holders of that certificate's private key can open it "
          "(`passphrase recover`)."),
    Field("security.pin_env", (str,),
          "For `register-server settings` when the vault requires a security PIN: name of the environment "
          "variable holding the PIN the vault's administrator issued (`vault security-pin`; 8 digits, valid "
          "5 minutes, good for one change)."),
    Field("security.pin_file", (str,),
          "Like `pin_env`, but a file whose first line is the PIN. Without either, a terminal asks."),
    Field("secrets.store", (str,),
          "Where this server keeps its secrets (passphrase, proxy password, the machine key's protection): "
          "`keyring` (the OS keyring; the default) or `systemd-creds` (headless Linux servers without a desktop "
          "session: sealed with this machine's host key, and its TPM2 when present, in the state folder; run as "
          "root). Registration records the choice; later commands use it without being told (`--secret-store` "
          "for commands without an answer file)."),
)

BY_KEY: dict[str, Field] = {f.key: f for f in FIELDS}


def schema() -> dict[str, dict[str, tuple[type, ...]]]:
    """{section: {key: accepted Python types}}, in file order: what the reader accepts."""
    out: dict[str, dict[str, tuple[type, ...]]] = {section: {} for section in SECTIONS}
    for f in FIELDS:
        out[f.section][f.name] = f.types
    return {section: keys for section, keys in out.items() if keys}


@dataclass(frozen=True)
class Label:
    """What a person reads on one control of a page, declared once.

    `key` is the control's objectName (the answer-file key where there is one); `text` is
    the English msgid with its mnemonic `&` and without a form row's colon; `hint` is the
    placeholder or tooltip the control shows ("" when none). Both are translated when shown
    (`label()`, `caption()`, `hint()`), never at import: start-up pays for no lookup.
    """

    key: str
    text: str
    hint: str = ""


LABELS: tuple[Label, ...] = (
    Label("proxy.mode.none", N_("&Connect directly (no proxy)")),
    Label("proxy.mode.system", N_("Use this machine's &system proxy settings")),
    Label("proxy.mode.custom", N_("Use a c&ustom proxy server")),
    Label("proxy.host", N_("&Address"), N_("for example proxy.contoso.com or 10.0.0.5")),
    Label("proxy.port", N_("P&ort"), N_("for example 3128")),
    Label("proxy.username", N_("Us&er name")),
    Label("proxy.password", N_("Pass&word")),
    Label("proxy.mode.pac", N_("Use an automatic configuration scrip&t (PAC file)")),
    Label("proxy.pac_url", N_("PAC file a&ddress"), N_("for example http://wpad.contoso.com/wpad.dat")),
    Label("proxy.bypass", N_("B&ypass the proxy for"), N_("for example *.contoso.com, 10.0.0.0/8")),
    Label("proxy.auth", N_("Sign-&in"), N_("How to sign in when the proxy asks: Automatic takes the strongest "
                                             "scheme the proxy offers")),
    Label("proxy.auth.auto", N_("Automatic (strongest offered)")),
    Label("proxy.auth.basic", N_("Basic")),
    Label("proxy.auth.digest", N_("Digest")),
    Label("proxy.auth.ntlm", N_("NTLM")),
    Label("proxy.auth.negotiate", N_("Negotiate (Kerberos)")),
    Label("proxy.integrated", N_("Use my Windows sign-in (inte&grated)"),
          N_("Signs in as the identity signed in on this machine: SSPI on Windows, the Kerberos ticket cache "
             "(kinit) elsewhere")),
    Label("vault.credentials_file", N_("&Credentials file"), N_("Browse, or drop a file here")),
    Label("vault.use_newer", N_("&Use the newer file")),
    Label("vault.ca_bundle", N_("Trusted CA cer&tificate"), N_("optional PEM file")),
    Label("vault.test_connection", N_("Test c&onnection")),
    Label("throttling.enabled", N_("&Limit the network bandwidth backups may use")),
    Label("throttling.work_days", N_("Work days")),
    Label("throttling.work_hours", N_("Work hours")),
    Label("throttling.work_start", N_("&Start")),
    Label("throttling.work_end", N_("&End")),
    Label("throttling.work_bandwidth", N_("Wor&k hours limit")),
    Label("throttling.non_work_bandwidth", N_("&Other times limit")),
    Label("recovery.folder", N_("Recovery &folder")),
    Label("recovery.create", N_("&Create this folder when registering")),
    Label("recovery.space_needed", N_("S&pace needed"), N_("optional, e.g. 50 GB")),
    Label("encryption.passphrase", N_("&Passphrase")),
    Label("encryption.generate", N_("&Generate"),
          N_("Create a random {length}-character passphrase that meets every rule")),
    Label("encryption.passphrase_confirm", N_("C&onfirm passphrase")),
    Label("encryption.show_passphrase", N_("S&how the passphrase")),
    Label("encryption.save_passphrase_to", N_("&Save passphrase file to"), N_("best on another machine")),
    Label("encryption.print_sheet", N_("Print &recovery sheet..."),
          N_("Save a one-page PDF with the passphrase and its QR code, to print and lock away")),
    Label("encryption.escrow", N_("&Also keep a sealed copy at the vault"),
          N_("Only when the vault has a recovery certificate: the vault cannot read the copy, the holders of "
             "the certificate's private key can.")),
    Label("encryption.stored_safely", N_("I will &keep the passphrase file in a safe place.")),
    Label("summary.save_answers", N_("&Save answer file...")),
    Label("summary.copy_command", N_("&Copy command line")),
)

LABEL_BY_KEY: dict[str, Label] = {row.key: row for row in LABELS}
# Placeholders are short: a field is narrow beside a long caption in German (188 px at the
# minimum size) and tests/ui/layout_check.py fails on a placeholder cut off.
# What a hint's placeholders stand for: numbers from the limits, never retyped.
_HINT_VALUES = {"extension": CREDENTIALS_EXTENSION, "length": GENERATED_PASSPHRASE_LENGTH}


def label(key: str, language: str | None = None) -> str:
    """The control's label in `language` (default: the active one), with its mnemonic `&`."""
    return gettext(LABEL_BY_KEY[key].text, language)


def caption(key: str, language: str | None = None) -> str:
    """The label as a form row's caption: "&Address:"."""
    return label(key, language) + ":"


def without_mnemonic(text: str) -> str:
    """Label text as read and spoken: no mnemonic ampersand ("&&" stays one "&"), no final colon."""
    spoken = text.replace("&&", "\0").replace("&", "").replace("\0", "&").strip()
    return spoken.removesuffix(":").strip()


def plain_label(key: str, language: str | None = None) -> str:
    """The label as a person reads it (the guide, an accessible name)."""
    return without_mnemonic(label(key, language))


def hint(key: str, language: str | None = None) -> str:
    """The control's placeholder or tooltip in `language`, its placeholders filled ("" when none)."""
    text = LABEL_BY_KEY[key].hint
    return gettext(text, language).format(**_HINT_VALUES) if text else ""


def _check() -> None:
    """Each field once, in a known section (a typo here would silently drop a key)."""
    unknown = [f.key for f in FIELDS if f.section not in SECTIONS]
    if unknown or len(BY_KEY) != len(FIELDS):
        raise AssertionError(f"field table: unknown sections {unknown} or a key declared twice")
    if len(LABEL_BY_KEY) != len(LABELS):
        raise AssertionError("label table: a key declared twice")


_check()
