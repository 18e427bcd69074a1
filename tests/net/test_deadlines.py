"""A peer that drips its answer ends in a timeout naming the deadline, not an endless wait.

Real dripping sockets (tests/support/fixtures_drip.py): each byte arrives well inside httpx's
per-read timeout, so only the total deadlines can end the request.
"""

from __future__ import annotations

import pytest

from wizard.core.errors import RegisterServerError
from wizard.core.model import ProxyMode, ProxySettings
from wizard.net.client import VaultHttp, open_client
from wizard.net.deadline import Deadline, request_seconds, ENV_REQUEST, REQUEST_SECONDS


def _http(url: str, proxy: ProxySettings | None = None, **options) -> VaultHttp:  # type: ignore[no-untyped-def]
    proxy = proxy or ProxySettings()
    return VaultHttp(open_client(proxy, target_url=url), via_proxy=proxy.mode is ProxyMode.CUSTOM,
                     proxy=f"127.0.0.1:{proxy.port}" if proxy.port else None, **options)


def test_a_vault_dripping_its_handshake_ends_at_the_request_deadline(dripping_vault: int) -> None:
    url = f"https://127.0.0.1:{dripping_vault}/aad/x/oauth2/token"
    with _http(url, request_deadline=1.5) as http, pytest.raises(RegisterServerError) as excinfo:
        http.post_form(url, {"a": "b"})
    assert (excinfo.value.code, excinfo.value.reason) == ("network.timeout", "request_deadline")
    assert "1.5 s" in str(excinfo.value.detail)


def test_a_proxy_dripping_its_answer_ends_at_the_procedure_deadline(dripping_proxy: int) -> None:
    url = "https://vault.example:443/restapi/machines"
    proxy = ProxySettings(mode=ProxyMode.CUSTOM, host="127.0.0.1", port=dripping_proxy)
    with _http(url, proxy, deadline=Deadline.after(1.5, "registration")) as http, \
            pytest.raises(RegisterServerError) as excinfo:
        http.get(url)
    assert (excinfo.value.code, excinfo.value.reason) == ("network.timeout", "registration_deadline")
    assert f"proxy 127.0.0.1:{dripping_proxy}" in str(excinfo.value.detail)


def test_a_proxy_answering_garbage_in_the_tunnel_is_a_network_problem_not_tls_version(garbage_proxy: int) -> None:
    url = "https://vault.example:443/restapi/machines"
    proxy = ProxySettings(mode=ProxyMode.CUSTOM, host="127.0.0.1", port=garbage_proxy)
    with _http(url, proxy, retries=0) as http, pytest.raises(RegisterServerError) as excinfo:
        http.get(url)
    assert excinfo.value.code == "proxy.refused", (excinfo.value.code, excinfo.value.reason)
    assert excinfo.value.reason == "not_tls"


def test_deadlines_default_to_a_slow_wan_and_can_be_set() -> None:
    assert request_seconds({}) == REQUEST_SECONDS == 90
    assert request_seconds({ENV_REQUEST: "2.5"}) == 2.5
    assert request_seconds({ENV_REQUEST: "nonsense"}) == REQUEST_SECONDS
    assert Deadline.for_procedure({}).seconds == 300
