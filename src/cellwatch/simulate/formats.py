"""How people and systems write identifiers: the messy-but-valid variants of the contract."""

from __future__ import annotations

import numpy as np


def imei_styled(imei: str, style: int) -> str:
    """``style`` 0: 15 digits; 1: ``35-209900-176148-1``; 2: ``35 209900 176148 1``."""
    if style == 0 or len(imei) != 15:
        return imei
    sep = "-" if style == 1 else " "
    return sep.join((imei[:2], imei[2:8], imei[8:14], imei[14]))


def phone_styled(e164: str, style: int) -> str:
    """A UK number as people write it.

    0: ``+447700900123``; 1: ``07700 900123``; 2: ``+44 7700 900123``; 3: ``447700900123``;
    4: ``00447700900123``; 5: ``07700900123``.
    """
    if not e164.startswith("+44") or style == 0:
        return e164
    nsn = e164[3:]
    if style == 1:
        return f"0{nsn[:4]} {nsn[4:]}"
    if style == 2:
        return f"+44 {nsn[:4]} {nsn[4:]}"
    if style == 3:
        return "44" + nsn
    if style == 4:
        return "0044" + nsn
    return "0" + nsn


def phones_styled(numbers: list[str], rng: np.random.Generator, messy: bool) -> list[str]:
    """Write each number in a randomly chosen human style (E.164 when not messy)."""
    if not messy:
        return list(numbers)
    styles = rng.integers(0, 6, len(numbers))
    return [phone_styled(n, int(s)) if n else n for n, s in zip(numbers, styles, strict=True)]


def imeis_styled(imeis: list[str], rng: np.random.Generator, messy: bool) -> list[str]:
    """Write each IMEI plain or, when messy, sometimes with hyphens or spaces."""
    if not messy:
        return list(imeis)
    styles = rng.choice(3, size=len(imeis), p=[0.6, 0.2, 0.2])
    return [imei_styled(x, int(s)) if x else x for x, s in zip(imeis, styles, strict=True)]
