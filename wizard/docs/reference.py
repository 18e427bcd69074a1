"""Reference sections generated from the core's own tables: troubleshooting, exit codes, answer files.

Nothing here retypes a rule: the troubleshooting table is the error catalogue, the exit
codes are `ExitCode`, the answer-file keys and types are the reader's `_SCHEMA`, and every
number in a description is formatted from `wizard.core.limits`. A key the reader knows but
this module does not describe is shown as undocumented, and the docs test fails on it.
"""

from __future__ import annotations

from wizard.core.answers import DEFAULT_PASSPHRASE_ENV, DEFAULT_PROXY_PASSWORD_ENV, _SCHEMA
from wizard.core.bandwidth import format_bandwidth
from wizard.core.errors import CATALOGUE, ErrorInfo
from wizard.core.exit_codes import ExitCode
from wizard.core.flow import TITLES
from wizard.core.limits import (MACHINE_NAME_MAX_LENGTH, MAX_BANDWIDTH_BPS, MIN_BANDWIDTH_BPS, PASSPHRASE_MAX_LENGTH,
                                PASSPHRASE_MIN_LENGTH)
from wizard.core.model import RegistrationSettings, Weekday
from wizard.docs.markdown import anchor, code, table
from wizard.docs.sample_data import SAMPLE_ANSWER_FILE

UNDOCUMENTED = "(undocumented)"

_BANDWIDTH_RANGE = f"{format_bandwidth(MIN_BANDWIDTH_BPS)} to {format_bandwidth(MAX_BANDWIDTH_BPS)}"
_DEFAULTS = RegistrationSettings()
_WEEKDAYS = ", ".join(code(d.key) for d in Weekday)

ANSWER_KEYS: dict[str, str] = {
    "machine.name": f"The name this server registers under; 1 to {MACHINE_NAME_MAX_LENGTH} letters, digits and "
                    "hyphens. Default: this computer's name. The same name again is a re-registration.",
    "proxy.mode": f"{code('none')} (connect directly), {code('system')} (the operating system's proxy settings) or "
                  f"{code('custom')} (the proxy below). Default {code('none')}.",
    "proxy.host": "Custom proxy: host name, IPv4 address or IPv6 address in brackets; an `http://` prefix is allowed.",
    "proxy.port": "Custom proxy: its port, 1 to 65535.",
    "proxy.username": "Custom proxy: the user name when the proxy asks for a sign-in (basic authentication).",
    "proxy.password_env": "Name of the environment variable holding the proxy password "
                          f"(the wizard writes {code(DEFAULT_PROXY_PASSWORD_ENV)}).",
    "proxy.password_file": "Path of a file whose first line is the proxy password.",
    "proxy.password_keyring": "`true`: take the proxy password from this machine's keyring.",
    "vault.credentials_file": "Path of the vault credentials file (`.VaultCredentials`) downloaded from the vault. "
                              "Relative paths are resolved against the answer file's folder.",
    "vault.ca_bundle": "Optional PEM file with an extra CA certificate to trust for the vault's TLS certificate.",
    "throttling.enabled": f"`true` to limit the bandwidth backups use. Default {code(str(_DEFAULTS.throttling.enabled).lower())}.",
    "throttling.work_days": f"Work days: a list of weekday names ({_WEEKDAYS}). Default Monday to Friday.",
    "throttling.work_start": "Start of work hours, 24-hour `HH:MM`. Default "
                             f"{code(_DEFAULTS.throttling.work_start.strftime('%H:%M'))}.",
    "throttling.work_end": "End of work hours, `HH:MM`; an end before the start means overnight work hours. Default "
                           f"{code(_DEFAULTS.throttling.work_end.strftime('%H:%M'))}.",
    "throttling.work_bandwidth": f"Limit during work hours, in bits per second: {_BANDWIDTH_RANGE} "
                                 "(for example `\"2 Mbps\"`, or a whole number of bit/s). Default "
                                 f"{code(_DEFAULTS.throttling.work_bandwidth)}.",
    "throttling.non_work_bandwidth": f"Limit at all other times: {_BANDWIDTH_RANGE}. Default "
                                     f"{code(_DEFAULTS.throttling.non_work_bandwidth)}.",
    "recovery.folder": "Full path of the recovery folder (temporary holding area during recovery).",
    "recovery.create": "`true`: create the recovery folder when it does not exist. Default `false`.",
    "recovery.space_needed": "Optional room the recoveries need (`\"50 GB\"`, or bytes); checked against the "
                             "folder's free space.",
    "encryption.passphrase_env": "Name of the environment variable holding the passphrase "
                                 f"(the wizard writes {code(DEFAULT_PASSPHRASE_ENV)}).",
    "encryption.passphrase_file": "Path of a passphrase file saved earlier, or a file whose first line is the passphrase.",
    "encryption.passphrase_keyring": "`true`: take the passphrase from this machine's keyring (re-registration).",
    "encryption.generate": f"`true`: generate a new random passphrase (at least {PASSPHRASE_MIN_LENGTH} characters).",
    "encryption.save_passphrase_to": "Full path of the passphrase file to write; an existing file is never "
                                     "overwritten. Keep it off this server.",
    "encryption.escrow": "`true`: also seal the passphrase to the vault's recovery certificate and keep the "
                         "envelope at the vault (refused with `escrow.not_configured` if the vault has none); "
                         "`false`: never. Unset: sealed when the vault has a recovery certificate. Only the "
                         "holders of that certificate's private key can open it (`passphrase recover`).",
    "security.pin_env": "For `register-server settings` when the vault requires a security PIN: name of the "
                        "environment variable holding the PIN the vault's administrator issued "
                        "(`vault security-pin`; 8 digits, valid 5 minutes, good for one change).",
    "security.pin_file": "Like `pin_env`, but a file whose first line is the PIN. Without either, a terminal asks.",
}

