"""Identifier intelligence: parse, normalise, validate and explain phone-world identifiers.

IMEI/IMEISV (with the handset from the bundled Osmocom TAC database, CC BY-SA 3.0
(c) Harald Welte 2016), IMSI (with its home network), ICCID, phone numbers
(E.164) and social media accounts (``platform:canonical_id``). Invalid input
raises a subclass of :class:`cellwatch.errors.InvalidIdentifier` saying why.

>>> classify("35-209900-176148-1").value
'352099001761481'
>>> home_operator("234150123456789")
'Vodafone UK'
"""

from __future__ import annotations

from cellwatch.identifiers.accounts import parse_account
from cellwatch.identifiers.classify import classify, normalise, normalise_flagged, try_normalise
from cellwatch.identifiers.iccid import parse_iccid
from cellwatch.identifiers.imei import parse_imei
from cellwatch.identifiers.imsi import home_operator, parse_imsi
from cellwatch.identifiers.model import (
    UNALLOCATED_NUMBER,
    IdentifierInfo,
    IdentifierType,
    explain,
)
from cellwatch.identifiers.msisdn import parse_msisdn
from cellwatch.identifiers.tac import lookup_tac, tac_table
from cellwatch.identifiers.vectorised import luhn_sql

__all__ = [
    "UNALLOCATED_NUMBER",
    "IdentifierInfo",
    "IdentifierType",
    "classify",
    "explain",
    "home_operator",
    "lookup_tac",
    "luhn_sql",
    "normalise",
    "normalise_flagged",
    "parse_account",
    "parse_iccid",
    "parse_imei",
    "parse_imsi",
    "parse_msisdn",
    "tac_table",
    "try_normalise",
]
