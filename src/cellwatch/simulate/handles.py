"""Social-media handles that the simulated people's platforms would really issue.

Each platform has its own rules (:data:`cellwatch.identifiers.platforms.PLATFORMS`):
Facebook takes letters, digits and dots; X letters, digits and underscores, at most 15;
Snapchat 3-15 characters starting with a letter. A handle is built from short parts
joined by a separator the platform allows, and checked against its rule, so a generator
change that breaks one fails here rather than as a lenient handle further down.
"""

from __future__ import annotations

from typing import Final

from cellwatch.identifiers.platforms import platform_named

# Underscore where the platform allows it (the common style), else a dot (Facebook).
SEPARATORS: Final = ("_", ".")
# A first name is cut to this, so name + separator + six more characters fit X's 15.
NAME_LENGTH: Final = 8


def handle_name(forenames: str) -> str:
    """The part of a handle made from a person's first forename: ASCII letters, lower-case."""
    first = (forenames.split() or [""])[0]
    letters = "".join(ch for ch in first.lower() if "a" <= ch <= "z")[:NAME_LENGTH]
    # Snapchat handles start with a letter; a name with none still gets one.
    return letters or "anon"


def social_handle(platform: str, *parts: str) -> str:
    """``platform:handle`` from ``parts`` joined as ``platform`` allows; ValueError if invalid."""
    rules = platform_named(platform)
    if rules is None:
        raise ValueError(f"unknown platform {platform!r}")
    separator = next(s for s in SEPARATORS if rules.handle.fullmatch(f"a{s}b"))
    text = separator.join(part.lower() for part in parts if part)
    if not rules.handle.fullmatch(text):
        raise ValueError(f"{text!r} is not a {rules.label} handle ({rules.handle_rule})")
    return f"{rules.name}:{text}"
