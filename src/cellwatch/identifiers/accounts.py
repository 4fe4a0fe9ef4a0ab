"""Social media accounts from handles or profile URLs to ``platform:canonical_id``.

Handles are case-folded (every platform here treats them case-insensitively) and
stripped of ``@``. A URL names its platform; a bare handle needs one to be given.
WhatsApp accounts are phone numbers, so their canonical id is the E.164 number.
"""

from __future__ import annotations

import re
from urllib.parse import SplitResult, parse_qs, unquote, urlsplit

from cellwatch.errors import InvalidFormat, UnknownComponent
from cellwatch.identifiers.model import IdentifierInfo, IdentifierType
from cellwatch.identifiers.msisdn import parse_msisdn
from cellwatch.identifiers.platforms import Platform, platform_at, platform_named

_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*://", re.IGNORECASE)
# "instagram.com/user", "www.facebook.com/x", "t.me/x": a host, then a slash.
_BARE_URL = re.compile(r"(?:[a-z0-9-]+\.)+[a-z]{2,}/", re.IGNORECASE)
_PREFIXED = re.compile(r"([a-z][a-z0-9.-]*):(?!//)(.+)", re.IGNORECASE)


def looks_like_account(text: str) -> bool:
    """True when ``text`` names its platform: a URL or ``platform:id``."""
    stripped = text.strip()
    if _SCHEME.match(stripped) or _BARE_URL.match(stripped):
        return True
    prefixed = _PREFIXED.fullmatch(stripped)
    return bool(prefixed and platform_named(prefixed.group(1)))


def parse_account(text: str, platform: str | None = None) -> IdentifierInfo:
    """Parse a profile URL, ``platform:id``, or a handle with ``platform`` given.

    >>> parse_account("https://twitter.com/SomeUser?lang=en").value
    'x:someuser'
    >>> parse_account("@Some.User", platform="Instagram").value
    'instagram:some.user'
    """
    stripped = text.strip()
    if not stripped:
        raise InvalidFormat("account is empty")
    given = _platform(platform) if platform else None
    if _SCHEME.match(stripped) or _BARE_URL.match(stripped):
        url = urlsplit(stripped if _SCHEME.match(stripped) else "https://" + stripped)
        found = platform_at(url.hostname or "")
        if found is None:
            raise UnknownComponent(f"no known social platform at {url.hostname or stripped}")
        if given is not None and given is not found:
            raise InvalidFormat(f"{url.hostname} is {found.label}, not {given.label}")
        return _build(found, _handle_from_url(found, url), "from a profile URL")
    prefixed = _PREFIXED.fullmatch(stripped)
    if prefixed and platform_named(prefixed.group(1)):
        named = _platform(prefixed.group(1))
        if given is not None and given is not named:
            raise InvalidFormat(f"{stripped} is {named.label}, not {given.label}")
        return _build(named, prefixed.group(2), "")
    if given is None:
        raise InvalidFormat(
            f"{stripped!r} is a bare handle: give its platform or a profile URL to make it "
            "an account"
        )
    return _build(given, stripped, "")


def _platform(name: str) -> Platform:
    found = platform_named(name)
    if found is None:
        raise UnknownComponent(f"unknown social platform {name!r}")
    return found


def _handle_from_url(platform: Platform, url: SplitResult) -> str:
    """The account a profile (or post) URL points at, before canonicalisation."""
    segments = [unquote(s) for s in url.path.split("/") if s]
    query = parse_qs(url.query)
    if platform.name == "whatsapp":
        # wa.me/447700900123, api.whatsapp.com/send?phone=447700900123
        phone = query.get("phone", [""])[0] or (segments[0] if segments else "")
        if not phone.lstrip("+").isdigit():
            raise InvalidFormat("WhatsApp link does not carry a phone number")
        return "+" + phone.lstrip("+")
    if platform.name == "facebook":
        if segments[:1] == ["profile.php"] and query.get("id"):
            return query["id"][0]
        if segments[:1] == ["people"] and len(segments) >= 3:
            return segments[2]  # /people/Display-Name/<numeric id>/
    if platform.name == "snapchat" and segments[:1] == ["add"] and len(segments) >= 2:
        return segments[1]
    if platform.name == "instagram" and segments[:1] == ["stories"] and len(segments) >= 2:
        return segments[1]
    if platform.name == "telegram" and segments[:1] == ["s"] and len(segments) >= 2:
        return segments[1]  # t.me/s/<channel>: the public preview
    if not segments:
        raise InvalidFormat(f"{platform.label} link has no account in it")
    first = segments[0]
    if platform.name == "telegram" and first.startswith("+"):
        raise InvalidFormat("Telegram invite link, not an account")
    if first.lower() in platform.reserved:
        raise InvalidFormat(f"{platform.label} link to /{first}/ is not a profile")
    if platform.name == "tiktok" and not first.startswith("@"):
        raise InvalidFormat("TikTok link is not a profile (profiles are tiktok.com/@name)")
    return first


def _build(platform: Platform, raw: str, how: str) -> IdentifierInfo:
    notes = [how] if how else []
    if platform.name == "whatsapp":
        number = parse_msisdn(raw if raw.startswith(("+", "0")) else "+" + raw)
        canonical = number.value
        notes.append(f"WhatsApp account of {number.display} ({number.details['line_type']})")
        display = f"WhatsApp {number.display}"
    else:
        handle = raw.strip().removeprefix("@").strip()
        canonical = handle.casefold() if platform.case_insensitive else handle
        if not platform.handle.fullmatch(canonical):
            raise InvalidFormat(
                f"{platform.label} handles are {platform.handle_rule}; got {handle!r}"
            )
        if canonical != handle:
            notes.append(
                f"{platform.label} handles are not case-sensitive: {handle} -> {canonical}"
            )
        numeric = platform.name == "facebook" and canonical.isdigit()
        display = (
            f"{platform.label} id {canonical}" if numeric else f"{platform.label} @{canonical}"
        )
    url = platform.profile_url.format(id=canonical.lstrip("+"))
    if platform.name == "facebook" and canonical.isdigit():
        url = f"https://www.facebook.com/profile.php?id={canonical}"
    details = {"platform": platform.name, "id": canonical, "profile_url": url}
    value = f"{platform.name}:{canonical}"
    return IdentifierInfo(IdentifierType.ACCOUNT, value, display, details, notes)
