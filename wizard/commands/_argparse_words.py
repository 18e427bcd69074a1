"""argparse's own words (``usage:``, ``options``, its error messages) in the administrator's language.

argparse marks its texts for gettext but looks them up in gettext's global domain with the
C library's environment variables, not in our catalogue with our language rule
(``REGISTER_SERVER_LANG`` first). Its module-level ``_``/``ngettext`` are looked up when a
parser is built or fails, so pointing them at ``wizard.core.i18n`` makes `--help`, usage lines
and parse errors follow the same rule and catalogue as everything else we print. The msgids
below are argparse's own (CPython 3.11); they are listed here so ``pybabel extract`` puts them
in our template and the completeness test demands a translation of each.
"""

from __future__ import annotations

import argparse

from wizard.core import i18n
from wizard.core.i18n import N_

ARGPARSE_MESSAGES = (
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("show this help message and exit"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("the following arguments are required: %s"),
    N_("unrecognized arguments: %s"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("invalid %(type)s value: %(value)r"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("not allowed with argument %s"),
    N_("one of the arguments %s is required"),
    N_("ignored explicit argument %r"),
)


def install() -> None:
    """Make argparse translate through our catalogue in the active language (idempotent)."""
    argparse._ = i18n.gettext  # type: ignore[attr-defined]
    argparse.ngettext = i18n.ngettext  # type: ignore[attr-defined]
