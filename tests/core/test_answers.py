from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wizard.core.answers import (InvalidAnswers, SecretSource, SourceKind, dump_answers, load_answers, parse_answers,
                                 resolve_secret)
from wizard.core.bandwidth import Bandwidth
from wizard.core.errors import RegisterServerError
from wizard.core.exit_codes import ExitCode
from wizard.core.limits import MAX_BANDWIDTH_BPS, MIN_BANDWIDTH_BPS
from wizard.core.model import ProxyMode, RegistrationSettings, ThrottlingSchedule, Weekday
from wizard.core.secret import Secret

# The sample from issue 6 / the README: public interface, must load as written.
SAMPLE = '''\
[machine]
name = "server01"                     # optional: defaults to this computer's name

[proxy]
mode = "custom"                       # "none" | "system" | "custom"
host = "127.0.0.1"
port = 3128
username = "alice"
password_env = "PROXY_PASSWORD"       # or password_file = "..." or password_keyring = true

[vault]
credentials_file = "/path/to/demo_Tue Nov 24 2026.VaultCredentials"
ca_bundle = "/path/to/ca.pem"         # optional: an extra CA for the vault's TLS certificate

[throttling]
enabled = true
work_days = ["monday", "tuesday", "wednesday", "thursday", "friday"]
work_start = "09:00"
work_end = "18:00"
work_bandwidth = "2 Mbps"
non_work_bandwidth = "100 Mbps"

[recovery]
folder = "/var/tmp/recovery"
create = true

[encryption]
passphrase_env = "BACKUP_PASSPHRASE"  # or passphrase_file = "..." or generate = true
save_passphrase_to = "/mnt/secure/server01.passphrase.txt"
'''


def test_the_documented_sample_loads() -> None:
    answers = parse_answers(SAMPLE)
    s = answers.settings
    assert s.machine.name == "server01"
    assert (s.proxy.mode, s.proxy.host, s.proxy.port, s.proxy.username) == (ProxyMode.CUSTOM, "127.0.0.1", 3128, "alice")
    assert answers.proxy_password == SecretSource(SourceKind.ENV, "PROXY_PASSWORD")
    assert answers.passphrase == SecretSource(SourceKind.ENV, "BACKUP_PASSPHRASE")
    assert s.vault.credentials_file == Path("/path/to/demo_Tue Nov 24 2026.VaultCredentials")
    assert s.vault.ca_bundle == Path("/path/to/ca.pem")
    assert s.throttling.enabled and s.throttling.work_days == frozenset(Weekday(d) for d in range(5))
    assert (s.throttling.work_start, s.throttling.work_end) == (time(9, 0), time(18, 0))
    assert str(s.throttling.work_bandwidth) == "2 Mbps" and str(s.throttling.non_work_bandwidth) == "100 Mbps"
    assert s.recovery.create and s.recovery.path == Path("/var/tmp/recovery")
    assert s.encryption.save_to == Path("/mnt/secure/server01.passphrase.txt")


def test_relative_paths_resolve_against_the_answer_file(tmp_path: Path) -> None:
    file = tmp_path / "a.toml"
    file.write_text('[vault]\ncredentials_file = "creds/x.VaultCredentials"\n')
    assert load_answers(file).settings.vault.credentials_file == tmp_path / "creds" / "x.VaultCredentials"


def test_every_problem_is_reported_with_key_and_line() -> None:
    text = '[proxy]\nmode = "custom"\nport = "x"\ncolour = 1\n[throttling]\nwork_bandwidth = "10 MB/s"\nenabled = 1\n'
    with pytest.raises(InvalidAnswers) as raised:
        parse_answers(text)
    found = [(i.field, i.code) for i in raised.value.issues]
    assert found == [("proxy.port", "answers.wrong_type"), ("proxy.colour", "answers.unknown_key"),
                     ("throttling.enabled", "answers.wrong_type"), ("throttling.work_bandwidth", "throttling.bandwidth_bytes")]
    messages = " ".join(i.message for i in raised.value.issues)
    assert "(line 3)" in messages and "(line 4)" in messages and "(line 6)" in messages and "80 Mbps" in messages
    assert raised.value.exit_code is ExitCode.INVALID_SETTINGS


