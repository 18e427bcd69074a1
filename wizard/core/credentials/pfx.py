"""A small, strict reader for the *unencrypted* PKCS#12 bundles our vault issues.

Why it exists: opening a PKCS#12 with `cryptography` re-validates the RSA key, and that
check (OpenSSL's primality tests of p and q) costs ~30 ms, three times the 10 ms budget
for checking a whole file. A bundle exported without a password holds its key as a plain
PKCS#8 ``keyBag`` and its certificate as a ``certBag``, protected by an HMAC keyed from the
empty password. This module walks exactly that shape (RFC 7292), verifies the HMAC, and
hands the key and certificate bytes back; `certificate.py` then loads them with
`cryptography` and checks the key's arithmetic itself (`rsa_key_is_consistent`).

Anything else — encrypted bags (what Windows exports with an empty password), BER
indefinite lengths, an unknown MAC algorithm, a MAC that does not verify — returns None
and the caller falls back to `cryptography`'s full loader, which is the authority on
those. So this fast path can only *accept* a well-formed plain bundle, never refuse one.

Key-derivation cost is bounded: a MAC or PBE parameter asking for more than
`MAX_KDF_ITERATIONS` rounds is refused before any key derivation (a cheap way to make a
small file cost minutes otherwise). Legitimate exporters use 2,000–10,000. The MAC is
derived here in Python only up to `FAST_PATH_MAX_KDF_ITERATIONS` rounds (~0.5 µs each);
above that the bundle goes to the full loader, whose C derivation is ~10x faster (100,000
rounds in Python, twice for the two spellings of "empty", cost over 200 ms).

Key-validation cost is bounded too: the full loader checks the RSA key's primes, and that
grows steeply with the key (2048 bits: ~40 ms; 3072: ~200 ms; 8192: ~8 s on this 2-core
machine). `key_bag_size` measures the largest key bag visible before decryption, so the
caller can refuse a key too large to validate before handing the bundle over.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from math import gcd
from typing import Callable

from cryptography.hazmat.primitives.asymmetric import rsa

MAX_KDF_ITERATIONS = 100_000
FAST_PATH_MAX_KDF_ITERATIONS = 10_000
_MAX_DEPTH = 12

# OIDs, DER-encoded content bytes.
_OID_DATA = bytes.fromhex("2a864886f70d010701")             # 1.2.840.113549.1.7.1
_OID_KEY_BAG = bytes.fromhex("2a864886f70d010c0a0101")      # 1.2.840.113549.1.12.10.1.1
_OID_SHROUDED_KEY_BAG = bytes.fromhex("2a864886f70d010c0a0102")  # 1.2.840.113549.1.12.10.1.2
_OID_CERT_BAG = bytes.fromhex("2a864886f70d010c0a0103")     # 1.2.840.113549.1.12.10.1.3
_OID_X509_CERT = bytes.fromhex("2a864886f70d01091601")      # 1.2.840.113549.1.9.22.1
_MAC_HASHES = {
    bytes.fromhex("2b0e03021a"): "sha1",
    bytes.fromhex("608648016503040201"): "sha256",
    bytes.fromhex("608648016503040202"): "sha384",
    bytes.fromhex("608648016503040203"): "sha512",
}

_SEQUENCE, _SET, _INTEGER, _OCTETS, _OID, _NULL, _CONTEXT0 = 0x30, 0x31, 0x02, 0x04, 0x06, 0x05, 0xA0


# (tag, content start, content end, offset of the tag byte)
_Element = tuple[int, int, int, int]


class _Unsupported(Exception):
    """Not the plain shape this reader handles: let the full loader decide."""


class TooCostly(Exception):
    """The bundle asks for an unreasonable number of key-derivation rounds."""


@dataclass(frozen=True)
class PlainBundle:
    key_der: bytes | None          # PKCS#8 PrivateKeyInfo
    cert_ders: tuple[bytes, ...]   # X.509 certificates, in file order


def _tlv(data: bytes, pos: int, end: int) -> _Element:
    """(tag, content start, content end) of the DER element at `pos`; definite lengths only."""
    begin = pos
    if pos + 2 > end:
        raise _Unsupported
    tag, first = data[pos], data[pos + 1]
    if tag & 0x1F == 0x1F:  # high tag numbers never occur in PKCS#12
        raise _Unsupported
    pos += 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0 or count > 4 or pos + count > end:  # indefinite (BER) or absurd
            raise _Unsupported
        length = int.from_bytes(data[pos:pos + count], "big")
        pos += count
    if pos + length > end:
        raise _Unsupported
    return tag, pos, pos + length, begin


def _children(data: bytes, start: int, end: int) -> list[_Element]:
    found = []
    pos = start
    while pos < end:
        element = _tlv(data, pos, end)
        found.append(element)
        pos = element[2]
    return found


def _only(data: bytes, start: int, end: int) -> _Element:
    """The single element that fills `data[start:end]` exactly."""
    element = _tlv(data, start, end)
    if element[2] != end:
        raise _Unsupported
    return element


def _expect(element: _Element, tag: int) -> tuple[int, int]:
    if element[0] != tag:
        raise _Unsupported
    return element[1], element[2]


def _integer(data: bytes, element: _Element) -> int:
    start, end = _expect(element, _INTEGER)
    if end - start > 8:
        raise TooCostly  # an iteration count beyond 2**63
    return int.from_bytes(data[start:end], "big", signed=True)


def parse_plain_pfx(data: bytes, passwords: tuple[bytes, ...] = (b"\x00\x00", b"")) -> PlainBundle | None:
    """The key and certificates of a plain, MAC-verified PKCS#12, or None to defer to the full loader.

    `passwords` are the two encodings of "empty" (BMPString with its terminator, and
    nothing at all); exporters use either, as OpenSSL's own reader accepts.
    """
    try:
        return _parse(data, passwords)
    except _Unsupported:
        return None


def _parse(data: bytes, passwords: tuple[bytes, ...]) -> PlainBundle | None:
    outer = _only(data, 0, len(data))
    pfx = _children(data, *_expect(outer, _SEQUENCE))
    if len(pfx) != 3 or _integer(data, pfx[0]) != 3:  # without a MAC: not what exporters write
        raise _Unsupported
    auth_safe = _children(data, *_expect(pfx[1], _SEQUENCE))
    if len(auth_safe) != 2 or data[slice(*_expect(auth_safe[0], _OID))] != _OID_DATA:
        raise _Unsupported
    wrapper = _children(data, *_expect(auth_safe[1], _CONTEXT0))
    if len(wrapper) != 1:
        raise _Unsupported
    content = _expect(wrapper[0], _OCTETS)
    if not _mac_ok(data, pfx[2], data[content[0]:content[1]], passwords):
        raise _Unsupported
    key: bytes | None = None
    certs: list[bytes] = []
    for info in _children(data, *_expect(_only(data, *content), _SEQUENCE)):
        parts = _children(data, *_expect(info, _SEQUENCE))
        if len(parts) != 2 or data[slice(*_expect(parts[0], _OID))] != _OID_DATA:
            raise _Unsupported  # encrypted content: the full loader's job
        inner = _children(data, *_expect(parts[1], _CONTEXT0))
        if len(inner) != 1:
            raise _Unsupported
        safe_contents = _only(data, *_expect(inner[0], _OCTETS))
        for bag in _children(data, *_expect(safe_contents, _SEQUENCE)):
            fields = _children(data, *_expect(bag, _SEQUENCE))
            if len(fields) not in (2, 3):
                raise _Unsupported
            bag_id = data[slice(*_expect(fields[0], _OID))]
            value = _children(data, *_expect(fields[1], _CONTEXT0))
            if len(value) != 1:
                raise _Unsupported
            if bag_id == _OID_KEY_BAG:
                if key is not None:
                    raise _Unsupported
                _expect(value[0], _SEQUENCE)
                key = data[value[0][3]:value[0][2]]
            elif bag_id == _OID_CERT_BAG:
                cert_bag = _children(data, *_expect(value[0], _SEQUENCE))
                if len(cert_bag) != 2 or data[slice(*_expect(cert_bag[0], _OID))] != _OID_X509_CERT:
                    raise _Unsupported
                holder = _children(data, *_expect(cert_bag[1], _CONTEXT0))
                if len(holder) != 1:
                    raise _Unsupported
                certs.append(data[slice(*_expect(holder[0], _OCTETS))])
            else:
                raise _Unsupported  # shrouded keys, CRLs, secrets: the full loader's job
    return PlainBundle(key, tuple(certs))


def _mac_ok(data: bytes, mac_data: _Element, content: bytes, passwords: tuple[bytes, ...]) -> bool:
    parts = _children(data, *_expect(mac_data, _SEQUENCE))
    if len(parts) not in (2, 3):
        raise _Unsupported
    digest_info = _children(data, *_expect(parts[0], _SEQUENCE))
    if len(digest_info) != 2:
        raise _Unsupported
    algorithm = _children(data, *_expect(digest_info[0], _SEQUENCE))
    if not algorithm or len(algorithm) > 2 or (len(algorithm) == 2 and algorithm[1][0] != _NULL):
        raise _Unsupported
    hash_name = _MAC_HASHES.get(data[slice(*_expect(algorithm[0], _OID))])
    if hash_name is None:
        raise _Unsupported
    expected = data[slice(*_expect(digest_info[1], _OCTETS))]
    salt = data[slice(*_expect(parts[1], _OCTETS))]
    iterations = _integer(data, parts[2]) if len(parts) == 3 else 1
    if iterations > MAX_KDF_ITERATIONS:
        raise TooCostly
    if iterations < 1 or iterations > FAST_PATH_MAX_KDF_ITERATIONS:
        raise _Unsupported  # legal but slow in Python: OpenSSL derives it in C
    for password in passwords:
        key = _pkcs12_kdf(hash_name, password, salt, iterations)
        if hmac.compare_digest(hmac.new(key, content, hash_name).digest(), expected):
            return True
    return False


def _pkcs12_kdf(hash_name: str, password: bytes, salt: bytes, iterations: int) -> bytes:
    """RFC 7292 appendix B.2 with ID 3 (MAC key), producing one hash-length block."""
    block = hashlib.new(hash_name).block_size

    def stretch(value: bytes) -> bytes:
        if not value:
            return b""
        size = block * -(-len(value) // block)
        return (value * (size // len(value) + 1))[:size]

    new = getattr(hashlib, hash_name)  # the named constructor: about twice as fast as hashlib.new per round
    digest = new(bytes([3]) * block + stretch(salt) + stretch(password)).digest()
    for _ in range(iterations - 1):
        digest = new(digest).digest()
    return digest


def max_kdf_iterations(data: bytes) -> int:
    """The largest key-derivation round count anywhere in the bundle's readable structure.

    Looks for the shape every PKCS#12 round count has — an OCTET STRING salt directly
    followed by an INTEGER inside a SEQUENCE (MacData, PBES1 parameters, PBKDF2 parameters)
    — descending into OCTET STRINGs that hold DER. Checked before the full loader runs.
    Bags inside encrypted content cannot be seen before decryption; their cost is bounded
    only by OpenSSL.
    """
    best = 0

    def visit(data: bytes, elements: list[_Element], index: int) -> None:
        nonlocal best
        tag, s, e, _ = elements[index]
        if tag == _INTEGER and index > 0 and elements[index - 1][0] == _OCTETS and e - s > 0:
            best = max(best, int.from_bytes(data[s:e], "big", signed=True) if e - s <= 8 else 2**63)

    _walk(data, visit)
    return best


def key_bag_size(data: bytes) -> int | None:
    """Bytes of the largest key bag value (plain PKCS#8 or its encrypted form) visible before
    decryption, or None when no key bag is visible (none at all, or inside encrypted content).

    A key bag's size follows its RSA modulus: about 1,220 bytes for 2048 bits plain, ~1,330
    encrypted; ~1,800 and ~1,900 for 3072 bits. Attributes (friendly name, key id) sit
    outside the measured value, so an exporter's naming does not change it.
    """
    best: int | None = None

    def visit(data: bytes, elements: list[_Element], index: int) -> None:
        nonlocal best
        tag, s, e, _ = elements[index]
        if tag != _OID or data[s:e] not in (_OID_KEY_BAG, _OID_SHROUDED_KEY_BAG) or index + 1 >= len(elements):
            return
        value = elements[index + 1]
        if value[0] == _CONTEXT0:
            best = max(best or 0, value[2] - value[1])

    _walk(data, visit)
    return best


def _walk(data: bytes, visit: Callable[[bytes, list[_Element], int], None]) -> None:
    """Call `visit` on every element of the readable structure, descending into constructed
    elements and into OCTET STRINGs that hold DER, never deeper than `_MAX_DEPTH`."""

    def walk(start: int, end: int, depth: int) -> None:
        if depth > _MAX_DEPTH:
            return
        try:
            elements = _children(data, start, end)
        except _Unsupported:
            return
        for index, (tag, s, e, _) in enumerate(elements):
            visit(data, elements, index)
            if tag & 0x20:  # constructed
                walk(s, e, depth + 1)
            elif tag == _OCTETS and e - s >= 2 and data[s] in (_SEQUENCE, _SET):
                walk(s, e, depth + 1)

    walk(0, len(data), 0)


def rsa_key_is_consistent(numbers: rsa.RSAPrivateNumbers) -> bool:
    """The RSA key's parts agree with each other: what makes it safe to use without OpenSSL's check.

    Checks n = p·q with odd p, q > 2, e odd and > 1, d·e ≡ 1 (mod lcm(p−1, q−1)), and the
    CRT values dP, dQ, qInv. It does not re-test p and q for primality (the ~30 ms part of
    OpenSSL's check): a key with composite factors but consistent parts can only produce
    signatures the vault rejects, which registration reports as a refusal.
    """
    n, e = numbers.public_numbers.n, numbers.public_numbers.e
    p, q, d = numbers.p, numbers.q, numbers.d
    if not (p > 2 and q > 2 and p % 2 == 1 and q % 2 == 1 and p * q == n and e > 1 and e % 2 == 1):
        return False
    if not 0 < d < n:
        return False
    lam = (p - 1) * (q - 1) // gcd(p - 1, q - 1)
    if (d * e) % lam != 1:
        return False
    return numbers.dmp1 == d % (p - 1) and numbers.dmq1 == d % (q - 1) and (numbers.iqmp * q) % p == 1
