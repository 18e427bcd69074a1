from __future__ import annotations

import re
from pathlib import Path

import wizard
from wizard.core.errors import CATALOGUE, RegisterServerError
from wizard.core.exit_codes import ExitCode
from wizard.core.flow import ORDER, TITLES, Step, next_step
from wizard.core.routing import step_for
from wizard.core.secret import Secret

SOURCE = Path(wizard.__file__).parent
CODE_LITERAL = re.compile(r"""["']((?:[a-z_]+)\.(?:[a-z_]+))["']""")


def test_every_entry_is_complete() -> None:
    for code, entry in CATALOGUE.items():
        assert entry.code == code
        assert entry.message.endswith(".") and entry.fix, code
        assert isinstance(entry.exit_code, ExitCode)


def test_every_code_raised_in_the_source_is_in_the_catalogue() -> None:
    prefixes = {code.split(".")[0] for code in CATALOGUE}
    used: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for call in re.finditer(r"(?:RegisterServerError|issue)\(\s*(?:[^,()]+,\s*)?[\"']([a-z_]+\.[a-z_]+)[\"']", text):
            used.add(call.group(1))
    unknown = {c for c in used if c.split(".")[0] in prefixes and c not in CATALOGUE}
    assert unknown == set()


def test_error_carries_message_fix_and_exit_code() -> None:
    error = RegisterServerError("proxy.auth_required", detail="Proxy 127.0.0.1:3128 answered 407.")
    assert error.exit_code is ExitCode.NETWORK
    assert "407" in str(error) and error.fix
    assert error.to_dict()["code"] == "proxy.auth_required"


def test_flow_is_dpm_order() -> None:
    assert [TITLES[s] for s in ORDER] == ["Proxy Configuration", "Backup Vault", "Throttling Setting",
                                          "Recovery Folder Setting", "Encryption Setting", "Register", "Summary"]
    assert next_step(Step.PROXY) is Step.VAULT
    assert next_step(Step.SUMMARY) is None


def test_errors_lead_back_to_the_page_that_fixes_them() -> None:
    assert step_for("proxy.auth_required") is Step.PROXY
    assert step_for("network.dns") is Step.PROXY
    assert step_for("credentials.superseded") is Step.VAULT
    assert step_for("tls.untrusted") is Step.VAULT
    assert step_for("passphrase.mismatch") is Step.ENCRYPTION
    assert step_for("throttling.work_bandwidth") is Step.THROTTLING
    assert step_for("state.locked") is None
    # Routed by the catalogue's column, not the code's prefix: no page has a machine field, and a
    # clock or the vault's own error is not fixed on any page.
    assert step_for("machine.name_invalid") is None
    assert step_for("machine.key_unknown") is None
    assert step_for("auth.clock_skew") is None
    assert step_for("vault.error") is None
    assert step_for("vault.wrong_vault") is Step.VAULT
    assert step_for("encryption.save_failed") is Step.ENCRYPTION  # catalogued with the state codes' exit code


def test_every_step_a_code_is_fixed_on_is_a_settings_page() -> None:
    pages = {Step.PROXY, Step.VAULT, Step.THROTTLING, Step.RECOVERY, Step.ENCRYPTION}
    assert {e.fixed_on for e in CATALOGUE.values()} - {None} <= pages


def test_secret_never_prints() -> None:
    s = Secret("hunter2-hunter2-hunter2")
    assert "hunter2" not in repr(s) + str(s) + f"{s}" + f"{s!r}" + "%s" % s
    assert s.reveal() == "hunter2-hunter2-hunter2"
    assert s == Secret("hunter2-hunter2-hunter2") and s != Secret("other")
