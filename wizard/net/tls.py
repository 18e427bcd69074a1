"""The TLS context every vault connection uses: TLS 1.2 minimum, OS trust store plus an optional CA bundle.

`truststore` makes the context verify against the operating system's store (Windows
certificate store, macOS keychain, OpenSSL's paths on Linux), which is what machines
behind a TLS-inspecting proxy need; a CA bundle chosen in the settings is added on top.
Building a context reads the system store (milliseconds), so contexts are cached per
bundle file and its modification time; SSLContext is safe to share between threads.

On Linux and the BSDs truststore's "OS store" *is* OpenSSL's default verify paths, but it
reloads them on every connection (~20 ms) under one lock, which serialised every
handshake of a 50-thread fleet. There we load the same paths (or the same fallback
bundle truststore would pick) once into a standard context: identical trust, paid once.
macOS, where truststore calls the platform verifier, always uses truststore.

Windows with a CA bundle: truststore would verify through a custom CryptoAPI chain engine
that trusts only the bundle (`hExclusiveRoot`), which Wine 8 does not honour: a private CA
given on the Backup Vault page was refused as "not trusted" there. So on Windows a bundle
gets an OpenSSL-verified context holding the Windows certificate stores (CPython's
`load_default_certs` reads the system ROOT and CA stores, where an inspecting proxy's CA is
deployed) *and* the bundle: both are trusted, the vault's IP-address SANs match as on
Linux. Without a bundle Windows uses truststore (the platform verifier, revocation and
policy included).
"""

from __future__ import annotations

import functools
import platform
import ssl
from pathlib import Path

from wizard.core.errors import RegisterServerError


def ssl_context(ca_bundle: Path | str | None = None) -> ssl.SSLContext:
    """A verifying client context; `vault.ca_bundle_unreadable` if the bundle cannot be used."""
    if ca_bundle is None:
        return _cached(None, 0)
    path = Path(ca_bundle)
    try:
        stamp = path.stat().st_mtime_ns
    except OSError as exc:
        raise RegisterServerError("vault.ca_bundle_unreadable", detail=f"({path}: {exc.strerror})") from None
    return _cached(str(path), stamp)


@functools.lru_cache(maxsize=16)
def _cached(ca_bundle: str | None, stamp: int) -> ssl.SSLContext:
    context = _os_store_context(with_bundle=ca_bundle is not None)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if ca_bundle is not None:
        try:
            context.load_verify_locations(cafile=ca_bundle)
        except (OSError, ssl.SSLError, ValueError):
            raise RegisterServerError("vault.ca_bundle_unreadable", detail=f"({ca_bundle})") from None
    return context


def _os_store_context(*, with_bundle: bool = False) -> ssl.SSLContext:
    """A verifying context on the OS's trust store, ready to have a bundle added on top."""
    system = platform.system()
    if system == "Windows" and with_bundle:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        load_windows_stores(context)  # the Windows ROOT and CA stores
        return context
    if system in ("Windows", "Darwin"):
        import truststore

        return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)  # CERT_REQUIRED + check_hostname by default
    try:
        from truststore import _openssl  # the same choice of store truststore makes on this OS
    except ImportError:  # a future truststore reorganised its internals: OpenSSL's defaults
        context.load_default_certs()
        return context
    with _openssl._configure_context(context):
        pass
    return context


def load_windows_stores(context: ssl.SSLContext) -> None:
    """What `load_default_certs` does on Windows, but handed to OpenSSL as PEM.

    Why: CPython 3.11's `load_default_certs` passes the stores' certificates as one DER blob,
    and its `_ssl` expects OpenSSL 3.0's error at the blob's end; OpenSSL 3.5, which the Windows
    build ships, reports that end as ASN1 NOT_ENOUGH_DATA and the call fails (measured under
    Wine). The PEM reader's end-of-data error is the same on every OpenSSL 3. Same selection as
    CPython: X.509 certificates trusted for every purpose or for server authentication."""
    enum_certificates = getattr(ssl, "enum_certificates")  # Windows only
    pem = [ssl.DER_cert_to_PEM_cert(cert)
           for store in ("CA", "ROOT")
           for cert, encoding, trust in enum_certificates(store)
           if encoding == "x509_asn" and (trust is True or ssl.Purpose.SERVER_AUTH.oid in trust)]
    if pem:
        context.load_verify_locations(cadata="".join(pem))
