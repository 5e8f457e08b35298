"""No server-side request forgery: a webhook may reach only public addresses.

Checked when an endpoint is saved (the URL's host, resolved) and again before every send,
after DNS resolution, because a name's answer can change between the two (DNS rebinding):
the sender then connects to the very address checked here, never resolving again. A host
named in WEBHOOK_ALLOWED_HOSTS (tests, development, a city's own intranet receiver) skips
the address check and may use plain http.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app


class Refused(ValueError):
    """The URL may not be called; the message says why, for the admin and the attempt log."""


@dataclass(frozen=True)
class Target:
    """Where one send goes: the URL's parts and the one checked address to connect to."""

    scheme: str
    host: str  # as written in the URL (the Host header, TLS SNI and certificate name)
    port: int
    path: str  # path and query
    address: str  # the IP address to connect to


def allowed_hosts() -> set[str]:
    raw = current_app.config.get("WEBHOOK_ALLOWED_HOSTS") or ""
    return {host.strip().lower().strip("[]") for host in raw.split(",") if host.strip()}


def parse(url: str) -> tuple[str, str, int, str]:
    """Scheme, host, port and path of an acceptable webhook URL, or Refused."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise Refused(f"not a valid URL: {exc}") from None
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    if not host:
        raise Refused("the URL has no host")
    if parts.username or parts.password:
        raise Refused("credentials in the URL are not allowed; the payload is signed instead")
    if scheme != "https" and not (scheme == "http" and host in allowed_hosts()):
        raise Refused("the URL must use https")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, host, port or (443 if scheme == "https" else 80), path


def public_address_problem(address: str) -> str | None:
    """Why `address` is not a public unicast address (None when it is)."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    # Most specific first: 169.254.169.254 (cloud metadata) is link-local before it is private.
    for label, flag in (("loopback", ip.is_loopback), ("link-local", ip.is_link_local),
                        ("unspecified", ip.is_unspecified), ("multicast", ip.is_multicast),
                        ("reserved", ip.is_reserved), ("private", ip.is_private)):
        if flag:
            return f"{address} is a {label} address"
    if not ip.is_global:
        return f"{address} is not a public address"
    return None


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (an IP literal is itself)."""
    try:
        return [str(ipaddress.ip_address(host))]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise Refused(f"{host} does not resolve: {exc}") from None
    return list(dict.fromkeys(info[4][0] for info in infos))


def check(url: str) -> Target:
    """The Target to connect to for `url`; Refused when any address it resolves to is not public."""
    scheme, host, port, path = parse(url)
    addresses = resolve(host, port)
    if host not in allowed_hosts():
        # Every answer must be public: a name with one private answer is refused whole, so a
        # receiver cannot be steered to it by the order of the answers.
        for address in addresses:
            problem = public_address_problem(address)
            if problem:
                raise Refused(problem if address == host else f"{host} resolves to a non-public address: {problem}")
    return Target(scheme, host, port, path, addresses[0])
