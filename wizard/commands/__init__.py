"""Subcommands of `register-server`, one module each.

A module here defines `COMMAND = Command(...)`; `wizard.cli` discovers them, so adding a
subcommand never edits a shared file. Modules must stay cheap to import: heavy imports
go inside `run`, because the GUI launch path imports this package too.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], int]


def discover() -> list[Command]:
    """Every `COMMAND` in this package's public modules, sorted by name.

    pkgutil and importlib are imported here: the wizard's start-up path imports this package
    without discovering anything (benchmarks/bench_startup.py)."""
    import importlib
    import pkgutil

    found: list[Command] = []
    for module_info in pkgutil.iter_modules(__path__):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        command = getattr(module, "COMMAND", None)
        if isinstance(command, Command):
            found.append(command)
    return sorted(found, key=lambda c: c.name)
