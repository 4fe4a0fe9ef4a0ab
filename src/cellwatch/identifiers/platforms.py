"""Social platforms as data: names, aliases, web hosts, handle rules and profile URLs.

To add a platform, add one :class:`Platform` to :data:`PLATFORMS`; the parser in
``accounts.py`` needs no change unless the site has an unusual URL layout.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Platform:
    """One social platform and how its accounts are written."""

    name: str  # canonical, lower-case: the prefix of ``platform:canonical_id``
    label: str  # for people
    aliases: frozenset[str]
    hosts: frozenset[str]  # without "www." / "m." (those are stripped before lookup)
    handle: re.Pattern[str]  # a valid canonical handle (after case-folding)
    handle_rule: str  # the rule in words, for error messages
    profile_url: str  # with {id}
    case_insensitive: bool = True
    reserved: frozenset[str] = frozenset()  # first path segments that are not accounts


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


PLATFORMS: tuple[Platform, ...] = (
    Platform(
        name="facebook",
        label="Facebook",
        aliases=_words("facebook fb"),
        hosts=_words("facebook.com fb.com fb.me"),
        # Usernames are letters, digits and dots; numeric profile ids are digits.
        handle=re.compile(r"[a-z0-9.]{1,50}"),
        handle_rule="letters, digits and dots (or a numeric profile id)",
        profile_url="https://www.facebook.com/{id}",
        reserved=_words(
            "profile.php people groups pages events watch marketplace share sharer sharer.php "
            "photo.php photo story.php permalink.php login help hashtag gaming reel stories "
            "settings home.php friends messages notifications search policies privacy"
        ),
    ),
    Platform(
        name="instagram",
        label="Instagram",
        aliases=_words("instagram ig insta"),
        hosts=_words("instagram.com instagr.am"),
        handle=re.compile(r"[a-z0-9._]{1,30}"),
        handle_rule="1-30 letters, digits, dots and underscores",
        profile_url="https://www.instagram.com/{id}/",
        reserved=_words("p reel reels tv explore accounts direct about legal developer"),
    ),
    Platform(
        name="x",
        label="X (Twitter)",
        aliases=_words("x twitter x.com twitter.com"),
        hosts=_words("x.com twitter.com"),
        handle=re.compile(r"[a-z0-9_]{1,15}"),
        handle_rule="1-15 letters, digits and underscores",
        profile_url="https://x.com/{id}",
        reserved=_words(
            "home i intent search hashtag share settings explore notifications messages "
            "login signup tos privacy compose"
        ),
    ),
    Platform(
        name="snapchat",
        label="Snapchat",
        aliases=_words("snapchat snap"),
        hosts=_words("snapchat.com story.snapchat.com"),
        handle=re.compile(r"[a-z][a-z0-9._-]{2,14}"),
        handle_rule="3-15 letters, digits, dots, hyphens and underscores, starting with a letter",
        profile_url="https://www.snapchat.com/add/{id}",
    ),
    Platform(
        name="tiktok",
        label="TikTok",
        aliases=_words("tiktok tik-tok"),
        hosts=_words("tiktok.com vm.tiktok.com vt.tiktok.com"),
        handle=re.compile(r"[a-z0-9._]{2,24}"),
        handle_rule="2-24 letters, digits, dots and underscores",
        profile_url="https://www.tiktok.com/@{id}",
    ),
    Platform(
        name="telegram",
        label="Telegram",
        aliases=_words("telegram tg"),
        hosts=_words("t.me telegram.me telegram.dog"),
        handle=re.compile(r"[a-z][a-z0-9_]{3,31}"),
        handle_rule="5-32 letters, digits and underscores, starting with a letter",
        profile_url="https://t.me/{id}",
        reserved=_words("joinchat addstickers addemoji share proxy socks"),
    ),
    Platform(
        name="whatsapp",
        label="WhatsApp",
        aliases=_words("whatsapp wa"),
        hosts=_words("wa.me api.whatsapp.com whatsapp.com web.whatsapp.com"),
        # WhatsApp accounts are phone numbers; the canonical id is the E.164 number.
        handle=re.compile(r"\+[1-9][0-9]{6,14}"),
        handle_rule="a phone number",
        profile_url="https://wa.me/{id}",
    ),
)

_BY_ALIAS = {alias: p for p in PLATFORMS for alias in p.aliases | {p.name}}
_BY_HOST = {host: p for p in PLATFORMS for host in p.hosts}


def platform_named(name: str) -> Platform | None:
    """The platform a name or alias refers to (case-insensitive), or None."""
    return _BY_ALIAS.get(name.strip().lower())


def platform_at(host: str) -> Platform | None:
    """The platform serving a web host (``www.``, ``m.`` and similar prefixes ignored)."""
    host = host.lower().rstrip(".")
    for prefix in ("www.", "m.", "mobile.", "mbasic.", "web.", "touch."):
        if host.startswith(prefix) and host[len(prefix) :] in _BY_HOST:
            host = host[len(prefix) :]
            break
    return _BY_HOST.get(host)