def test_malformed_toml_is_reported_not_raised_raw() -> None:
    with pytest.raises(InvalidAnswers) as raised:
        parse_answers("[proxy\nmode=")
    assert raised.value.code == "answers.malformed"
    assert "line 1" in raised.value.message


def test_unknown_section_and_bad_values() -> None:
    with pytest.raises(InvalidAnswers) as raised:
        parse_answers('[proxi]\nmode="none"\n[throttling]\nwork_days=["funday"]\n[proxy]\nmode="socks"\n')
    assert [i.code for i in raised.value.issues] == ["answers.unknown_key", "answers.wrong_type", "answers.wrong_type"]


def test_secrets_resolve_from_env_file_and_generate(tmp_path: Path) -> None:
    env = {"PP": "from-the-environment-1234"}
    assert resolve_secret(SecretSource(SourceKind.ENV, "PP"), what="passphrase", environ=env).reveal() == env["PP"]
    plain = tmp_path / "pw.txt"
    plain.write_text("proxy-password\n")
    assert resolve_secret(SecretSource(SourceKind.FILE, str(plain)), what="proxy password", environ={}).reveal() == "proxy-password"
    generated = resolve_secret(SecretSource(SourceKind.GENERATE), what="passphrase", environ={})
    assert len(generated) >= 16
    with pytest.raises(RegisterServerError) as raised:
        resolve_secret(SecretSource(SourceKind.ENV, "MISSING"), what="passphrase", environ={})
    assert raised.value.code == "secrets.missing" and "MISSING" in raised.value.message


def test_dump_holds_no_secret_and_loads_back() -> None:
    settings = parse_answers(SAMPLE).settings
    text = dump_answers(settings)
    assert "password =" not in text and "passphrase =" not in text
    again = parse_answers(text)
    assert again.settings == settings
    assert again.proxy_password == SecretSource(SourceKind.ENV, "PROXY_PASSWORD")


bandwidths = st.integers(MIN_BANDWIDTH_BPS, MAX_BANDWIDTH_BPS).map(Bandwidth)


@settings(max_examples=60)
@given(days=st.frozensets(st.sampled_from(list(Weekday)), min_size=1), work=bandwidths, off=bandwidths,
       enabled=st.booleans())
def test_dump_load_round_trip(days, work, off, enabled) -> None:
    schedule = ThrottlingSchedule(enabled=enabled, work_days=days, work_bandwidth=work, non_work_bandwidth=off)
    settings_ = RegistrationSettings(throttling=schedule)
    assert parse_answers(dump_answers(settings_)).settings.throttling == schedule


def test_secret_never_in_a_dump() -> None:
    from dataclasses import replace

    base = parse_answers(SAMPLE).settings
    secret = "very-secret-proxy-password"
    with_secret = replace(base, proxy=replace(base.proxy, password=Secret(secret)))
    assert secret not in dump_answers(with_secret)


@pytest.mark.parametrize("text, field, line", [
    ('[proxy]   # the proxy\nmode = "custom"\nhots = "x"\n', "proxy.hots", 3),          # header with a comment
    ('[proxy]\nmode = "custom"\n\n[vault.inner]\nx = 1\n', "vault.inner", 4),           # dotted header
    ('title = "x"\nproxy.port = "3128"\n', "proxy.port", 2),                           # dotted key at top level
    ('[machine]\nname = "a"\n[proxy]\n"port" = true\n', "proxy.port", 4),               # quoted key
    ('proxy = { mode = "custom", hots = "x" }\n', "proxy.hots", 1),                    # inline table
    ('machine = "server01"\n', "machine", 1),                                          # a section given as a value
])
def test_line_is_found_however_the_key_is_spelled(text: str, field: str, line: int) -> None:
    with pytest.raises(InvalidAnswers) as raised:
        parse_answers(text)
    messages = {i.field: i.message for i in raised.value.issues}
    assert f"(line {line})" in messages[field], messages


def test_relative_paths_resolve_against_the_working_folder_at_call_time(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    answers = parse_answers('[vault]\ncredentials_file = "x.VaultCredentials"\n')
    assert answers.settings.vault.credentials_file == tmp_path / "x.VaultCredentials"
