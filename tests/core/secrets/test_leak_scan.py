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
