"""Social accounts from handles and profile URLs to ``platform:canonical_id``."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cellwatch.errors import InvalidFormat, UnknownComponent
from cellwatch.identifiers import IdentifierType, parse_account
from cellwatch.identifiers.platforms import PLATFORMS, Platform


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("https://www.instagram.com/some.user/", "instagram:some.user"),
        ("https://x.com/SomeUser", "x:someuser"),
        ("https://twitter.com/SomeUser?lang=en", "x:someuser"),
        ("https://mobile.twitter.com/SomeUser/status/1234567890", "x:someuser"),
        ("https://www.facebook.com/profile.php?id=100001234567890", "facebook:100001234567890"),
        ("https://www.facebook.com/people/John-Smith/100001234567890/", "facebook:100001234567890"),
        ("https://m.facebook.com/John.Smith.5", "facebook:john.smith.5"),
        ("https://t.me/handle", "telegram:handle"),
        ("https://t.me/s/SomeChannel", "telegram:somechannel"),
        ("https://wa.me/447700900123", "whatsapp:+447700900123"),
        ("https://api.whatsapp.com/send?phone=447700900123", "whatsapp:+447700900123"),
        ("https://www.tiktok.com/@user", "tiktok:user"),
        ("https://www.tiktok.com/@Some.User/video/7234567890123456789", "tiktok:some.user"),
        ("https://www.snapchat.com/add/user", "snapchat:user"),
        ("instagram.com/Some_User", "instagram:some_user"),
    ],
)
def test_profile_urls(url: str, canonical: str) -> None:
    info = parse_account(url)
    assert info.type is IdentifierType.ACCOUNT
    assert info.value == canonical
    assert info.details["platform"] == canonical.split(":", 1)[0]
    assert info.details["id"] == canonical.split(":", 1)[1]


@pytest.mark.parametrize(
    ("handle", "platform", "canonical"),
    [
        ("@SomeUser", "twitter", "x:someuser"),
        ("SomeUser", "X", "x:someuser"),
        ("@Some.User", "Instagram", "instagram:some.user"),
        ("some_user", "snapchat", "snapchat:some_user"),
        ("07700 900123", "whatsapp", "whatsapp:+447700900123"),
        ("+44 7700 900123", "WhatsApp", "whatsapp:+447700900123"),
        ("100001234567890", "facebook", "facebook:100001234567890"),
    ],
)
def test_handles_with_platform(handle: str, platform: str, canonical: str) -> None:
    assert parse_account(handle, platform=platform).value == canonical


def test_canonical_string_parses_to_itself() -> None:
    assert parse_account("x:someuser").value == "x:someuser"
    assert parse_account("twitter:SomeUser").value == "x:someuser"
    assert parse_account("whatsapp:+447700900123").value == "whatsapp:+447700900123"


def test_case_folding_is_explained() -> None:
    info = parse_account("https://x.com/SomeUser")
    assert any("not case-sensitive" in n for n in info.notes)
    assert info.details["profile_url"] == "https://x.com/someuser"


def test_bare_handle_needs_a_platform() -> None:
    with pytest.raises(InvalidFormat, match="bare handle"):
        parse_account("@SomeUser")


def test_unknown_platform() -> None:
    with pytest.raises(UnknownComponent, match="unknown social platform 'myspace'"):
        parse_account("someone", platform="myspace")


def test_unknown_site() -> None:
    with pytest.raises(UnknownComponent, match=r"example\.com"):
        parse_account("https://example.com/someone")


@pytest.mark.parametrize(
    "url",
    [
        "https://www.instagram.com/p/Cabc123/",
        "https://t.me/+AbCdEfGh",
        "https://t.me/joinchat/AbCdEfGh",
        "https://www.facebook.com/groups/123456",
        "https://x.com/home",
        "https://vm.tiktok.com/ZMabc123/",
        "https://wa.me/message/ABCDEF",
        "https://www.instagram.com/",
    ],
)
def test_links_that_are_not_profiles(url: str) -> None:
    with pytest.raises(InvalidFormat):
        parse_account(url)


def test_platform_mismatch() -> None:
    with pytest.raises(InvalidFormat, match="not Instagram"):
        parse_account("https://x.com/SomeUser", platform="instagram")


def test_invalid_handle_says_the_rule() -> None:
    with pytest.raises(InvalidFormat, match="1-15 letters, digits and underscores"):
        parse_account("much_too_long_for_x_handles", platform="x")


_NAMED = [p for p in PLATFORMS if p.name != "whatsapp"]


@given(st.data(), st.sampled_from(_NAMED))
def test_handles_round_trip_through_canonical_and_profile_url(
    data: st.DataObject, platform_spec: Platform
) -> None:
    handle = data.draw(st.from_regex(platform_spec.handle, fullmatch=True))
    if handle in platform_spec.reserved:
        return  # a valid handle, but its profile URL would be a site page
    shouted = handle.upper()
    info = parse_account(shouted, platform=platform_spec.name)
    assert info.value == f"{platform_spec.name}:{handle.casefold()}"
    assert parse_account(info.value).value == info.value
    assert parse_account(info.details["profile_url"]).value == info.value
