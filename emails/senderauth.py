"""Is the From of a message proven? DKIM and SPF results, aligned with the From domain (DMARC).

Two sources of results, never mixed:
- `verify_at_edge`: the inbound listener, when it is the edge (no MTA in front), checks every
  DKIM signature (dkimpy) and SPF for the client address (pyspf) itself, and keeps the
  verdict beside the stored message, where no sender can write it.
- `trusted_results`: behind an MTA, the `Authentication-Results` headers (RFC 8601) whose
  authserv-id is the configured one; any other such header was written by someone else.

`judge` then applies DMARC's rule (RFC 7489 3.1, relaxed alignment): the sender is proven
when a DKIM signature that passed, or an SPF pass for the envelope sender, belongs to the
same organizational domain as the From address. A receiving MTA's own `dmarc=pass` or
`dmarc=fail` for that From domain is taken as it stands.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

import authres
import dkim
import spf
from publicsuffixlist import PublicSuffixList

from emails.dns import dkim_dnsfunc, spf_resolver

log = logging.getLogger(__name__)

_PSL = PublicSuffixList()  # the list shipped with the package: no download at run time
_DKIM_SIGNATURE = re.compile(rb"^dkim-signature\s*:", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class Check:
    method: str  # "dkim", "spf" or "dmarc"
    result: str  # "pass", "fail", "softfail", "none", "temperror", ...
    domain: str  # header.d, the domain of smtp.mailfrom, or header.from


@dataclass(frozen=True)
class SenderProof:
    verdict: str  # "pass" (proven), "fail" (the domain's checks said no), "none" (nothing proves it)
    reason: str  # for people: what was checked and what it said

    @property
    def proven(self) -> bool:
        return self.verdict == "pass"


def _domain(address_or_domain: str) -> str:
    return address_or_domain.rpartition("@")[2].strip().strip(".").lower()


def organizational_domain(domain: str) -> str:
    """example.org for mail.example.org; the Public Suffix List decides where the suffix ends."""
    domain = _domain(domain)
    return _PSL.privatesuffix(domain) or domain


def aligned(a: str, b: str) -> bool:
    return bool(a and b) and organizational_domain(a) == organizational_domain(b)


def _dkim_checks(raw: bytes, resolver) -> list[Check]:
    count = len(_DKIM_SIGNATURE.findall(raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]))
    checks = []
    for index in range(count):
        verifier = dkim.DKIM(raw, logger=log)
        try:
            passed = verifier.verify(idx=index, dnsfunc=dkim_dnsfunc(resolver))
            result = "pass" if passed else "fail"
        except dkim.KeyFormatError:
            result = "permerror"
        except dkim.DKIMException:
            result = "fail"
        except Exception:  # a DNS failure: try again later would be a temperror, never a pass
            result = "temperror"
        domain = (verifier.signature_fields or {}).get(b"d", b"").decode("ascii", "replace")
        checks.append(Check("dkim", result, domain.lower()))
    return checks or [Check("dkim", "none", "")]


def _spf_check(ip: str, mail_from: str, helo: str, resolver) -> Check:
    sender = mail_from or (f"postmaster@{helo}" if helo else "")
    if not ip or not sender:
        return Check("spf", "none", _domain(sender))
    with spf_resolver(resolver):
        try:
            result, _ = spf.check2(i=ip, s=sender, h=helo or "unknown", querytime=20)
        except Exception:
            result = "temperror"
    return Check("spf", result, _domain(sender))


def verify_at_edge(raw: bytes, *, ip: str, helo: str, mail_from: str, resolver, authserv_id: str) -> str:
    """Check DKIM and SPF ourselves; return the verdict as an Authentication-Results value."""
    checks = _dkim_checks(raw, resolver) + [_spf_check(ip, mail_from, helo, resolver)]
    results = []
    for check in checks:
        if check.method == "dkim":
            results.append(authres.DKIMAuthenticationResult(result=check.result, header_d=check.domain or None))
        else:
            results.append(authres.SPFAuthenticationResult(
                result=check.result, smtp_mailfrom=mail_from or None, smtp_helo=None if mail_from else helo))
    header = str(authres.AuthenticationResultsHeader(authserv_id=authserv_id, results=results))
    return header.split(":", 1)[1].strip()


def _property(result, ptype: str, name: str) -> str:
    for prop in result.properties:
        if prop.type == ptype and prop.name == name and prop.value:
            return str(prop.value)
    return ""


def parse_results(value: str) -> tuple[str, list[Check]]:
    """The authserv-id and the checks of one `Authentication-Results` value ("", [] if unreadable)."""
    try:
        header = authres.AuthenticationResultsHeader.parse(f"Authentication-Results: {value}")
    except Exception:  # unparseable: it proves nothing
        return "", []
    checks = []
    for result in header.results:
        method = str(result.method).lower()
        domain = {"dkim": _property(result, "header", "d"),
                  "spf": _property(result, "smtp", "mailfrom") or _property(result, "smtp", "helo"),
                  "dmarc": _property(result, "header", "from")}.get(method)
        if domain is not None:
            checks.append(Check(method, str(result.result).lower(), _domain(domain)))
    return str(header.authserv_id or ""), checks


def trusted_results(values: list[str], authserv_id: str) -> list[Check]:
    """The checks in the `Authentication-Results` values whose authserv-id is `authserv_id`."""
    checks = []
    for value in values:
        found_id, found = parse_results(value)
        if authserv_id and found_id.lower() == authserv_id.lower():
            checks += found
    return checks


def _said(checks: list[Check]) -> str:
    return ", ".join(f"{c.method}={c.result}" + (f" ({c.domain})" if c.domain else "") for c in checks) or "no results"


def judge(from_address: str, checks: list[Check]) -> SenderProof:
    """DMARC's question for the From domain: did an aligned DKIM or SPF pass prove it?"""
    from_domain = _domain(from_address)
    if not from_domain:
        return SenderProof("none", "the message has no From address to prove")
    said = _said(checks)
    for check in checks:
        if check.method == "dmarc" and check.domain == from_domain and check.result in ("fail", "pass"):
            return SenderProof(check.result, f"DMARC {check.result} for {from_domain}: {said}")
    for check in checks:
        if check.method in ("dkim", "spf") and check.result == "pass" and aligned(check.domain, from_domain):
            return SenderProof("pass", f"{check.method.upper()} pass aligned with {from_domain}: {said}")
    if any(c.method == "spf" and c.result == "fail" and aligned(c.domain, from_domain) for c in checks):
        return SenderProof("fail", f"SPF fail for {from_domain}: {said}")
    return SenderProof("none", f"no DKIM signature or SPF pass aligned with {from_domain}: {said}")
