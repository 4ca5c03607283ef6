"""Which host names the standalone server answers to (see docs/serving.md).

A web page on another site can make the browser of someone at the workshop talk to a server
bound to 127.0.0.1 by pointing its own host name at 127.0.0.1 (DNS rebinding): the browser
then treats the server as that site, and the site's scripts can drive it like any visitor.
Every such request carries the site's name in its `Host` header, so the server answers only
to the names it is known by: this machine (`DEFAULT_HOSTS`), the address it is bound to,
and the names `mentorkit serve` hands it in `ALLOWED_HOSTS_VARIABLE` (the host of
`--public-url`). Everything else gets a plain 403 page before any handler runs.

An IP address typed in the address bar cannot be a rebinding (the `Host` header is then the
address itself), so a server bound to every address (`0.0.0.0`, `::`) also answers to any
IP address: people in the room open it at the machine's address on the local network.

Pure functions only: the server's routes are in `mentorkit.jupyter.server`.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

#: This machine's names, always served.
DEFAULT_HOSTS = ("127.0.0.1", "localhost", "[::1]")
#: Comma-separated further names, set by `mentorkit serve` (e.g. from `--public-url`).
ALLOWED_HOSTS_VARIABLE = "MENTORKIT_ALLOWED_HOSTS"
#: Addresses that mean "every address of this machine" when a server is bound to them.
WILDCARD_ADDRESSES = frozenset({"", "0.0.0.0", "::", "[::]"})

_PORT = re.compile(r":\d*$")


def normalise_host(host: str) -> str:
    """`host` (a `Host` header, a name or an address, with or without a port) as compared:
    lower case, no port, no trailing dot, an IPv6 address in brackets in its short form;
    empty when it is not a plausible host at all."""
    host = host.strip().lower()
    if host.startswith("["):
        address, bracket, rest = host[1:].partition("]")
        if not bracket or (rest and not _PORT.fullmatch(rest)):
            return ""
        try:
            return f"[{ipaddress.IPv6Address(address).compressed}]"
        except ValueError:
            return ""
    if host.count(":") > 1:  # a bare IPv6 address, as given to --host
        try:
            return f"[{ipaddress.IPv6Address(host).compressed}]"
        except ValueError:
            return ""
    host = _PORT.sub("", host).rstrip(".")
    if not host or not re.fullmatch(r"[a-z0-9._-]+", host):
        return ""
    return host


def is_ip_address(host: str) -> bool:
    """Whether a normalised host is an IP address rather than a name."""
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def host_of_url(url: str) -> str:
    """The normalised host of an http(s) URL such as `--public-url`'s; empty if it has none."""
    parts = urlsplit(url.strip())
    if parts.scheme not in {"http", "https"}:
        return ""
    return normalise_host(parts.netloc.rpartition("@")[2])


def parse_host_list(text: str) -> frozenset[str]:
    """The names in a comma- or space-separated list (ALLOWED_HOSTS_VARIABLE), normalised;
    entries that are not host names are left out."""
    names = (normalise_host(part) for part in re.split(r"[,\s]+", text))
    return frozenset(name for name in names if name)


@dataclass(frozen=True)
class HostPolicy:
    """The host names a server answers to; with `any_address`, any IP address as well."""

    names: frozenset[str]
    any_address: bool = False

    def allows(self, host_header: str) -> bool:
        """Whether a request with this `Host` header is served."""
        host = normalise_host(host_header)
        if not host:
            return False
        return host in self.names or (self.any_address and is_ip_address(host))


def host_policy(
    bound_address: str, extra: Iterable[str] = (), environ: Mapping[str, str] | None = None
) -> HostPolicy:
    """The policy of a server bound to `bound_address`: this machine's names, that address
    (or, bound to every address, any IP address), `extra` names and those listed in
    ALLOWED_HOSTS_VARIABLE of `environ` (the process environment by default)."""
    environ = os.environ if environ is None else environ
    names = set(DEFAULT_HOSTS)
    names.update(parse_host_list(",".join(extra)))
    names.update(parse_host_list(environ.get(ALLOWED_HOSTS_VARIABLE, "")))
    wildcard = bound_address.strip().lower() in WILDCARD_ADDRESSES
    if not wildcard and normalise_host(bound_address):
        names.add(normalise_host(bound_address))
    return HostPolicy(frozenset(names), any_address=wildcard)
