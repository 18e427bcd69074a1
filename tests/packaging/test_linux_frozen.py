"""The frozen Linux app (PyInstaller one-folder): it builds, it is trimmed, its self-test passes,
and it carries the same subcommands and wizard as the source it was built from.

Slow (about 20-40 s of building), so marked `slow`; .ci/run runs it. Builds into a temp dir,
never over a developer's packaging/out/.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.skipif(not sys.platform.startswith("linux"),
                                                   reason="the Linux frozen build is built on Linux")]


def _self_test(command: list[str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}  # the caller's secret_service fixture set the bus
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=180, env=env)


def _line(stdout: str, name: str) -> str:
    return next(line for line in stdout.splitlines() if line.split(" ", 1)[-1].lstrip().startswith(name + ":"))


@pytest.fixture(scope="module")
def frozen_app(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("frozen")
    result = subprocess.run([str(ROOT / "packaging/build_linux.sh"), "--no-self-test"], cwd=ROOT,
                            capture_output=True, text=True, timeout=600, env={**os.environ, "BUILD_OUT": str(out)})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    app = out / "register-server"
    assert (app / "register-server").is_file()
    return app


def test_frozen_self_test_passes(frozen_app: Path, secret_service: object) -> None:
    result = _self_test([str(frozen_app / "register-server"), "--self-test"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "frozen" in _line(result.stdout, "runtime")
    assert result.stdout.rstrip().endswith("self-test: passed")


def test_frozen_app_has_the_same_commands_and_wizard_as_source(frozen_app: Path, secret_service: object) -> None:
    frozen = _self_test([str(frozen_app / "register-server"), "--self-test"]).stdout
    source = _self_test([sys.executable, "-m", "wizard", "--self-test"]).stdout
    strip_time = lambda line: line.rsplit(" [", 1)[0]  # noqa: E731
    assert strip_time(_line(frozen, "commands")) == strip_time(_line(source, "commands"))
    # the same wizard class with the same pages, painted at the same size
    assert strip_time(_line(frozen, "qt")).split(", ", 2)[2] == strip_time(_line(source, "qt")).split(", ", 2)[2]
    assert _line(frozen, "svg").startswith("ok ")
    assert (frozen_app / "_internal/wizard/resources/wizard.qss").is_file() == \
        (ROOT / "wizard/resources/wizard.qss").is_file()


def test_frozen_version_matches(frozen_app: Path) -> None:
    from wizard import __version__

    result = subprocess.run([str(frozen_app / "register-server"), "--version"], capture_output=True, text=True,
                            timeout=60)
    assert result.stdout.strip() == f"register-server {__version__}"


def test_frozen_app_carries_the_translations(frozen_app: Path, tmp_path: Path) -> None:
    """The compiled catalogues ride along as package data: the frozen CLI speaks German."""
    garbage = tmp_path / "garbage.VaultCredentials"
    garbage.write_bytes(bytes(range(256)))
    result = subprocess.run([str(frozen_app / "register-server"), "check-credentials", str(garbage)],
                            capture_output=True, text=True, timeout=60,
                            env={**os.environ, "REGISTER_SERVER_LANG": "de"})
    assert result.returncode == 4, result.stderr
    assert "Fehler: credentials.invalid" in result.stderr and "Tresoranmeldeinformationsdatei" in result.stderr
    assert (frozen_app / "_internal/wizard/locale/de/LC_MESSAGES/register-server.mo").is_file()
    assert not [p.name for p in (frozen_app / "_internal/wizard/locale").rglob("*") if p.suffix in (".po", ".pot", ".cfg")]


def test_unused_qt_parts_are_trimmed(frozen_app: Path) -> None:
    internal = frozen_app / "_internal"
    files = [p.relative_to(internal).as_posix() for p in internal.rglob("*") if p.is_file()]
    assert [f for f in files if "wayland" in f.lower()] == []
    assert [f for f in files if "/plugins/egldeviceintegrations/" in f or "libqeglfs" in f] == []
    assert [f for f in files if "platformthemes/libqgtk3" in f or "libgtk-3" in f] == []
    translations = [f for f in files if "/translations/" in f]
    assert [f for f in translations if not any(k in f for k in ("_en.", "_de."))] == []
    assert any(f.endswith("/qtbase_de.qm") for f in translations)  # QWizard's buttons in German
    assert [f for f in files if f.split("/")[0] in {"pytest", "_pytest", "hypothesis", "tkinter"}] == []
    # what the product needs stays: the platforms it runs on and the SVG icon plugins
    for needed in ("platforms/libqxcb.so", "platforms/libqoffscreen.so", "imageformats/libqsvg.so",
                   "iconengines/libqsvgicon.so"):
        assert any(f.endswith(needed) for f in files), needed


def _frozen(frozen_app: Path, *args: str, **kw: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", **kw.pop("env", {})}  # type: ignore[dict-item]
    return subprocess.run([str(frozen_app / "register-server"), *args], capture_output=True, text=True,
                          timeout=120, env=env, stdin=subprocess.DEVNULL, **kw)  # type: ignore[call-overload]


def test_frozen_app_serves_a_vault_and_registers_to_it(frozen_app: Path, secret_service: object,
                                                       tmp_path: Path) -> None:
    """The self-test cannot show that the registration path was collected whole (the vault's
    ASGI server, JOSE, the keyring backend): the frozen app runs the real thing here."""
    import json

    data = tmp_path / "vault"
    server = subprocess.Popen([str(frozen_app / "register-server"), "vault", "serve", "--data", str(data),
                               "--port", "0", "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={**os.environ}, stdin=subprocess.DEVNULL)
    try:
        assert server.stdout is not None
        ready = json.loads(server.stdout.readline())
        assert _frozen(frozen_app, "vault", "create", "frozen-vault", "--data", str(data)).returncode == 0
        issued = _frozen(frozen_app, "vault", "credentials", "frozen-vault", "--out", str(tmp_path / "dl"),
                         "--data", str(data), "--json")
        assert issued.returncode == 0, issued.stdout + issued.stderr
        creds = json.loads(issued.stdout.strip().splitlines()[-1])["path"]
        (tmp_path / "secure").mkdir()
        answers = tmp_path / "frozen.toml"
        answers.write_text(f'[machine]\nname = "frozen01"\n[proxy]\nmode = "none"\n'
                           f'[vault]\ncredentials_file = "{creds}"\nca_bundle = "{ready["ca_file"]}"\n'
                           f'[recovery]\nfolder = "{tmp_path / "recovery"}"\ncreate = true\n'
                           f'[encryption]\npassphrase_env = "BACKUP_PASSPHRASE"\n'
                           f'save_passphrase_to = "{tmp_path / "secure" / "frozen01.txt"}"\n')
        done = _frozen(frozen_app, "register", "--answers", str(answers), "--json", "--home", str(tmp_path / "home"),
                       env={"BACKUP_PASSPHRASE": "frozen build passphrase 2026"})
        assert done.returncode == 0, done.stdout + done.stderr
        assert json.loads(done.stdout.strip().splitlines()[-1])["ok"] is True
        machines = _frozen(frozen_app, "vault", "machines", "frozen-vault", "--data", str(data), "--json")
        assert "frozen01" in machines.stdout, machines.stdout + machines.stderr
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_frozen_demo_starts_its_vault_and_stops_it(frozen_app: Path, tmp_path: Path) -> None:
    """The demo starts `vault serve` as a child of the product itself: in a frozen build that
    is the executable, not `python -m wizard` (the packaged demo failed to start its vault)."""
    import signal
    import time

    demo = subprocess.Popen([str(frozen_app / "register-server"), "demo", "--home", str(tmp_path / "home")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL,
                            env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "DBUS_SESSION_BUS_ADDRESS": "disabled:"})
    assert demo.stderr is not None
    lines = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = demo.stderr.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith("Vault service at https://127.0.0.1:"):
            break
    assert lines and lines[-1].startswith("Vault service at https://127.0.0.1:"), "".join(lines)
    children = subprocess.run(["pgrep", "-P", str(demo.pid)], capture_output=True, text=True).stdout.split()
    assert children, "no vault service child"
    demo.send_signal(signal.SIGTERM)
    demo.wait(timeout=30)
    for pid in children:
        assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text().lower()


def test_frozen_docs_generator_takes_every_screenshot(frozen_app: Path, tmp_path: Path) -> None:
    """The guide's screenshot run is a child of the product itself (`docs --capture-plan`),
    which a frozen build can start; `python -m wizard.docs.capture` it could not."""
    from wizard.docs.sample_data import ALL_SHOTS

    done = _frozen(frozen_app, "docs", "--out", str(tmp_path / "guide"), "--json")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    names = {p.name for p in (tmp_path / "guide" / "images").glob("*.png")}
    assert names == {n for shot in ALL_SHOTS for n in (shot.file, shot.file_2x)}
