"""The command line's contract: every failure is a message, a fix and a stable exit code."""

from __future__ import annotations

import argparse

import pytest

from wizard import cli
from wizard.commands import Command
from wizard.commands import parser as parser_module
from wizard.core.errors import RegisterServerError
from wizard.core.exit_codes import ExitCode


def _with_command(monkeypatch: pytest.MonkeyPatch, run) -> None:  # type: ignore[no-untyped-def]
    def add(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--json", action="store_true")
    monkeypatch.setattr(parser_module, "discover", lambda: [Command("boom", "fails on purpose", add, run)])


def test_unexpected_error_is_exit_1_with_a_message_not_a_traceback(monkeypatch, capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    def run(args: argparse.Namespace) -> int:
        raise ValueError("internal detail that is not for the user")
    _with_command(monkeypatch, run)
    assert cli.main(["--home", str(tmp_path), "boom"]) == ExitCode.UNEXPECTED
    err = capsys.readouterr().err
    assert "internal.unexpected" in err and "diagnostics" in err and "Traceback" not in err


def test_expected_error_uses_its_exit_code_and_json(monkeypatch, capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    def run(args: argparse.Namespace) -> int:
        raise RegisterServerError("proxy.auth_required")
    _with_command(monkeypatch, run)
    assert cli.main(["--home", str(tmp_path), "boom", "--json"]) == ExitCode.NETWORK
    assert '"code": "proxy.auth_required"' in capsys.readouterr().out


def test_usage_error_is_exit_2(capsys) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit) as raised:
        cli.main(["no-such-command"])
    assert raised.value.code == ExitCode.USAGE


def test_help_lists_every_command_and_the_exit_codes(capsys) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    out = capsys.readouterr().out
    for name in ("register", "status", "check-credentials", "vault", "diagnostics", "demo", "docs"):
        assert name in out
    assert all(f"  {code.value}  " in out for code in ExitCode)


def test_readme_exit_code_table_matches_the_code() -> None:
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    for code in ExitCode:
        assert f"| {code.value} | {code.meaning} |" in readme


def test_readme_sample_answer_file_is_the_documented_one() -> None:
    import re
    from pathlib import Path

    from tests.core.test_answers import SAMPLE

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```toml\n(.*?)```", readme, flags=re.S)
    assert SAMPLE in blocks


def _every_parser(parser: argparse.ArgumentParser, path: str = "register-server"):  # type: ignore[no-untyped-def]
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _every_parser(sub, f"{path} {name}")


def test_no_command_takes_a_secret_on_the_command_line() -> None:
    """Secrets come from the environment, a file, the keyring or a prompt: argv is visible to every
    user of the machine (ps, /proc) and lands in shell history (issue 6, domain.md)."""
    parsers = list(_every_parser(cli.build_parser()))
    assert len(parsers) > 10  # the walk really reached the subcommands (vault serve, create, ...)
    offending = [(path, option) for path, parser in parsers for action in parser._actions
                 if action.nargs != 0  # a flag (--require-pin) carries no value at all
                 and not action.choices  # nor does a choice among fixed words (--secret-store systemd-creds)
                 for option in [*action.option_strings, *([action.dest] if not action.option_strings else [])]
                 if _could_carry_a_secret(option)]
    assert offending == []


def _could_carry_a_secret(option: str) -> bool:
    """An option named after a secret, unless it names where the secret is: `--key-password-env NAME`,
    `--key-file KEY.pem` and `--pin-file FILE` take a variable's name or a path, never the value."""
    lowered = option.lower().replace("_", "-")
    if lowered.endswith(("-env", "-file")):
        return False
    return any(word in lowered for word in ("password", "passphrase", "secret", "token", "key")) or \
        "pin" in lowered.split("-")

def test_the_secret_option_rule_catches_values_and_spares_sources() -> None:
    assert all(_could_carry_a_secret(o) for o in ("--key-password", "--passphrase", "--pin", "--api-token", "--key"))
    assert not any(_could_carry_a_secret(o) for o in ("--key-password-env", "--key-file", "--pin-file",
                                                       "--passphrase-env", "--envelope", "--spinner"))
