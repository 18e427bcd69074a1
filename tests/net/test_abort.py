"""Cancel stops a vault client's blocking I/O at once instead of waiting for its timeouts."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
import pytest

from wizard.core.model import ProxyMode, ProxySettings
from wizard.net.abort import install_abort
from wizard.net.client import Timeouts, open_client


def _request_in_thread(client: httpx.Client, url: str) -> tuple[threading.Thread, list[BaseException]]:
    errors: list[BaseException] = []

    def run() -> None:
        try:
            client.get(url)
        except BaseException as error:  # noqa: BLE001 - handed to the test
            errors.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, errors


@pytest.mark.parametrize("via_proxy", [False, True])
def test_abort_wakes_a_request_blocked_on_a_silent_peer(silent_server: int, via_proxy: bool) -> None:
    """Without the abort the request would wait its full read timeout (an hour here)."""
    if via_proxy:  # a CONNECT that the proxy never answers
        proxy = ProxySettings(mode=ProxyMode.CUSTOM, host="127.0.0.1", port=silent_server)
        url = "https://vault.invalid/aad/token"
    else:
        proxy = ProxySettings(mode=ProxyMode.NONE)
        url = f"http://127.0.0.1:{silent_server}/"
    client = open_client(proxy, target_url=url, timeouts=Timeouts(connect=3600, read=3600))
    abort = install_abort(client)
    assert abort is not None
    thread, errors = _request_in_thread(client, url)
    thread.join(timeout=0.5)
    assert thread.is_alive(), "the peer is silent: the request must still be waiting"
    abort()
    thread.join(timeout=20)
    assert not thread.is_alive(), "abort() did not wake the blocked request"
    assert errors and isinstance(errors[0], httpx.TransportError)
    # after an abort, nothing new connects
    with pytest.raises(httpx.ConnectError):
        client.get(url)


def test_a_client_without_a_connection_pool_is_left_alone() -> None:
    client = httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(200)))
    assert install_abort(client) is None
    assert client.get("https://vault.invalid/").status_code == 200


def test_cancel_token_calls_back_once_and_can_forget(tmp_path: Path) -> None:
    from wizard.registration import CancelToken

    calls: list[str] = []
    token = CancelToken()
    forget = token.on_cancel(lambda: calls.append("a"))
    token.on_cancel(lambda: calls.append("b"))()  # registered, then forgotten
    token.cancel()
    token.cancel()
    assert calls == ["a"]
    forget()  # after the fact: harmless
    token.on_cancel(lambda: calls.append("late"))  # already cancelled: called at once
    assert calls == ["a", "late"]
