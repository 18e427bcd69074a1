"""The error-code catalogue: every stable code, what it means, what to do, its exit code.

Codes are public interface: the wizard shows their message and fix, the command line
prints them and exits with their `ExitCode`, the docs generate the troubleshooting table
from this list, and tests assert on them. Add codes; never rename one.

Messages are written for an administrator: what happened, in plain words. Fixes say
what to do next. Neither may ever contain a secret.

The literals are English source text marked with `N_()` for `pybabel extract`; an entry's
`message` and `fix` are rendered in the active language when read (wizard.core.i18n), so one
catalogue serves every language. Codes are never translated.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from wizard.core.exit_codes import ExitCode
from wizard.core.flow import Step
from wizard.core.i18n import ENGLISH, N_, active_language, gettext, in_language


@dataclass(frozen=True)
class ErrorInfo:
    """One catalogue entry: English source text, shown in the language asked for."""

    code: str
    source_message: str
    source_fix: str
    exit_code: ExitCode
    # The wizard page where the administrator fixes it (its "Go to ..." button, the guide's
    # troubleshooting column); None when no page can (a clock, the vault's side, a file).
    fixed_on: Step | None = None

    @property
    def message(self) -> str:
        """What happened, in the active language."""
        return gettext(self.source_message)

    @property
    def fix(self) -> str:
        """What to do, in the active language."""
        return gettext(self.source_fix)

    def message_in(self, language: str) -> str:
        return gettext(self.source_message, language)

    def fix_in(self, language: str) -> str:
        return gettext(self.source_fix, language)


def _entries(exit_code: ExitCode, rows: Iterable[tuple[str, str, str, Step | None]]) -> list[ErrorInfo]:
    """Rows of (code, message, fix, fixed_on) sharing one exit code."""
    return [ErrorInfo(code, message, fix, exit_code, fixed_on) for code, message, fix, fixed_on in rows]


_S = ExitCode.INVALID_SETTINGS
_SETTINGS = _entries(_S, [
    ("machine.name_invalid", N_("The machine name is not a valid computer name."),
     N_("Use 1 to 63 letters, digits and hyphens, not starting or ending with a hyphen."), None),
    ("proxy.host_required", N_("A custom proxy needs an address."),
     N_("Type the proxy's host name or IP address, or choose not to use a proxy."), Step.PROXY),
    ("proxy.host_invalid", N_("The proxy address is not a valid host name, IPv4 or IPv6 address."),
     N_("Type a host name such as proxy.contoso.com, an IPv4 address such as 10.0.0.5, "
     "or an IPv6 address such as [2001:db8::1]; an http:// prefix is allowed."), Step.PROXY),
    ("proxy.port_required", N_("A custom proxy needs a port."), N_("Type the proxy's port, for example 3128 or 8080."), Step.PROXY),
    ("proxy.port_range", N_("The proxy port must be a whole number from 1 to 65535."),
     N_("Type the port your proxy listens on, for example 3128 or 8080."), Step.PROXY),
    ("proxy.username_without_password", N_("A proxy user name was given without a password."),
     N_("Type the proxy password too, or clear the user name if the proxy needs no sign-in."), Step.PROXY),
    ("proxy.password_without_username", N_("A proxy password was given without a user name."),
     N_("Type the proxy user name too, or clear the password."), Step.PROXY),
    ("proxy.username_invalid", N_("The proxy user name contains a character a proxy cannot accept (a colon or a control character)."),
     N_("Check the user name; for a domain account use DOMAIN\\user or user@domain."), Step.PROXY),
    ("proxy.integrated_with_username", N_("Integrated sign-in uses the identity signed in on this machine, but a "
     "proxy user name or password was given too."),
     N_("Clear the user name and password, or turn integrated sign-in off to sign in with them."), Step.PROXY),
    ("proxy.integrated_scheme", N_("Integrated sign-in works only with Negotiate (Kerberos) or NTLM, not with the "
     "sign-in scheme chosen."),
     N_("Choose Automatic, Negotiate or NTLM as the sign-in, or sign in with a user name and password."), Step.PROXY),
    ("proxy.pac_url_required", N_("Automatic configuration needs the address of a PAC file."),
     N_("Type the PAC file's address, for example http://wpad.contoso.com/wpad.dat, or choose another proxy setting."),
     Step.PROXY),
    ("proxy.pac_url_invalid", N_("The PAC file address is not an http://, https:// or file:// address."),
     N_("Type the full address of the PAC file, for example http://wpad.contoso.com/proxy.pac."), Step.PROXY),
    ("proxy.bypass_invalid", N_("An entry of the bypass list is not a host name, wildcard pattern, IP address or CIDR range."),
     N_("Use entries such as backup.contoso.com, *.contoso.com, .contoso.com, <local>, 10.0.0.5 or 10.0.0.0/8, "
        "separated by commas."), Step.PROXY),
    ("vault.credentials_file_required", N_("No vault credentials file has been chosen."),
     N_("Download the vault credentials file from the vault and browse to it."), Step.VAULT),
    ("vault.ca_bundle_unreadable", N_("The CA certificate file for the vault cannot be read or holds no PEM certificate."),
     N_("Choose a PEM file with the CA certificate that issued the vault's TLS certificate, or leave it empty."), Step.VAULT),
    ("throttling.no_work_days", N_("Throttling is on but no work day is selected."),
     N_("Select at least one work day, or turn throttling off."), Step.THROTTLING),
    ("throttling.time_invalid", N_("A work hour is not a valid time of day."), N_("Use 24-hour HH:MM, for example 09:00 or 18:30."), Step.THROTTLING),
    ("throttling.same_start_end", N_("Work hours start and end at the same time."),
     N_("Choose different start and end times; an end before the start means work hours run overnight."), Step.THROTTLING),
    ("throttling.bandwidth_format", N_("A bandwidth limit could not be read."),
     N_("Write a number and a unit in bits per second, for example 512 Kbps, 2 Mbps or 1.5 Mbps."), Step.THROTTLING),
    ("throttling.bandwidth_bytes", N_("A bandwidth limit was given in bytes per second; limits are in bits per second."),
     N_("Multiply by 8 and use Kbps or Mbps: 10 MB/s is 80 Mbps."), Step.THROTTLING),
    ("throttling.bandwidth_range", N_("A bandwidth limit is outside the allowed range of 512 Kbps to 1,023 Mbps."),
     N_("Choose a limit from 512 Kbps to 1,023 Mbps."), Step.THROTTLING),
    ("recovery.folder_required", N_("No recovery folder has been chosen."), N_("Choose a local folder for recoveries."), Step.RECOVERY),
    ("recovery.folder_not_absolute", N_("The recovery folder must be a full path."),
     N_("Use a full path such as C:\\Recovery or /var/tmp/recovery."), Step.RECOVERY),
    ("recovery.folder_is_file", N_("The recovery folder path points to a file, not a folder."), N_("Choose a folder."), Step.RECOVERY),
    ("recovery.folder_missing", N_("The recovery folder does not exist."),
     N_("Create it, or let the wizard create it for you."), Step.RECOVERY),
    ("recovery.folder_not_writable", N_("The recovery folder cannot be written to."),
     N_("Choose a folder this account can write to, or change its permissions."), Step.RECOVERY),
    ("recovery.not_enough_space", N_("The recovery folder's volume has less free space than the recoveries need."),
     N_("Free up space, choose a folder on a larger volume, or lower the space needed."), Step.RECOVERY),
    ("recovery.space_needed_invalid", N_("The space needed for recoveries is not a valid size."),
     N_("Write a size such as 50 GB, or leave it empty."), Step.RECOVERY),
    ("passphrase.required", N_("No encryption passphrase has been entered."), N_("Type a passphrase or click Generate."), Step.ENCRYPTION),
    ("passphrase.too_short", N_("The passphrase is shorter than 16 characters."),
     N_("Use at least 16 characters, or click Generate."), Step.ENCRYPTION),
    ("passphrase.too_long", N_("The passphrase is longer than 1,024 characters."), N_("Use at most 1,024 characters."), Step.ENCRYPTION),
    ("passphrase.not_ascii", N_("The passphrase contains a character outside plain ASCII."),
     N_("Use only unaccented letters, digits, spaces and the punctuation on a US keyboard."), Step.ENCRYPTION),
    ("passphrase.not_printable", N_("The passphrase contains a control character such as a tab or a line break."),
     N_("Use only printable characters: letters, digits, spaces and punctuation."), Step.ENCRYPTION),
    ("passphrase.confirm_mismatch", N_("The confirmation does not match the passphrase."), N_("Type the same passphrase twice."), Step.ENCRYPTION),
    ("passphrase.weak", N_("The passphrase is easy to guess."),
     N_("Add more unrelated words or characters, or click Generate."), Step.ENCRYPTION),
    ("encryption.save_path_required", N_("No location has been chosen for the passphrase file."),
     N_("Choose where to save the passphrase file, preferably on another machine or removable media."), Step.ENCRYPTION),
    ("encryption.save_path_not_absolute", N_("The passphrase file location must be a full path."),
     N_("Use a full path such as E:\\keys\\server01.passphrase.txt."), Step.ENCRYPTION),
    ("encryption.save_path_in_recovery_folder", N_("The passphrase file would be saved inside the recovery folder."),
     N_("Save it somewhere else: the recovery folder is scratch space."), Step.ENCRYPTION),
    ("encryption.save_path_exists", N_("A file already exists at the passphrase file location; it will not be overwritten."),
     N_("Choose another file name, or move the existing file away first."), Step.ENCRYPTION),
    ("encryption.save_dir_missing", N_("The folder for the passphrase file does not exist."), N_("Create the folder or choose another."), Step.ENCRYPTION),
    ("encryption.save_path_on_local_disk", N_("The passphrase file would be saved on this server's own disk."),
     N_("If this server is lost, so is the passphrase. Save it to another machine or removable media."), Step.ENCRYPTION),
    ("encryption.not_typed_back", N_("The characters typed back do not match the passphrase on the recovery sheet."),
     N_("Read the characters at the positions asked from the printed sheet and type them; if the page is hard "
     "to read, print the sheet again."), Step.ENCRYPTION),
    ("encryption.file_not_typed_back", N_("The characters typed back do not match the passphrase in the passphrase "
     "file."), N_("Open the passphrase file where it was saved and type the passphrase's characters at the positions "
     "asked. If it cannot be opened from here, it is not where you can recover it: `register-server passphrase "
     "sheet --out FILE.pdf` prints the passphrase from this server's secret store."), None),
    ("encryption.not_stored_safely", N_("You have not confirmed that the passphrase file is stored safely."),
     N_("Store the passphrase file in a safe place, then tick the box."), Step.ENCRYPTION),
])

_ESCROW = _entries(ExitCode.INVALID_SETTINGS, [
    ("escrow.certificate_invalid", N_("The recovery certificate cannot be used to seal the passphrase."),
     N_("Use a PEM or DER X.509 certificate with an RSA key of at least 2048 bits that is valid today; "
     "its private key stays offline with the people allowed to recover."), None),
    ("escrow.envelope_invalid", N_("The escrow envelope cannot be read: it is not a sealed passphrase."),
     N_("Export it again with `register-server vault escrow VAULT MACHINE --out FILE` and use that file unchanged."),
     None),
    ("escrow.key_invalid", N_("The recovery private key cannot be read."),
     N_("Give the PEM or DER private key of the recovery certificate, and its password with --key-password-env, "
     "--key-password-file or at the prompt."), None),
    ("escrow.key_mismatch", N_("This key does not open the envelope: it was sealed to another recovery certificate."),
     N_("Use the private key (and certificate) of the recovery certificate the vault held when the passphrase "
     "was set; `vault escrow --list` shows each version's certificate fingerprint."), None),
])

_ESCROW_USAGE = _entries(ExitCode.USAGE, [
    ("escrow.certificate_required", N_("Opening an envelope needs the recovery certificate as well as its key."),
     N_("Give it with --certificate FILE, or keep it in the key file beside the key."), None),
    ("escrow.output_not_private", N_("The recovered passphrase is printed only to a terminal."),
     N_("Run it in a terminal, or write it to an owner-only file with --out FILE."), None),
    ("escrow.output_exists", N_("A file already exists at the output location; it will not be overwritten."),
     N_("Choose another file name, or move the existing file away first."), None),
])

_CREDENTIALS = _entries(ExitCode.CREDENTIALS, [
    ("credentials.unreadable", N_("The vault credentials file cannot be read: it is missing, a folder, not permitted, or on a share that cannot be reached."),
     N_("Copy the file to a local folder such as your Downloads folder and choose it there."), Step.VAULT),
    ("credentials.invalid", N_("The vault credentials file is not valid."),
     N_("Download a new credentials file from the vault and use it without renaming or editing it."), Step.VAULT),
    ("credentials.legacy_format", N_("This is an old-format (version 1.0) vault credentials file, which this vault does not accept."),
     N_("Download a new credentials file from the vault; new files use format version 2.0."), Step.VAULT),
    ("credentials.expired", N_("The vault credentials file has expired."),
     N_("Download a new credentials file from the vault and register within its lifetime (48 hours by default)."), Step.VAULT),
    ("credentials.not_yet_valid", N_("The vault credentials file is not valid yet: this machine's clock seems to be behind."),
     N_("Check this machine's date, time and time zone, synchronise the clock, and try again."), Step.VAULT),
    ("credentials.superseded", N_("A newer credentials file has been downloaded for this vault; only the newest one works."),
     N_("Use the most recently downloaded file. If you downloaded two in quick succession, use the second."), Step.VAULT),
])

_NETWORK = _entries(ExitCode.NETWORK, [
    ("network.dns", N_("The vault's host name could not be resolved."),
     N_("Check the DNS settings of this machine, or configure the proxy this network requires."), Step.PROXY),
    ("network.unreachable", N_("The vault service could not be reached."),
     N_("Check that the vault address is reachable from this machine and that no firewall blocks HTTPS."), Step.PROXY),
    ("network.timeout", N_("The vault service did not answer in time."), N_("Try again; if it keeps happening, check the network and proxy."), Step.PROXY),
    ("proxy.unreachable", N_("The proxy server could not be reached."),
     N_("Check the proxy address and port on the Proxy Configuration step."), Step.PROXY),
    ("proxy.auth_required", N_("The proxy refused the sign-in: it needs a user name and password, or the ones given are wrong."),
     N_("Check the proxy user name and password on the Proxy Configuration step."), Step.PROXY),
    ("proxy.auth_unsupported", N_("The proxy asks for a sign-in scheme this server cannot use with the settings "
     "given."),
     N_("Choose Automatic as the sign-in, or the scheme the proxy offers (named above); for Negotiate or NTLM "
     "without a password, turn on integrated sign-in."), Step.PROXY),
    ("proxy.refused", N_("The proxy refused to connect to the vault service."),
     N_("Ask the proxy's administrator to allow HTTPS to the vault's address."), Step.PROXY),
    ("pac.download_failed", N_("The proxy auto-configuration (PAC) file could not be downloaded."),
     N_("Check the PAC file's address and that this machine can reach it (a PAC file is fetched directly, "
        "never through a proxy); or choose a custom proxy."), Step.PROXY),
    ("pac.too_large", N_("The proxy auto-configuration (PAC) file is larger than this product accepts."),
     N_("Check that the address points at the PAC file and not at another page; ask the network "
        "administrator to keep the PAC file small."), Step.PROXY),
    ("pac.invalid", N_("The proxy auto-configuration (PAC) file is not a script that defines FindProxyForURL."),
     N_("Check that the address points at the PAC file; ask the network administrator to correct the script."),
     Step.PROXY),
    ("pac.evaluation_failed", N_("The proxy auto-configuration (PAC) script failed or ran too long while choosing "
     "the proxy for the vault."),
     N_("Ask the network administrator to correct the PAC script, or choose a custom proxy."), Step.PROXY),
    ("pac.answer_invalid", N_("The proxy auto-configuration (PAC) script gave no usable answer for the vault's address."),
     N_("The script must answer DIRECT or PROXY host:port for the vault; ask the network administrator to "
        "correct it, or choose a custom proxy."), Step.PROXY),
    ("tls.version", N_("The vault service does not offer TLS 1.2 or newer."),
     N_("Connections need TLS 1.2 or newer; update the server or the TLS-inspecting proxy in between."), Step.VAULT),
    ("tls.untrusted", N_("The vault service's TLS certificate is not trusted by this machine."),
     N_("Install the issuing CA in this machine's trust store, or choose it as the vault's CA certificate."), Step.VAULT),
    ("state.change_unresolved", N_("A passphrase change or unregistration was interrupted (or the vault's answer was "
     "lost), and the vault could not be asked whether it took effect. Nothing here was changed: it is finished or "
     "undone as soon as the vault answers."),
     N_("Make sure the vault can be reached (network, proxy), then run `register-server status`: it asks the vault "
     "and finishes or undoes the change. Until then keep both passphrase files."), None),
])

_VAULT = _entries(ExitCode.VAULT_REFUSED, [
    ("auth.replayed", N_("The vault refused a sign-in proof that had already been used."), N_("Start the registration again."), None),
    ("auth.clock_skew", N_("The vault refused the sign-in proof because this machine's clock is off."),
     N_("Synchronise this machine's clock and try again."), None),
    ("vault.full", N_("The vault already holds the maximum number of machines."),
     N_("Remove a machine you no longer protect from the vault, or use another vault."), Step.VAULT),
    ("vault.not_found", N_("The vault named in the credentials file no longer exists."),
     N_("Check the vault still exists and download a new credentials file from it."), Step.VAULT),
    ("vault.wrong_vault", N_("This server is already registered to another vault."),
     N_("Unregister it from the other vault first, or use that vault's credentials file."), Step.VAULT),
    ("passphrase.mismatch", N_("This server was registered before with a different passphrase."),
     N_("Use the passphrase from the first registration (it is in the passphrase file you saved then)."), Step.ENCRYPTION),
    ("machine.not_found", N_("The vault no longer lists this server: its administrator removed it, or it was "
     "unregistered from another installation."),
     N_("Register this server again, or run `register-server unregister --local-only` to forget the old "
     "registration here."), None),
    ("machine.key_unknown", N_("The vault does not accept this server's key. Registering the same server name again "
     "from another installation or state folder gives the vault a new key and retires this one."),
     N_("If this is the installation in use, register again here with the same passphrase; otherwise run "
     "`register-server unregister --local-only` here."), None),
    ("escrow.not_configured", N_("Escrow was asked for, but the vault holds no recovery certificate to seal the "
     "passphrase to. Nothing was registered or changed."),
     N_("Ask the vault's administrator to set one (`register-server vault recovery-certificate VAULT FILE`), or set "
     "[encryption] escrow = false to go on without escrow."), Step.ENCRYPTION),
    ("escrow.certificate_changed", N_("The vault's recovery certificate changed while the passphrase was being sealed. "
     "Nothing was registered or changed."), N_("Try again: the passphrase is sealed to the new certificate."), None),
    ("escrow.not_found", N_("The vault holds no escrow envelope for this machine (or not that version)."),
     N_("Check the machine name with `register-server vault machines VAULT` and the versions with "
     "`register-server vault escrow VAULT MACHINE --list`."), None),
    ("security.pin_required", N_("This vault requires a security PIN for this change. Nothing was changed."),
     N_("Ask the vault's administrator for one (`register-server vault security-pin VAULT`) and give it within "
     "5 minutes: [security] pin_env or pin_file, --pin-env/--pin-file, or at the prompt."), None),
    ("security.pin_invalid", N_("The vault did not accept the security PIN. Nothing was changed."),
     N_("Check the 8 digits, or ask the vault's administrator for a new PIN (`register-server vault security-pin "
     "VAULT`); after five wrong tries every outstanding PIN is void."), None),
    ("security.pin_expired", N_("The security PIN has expired (PINs are valid 5 minutes). Nothing was changed."),
     N_("Ask the vault's administrator for a new PIN (`register-server vault security-pin VAULT`) and use it at once."),
     None),
    ("vault.error", N_("The vault service reported an error."), N_("Try again later; if it persists, collect diagnostics."), None),
])

_SECRETS = _entries(ExitCode.SECRETS, [
    ("secrets.unavailable", N_("No secure secret store (keyring) is available on this machine."),
     N_("Start this system's secret store, then try again (the message on screen names the command for "
     "this system). Secrets are never stored in plain text instead."), None),
    ("secrets.locked", N_("The secret store (keyring) is locked."), N_("Unlock your keyring and try again."), None),
    ("secrets.missing", N_("A secret the settings refer to was not found."),
     N_("Supply it: set the environment variable, create the file, or store it in the keyring, as the answer file says."), None),
    ("secrets.store_not_installed", N_("The secret store chosen for this server is not installed."),
     N_("Install it (the message names the command for this system), or choose the keyring store; secrets are "
     "never stored in plain text instead."), None),
    ("secrets.undecryptable", N_("A secret kept by systemd-creds cannot be decrypted on this machine: it was "
     "encrypted on another machine, or with a host key or TPM this machine no longer has, or its file is "
     "damaged."),
     N_("The secrets of this registration are lost here (they are never copied between machines). Run "
     "`register-server unregister --local-only --yes`, then register again with the passphrase from your "
     "passphrase file (`[encryption] passphrase_file`)."), None),
    ("secrets.store_mismatch", N_("The secret store asked for is not the one this server's registration uses."),
     N_("Leave out `[secrets] store` / `--secret-store` (the registration record says which store holds the "
     "secrets). To move them to another store, unregister and register again with the new store."), None),
])

_ANSWERS = _entries(ExitCode.INVALID_SETTINGS, [
    ("answers.unreadable", N_("The answer file cannot be read."), N_("Check the path and permissions."), None),
    ("answers.malformed", N_("The answer file is not valid TOML."), N_("Fix the line shown; the sample answer file in the docs is a template."), None),
    ("answers.unknown_key", N_("The answer file has a key this version does not know."), N_("Remove it or fix its spelling."), None),
    ("answers.wrong_type", N_("A value in the answer file has the wrong type."), N_("Use the type the answer-file reference gives."), None),
    ("answers.not_changeable", N_("This section cannot be changed after registration."),
     N_("Remove it from the settings file. To move this server to another vault, unregister it and register again."), None),
])

_STATE = _entries(ExitCode.LOCAL_STATE, [
    ("state.locked", N_("Another register-server is already changing this machine's registration."),
     N_("Wait for it to finish, then try again."), None),
    ("state.write_failed", N_("Local state could not be saved (the disk may be full or read-only). Nothing was changed."),
     N_("Free up disk space or fix permissions on the state folder, then try again."), None),
    ("state.not_registered", N_("This machine is not registered to a vault."), N_("Register it first."), None),
    ("state.registered_not_saved", N_("The vault registered this server, but the registration could not be saved "
     "here (the disk may be full or read-only, or the secret store failed): the vault has this machine, this "
     "machine has no complete record of it."),
     N_("Fix what is named here (free disk space in the state folder, make it writable, unlock the secret store), "
     "then run the same `register-server register` again with the same passphrase: the vault recognises this "
     "server and the registration is saved."), None),
    ("state.already_registered", N_("This machine is already registered to this vault."),
     N_("Nothing to do; use `register-server settings` to change settings."), None),
    ("state.corrupt", N_("A saved state file cannot be read: it is damaged or not in the expected format."),
     N_("Run `register-server diagnostics --out diag.zip` and send it to support; then move the file named "
     "here out of the state folder and register again."), None),
    ("encryption.save_failed", N_("The passphrase file could not be written there (the folder may be read-only or "
     "full). No passphrase file was saved."),
     N_("Choose another location for the passphrase file, or free up space there, then try again."), Step.ENCRYPTION),
    ("encryption.acl_failed", N_("Windows refused to restrict the passphrase file to you, the Administrators and "
     "SYSTEM, so it was not written (a file anyone could read must not hold the passphrase). No passphrase file was saved."),
     N_("Choose a folder on a local NTFS disk where you may change permissions, then try again."), Step.ENCRYPTION),
    ("diagnostics.write_failed", N_("The diagnostics file could not be written (the folder may be missing, "
     "read-only or full)."), N_("Choose a folder that exists, that this account can write to and that has free space."), None),
])

_OTHER = [
    ErrorInfo("operation.cancelled", N_("The operation was cancelled. Nothing was registered."), N_("Run it again when ready."),
              ExitCode.CANCELLED),
    ErrorInfo("unregister.confirmation_required",
              N_("Unregistering needs a confirmation, and there is no terminal to ask on. Nothing was changed."),
              N_("Run it in a terminal and answer the question, or add --yes in a script to confirm in advance."),
              ExitCode.USAGE),
    ErrorInfo("internal.unexpected", N_("Something unexpected went wrong."),
              N_("Run `register-server diagnostics --out diag.zip` and send the file to support; it holds no secrets."),
              ExitCode.UNEXPECTED),
    ErrorInfo("docs.screenshots_failed",
              N_("The documentation screenshots could not be taken: a tool they need is missing, or the wizard did "
              "not reach a page. The existing screenshots were left as they were."),
              N_("Run scripts/setup.sh (it installs tinyproxy, dbus and gnome-keyring), or regenerate only the text "
              "with `register-server docs --out DIR --text-only`."), ExitCode.UNEXPECTED),
]

CATALOGUE: dict[str, ErrorInfo] = {
    e.code: e for e in _SETTINGS + _ESCROW + _ESCROW_USAGE + _CREDENTIALS + _NETWORK + _VAULT + _SECRETS + _ANSWERS + _STATE + _OTHER
}


def info(code: str) -> ErrorInfo:
    """The catalogue entry of `code`; an unknown code is a programming error."""
    return CATALOGUE[code]


class RegisterServerError(Exception):
    """An expected failure with a stable code; every face turns it into message + fix.

    `reason` refines a code (``credentials.invalid`` / ``not_xml``); `detail` is a
    short, secret-free sentence about this occurrence (a path, a host name).
    """

    def __init__(self, code: str, *, reason: str | None = None, detail: str | None = None,
                 advice: str | None = None) -> None:
        self.info = info(code)
        self.code = code
        self.reason = reason
        self.detail = detail
        # What to do in this case when it is better than the catalogue's general fix (the
        # command for this operating system, say); never a secret either.
        self.advice = advice
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The catalogue's message in the active language, then this occurrence's detail."""
        return self.message_in(None)

    @property
    def fix(self) -> str:
        return self.fix_in(None)

    def message_in(self, language: str | None) -> str:
        """The message in `language` (None: the active one), then the detail: translated too
        when it was made with `L_()`, else as it is (a path, a host, a library's words)."""
        base = gettext(self.info.source_message, language)
        return f"{base} {in_language(self.detail, language)}" if self.detail else base

    def fix_in(self, language: str | None) -> str:
        return self.advice if self.advice is not None else gettext(self.info.source_fix, language)

    @property
    def exit_code(self) -> ExitCode:
        return self.info.exit_code

    def to_dict(self) -> dict[str, str | None]:
        """The JSON shape; `message` and `fix` stay English whatever the language (what scripts
        and fleet logs compare), `localized_*` carry the same text in `language`."""
        language = active_language()
        return {"code": self.code, "reason": self.reason,
                "message": self.message_in(ENGLISH), "fix": self.fix_in(ENGLISH),
                "language": language,
                "localized_message": self.message_in(language), "localized_fix": self.fix_in(language)}


class Cancelled(RegisterServerError):
    """Raised between steps when the user cancels."""

    def __init__(self) -> None:
        super().__init__("operation.cancelled")
