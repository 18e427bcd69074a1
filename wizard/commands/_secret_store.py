"""The `--secret-store` option: which store holds the secrets, for commands without an answer file.

Why an option at all when the registration record remembers the store: before there is a
record (`--self-test` on a new server, `register` whose answer file does not say), and to
make a script's expectation explicit; a choice that contradicts the record is refused
(`secrets.store_mismatch`, see `wizard.core.secrets.choice`).
"""

from __future__ import annotations

import argparse

from wizard.core.i18n import _
from wizard.core.secrets.choice import STORES


def add_secret_store_option(parser: argparse.ArgumentParser, *, top_level: bool = False) -> None:
    what = (_("the secret store --self-test probes") if top_level else
            _("where this server's secrets are kept"))
    stores = _(" or ").join(STORES)
    parser.add_argument("--secret-store", choices=STORES, metavar="STORE",
                        default=None if top_level else argparse.SUPPRESS,
                        help=_("{what}: {stores} (default: the store the registration record names, else keyring; "
                               "systemd-creds is for headless Linux servers, run as root)").format(what=what,
                                                                                                  stores=stores))


def chosen(args: argparse.Namespace) -> str | None:
    """The store given with --secret-store (on the command or before it), or None."""
    return getattr(args, "secret_store", None)
