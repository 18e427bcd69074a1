"""A screenshot run that cannot finish says so with a code and a fix, and leaves the old docs alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from wizard.cli import main
from wizard.core.exit_codes import ExitCode
from wizard.docs.sandbox import Sandbox, SandboxError


def test_a_missing_tool_is_reported_and_the_old_screenshots_stay(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    images = tmp_path / "docs" / "images"
    images.mkdir(parents=True)
    (images / "01-proxy-configuration.png").write_bytes(b"old picture")

    def no_proxy(self: Sandbox, *args: object, **kw: object) -> None:
        raise SandboxError("tinyproxy is not installed; scripts/setup.sh installs it")

    monkeypatch.setattr(Sandbox, "start_proxy", no_proxy)
    status = main(["docs", "--out", str(tmp_path / "docs")])
    err = capsys.readouterr().err
    assert status == int(ExitCode.UNEXPECTED)
    assert "docs.screenshots_failed" in err and "tinyproxy is not installed" in err and "Traceback" not in err
    assert (images / "01-proxy-configuration.png").read_bytes() == b"old picture"
    assert not (tmp_path / "docs" / "register-server.md").exists()
