"""Run `register-server ARGS...` and SIGKILL it the moment a journalled change reaches STEP.

Usage: python -m tests.support.kill_at_step STEP ARGS...

The crash tests use it to kill a passphrase change (or an unregistration) at every point
`wizard.registration.journal` marks, deterministically, instead of at a random moment.
"""

from __future__ import annotations

import os
import signal
import sys


def main() -> int:
    step, argv = sys.argv[1], sys.argv[2:]
    from wizard.registration import journal

    def reached(name: str) -> None:
        if name == step:
            os.kill(os.getpid(), signal.SIGKILL)

    journal.reached = reached  # type: ignore[assignment]
    from wizard.cli import main as cli_main

    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main())
