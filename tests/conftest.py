"""Test configuration shared by the whole suite.

Qt runs offscreen (set here, so nobody has to remember it). Services a test needs
(vault, proxy, keyring) are started by fixtures in `tests/support/fixtures_*.py`,
which are loaded automatically as plugins; a test never assumes a running service.
"""

from __future__ import annotations

import os
import pkgutil
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Qt under X may start its own D-Bus daemon that outlives the test (testing-facts.md).
os.environ.setdefault("QT_NO_XDG_DESKTOP_PORTAL", "1")
# The suite's expectations are in English whatever the developer's own locale (LANG=de_DE...);
# tests of other languages set REGISTER_SERVER_LANG themselves (tests/commands/test_language.py).
os.environ["REGISTER_SERVER_LANG"] = "en"

pytest_plugins = sorted(
    f"tests.support.{m.name}"
    for m in pkgutil.iter_modules([str(Path(__file__).parent / "support")])
    if m.name.startswith("fixtures_")
)
