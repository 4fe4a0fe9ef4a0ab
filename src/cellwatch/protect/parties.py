"""Reading a sender or protected identifier: a number (E.164) or ``platform:handle``.

The identifiers package is strict about each platform's handle rules; people report
what they saw, and a handle a platform would not issue today (``daniel_84x`` on
Facebook) is still the account that messaged them. So a handle refused only for its
shape is kept in the same canonical form, lower-cased, and flagged ``lenient_handle``.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from cellwatch.errors import InvalidData, InvalidFormat, InvalidIdentifier
from cellwatch.identifiers import classify
from cellwatch.identifiers.platforms import platform_at, platform_named


@dataclass(frozen=True)
class Party:
    """A normalised sender or protected identifier."""

    type: str  # MSISDN or ACCOUNT (IMEI/IMSI are accepted too)
    value: str
    lenient: bool = False
    # The identifier verdict's flags (``unallocated_number``), as every kind gives them.
    flags: tuple[str, ...] = ()


def _lenient_account(text: str, platform: str | None) -> Party | None:
    stripped = text.strip()
    found = platform_named(platform) if platform else None
    handle = stripped
    if "://" in stripped or "/" in stripped:
        url = urlsplit(stripped if "://" in stripped else "https://" + stripped)
        host = (url.hostname or "").removeprefix("www.").removeprefix("m.")
        found = platform_at(host) or found
        segments = [p for p in url.path.split("/") if p and p.lower() not in ("add",)]
        handle = segments[-1] if segments else ""
    elif ":" in stripped and platform_named(stripped.split(":", 1)[0]):
        named, handle = stripped.split(":", 1)
        found = platform_named(named)
    handle = handle.strip().lstrip("@").lower()
    if found is None or not handle or any(c.isspace() for c in handle):
        return None
    return Party("ACCOUNT", f"{found.name}:{handle}", lenient=True)


def read_party(text: str, platform: str | None = None) -> Party:
    """Normalise ``text`` (with ``platform`` for a bare handle); raises InvalidData.

    >>> read_party("07700 900123").value
    '+447700900123'
    >>> read_party("@Daniel_84x", "facebook").value
    'facebook:daniel_84x'
    """
    hint = platform.strip() if platform and platform.strip() else None
    try:
        info = classify(text, hint=hint)
    except InvalidFormat as exc:
        lenient = _lenient_account(text, hint)
        if lenient is None:
            raise InvalidData(f"not a number or account: {exc.message}") from exc
        return lenient
    except InvalidIdentifier as exc:
        raise InvalidData(f"not a number or account: {exc.message}") from exc
    if str(info.type) not in ("MSISDN", "ACCOUNT", "IMEI", "IMSI"):
        raise InvalidData(f"a {info.type} is not a sender or contact identifier")
    return Party(str(info.type), info.value, flags=info.flags)
