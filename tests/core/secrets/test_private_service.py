"""The private Secret Service (the demo's and the tests') under a deep folder: a long TMPDIR made
the bus socket's path longer than a Unix socket allows and dbus-daemon exited without a word."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from wizard.core.secrets.private_service import MAX_SOCKET_PATH, start_private_secret_service

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a Secret Service over D-Bus")


def test_a_deep_root_still_starts_and_its_short_socket_folder_goes_with_it(tmp_path: Path) -> None:
    root = tmp_path / ("d" * 60) / ("e" * 60)
    root.mkdir(parents=True)
    service = start_private_secret_service(root)
    try:
        runtime = service.short_runtime
        assert runtime is not None and len(str(runtime / "keyring" / "control")) <= MAX_SOCKET_PATH
        assert service.address.startswith(f"unix:path={runtime}/bus")
        assert service.keyring_daemon is not None and service.keyring_daemon.poll() is None
    finally:
        service.stop()
    assert not runtime.exists()


def test_a_shallow_root_keeps_its_sockets_inside(tmp_path: Path) -> None:
    root = Path("/tmp") if len(str(tmp_path)) > 60 else tmp_path
    import tempfile

    with tempfile.TemporaryDirectory(dir=root) as shallow:
        service = start_private_secret_service(Path(shallow))
        try:
            assert service.short_runtime is None and service.address.startswith(f"unix:path={shallow}/run/bus")
        finally:
            service.stop()
