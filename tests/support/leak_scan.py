"""Find secrets where they must not be: files, zip archives (nested), and texts.

Why so many forms: a secret leaks just as badly base64-encoded in a JSON blob, hex-dumped
in a debug log, percent-encoded in a proxy URL, or UTF-16 in a Windows file. A scan that
only looks for the plain value would pass those. Base64 is matched at all three byte
alignments (a secret inside a larger encoded buffer shifts by 0, 1 or 2 bytes), in the
standard and URL-safe alphabets, and also with line breaks removed (PEM/MIME wrapping).

This module is deliberately independent of the product's own redaction code, so a bug in
one cannot hide a bug in the other. Findings name the secret by index, never by value.
"""

from __future__ import annotations

import base64
import gzip
import io
import json
import os
import re
import subprocess
import tempfile
import time
import zipfile
from pathlib import Path
from urllib.parse import quote, quote_plus

_WHITESPACE = re.compile(rb"\s+")
MAX_ZIP_DEPTH = 4


def base64_fragments(secret: bytes) -> dict[str, bytes]:
    """For each alignment, the part of base64(… + secret + …) that depends only on `secret`."""
    out: dict[str, bytes] = {}
    for align in range(3):
        encoded = base64.b64encode(b"\0" * align + secret)
        skip = {0: 0, 1: 2, 2: 3}[align]        # leading chars that mix in preceding bytes
        whole = ((align + len(secret)) // 3) * 4  # trailing chars of a partial group mix in following bytes
        fragment = encoded[skip:whole]
        if len(fragment) >= 8:
            out[f"base64@{align}"] = fragment
            urlsafe = fragment.translate(bytes.maketrans(b"+/", b"-_"))
            if urlsafe != fragment:
                out[f"base64url@{align}"] = urlsafe
    return out


def encoded_forms(secret: str | bytes) -> dict[str, bytes]:
    """Every form of `secret` the scan looks for, by name.

    A `bytes` secret (key material) is looked for raw, in hex and in base64 at every alignment.
    """
    if isinstance(secret, bytes):
        raw_forms: dict[str, bytes] = {"raw": secret, "hex": secret.hex().encode(), "HEX": secret.hex().upper().encode()}
        raw_forms.update(base64_fragments(secret))
        return raw_forms
    raw = secret.encode("utf-8")
    forms: dict[str, bytes] = {
        "plain": raw,
        "hex": raw.hex().encode(),
        "HEX": raw.hex().upper().encode(),
        "utf-16-le": secret.encode("utf-16-le"),
        "url-encoded": quote(secret, safe="").encode(),
        "url-encoded-plus": quote_plus(secret, safe="").encode(),
        "json-escaped": json.dumps(secret)[1:-1].encode(),
    }
    forms["url-encoded-lower"] = re.sub(rb"%[0-9A-F]{2}", lambda m: m.group(0).lower(), forms["url-encoded"])
    forms.update(base64_fragments(raw))
    unique: dict[str, bytes] = {}
    for name, value in forms.items():
        if value not in unique.values():
            unique[name] = value
    return unique


def private_key_secrets(pem: bytes) -> list[str | bytes]:
    """What of an (unencrypted PEM) private key is secret: its private numbers, raw and in decimal.

    Why not fragments of the PEM text: a PKCS#8 body starts with the same ASN.1 header for
    every key of its type and ends (EC) with the public key, which the vault legitimately
    keeps in the certificate; neither is secret, so a scan for them finds innocent files.
    """
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    key = serialization.load_pem_private_key(pem, password=None)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        values = [(key.private_numbers().private_value, (key.curve.key_size + 7) // 8)]
    elif isinstance(key, rsa.RSAPrivateKey):
        numbers = key.private_numbers()
        values = [(n, (n.bit_length() + 7) // 8) for n in (numbers.d, numbers.p, numbers.q)]
    else:
        raise TypeError(f"no rule for {type(key).__name__}")
    found: list[str | bytes] = []
    for value, size in values:
        found += [value.to_bytes(size, "big"), str(value)]
    return found


def scan_bytes(data: bytes, secrets: list[str | bytes], where: str) -> list[str]:
    """Findings for one blob: `where: secret[i] as <form>`."""
    findings: list[str] = []
    squeezed = _WHITESPACE.sub(b"", data)
    for index, secret in enumerate(secrets):
        for form, needle in encoded_forms(secret).items():
            if needle in data or (form.startswith(("base64", "hex", "HEX")) and needle in squeezed):
                findings.append(f"{where}: secret[{index}] as {form}")
    return findings


def _scan_blob(data: bytes, secrets: list[str | bytes], where: str, depth: int) -> list[str]:
    findings = scan_bytes(data, secrets, where)
    if depth < MAX_ZIP_DEPTH and data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for member in archive.infolist():
                    if member.is_dir():
                        continue
                    inner = archive.read(member)
                    findings += _scan_blob(inner, secrets, f"{where}!{member.filename}", depth + 1)
        except (zipfile.BadZipFile, RuntimeError, ValueError) as exc:
            findings.append(f"{where}: unreadable zip ({type(exc).__name__}); cannot prove it clean")
    elif data[:2] == b"\x1f\x8b" and depth < MAX_ZIP_DEPTH:
        try:
            findings += _scan_blob(gzip.decompress(data), secrets, f"{where}!gunzip", depth + 1)
        except (OSError, EOFError):
            findings.append(f"{where}: unreadable gzip; cannot prove it clean")
    return findings


def iter_files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.is_file() and not p.is_symlink())
        elif path.is_file():
            files.append(path)
    return files


def find_leaks(secrets: list[str | bytes], paths: list[Path], extra_texts: list[str] | None = None) -> list[str]:
    """Every place any of `secrets` occurs, in any encoded form; [] means clean.

    `paths` are files or directories (scanned recursively, zip and gzip contents included);
    `extra_texts` are strings such as a process's argv, stdout or an exception text.
    A `bytes` secret is key material, looked for raw, in hex and in base64.
    """
    if any(not s for s in secrets):
        raise ValueError("empty secret: would match everything")
    findings: list[str] = []
    for file in iter_files(paths):
        findings += _scan_blob(file.read_bytes(), secrets, str(file), 0)
    for index, text in enumerate(extra_texts or []):
        findings += _scan_blob(text.encode("utf-8", "surrogateescape"), secrets, f"text[{index}]", 0)
    return findings


def _children(pid: int) -> list[int]:
    """Direct children of `pid`, from /proc/*/stat (field 4 is the parent's PID)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # gone meanwhile
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def _cmdlines(root: int) -> list[str]:
    """The argv (as the OS shows it to every user) of `root` and all its descendants."""
    seen, pending = [], [root]
    while pending:
        pid = pending.pop()
        try:
            raw = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if raw:
            seen.append(raw.replace(b"\0", b" ").decode("utf-8", "surrogateescape").strip())
        pending += _children(pid)
    return seen


def run_watching_argv(command: list[str], *, env: dict[str, str], timeout: float = 120.0,
                      interval: float = 0.002) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Run `command`; also return every distinct argv it and its descendants had while running.

    Why: the argv a test passes is known to be clean; what matters is what the OS shows
    (`ps`, /proc) while the product runs, including any child it starts. Linux (/proc) only.
    """
    seen: list[str] = []
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, env=env, text=True)
        deadline = time.monotonic() + timeout
        try:
            while process.poll() is None:
                for line in _cmdlines(process.pid):
                    if line not in seen:
                        seen.append(line)
                if time.monotonic() > deadline:
                    raise subprocess.TimeoutExpired(command, timeout)
                time.sleep(interval)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(command, process.returncode, out.read(), err.read()), seen


def own_argv() -> str:
    """This process's argv as the OS shows it (for in-process faces such as the wizard)."""
    path = Path(f"/proc/{os.getpid()}/cmdline")
    return path.read_bytes().replace(b"\0", b" ").decode("utf-8", "surrogateescape") if path.exists() else ""
