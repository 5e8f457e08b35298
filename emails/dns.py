"""DNS answers for sender authentication (DKIM keys, SPF records), from one resolver object.

dkimpy takes a `dnsfunc`, pyspf reads its module-level `DNSLookup`; both are fed from a
resolver with one method, `lookup(name, qtype) -> list`, so tests answer DNS from a table
(`StaticResolver`) and nothing in a test run ever asks the network.
Values: TXT -> bytes (the record's strings joined), A/AAAA/PTR -> str, MX -> (preference, host).
"""

from __future__ import annotations

import contextlib
import contextvars

import spf


class DnsTemporaryError(Exception):
    """The answer could not be had now (timeout, no server): a temperror, never a fail."""


class StaticResolver:
    """Answers from a table {(name, qtype): [values]}; any other name does not exist."""

    def __init__(self, records: dict[tuple[str, str], list] | None = None):
        self.records = {(name.lower().rstrip("."), qtype.upper()): list(values)
                        for (name, qtype), values in (records or {}).items()}

    def lookup(self, name: str, qtype: str) -> list:
        values = self.records.get((name.lower().rstrip("."), qtype.upper()), [])
        return [v.encode() if qtype.upper() == "TXT" and isinstance(v, str) else v for v in values]


class SystemResolver:
    """The machine's resolver, through dnspython."""

    def __init__(self, timeout: float = 5.0):
        self.timeout = timeout

    def lookup(self, name: str, qtype: str) -> list:
        import dns.exception
        import dns.resolver

        try:
            answers = dns.resolver.resolve(name, qtype, lifetime=self.timeout)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return []
        except dns.exception.DNSException as exc:
            raise DnsTemporaryError(str(exc)) from exc
        qtype = qtype.upper()
        if qtype == "TXT":
            return [b"".join(r.strings) for r in answers]
        if qtype == "MX":
            return [(r.preference, r.exchange.to_text(True)) for r in answers]
        if qtype == "PTR":
            return [r.target.to_text(True) for r in answers]
        return [r.to_text() for r in answers]


def dkim_dnsfunc(resolver):
    """dkimpy's `dnsfunc(name, timeout)`: the TXT record as bytes, or None."""

    def txt(name, timeout=5):
        text = name.decode() if isinstance(name, bytes) else name
        values = resolver.lookup(text.rstrip("."), "TXT")
        return values[0] if values else None

    return txt


# pyspf has no DNS parameter: it calls its module-level `DNSLookup`. We install one adapter,
# once, that asks the resolver of the check running in this thread (or pyspf's own default).
_spf_resolver: contextvars.ContextVar = contextvars.ContextVar("spf_resolver", default=None)
_pyspf_default_lookup = spf.DNSLookup


def _spf_lookup(name, qtype, strict=True, timeout=20):
    resolver = _spf_resolver.get()
    if resolver is None:
        return _pyspf_default_lookup(name, qtype, strict, timeout)
    try:
        values = resolver.lookup(name, qtype)
    except DnsTemporaryError as exc:
        raise spf.TempError(f"DNS {exc}") from exc
    if qtype in ("TXT", "SPF"):
        return [((name, qtype), [v]) for v in values]
    return [((name, qtype), v) for v in values]


spf.DNSLookup = _spf_lookup


@contextlib.contextmanager
def spf_resolver(resolver):
    """Within the block, pyspf in this thread asks `resolver`."""
    token = _spf_resolver.set(resolver)
    try:
        yield
    finally:
        _spf_resolver.reset(token)
