"""Bypass lists: which vault hosts go direct even though a proxy (custom or PAC) is configured.

One entry is one of:

* a CIDR range or a single IP address (``10.0.0.0/8``, ``192.168.1.5``, ``fd00::/8``): matches a
  host written as an address in it. A host *name* is not resolved to match a range: resolving
  would add a DNS round trip (and its failure modes) before every connection, and the answer
  could differ from the address the proxy would reach; Windows' own bypass list behaves the same.
* a host pattern: an exact name (``vault.corp.example``), a leading-wildcard suffix
  (``*.corp.example`` matches ``a.corp.example`` and ``a.b.corp.example`` but not
  ``corp.example``), a leading dot (``.corp.example``, the curl/`no_proxy` spelling: the domain
  and everything under it), or ``<local>`` (Windows' spelling: any name without a dot).

Names compare case-insensitively and without a trailing dot. Pure: no DNS, no sockets, so the
validators can check entries per keystroke and the same rules decide at connection time.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")
LOCAL = "<local>"


@dataclass(frozen=True)
class BypassRule:
    """A parsed entry; `text` is what the administrator wrote (for messages)."""

    text: str
    network: ipaddress.IPv4Network | ipaddress.IPv6Network | None = None
    suffix: str = ""        # "corp.example" for "*.corp.example" / ".corp.example"
    include_self: bool = False  # ".corp.example" also matches "corp.example"
    exact: str = ""
    local: bool = False

    def matches(self, host: str) -> bool:
        name = _normal(host)
        if self.network is not None:
            address = _address(name)
            return address is not None and address.version == self.network.version and address in self.network
        if self.local:
            return "." not in name and ":" not in name
        if self.exact:
            return name == self.exact
        return name.endswith("." + self.suffix) or (self.include_self and name == self.suffix)


def _normal(host: str) -> str:
    return host.strip().strip("[]").rstrip(".").lower()


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _is_name(text: str) -> bool:
    """A DNS name; one whose last label is all digits (``300.1.1.1``) is a mistyped address, not a name."""
    labels = text.split(".")
    return bool(text) and len(text) <= 253 and all(_LABEL.match(label) for label in labels) \
        and not labels[-1].isdigit()


def parse_rule(entry: str) -> BypassRule | None:
    """The rule an entry means, or None when it is none of the accepted forms."""
    text = entry.strip()
    lowered = text.lower()
    if lowered == LOCAL:
        return BypassRule(text, local=True)
    if any(c in lowered for c in "/:") or _address(lowered) is not None:
        try:
            return BypassRule(text, network=ipaddress.ip_network(lowered.strip("[]"), strict=False))
        except ValueError:
            return None
    name = lowered.rstrip(".")
    if name.startswith("*."):
        return BypassRule(text, suffix=name[2:]) if _is_name(name[2:]) else None
    if name.startswith("."):
        return BypassRule(text, suffix=name[1:], include_self=True) if _is_name(name[1:]) else None
    return BypassRule(text, exact=name) if _is_name(name) else None


def invalid_entries(entries: tuple[str, ...]) -> list[str]:
    """The entries that are not a host pattern, address or CIDR range (for the validator)."""
    return [entry for entry in entries if parse_rule(entry) is None]


def bypass_rule_for(entries: tuple[str, ...], host: str) -> BypassRule | None:
    """The first rule that sends `host` direct, or None (invalid entries are ignored here; the
    validator refuses them before any connection)."""
    for entry in entries:
        rule = parse_rule(entry)
        if rule is not None and rule.matches(host):
            return rule
    return None


def split_entries(text: str) -> tuple[str, ...]:
    """A typed list (commas, semicolons, spaces or new lines between entries) as entries."""
    return tuple(part for part in re.split(r"[\s,;]+", text) if part)
