"""Handling conditions read: which organisations a C code's free-text conditions name."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from cellwatch.access.models import Organisation

_TOKEN = re.compile(r"[A-Za-z0-9_-]+")


def named_organisations(session: Session, conditions: str | None) -> list[str]:
    """The organisation codes a C code's conditions name (whole words, any case).

    Conditions are free text (``Disseminate to WMP and PAROLE only``); an organisation is
    named when its code appears as a word. Naming none means only the owner sees the item.
    """
    if not conditions:
        return []
    words = {w.upper() for w in _TOKEN.findall(conditions)}
    codes = session.scalars(select(Organisation.code))
    return sorted(code for code in codes if code.upper() in words)
