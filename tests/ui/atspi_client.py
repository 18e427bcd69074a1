#!/usr/bin/python3
"""A small AT-SPI client, driven by the test over stdin/stdout (one JSON object a line).

Run by Debian's /usr/bin/python3 (python3-pyatspi is importable there, not in the project's
venv), on the session bus of the application. It sees the wizard only as a screen reader
does: roles, names, descriptions, text, states, relations and events, and it drives it only
through AT-SPI (Action, EditableText, Component.grabFocus), finding controls by the names a
person hears. Commands:

  {"cmd": "app", "name": "register-server"}     -> {"ok": true} once the app is on the bus
  {"cmd": "page"}                               -> {"nodes": [...]} of the active window, showing only
  {"cmd": "set_text", "name": N, "text": T}     -> replace the text of the entry named N
  {"cmd": "press", "name": N, "role": R?}       -> do the first action of the control named N
  {"cmd": "focus", "name": N}                   -> grab focus on the control named N
  {"cmd": "focused"}                            -> {"node": {...}} that has the focus
  {"cmd": "events", "since": I}                 -> {"events": [...], "next": J}
"""

import json
import sys
import time

import pyatspi
from gi.repository import GLib
from pyatspi import Registry

STATES = ["focusable", "focused", "showing", "enabled", "sensitive", "editable", "checked", "selected",
          "is_default", "active", "invalid_entry"]
EVENTS = ["object:announcement", "object:state-changed:focused", "object:text-changed:insert",
          "object:property-change:accessible-description", "object:property-change:accessible-name"]

state = {"app": None, "events": []}


def info(acc):
    node = {"role": acc.getRoleName(), "name": acc.name or "", "description": acc.description or ""}
    states = acc.getState()
    node["states"] = [s for s in STATES if states.contains(getattr(pyatspi, "STATE_" + s.upper()))]
    try:
        text = acc.queryText()
        node["text"] = text.getText(0, -1)
    except NotImplementedError:
        pass
    relations = []
    for relation in acc.getRelationSet():
        kind = str(pyatspi.relationToString(relation.getRelationType())).lower()
        relations.append([kind, [relation.getTarget(i).name for i in range(relation.getNTargets())]])
    node["relations"] = relations
    return node


def walk(acc, out, showing_only=True):
    if acc is None:
        return out
    try:
        node = info(acc)
    except Exception:  # an object that went away while walking
        return out
    if showing_only and out and "showing" not in node["states"]:
        return out
    node["_acc"] = acc
    out.append(node)
    for i in range(acc.childCount):
        try:
            walk(acc.getChildAtIndex(i), out, showing_only)
        except Exception:
            continue
    return out


def window():
    app = state["app"]
    windows = [w for w in app if w is not None]
    for w in windows:
        if w.getState().contains(pyatspi.STATE_ACTIVE):
            return w
    return next((w for w in windows if w.getState().contains(pyatspi.STATE_SHOWING)), windows[0] if windows else None)


def public(node):
    return {k: v for k, v in node.items() if k != "_acc"}


def pump(seconds=0.0):
    """Let the main loop deliver what the application sent, for `seconds` (at least once).

    libatspi keeps each object's states in a cache that only its events update, and they are
    dispatched by the main loop: a command that waits without pumping reads the cache of the
    moment it started (a page's "showing" state stays as the last QWizard button update left
    it while it was half done), where a screen reader, idle between keystrokes, has caught up.
    """
    context = GLib.MainContext.default()
    deadline = time.monotonic() + seconds
    while True:
        # bounded: a source that is always ready (pyatspi's GIL-release idle, off here) must not hold us
        for _ in range(200):
            if not context.iteration(False):
                break
        if time.monotonic() >= deadline:
            return
        time.sleep(0.01)


def find(name, role=None):
    """The showing control named `name`; a name ending in "..." matches any name it starts."""
    def named(node):
        return node["name"].startswith(name[:-3]) if name.endswith("...") and len(name) > 3 else node["name"] == name

    deadline = time.monotonic() + 15  # the tree changes while a page updates: look again
    while True:
        nodes = [n for n in walk(window(), []) if named(n) and (role is None or n["role"] == role)]
        if nodes:
            return nodes[0]["_acc"]
        if time.monotonic() > deadline:
            showing = [(n["role"], n["name"], n["states"]) for n in walk(window(), [])]
            raise LookupError(f"nothing named {name!r} is showing: {showing}")
        pump(0.1)


def handle(command):
    pump()
    kind = command["cmd"]
    if kind == "app":
        deadline = time.monotonic() + command.get("timeout", 30)
        while time.monotonic() < deadline:
            for app in Registry.getDesktop(0):
                if app is not None and command["name"] in (app.name or "") and app.childCount:
                    state["app"] = app
                    return {"ok": True}
            pump(0.1)
        return {"error": f"no application {command['name']!r} on the AT-SPI bus"}
    if kind == "page":
        return {"nodes": [public(n) for n in walk(window(), [])]}
    if kind == "set_text":
        acc = find(command["name"], command.get("role"))
        acc.queryEditableText().setTextContents(command["text"])
        return {"ok": True}
    if kind == "press":
        acc = find(command["name"], command.get("role"))
        acc.queryAction().doAction(0)
        return {"ok": True}
    if kind == "focus":
        find(command["name"], command.get("role")).queryComponent().grabFocus()
        return {"ok": True}
    if kind == "focused":
        nodes = [n for n in walk(window(), []) if "focused" in n["states"]]
        return {"node": public(nodes[-1]) if nodes else None}
    if kind == "events":
        since = command.get("since", 0)
        return {"events": state["events"][since:], "next": len(state["events"])}
    return {"error": f"unknown command {kind!r}"}


def on_event(event):
    try:
        source = event.source
        role, name = source.getRoleName(), source.name
    except Exception:
        role, name = "?", "?"
    state["events"].append({"type": event.type, "detail": str(event.any_data), "role": role, "name": name})


def on_stdin(channel, condition):
    line = sys.stdin.readline()
    if not line:
        Registry.stop()
        return False
    try:
        reply = handle(json.loads(line))
    except Exception as error:  # the test shows it
        reply = {"error": f"{type(error).__name__}: {error}"}
    print(json.dumps(reply), flush=True)
    return True


def main():
    Registry.registerEventListener(on_event, *EVENTS)
    GLib.io_add_watch(GLib.IOChannel.unix_new(sys.stdin.fileno()), GLib.PRIORITY_DEFAULT, GLib.IO_IN | GLib.IO_HUP,
                      on_stdin)
    print(json.dumps({"ready": True}), flush=True)
    Registry.start(gil=False)  # no threads here: its GIL-release idle source would keep the loop always busy


if __name__ == "__main__":
    main()
