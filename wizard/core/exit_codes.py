"""The one exit-code table every command shares.

Scripts driving hundreds of servers branch on these numbers, so they are public
interface: never renumber one, only add.
"""

from __future__ import annotations

from enum import IntEnum

from wizard.core.i18n import N_, gettext


class ExitCode(IntEnum):
    """Process exit status of every `register-server` command."""

    OK = 0
    UNEXPECTED = 1
    USAGE = 2
    INVALID_SETTINGS = 3
    CREDENTIALS = 4
    NETWORK = 5
    VAULT_REFUSED = 6
    SECRETS = 7
    CANCELLED = 8
    LOCAL_STATE = 9

    @property
    def meaning(self) -> str:
        """What the code means, in the active language (the names and numbers never change)."""
        return gettext(_MEANINGS[self])


_MEANINGS: dict[ExitCode, str] = {
    ExitCode.OK: N_("Success."),
    ExitCode.UNEXPECTED: N_("An unexpected error; the log and `register-server diagnostics` have details."),
    ExitCode.USAGE: N_("The command line itself is wrong (unknown option, missing argument)."),
    ExitCode.INVALID_SETTINGS: N_("A setting is invalid (answer file or wizard field)."),
    ExitCode.CREDENTIALS: N_("The vault credentials file is unreadable, invalid, expired or superseded."),
    ExitCode.NETWORK: N_("The vault could not be reached: DNS, connection, proxy or TLS."),
    ExitCode.VAULT_REFUSED: N_("The vault refused the request (full, wrong vault, passphrase mismatch, ...)."),
    ExitCode.SECRETS: N_("No usable secret store (keyring), or a secret could not be read."),
    ExitCode.CANCELLED: N_("Cancelled by the user."),
    ExitCode.LOCAL_STATE: N_("Local state could not be written or is in use (disk full, locked, not registered)."),
}
