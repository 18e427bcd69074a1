"""Bypass lists (wizard.core.bypass): which hosts go direct, and what an entry may be."""

from __future__ import annotations

import pytest

from wizard.core.answers import dump_answers, parse_answers
from wizard.core.bypass import bypass_rule_for, invalid_entries, split_entries
from wizard.core.model import ProxyMode, ProxySettings, RegistrationSettings
from wizard.core.validators import validate_proxy

RULES = ("*.corp.example", ".branch.example", "vault.example", "10.0.0.0/8", "fd00::/8", "192.0.2.7", "<local>")


@pytest.mark.parametrize("host, rule", [
    ("a.corp.example", "*.corp.example"),
    ("A.B.Corp.Example.", "*.corp.example"),
    ("branch.example", ".branch.example"),
    ("x.branch.example", ".branch.example"),
    ("vault.example", "vault.example"),
    ("10.20.30.40", "10.0.0.0/8"),
    ("[fd00::1]", "fd00::/8"),
    ("192.0.2.7", "192.0.2.7"),
    ("vaulthost", "<local>"),
])
def test_a_matching_host_goes_direct_by_the_first_rule_that_matches(host: str, rule: str) -> None:
    found = bypass_rule_for(RULES, host)
    assert found is not None and found.text == rule


@pytest.mark.parametrize("host", ["corp.example", "evilcorp.example", "vault.example.evil", "11.0.0.1",
                                  "fe80::1", "192.0.2.8", "x.vault.example", "notcorp.example"])
def test_a_host_no_rule_names_goes_through_the_proxy(host: str) -> None:
    assert bypass_rule_for(RULES, host) is None


def test_a_range_does_not_match_a_name_it_would_resolve_to() -> None:
    assert bypass_rule_for(("127.0.0.0/8",), "localhost") is None


@pytest.mark.parametrize("entry", ["*", "*.", "http://x", "10.0.0.0/33", "a..b", "-x.example", "x y", "*.*.x",
                                   "300.1.1.1"])
def test_entries_that_are_no_pattern_are_refused_by_the_validator(entry: str) -> None:
    assert invalid_entries((entry,)) == [entry]
    proxy = ProxySettings(ProxyMode.CUSTOM, "proxy.example", 3128, bypass=("ok.example", entry))
    codes = [i.code for i in validate_proxy(proxy)]
    assert codes == ["proxy.bypass_invalid"]
    assert repr(entry) in validate_proxy(proxy)[0].message


def test_a_typed_list_splits_on_commas_semicolons_and_spaces() -> None:
    assert split_entries(" a.example, *.b.example;10.0.0.0/8\n<local> ") == (
        "a.example", "*.b.example", "10.0.0.0/8", "<local>")


def test_pac_mode_needs_a_pac_address_of_a_known_scheme() -> None:
    assert [i.code for i in validate_proxy(ProxySettings(ProxyMode.PAC))] == ["proxy.pac_url_required"]
    for bad in ("ftp://x/p.pac", "wpad.example/wpad.dat", "http:///p.pac", "http://x/a b.pac"):
        assert [i.code for i in validate_proxy(ProxySettings(ProxyMode.PAC, pac_url=bad))] == ["proxy.pac_url_invalid"]
    for good in ("http://wpad.example/wpad.dat", "https://[::1]:8443/p.pac", "file:///etc/proxy.pac"):
        assert validate_proxy(ProxySettings(ProxyMode.PAC, pac_url=good)) == []


def test_pac_and_bypass_round_trip_through_the_answer_file() -> None:
    settings = RegistrationSettings(proxy=ProxySettings(ProxyMode.PAC, pac_url="http://wpad.example/wpad.dat",
                                                        bypass=("*.corp.example", "10.0.0.0/8")))
    text = dump_answers(settings)
    assert 'mode = "pac"' in text and 'pac_url = "http://wpad.example/wpad.dat"' in text
    assert parse_answers(text).settings.proxy == settings.proxy


def test_a_bypass_that_is_not_a_list_of_strings_is_reported() -> None:
    with pytest.raises(Exception) as caught:
        parse_answers('[proxy]\nmode = "pac"\npac_url = "http://x/p.pac"\nbypass = [1, 2]\n')
    assert "proxy.bypass must be a list of strings" in str(getattr(caught.value, "issues", caught.value))