_TYPE_NAMES = {str: "string", int: "integer", bool: "boolean", list: "list of strings"}


def answer_keys() -> list[str]:
    """Every key the answer-file reader accepts, as `section.key`, in the reader's order."""
    return [f"{section}.{key}" for section, keys in _SCHEMA.items() for key in keys]


def answer_file_reference(level: int = 2) -> str:
    rows = []
    for section, keys in _SCHEMA.items():
        for key, types in keys.items():
            name = f"{section}.{key}"
            rows.append((code(name), " or ".join(_TYPE_NAMES[t] for t in types), ANSWER_KEYS.get(name, UNDOCUMENTED)))
    return "\n".join([
        f"{'#' * level} Answer-file reference", "",
        "An answer file is a TOML file that pre-fills the wizard (`register-server --answers FILE`) or registers "
        "without it (`register-server register --answers FILE`). It never holds a secret: it says where each "
        "secret comes from. Give at most one source per secret; with none, the command asks at the terminal "
        "(the passphrase twice). Every problem is reported at once, with its key and line.", "",
        table(("key", "type", "meaning"), rows), "",
        "A complete sample:", "",
        "```toml", SAMPLE_ANSWER_FILE.rstrip("\n"), "```", "",
        f"Passphrase limits: {PASSPHRASE_MIN_LENGTH} to {PASSPHRASE_MAX_LENGTH:,} printable ASCII characters.", "",
    ])


def _fixed_on(entry: ErrorInfo) -> str:
    """The wizard step whose page fixes `entry`, or a dash when no page can."""
    return TITLES[entry.fixed_on] if entry.fixed_on is not None else "—"


def troubleshooting(level: int = 2) -> str:
    """One table per exit code, in catalogue order, every code once."""
    out = [f"{'#' * level} Troubleshooting", "",
           "Every failure has a stable code. The wizard shows its message and what to do under the field or on "
           "the Register page; the command line prints `error: CODE: message` and exits with the code's "
           f"[exit code]({anchor('Exit codes')}).", ""]
    for exit_code in ExitCode:
        entries = [e for e in CATALOGUE.values() if e.exit_code is exit_code]
        if not entries:
            continue
        out += [f"{'#' * (level + 1)} Exit code {exit_code.value}: {exit_code.meaning.rstrip('.')}", "",
                table(("code", "what happened", "what to do", "fixed on step"),
                      ((code(e.code), e.message, e.fix, _fixed_on(e)) for e in entries)), ""]
    return "\n".join(out)


def exit_code_table(level: int = 2) -> str:
    return "\n".join([
        f"{'#' * level} Exit codes", "",
        "Every `register-server` command exits with one of these; scripts can rely on them (numbers are never "
        "reused).", "",
        table(("exit code", "name", "meaning"), ((e.value, code(e.name), e.meaning) for e in ExitCode)), "",
    ])
