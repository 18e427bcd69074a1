"""`[proxy] auth` and `integrated`: read, written back, checked, and kept in the registration record."""

from __future__ import annotations

import pytest

from wizard.core.answers import InvalidAnswers, dump_answers, parse_answers
from wizard.core.model import ProxyAuth, ProxyMode, ProxySettings, RegistrationSettings
from wizard.core.registration.record import settings_summary
from wizard.core.secret import Secret
from wizard.core.validators import validate_proxy

_CUSTOM = '[proxy]\nmode = "custom"\nhost = "proxy.contoso.com"\nport = 3128\n'


def test_auth_and_integrated_are_read_and_written_back() -> None:
    answers = parse_answers(_CUSTOM + 'auth = "negotiate"\nintegrated = true\n')
    assert answers.settings.proxy.auth is ProxyAuth.NEGOTIATE and answers.settings.proxy.integrated
    again = parse_answers(dump_answers(answers.settings))
    assert again.settings.proxy == answers.settings.proxy


def test_the_default_is_auto_without_integrated_and_is_not_written() -> None:
    answers = parse_answers(_CUSTOM)
    assert answers.settings.proxy.auth is ProxyAuth.AUTO and not answers.settings.proxy.integrated
    text = dump_answers(answers.settings)
    assert "auth" not in text and "integrated" not in text


def test_an_unknown_scheme_is_refused_with_its_field() -> None:
    with pytest.raises(InvalidAnswers) as caught:
        parse_answers(_CUSTOM + 'auth = "kerberos5"\n')
    assert [(i.field, i.code) for i in caught.value.issues] == [("proxy.auth", "answers.wrong_type")]
    assert '"negotiate"' in caught.value.issues[0].message


@pytest.mark.parametrize("proxy, expected", [
    (ProxySettings(ProxyMode.CUSTOM, "p", 1, integrated=True), []),
    (ProxySettings(ProxyMode.CUSTOM, "p", 1, integrated=True, auth=ProxyAuth.NTLM), []),
    (ProxySettings(ProxyMode.CUSTOM, "p", 1, "bob", Secret("pw"), integrated=True),
     [("proxy.integrated", "proxy.integrated_with_username")]),
    (ProxySettings(ProxyMode.CUSTOM, "p", 1, integrated=True, auth=ProxyAuth.BASIC),
     [("proxy.auth", "proxy.integrated_scheme")]),
    (ProxySettings(ProxyMode.CUSTOM, "p", 1, "bob", Secret("pw"), auth=ProxyAuth.DIGEST), []),
])
def test_integrated_sign_in_needs_no_password_and_a_scheme_that_carries_an_identity(
        proxy: ProxySettings, expected: list[tuple[str, str]]) -> None:
    assert [(i.field, i.code) for i in validate_proxy(proxy)] == expected


def test_the_record_keeps_the_scheme_only_when_it_is_not_the_default() -> None:
    plain = settings_summary(RegistrationSettings(proxy=ProxySettings(ProxyMode.CUSTOM, "p", 1)))["proxy"]
    assert "auth" not in plain and "integrated" not in plain
    chosen = settings_summary(RegistrationSettings(proxy=ProxySettings(
        ProxyMode.CUSTOM, "p", 1, auth=ProxyAuth.NEGOTIATE, integrated=True)))["proxy"]
    assert chosen["auth"] == "negotiate" and chosen["integrated"] is True
