"""`Secret`: the value never shows in repr/str/format/pickle, and logging renders it as <secret>."""

from __future__ import annotations

import copy
import logging
import pickle
import traceback
from dataclasses import dataclass
from pathlib import Path

import pytest

from wizard.core.logs import (RedactingFilter, configure_logging, forget_secrets, remember_secret)
from wizard.core.secret import REDACTED, Secret

VALUE = "hunter2-but-much-longer"


def test_every_rendering_is_redacted() -> None:
    secret = Secret(VALUE)
    for text in (repr(secret), str(secret), f"{secret}", f"{secret!r}", f"{secret:>40}", "%s" % secret,
                 "%r" % (secret,), "{}".format(secret), repr([secret]), repr({"k": secret})):
        assert VALUE not in text
        assert REDACTED in text


def test_inside_a_dataclass_repr() -> None:
    @dataclass(frozen=True)
    class Proxy:
        user: str
        password: Secret

    assert VALUE not in repr(Proxy("bob", Secret(VALUE)))


def test_reveal_equality_and_length() -> None:
    assert Secret(VALUE).reveal() == VALUE
    assert Secret(VALUE) == Secret(VALUE) and Secret(VALUE) != Secret(VALUE + "x")
    assert len(Secret(VALUE)) == len(VALUE) and bool(Secret("")) is False
    assert Secret(VALUE).__eq__(VALUE) is NotImplemented  # never equal to the plain string


def test_hash_does_not_reveal_the_value() -> None:
    assert hash(Secret("aaaa")) == hash(Secret("bbbb"))  # depends on the length only


def test_cannot_be_pickled_or_wrapped_wrongly() -> None:
    with pytest.raises(TypeError):
        pickle.dumps(Secret(VALUE))
    with pytest.raises(TypeError):
        copy.copy(Secret(VALUE))
    with pytest.raises(TypeError):
        Secret(b"bytes")  # type: ignore[arg-type]
    with pytest.raises(AttributeError):
        Secret(VALUE).other = 1  # type: ignore[attr-defined]


def test_not_in_exception_or_traceback() -> None:
    try:
        raise ValueError("bad proxy", Secret(VALUE))
    except ValueError:
        text = traceback.format_exc()
    assert VALUE not in text and REDACTED in text


def _record(msg: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("t", logging.INFO, __file__, 1, msg, args, None)


def test_filter_renders_secret_arguments_as_redacted() -> None:
    record = _record("proxy %s:%s and %r", "bob", Secret(VALUE), Secret(VALUE))
    assert RedactingFilter().filter(record)
    assert record.getMessage() == f"proxy bob:{REDACTED} and '{REDACTED}'"


def test_filter_scrubs_remembered_values_in_plain_strings() -> None:
    remember_secret(Secret(VALUE))
    try:
        record = _record("header Authorization: Basic %s", VALUE)  # a library logging the raw value
        RedactingFilter().filter(record)
        assert VALUE not in record.getMessage()
    finally:
        forget_secrets()


def test_log_file_never_holds_the_value(tmp_path: Path) -> None:
    path = configure_logging(tmp_path / "state")
    try:
        log = logging.getLogger("wizard.test")
        log.info("registering with passphrase %s", Secret(VALUE))
        log.warning("password=%(password)s", {"password": Secret(VALUE)})
        try:
            raise RuntimeError("failed", Secret(VALUE))
        except RuntimeError:
            log.exception("it failed")
        for handler in logging.getLogger().handlers:
            handler.flush()
        text = path.read_text()
        assert "registering with passphrase <secret>" in text
        assert "password=<secret>" in text and "it failed" in text
        assert VALUE not in text
        assert (path.stat().st_mode & 0o777) == 0o600
    finally:
        _remove_our_handlers()


def test_configure_logging_is_idempotent_and_rotates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import wizard.core.logs as logs

    monkeypatch.setattr(logs, "MAX_BYTES", 2000)
    try:
        configure_logging(tmp_path / "a")
        path = configure_logging(tmp_path / "b")
        ours = [h for h in logging.getLogger().handlers if getattr(h, "_register_server", False)]
        assert len(ours) == 1
        for i in range(200):
            logging.getLogger("wizard.test").info("line %d %s", i, "x" * 50)
        rotated = sorted(p.name for p in path.parent.iterdir())
        assert rotated == ["register-server.log", "register-server.log.1", "register-server.log.2",
                           "register-server.log.3"]
        assert all((p.stat().st_mode & 0o777) == 0o600 for p in path.parent.iterdir())
    finally:
        _remove_our_handlers()


def _remove_our_handlers() -> None:
    from wizard.core.logs import stop_logging

    stop_logging()


def test_commands_log_to_their_state_directory_except_vault_and_docs(tmp_path: Path) -> None:
    from wizard.core.logs import configure_for_command

    try:
        assert configure_for_command("vault", tmp_path / "v") is None and not (tmp_path / "v").exists()
        assert configure_for_command("docs", tmp_path / "d") is None
        assert configure_for_command("check-credentials", tmp_path / "c") is None
        path = configure_for_command("register", tmp_path / "r")
        assert path == (tmp_path / "r").resolve() / "logs" / "register-server.log"
        for handler in logging.getLogger().handlers:
            handler.flush()
        assert "started: register" in path.read_text()
        assert configure_for_command(None, tmp_path / "g") is not None  # the wizard logs too
    finally:
        _remove_our_handlers()


def test_unwritable_state_directory_does_not_stop_the_command(tmp_path: Path) -> None:
    from wizard.core.logs import configure_for_command

    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    try:
        assert configure_for_command("register", blocker / "home") is None
    finally:
        _remove_our_handlers()


def test_log_file_never_holds_an_encoded_form_of_a_remembered_value(tmp_path: Path) -> None:
    """A library logging a proxy URL or an auth header shows the password encoded, not plain."""
    import base64
    from urllib.parse import quote

    from tests.support.leak_scan import find_leaks

    password = "p@ss:w0rd/with+odd chars"
    remember_secret(Secret(password))
    path = configure_logging(tmp_path / "state")
    try:
        log = logging.getLogger("httpx")
        log.info("proxy http://bob:%s@proxy:3128", quote(password, safe=""))
        log.info("Proxy-Authorization: Basic %s", base64.b64encode(f"bob:{password}".encode()).decode())
        log.debug("raw bytes %s", password.encode().hex())
        log.info("unrelated line stays")
        for handler in logging.getLogger().handlers:
            handler.flush()
        text = path.read_text()
        assert find_leaks([password], [path]) == [], text
        assert "http://bob:<secret>@proxy:3128" in text and "unrelated line stays" in text
    finally:
        _remove_our_handlers()
        forget_secrets()


def test_text_forms_cover_what_the_independent_scanner_looks_for() -> None:
    """The product's forms (used to scrub) and the test scanner's forms (written separately) agree."""
    from tests.support.leak_scan import encoded_forms
    from wizard.core.secret import text_forms

    value = "Tr0ub4dor&3 horse/battery+staple?"
    scanner = {form.decode() for name, form in encoded_forms(value).items()
               if name != "utf-16-le"}  # UTF-16 is not text a log line or a JSON document holds
    assert scanner <= text_forms(value)
