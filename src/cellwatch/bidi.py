"""Bidirectional-text control characters: found on ingest, neutralised for display.

A right-to-left override (U+202E) in a name makes ``Smith\u202eCBA1111A`` read as another
prisoner's number on a page; the other embeddings, isolates and marks do the same more
quietly. Stored values stay as delivered (they are evidence of what was sent); ingest flags
them (``bidi_control``) and every page shows each one as a visible ``[U+XXXX]``.

>>> neutralise("Smith\u202eAB")
'Smith[U+202E]AB'
>>> has_bidi("Smith")
False
"""

from __future__ import annotations

import re

# LRE RLE PDF LRO RLO, LRI RLI FSI PDI, LRM RLM ALM.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
                          "\u200e\u200f\u061c")
FLAG = "bidi_control"
_FOUND = re.compile("[" + "".join(sorted(BIDI_CONTROLS)) + "]")


def has_bidi(text: str) -> bool:
    """Whether ``text`` holds a bidirectional control character."""
    return _FOUND.search(text) is not None


def neutralise(text: str) -> str:
    """``text`` with every bidirectional control shown as ``[U+XXXX]``."""
    return _FOUND.sub(lambda m: f"[U+{ord(m.group(0)):04X}]", text)
