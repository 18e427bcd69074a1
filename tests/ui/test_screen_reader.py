"""What a screen reader gets: the real wizard on a virtual X display, read by a real AT-SPI client.

The wizard runs as its own process (Qt's xcb platform, accessibility on) on a private D-Bus
session with at-spi2-core's bus; `atspi_client.py` (Debian's python3-pyatspi, run by the
system Python) is all the test sees of it and all it drives it with: it finds controls by
the names a person hears, types through EditableText and presses through Action. It walks
every page to a registration, through a failed one first.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from tests.support.atspi_desktop import SYSTEM_PYTHON, Desktop, missing_tools
from tests.ui.helpers import PASSPHRASE
from wizard.core.passphrase_file import read_passphrase_file
from wizard.ui.accessible import looks_like_key
from wizard.ui.secret_entry import MASK

pytestmark = pytest.mark.e2e
CLIENT = Path(__file__).with_name("atspi_client.py")
# Roles that carry no name by design: layout containers and the decorative banner image.
UNNAMED_OK = {"filler", "panel", "image", "scroll pane", "viewport", "unknown", "separator"}


class Reader:
    """The AT-SPI client process, one JSON request and reply a line."""

    def __init__(self, env: dict[str, str]) -> None:
        self.process = subprocess.Popen([str(SYSTEM_PYTHON), str(CLIENT)], env=env, stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True)
        assert json.loads(self.process.stdout.readline()) == {"ready": True}  # type: ignore[union-attr]

    def ask(self, **command: Any) -> Any:
        self.process.stdin.write(json.dumps(command) + "\n")  # type: ignore[union-attr]
        self.process.stdin.flush()  # type: ignore[union-attr]
        reply = json.loads(self.process.stdout.readline())  # type: ignore[union-attr]
        assert "error" not in reply, (command, reply["error"])
        return reply

    def nodes(self) -> list[dict[str, Any]]:
        return self.ask(cmd="page")["nodes"]

    def wait(self, what: str, condition: Callable[[list[dict[str, Any]]], bool], timeout: float = 60) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            nodes = self.nodes()
            if condition(nodes):
                return nodes
            time.sleep(0.1)
        showing = [(n["role"], n["name"], n["description"]) for n in self.nodes()]
        raise AssertionError(f"timed out waiting for {what}; showing: {showing}")

    def page(self, title: str) -> list[dict[str, Any]]:
        """Wait for the page whose title label is `title` (the banner shows it), settled."""
        self.wait(f"the page {title!r}", lambda nodes: any(n["role"] == "label" and n["name"] == title
                                                           and n["description"] == "" for n in nodes))
        return self.settled()

    def settled(self) -> list[dict[str, Any]]:
        """The tree once two walks in a row agree (a page fills its tree in several steps)."""
        def shape(nodes: list[dict[str, Any]]) -> list[tuple[str, str]]:
            return [(n["role"], n["name"]) for n in nodes]

        last = self.nodes()
        for _ in range(50):
            time.sleep(0.1)
            nodes = self.nodes()
            if shape(nodes) == shape(last):
                return nodes
            last = nodes
        return last

    def wait_events(self, what: str, since: int, condition: Callable[[dict[str, Any]], bool],
                    timeout: float = 30) -> list[dict[str, Any]]:
        """Every event from `since` on, once one of them meets `condition`."""
        events: list[dict[str, Any]] = []
        deadline = time.monotonic() + timeout
        while not any(condition(e) for e in events):
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; events: {events[-20:]}")
            events += self.ask(cmd="events", since=since + len(events))["events"]
            time.sleep(0.1)
        return events

    def press_when_enabled(self, name: str) -> None:
        self.wait(f"{name!r} enabled", lambda nodes: any(n["name"] == name and "enabled" in n["states"] for n in nodes))
        self.ask(cmd="press", name=name)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.stdin.close()  # type: ignore[union-attr]
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()


def node(nodes: list[dict[str, Any]], name: str, role: str | None = None) -> dict[str, Any]:
    found = [n for n in nodes if n["name"] == name and (role is None or n["role"] == role)]
    assert found, f"nothing named {name!r} ({role}) on the page: {[(n['role'], n['name']) for n in nodes]}"
    return found[0]


def current_steps(nodes: list[dict[str, Any]]) -> list[str]:
    """The selected items of the step list (a list named "Steps", its items list items)."""
    assert any(n["role"] == "list" and n["name"] == "Steps" for n in nodes), "no step list is exposed"
    return [n["name"] for n in nodes if n["role"] == "list item" and "selected" in n["states"]]


def problems_of(nodes: list[dict[str, Any]]) -> list[str]:
    """Every focusable control has a human name; every label says its text; nothing says a key."""
    problems = []
    for n in nodes:
        for said in (n["name"], n["description"], n.get("text") or ""):
            if looks_like_key(said):
                problems.append(f"{n['role']} says a key: {said!r}")
        if "focusable" in n["states"] and "showing" in n["states"] and not n["name"] and n["role"] not in UNNAMED_OK:
            problems.append(f"a focusable {n['role']} without a name")
        if n["role"] == "label" and n.get("text") and n["name"] != n["text"].replace("&", ""):
            problems.append(f"a label shows {n['text']!r} but says {n['name']!r}")
    return problems


@pytest.fixture
def desktop(secret_service: Any, tmp_path: Path) -> Iterator[Desktop]:
    missing = missing_tools()
    assert not missing, f"scripts/setup.sh installs these Debian packages: {missing}"
    started = Desktop(tmp_path / "desktop", os.environ["DBUS_SESSION_BUS_ADDRESS"]).start()
    try:
        yield started
    finally:
        started.stop()


def test_a_screen_reader_walks_every_page_through_a_failed_registration_to_a_registered_one(
        desktop: Desktop, vault_service: Any, tmp_path: Path) -> None:
    vault = vault_service.create_vault()
    first_file = vault_service.issue(vault, tmp_path / "downloads")
    (tmp_path / "recovery").mkdir()
    (tmp_path / "keys").mkdir()
    passphrase_file = tmp_path / "keys" / "passphrase.txt"
    app = subprocess.Popen([sys.executable, "-m", "wizard", "--home", str(tmp_path / "home")], env=desktop.env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    reader = Reader(desktop.env)
    seen: dict[str, list[dict[str, Any]]] = {}
    try:
        reader.ask(cmd="app", name="register-server")

        # Proxy: a bad port's message is reachable from the field itself, once the user left it.
        seen["proxy"] = reader.page("Proxy Configuration")
        assert current_steps(seen["proxy"]) == ["Proxy Configuration"]
        reader.ask(cmd="press", name="Use a custom proxy server")
        # The disabled Next says why: the page's first blocking problem is its description.
        blocked = reader.wait("Next to say why it is disabled", lambda nodes: "enabled" not in node(nodes, "Next >")["states"]
                              and "address" in node(nodes, "Next >")["description"], timeout=10)
        assert "proxy" in node(blocked, "Next >")["description"], node(blocked, "Next >")
        reader.ask(cmd="focus", name="Port")
        reader.ask(cmd="set_text", name="Port", text="99999")
        reader.ask(cmd="focus", name="Address")
        port = reader.wait("the port's message", lambda nodes: "65535" in node(nodes, "Port")["description"],
                           timeout=10)
        seen["proxy (bad port)"] = port
        reader.ask(cmd="press", name="Connect directly (no proxy)")
        reader.press_when_enabled("Next >")

        # Backup Vault: the vault's facts are read as text, not keys.
        seen["vault"] = reader.page("Backup Vault")
        assert current_steps(seen["vault"]) == ["Backup Vault"]
        assert "credentials file" in node(seen["vault"], "Next >")["description"]
        reader.ask(cmd="set_text", name="Credentials file", text=str(first_file))
        reader.ask(cmd="set_text", name="Trusted CA certificate", text=str(vault_service.ca_file))
        seen["vault (file chosen)"] = reader.wait("the vault's name", lambda nodes: any(n["name"] == vault for n in nodes))
        reader.press_when_enabled("Next >")

        seen["throttling"] = reader.page("Throttling Setting")
        assert current_steps(seen["throttling"]) == ["Throttling Setting"]
        assert node(seen["throttling"], "Next >")["description"] == ""  # enabled: nothing to explain
        # The week grid's text alternative is live: its description follows the schedule and is announced.
        assert node(seen["throttling"], "Week preview")["description"].startswith("Throttling is off")
        since = reader.ask(cmd="events", since=0)["next"]
        reader.ask(cmd="press", name="Limit the network bandwidth backups may use")
        on = reader.wait("the grid's summary to follow", lambda nodes: " on Mon" in node(nodes, "Week preview")["description"],
                         timeout=10)
        summary = node(on, "Week preview")["description"]
        node(on, summary, "label")  # the visible summary line says the same
        said = reader.wait_events("the new summary announced", since, lambda e: e["type"] == "object:announcement"
                                  and e["detail"] == summary)
        assert any(e["type"] == "object:property-change:accessible-description" and e["name"] == "Week preview"
                   for e in said), said
        reader.ask(cmd="press", name="Limit the network bandwidth backups may use")
        reader.wait("throttling off again", lambda nodes: node(nodes, "Week preview")["description"].startswith(
            "Throttling is off"), timeout=10)
        reader.press_when_enabled("Next >")

        seen["recovery"] = reader.page("Recovery Folder Setting")
        assert current_steps(seen["recovery"]) == ["Recovery Folder Setting"]
        reader.ask(cmd="set_text", name="Recovery folder", text=str(tmp_path / "recovery"))
        reader.press_when_enabled("Next >")

        # Encryption: typed, key by key, as a person would; Orca echoed each character before.
        seen["encryption"] = reader.page("Encryption Setting")
        for field in ("Passphrase", "Confirm passphrase"):
            reader.ask(cmd="focus", name=field)
            reader.wait(f"{field} focused", lambda nodes: "focused" in node(nodes, field)["states"], timeout=10)
            subprocess.run(["xdotool", "type", "--delay", "15", PASSPHRASE], env=desktop.env, check=True)
        reader.ask(cmd="set_text", name="Save passphrase file to", text=str(passphrase_file))
        reader.ask(cmd="press", name="I will keep the passphrase file...")
        seen["encryption (filled)"] = reader.settled()
        assert node(seen["encryption (filled)"], "Passphrase")["role"] == "password text"
        reader.press_when_enabled("Next >")

        # Register, with a file a newer download superseded: the failure is announced and the
        # focus goes to the button that leads to the page that fixes it.
        seen["register"] = reader.page("Register")
        assert current_steps(seen["register"]) == ["Register"]
        newer_file = vault_service.issue(vault, tmp_path / "downloads")
        since = reader.ask(cmd="events", since=0)["next"]
        reader.press_when_enabled("Register")
        seen["register (failed)"] = reader.wait("the registration error", lambda nodes: any(
            n["name"].startswith("Go to") for n in nodes))
        events = []
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not any(e["type"] == "object:announcement" and "failed" in e["detail"]
                                                      for e in events):
            events += reader.ask(cmd="events", since=since + len(events))["events"]
            time.sleep(0.1)
        announced = [e["detail"] for e in events if e["type"] == "object:announcement"]
        focused = reader.ask(cmd="focused")["node"]
        assert any("Registration failed" in said for said in announced), announced
        assert focused is not None and focused["name"] == "Go to Backup Vault", focused

        reader.ask(cmd="press", name="Go to Backup Vault")
        reader.page("Backup Vault")
        reader.ask(cmd="set_text", name="Credentials file", text=str(newer_file))
        reader.wait("the newer file read", lambda nodes: any(n["name"] == vault for n in nodes))
        for title in ("Backup Vault", "Throttling Setting", "Recovery Folder Setting", "Encryption Setting"):
            reader.page(title)
            reader.press_when_enabled("Next >")
        reader.page("Register")
        reader.press_when_enabled("Register")
        seen["summary"] = reader.page("Summary")
        assert current_steps(seen["summary"]) == ["Summary"]
        passphrase = read_passphrase_file(passphrase_file).reveal()
        all_events = reader.ask(cmd="events", since=0)["events"]
    finally:
        reader.stop()
        if app.poll() is None:
            os.kill(app.pid, signal.SIGTERM)
            app.wait(timeout=15)

    assert len(vault_service.admin.machines(vault)) == 1
    problems = {page: problems_of(nodes) for page, nodes in seen.items()}
    assert not any(problems.values()), {page: p for page, p in problems.items() if p}
    # The typed passphrase never reached assistive technology, as text or as an event: what a
    # password field inserts is mask characters only.
    assert passphrase == PASSPHRASE
    typed = [e["detail"] for e in all_events if e["type"] == "object:text-changed:insert" and e["role"] == "password text"]
    assert len("".join(typed)) >= 2 * len(PASSPHRASE) and set("".join(typed)) == {MASK}, typed[:5]
    leaks = [e for e in all_events if PASSPHRASE[4:12] in e["detail"]] + \
            [n for nodes in seen.values() for n in nodes if PASSPHRASE[4:12] in json.dumps(n)]
    assert not leaks, leaks
