"""Where a webhook may send: not into the server's own networks (SSRF).

An address is resolved, and every address it resolves to must be public (not loopback,
private, link-local such as cloud metadata at 169.254.169.254, shared, reserved or
multicast, also when written as an IPv4-mapped IPv6 address, in hex or as one decimal
number) unless it lies in a network the operator allows in
CAMPUS_WEBHOOK_ALLOWED_NETWORKS (a system house's ITSM may sit in a private range).
The check runs when the webhook is saved and again before each sending, and the
sending connects to the address that was checked (a name cannot be pointed elsewhere in
between).
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app

from campus.config import ConfigError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
DEFAULT_PORTS = {"http": 80, "https": 443}


class RefusedTarget(Exception):
    """The address may not be sent to; `reason` is short and says nothing of the inside."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str  # with the query
    address: str  # the checked IP address to connect to


def allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    raw = current_app.config.get("WEBHOOK_ALLOWED_NETWORKS") or []
    if isinstance(raw, str):
        raw = [part for part in raw.replace(",", " ").split() if part]
    try:
        return [ipaddress.ip_network(str(net), strict=False) for net in raw]
    except ValueError as error:
        raise ConfigError(f"CAMPUS_WEBHOOK_ALLOWED_NETWORKS: {error}") from error


NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _plain(address: IPAddress) -> IPAddress:
    """An IPv4 address written inside an IPv6 one (::ffff:127.0.0.1, 6to4, NAT64) as the
    IPv4 address it reaches."""
    if not isinstance(address, ipaddress.IPv6Address):
        return address
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def permitted(address: IPAddress) -> bool:
    address = _plain(address)
    if any(address in network for network in allowed_networks()):
        return True
    return address.is_global and not address.is_multicast


def check(url: str) -> Target:
    """The URL's target, resolved and checked; RefusedTarget if it may not be sent to."""
    parts = urlsplit(url)
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise RefusedTarget("not an http(s) address")
    if parts.username or parts.password:
        raise RefusedTarget("user names in the address are not allowed")
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError as error:
        raise RefusedTarget("bad port") from error
    try:
        found = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise RefusedTarget("host name not found") from error
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in found]
    if not addresses or not all(permitted(a) for a in addresses):
        raise RefusedTarget("address not allowed")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(parts.scheme, parts.hostname, port, path, str(addresses[0]))
