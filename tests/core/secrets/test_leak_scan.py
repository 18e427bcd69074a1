"""The leak scanner itself: it must find every encoded form, wherever it hides, and nothing else."""

from __future__ import annotations

import base64
import gzip
import io
import json
import re
import secrets as random
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.support.leak_scan import encoded_forms, find_leaks

SECRET = "Tr0ub4dor&3 horse/battery+staple?"


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize("prefix_len", range(6))
@pytest.mark.parametrize("suffix_len", range(3))
@pytest.mark.parametrize("alphabet", ["standard", "urlsafe"])
def test_base64_found_at_every_alignment(tmp_path: Path, prefix_len: int, suffix_len: int, alphabet: str) -> None:
    buffer = random.token_bytes(prefix_len) + SECRET.encode() + random.token_bytes(suffix_len)
    encode = base64.b64encode if alphabet == "standard" else base64.urlsafe_b64encode
    (tmp_path / "blob.txt").write_bytes(b'{"data": "' + encode(buffer) + b'"}')
    assert find_leaks([SECRET], [tmp_path]), "base64 of a buffer holding the secret was missed"


def test_base64_wrapped_in_lines_is_found(tmp_path: Path) -> None:
    encoded = base64.encodebytes(b"x" * 40 + SECRET.encode() * 3)  # MIME: a newline every 76 chars
    (tmp_path / "mail.txt").write_bytes(encoded)
    assert find_leaks([SECRET], [tmp_path])


@pytest.mark.parametrize("form", ["plain", "hex", "HEX", "url", "url-lower", "utf16", "json"])
def test_each_form_is_found(tmp_path: Path, form: str) -> None:
    text = {
        "plain": SECRET.encode(),
        "hex": SECRET.encode().hex().encode(),
        "HEX": SECRET.encode().hex().upper().encode(),
        "url": ("http://user:" + quote(SECRET, safe="") + "@proxy:3128").encode(),
        "url-lower": re.sub("%[0-9A-F]{2}", lambda m: m.group(0).lower(), quote(SECRET, safe="")).encode(),
        "utf16": ("x" + SECRET).encode("utf-16-le"),
        "json": json.dumps({"v": SECRET + '"\\'}).encode(),
    }[form]
    (tmp_path / "f.bin").write_bytes(b"noise " + text + b" noise")
    assert find_leaks([SECRET], [tmp_path])


def test_inside_nested_zip_and_gzip(tmp_path: Path) -> None:
    inner = _zip({"logs/app.log": b"hello " + SECRET.encode()})
    outer = _zip({"bundle/inner.zip": inner, "clean.txt": b"nothing here"})
    (tmp_path / "diag.zip").write_bytes(outer)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "old.log.gz").write_bytes(gzip.compress(SECRET.encode().hex().encode()))
    findings = find_leaks([SECRET], [tmp_path])
    assert any("inner.zip!logs/app.log" in f for f in findings)
    assert any("old.log.gz!gunzip" in f and "hex" in f for f in findings)


def test_extra_texts_are_scanned() -> None:
    argv = ["register-server", "--proxy-password", SECRET]
    assert find_leaks([SECRET], [], [" ".join(argv)]) == ["text[0]: secret[0] as plain"]


def test_clean_data_gives_no_findings(tmp_path: Path) -> None:
    other = "a completely different value 123"
    (tmp_path / "a.txt").write_text(other + base64.b64encode(other.encode()).decode())
    (tmp_path / "b.zip").write_bytes(_zip({"x": other.encode()}))
    for _ in range(20):  # random data must not match any form of the secret by chance
        (tmp_path / f"r{_}.bin").write_bytes(random.token_bytes(4096))
    assert find_leaks([SECRET, "another-secret-value-xyz"], [tmp_path], ["some text"]) == []


def test_findings_never_contain_the_secret(tmp_path: Path) -> None:
    (tmp_path / "f").write_text(SECRET)
    findings = find_leaks([SECRET], [tmp_path])
    assert findings and not any(SECRET in f for f in findings)


def test_every_form_has_enough_length_to_be_meaningful() -> None:
    assert all(len(v) >= 8 for v in encoded_forms("sixteen-chars-ok").values())


def test_empty_secret_is_refused() -> None:
    with pytest.raises(ValueError):
        find_leaks([""], [])


def _ec_key_pem() -> bytes:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    return ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


@pytest.mark.parametrize("form", ["pem", "der-in-zip", "traditional-pem", "hex-dump"])
def test_private_key_material_is_found_in_any_encoding(tmp_path: Path, form: str) -> None:
    from cryptography.hazmat.primitives import serialization

    from tests.support.leak_scan import private_key_secrets

    pem = _ec_key_pem()
    key = serialization.load_pem_private_key(pem, password=None)
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    data = {"pem": b"log: " + pem,
            "der-in-zip": _zip({"key.der": b"\x01" + der}),
            "traditional-pem": key.private_bytes(serialization.Encoding.PEM,
                                                 serialization.PrivateFormat.TraditionalOpenSSL,
                                                 serialization.NoEncryption()),
            "hex-dump": der.hex().encode()}[form]
    (tmp_path / "f").write_bytes(data)
    assert find_leaks(private_key_secrets(pem), [tmp_path])


def test_another_key_of_the_same_kind_is_not_a_leak(tmp_path: Path) -> None:
    """Keys of one type share their ASN.1 header: only the private numbers identify a key."""
    from tests.support.leak_scan import private_key_secrets

    (tmp_path / "other.key").write_bytes(_ec_key_pem())
    assert find_leaks(private_key_secrets(_ec_key_pem()), [tmp_path]) == []


def test_argv_watcher_sees_a_child_s_argv() -> None:
    """A secret on the command line of a child the command starts is caught (what `ps` shows)."""
    import os
    import sys

    from tests.support.leak_scan import run_watching_argv

    code = ("import os, subprocess, sys; subprocess.run([sys.executable, '-c', 'import time; time.sleep(0.3)', "
            "os.environ['THE_SECRET']], check=True)")  # the parent's own argv stays clean
    result, argvs = run_watching_argv([sys.executable, "-c", code], env={**os.environ, "THE_SECRET": SECRET})
    assert result.returncode == 0, result.stderr
    assert len(argvs) == 2, argvs  # the command and its child
    assert find_leaks([SECRET], [], argvs) == ["text[1]: secret[0] as plain"]
