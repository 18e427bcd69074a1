"""Mutating a valid file in any way gives either a result or a typed credentials error — never anything else."""

from __future__ import annotations

import base64
import copy
import xml.etree.ElementTree as ET
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.core.credentials import builders
from tests.core.credentials.conftest import NOW
from wizard.core.credentials import VaultCredentials, parse_credentials, pfx
from wizard.core.errors import RegisterServerError

REASONS = {
    "too_large", "wrong_extension", "not_xml", "unsafe_xml", "wrong_root", "wrong_namespace", "missing_field",
    "bad_certificate", "no_private_key", "key_mismatch", "wrong_usage", "bad_value",
}
_KEY = builders.rsa_key(0)
CERT_B64 = builders.pfx(_KEY, builders.certificate(_KEY, issued=NOW))
FIELDS = builders.values(CERT_B64)
VALID = builders.document(FIELDS)
PFX = base64.b64decode(CERT_B64)
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def outcome(data: bytes, file_name: str = "f.VaultCredentials") -> object:
    """Parse, and check the only two acceptable outcomes."""
    try:
        result = parse_credentials(data, file_name=file_name, now=NOW)
    except RegisterServerError as error:
        assert error.code.startswith("credentials."), error.code
        if error.code == "credentials.invalid":
            assert error.reason in REASONS
        assert error.message and error.fix
        return error
    assert isinstance(result, VaultCredentials)
    return result


def test_the_unmutated_file_is_valid() -> None:
    assert isinstance(outcome(VALID), VaultCredentials)


_edit = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, len(VALID) - 1), st.integers(1, 255)),
    st.tuples(st.just("delete"), st.integers(0, len(VALID) - 1), st.integers(1, 64)),
    st.tuples(st.just("insert"), st.integers(0, len(VALID)), st.binary(min_size=1, max_size=32)),
    st.tuples(st.just("truncate"), st.integers(0, len(VALID) - 1)),
)


def _apply(data: bytes, edits: list[tuple]) -> bytes:  # type: ignore[type-arg]
    buf = bytearray(data)
    for edit in edits:
        kind, at = edit[0], min(edit[1], len(buf))
        if kind == "flip" and at < len(buf):
            buf[at] ^= edit[2]
        elif kind == "delete":
            del buf[at:at + edit[2]]
        elif kind == "insert":
            buf[at:at] = edit[2]
        elif kind == "truncate":
            del buf[at:]
    return bytes(buf)


@SETTINGS
@given(st.lists(_edit, min_size=1, max_size=4))
def test_byte_mutations(edits: list[tuple]) -> None:  # type: ignore[type-arg]
    outcome(_apply(VALID, edits))


_field_edit = st.tuples(
    st.sampled_from(sorted(FIELDS)),
    st.one_of(
        st.just(("delete",)), st.just(("nil",)), st.just(("duplicate",)),
        st.tuples(st.just("text"), st.text(max_size=80)),
        st.tuples(st.just("text"), st.sampled_from(["", " ", "2.0", "1.0", "0", "-1", "9" * 25, "https://x/restapi/",
                                                    "http://x/", "00000000-0000-0000-0000-000000000000"])),
    ),
)


@SETTINGS
@given(st.lists(_field_edit, min_size=1, max_size=3))
def test_field_mutations(edits: list[tuple]) -> None:  # type: ignore[type-arg]
    root = ET.fromstring(VALID)
    for name, change in edits:
        element = root.find(f"{{{builders.NS}}}{name}")
        if element is None:
            continue
        if change[0] == "delete":
            root.remove(element)
        elif change[0] == "nil":
            element.text = None
            element.set(f"{{{builders.XSI}}}nil", "true")
        elif change[0] == "duplicate":
            root.append(copy.deepcopy(element))
        else:
            element.text = change[1]
    try:
        data = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    except ValueError:  # text ElementTree itself cannot serialise
        return
    outcome(data)


@SETTINGS
@given(st.lists(_edit.filter(lambda e: e[0] != "truncate"), min_size=1, max_size=3))
def test_certificate_bundle_mutations(edits: list[tuple]) -> None:  # type: ignore[type-arg]
    mutated = _apply(PFX, [(e[0], e[1] % len(PFX), *e[2:]) for e in edits])
    outcome(builders.document(dict(FIELDS, ManagementCert=base64.b64encode(mutated).decode())))


@SETTINGS
@given(st.lists(_edit, min_size=1, max_size=3))
def test_fast_path_parser_past_the_mac(edits: list[tuple]) -> None:  # type: ignore[type-arg]
    """With the MAC check out of the way, the DER walker sees every mutation: bundle, None, or TooCostly."""
    mutated = _apply(PFX, [(e[0], e[1] % len(PFX), *e[2:]) for e in edits])
    with mock.patch.object(pfx, "_mac_ok", return_value=True):
        try:
            result = pfx.parse_plain_pfx(mutated)
        except pfx.TooCostly:
            return
    assert result is None or isinstance(result, pfx.PlainBundle)
    assert isinstance(pfx.max_kdf_iterations(mutated), int)


@SETTINGS
@given(st.lists(_edit.filter(lambda e: e[0] != "truncate"), min_size=1, max_size=3))
def test_certificate_bundle_mutations_past_the_mac(edits: list[tuple]) -> None:  # type: ignore[type-arg]
    """As if an attacker recomputed the (unkeyed) MAC: every mutation reaches the certificate and key loaders."""
    mutated = _apply(PFX, [(e[0], e[1] % len(PFX), *e[2:]) for e in edits])
    with mock.patch.object(pfx, "_mac_ok", return_value=True):
        outcome(builders.document(dict(FIELDS, ManagementCert=base64.b64encode(mutated).decode())))
