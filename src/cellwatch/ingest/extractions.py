"""Phone extractions: what a seized phone's forensic extraction says about its identity.

Reads Cellebrite's UFDR ``report.xml`` (streamed, defused) and a flat CSV of the same
fields for other tools (XRY, Oxygen): the device's IMEI, its SIM's IMSI, ICCID and
number, the accounts on it, its contacts' numbers, and the parties and times of calls and
messages. Message content is dropped as soon as the parser has read it, never kept or
stored. Identifiers are
normalised as everywhere else (:func:`cellwatch.identifiers.try_normalise`); a value that
does not normalise is kept out and counted with its reason.

Hostile files are refused with a clear error: a DTD or entity (XML bombs) by defusedxml,
nesting deeper than :data:`MAX_DEPTH`, malformed XML with its line.

Not yet: loading an extraction into the identity graph (source EXTRACTION) and the
contacts as evidence (issue 20, item 7).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cellwatch.errors import MalformedFile
from cellwatch.identifiers import try_normalise

MAX_DEPTH = 64  # report.xml nests about 12 deep; anything far deeper is hostile
DEVICE_FIELDS = {"IMEI": "IMEI", "IMSI": "IMSI", "ICCID": "ICCID", "MSISDN": "MSISDN",
                 "PHONE NUMBER": "MSISDN", "MSISDN1": "MSISDN", "LAST USED ICCID": "ICCID"}


@dataclass
class Event:
    """A call or a message: when, which way, with whom, through what (no content)."""

    kind: str  # CALL or MESSAGE
    ts: str | None
    direction: str | None
    parties: list[str] = field(default_factory=list)
    application: str | None = None


@dataclass
class Extraction:
    """What one extraction says: identifiers of the device and what is on it."""

    source: str
    device: dict[str, set[str]] = field(default_factory=dict)
    accounts: set[tuple[str, str]] = field(default_factory=set)
    contacts: dict[str, set[str]] = field(default_factory=dict)  # number -> names
    events: list[Event] = field(default_factory=list)
    rejected: list[tuple[str, str, str]] = field(default_factory=list)  # (field, value, why)

    def add_device(self, kind: str, raw: str) -> None:
        """Add one of the device's own identifiers (normalised, or rejected with why)."""
        value = self._normal(kind, raw)
        if value:
            self.device.setdefault(kind, set()).add(value)

    def number(self, raw: str) -> str | None:
        """A party's or contact's number in E.164, or ``None`` (recorded) if it is none."""
        return self._normal("MSISDN", raw)

    def _normal(self, kind: str, raw: str) -> str | None:
        value, reason = try_normalise(kind, raw.strip())
        if value is None:
            self.rejected.append((kind, raw, reason or "not an identifier"))
        return value


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _events(path: Path) -> Iterator[tuple[str, Any, int]]:
    """``(event, element, depth)`` of the file, refusing DTDs, entities and deep nests."""
    from defusedxml import ElementTree as DET
    from defusedxml.common import DefusedXmlException

    depth = 0
    try:
        for event, element in DET.iterparse(str(path), events=("start", "end"),
                                            forbid_dtd=True):
            # The element's own depth, at its start and at its end alike.
            if event == "start":
                depth += 1
                if depth > MAX_DEPTH:
                    raise MalformedFile(path.name, f"nesting deeper than {MAX_DEPTH} levels "
                                        "(a hostile file?)")
                yield event, element, depth
            else:
                yield event, element, depth
                depth -= 1
    except DefusedXmlException as exc:
        raise MalformedFile(path.name, f"refused ({type(exc).__name__}: a DTD or entity, "
                            "as XML bombs use)") from exc
    except DET.ParseError as exc:
        raise MalformedFile(path.name, f"not well-formed XML ({exc})",
                            exc.position[0]) from exc


def _fields(model: Any) -> dict[str, list[str]]:
    """A ``model`` element's own fields (``field name`` -> values), nested models aside."""
    out: dict[str, list[str]] = {}
    for child in model:
        if _local(child.tag) == "field":
            values = [v.text or "" for v in child if _local(v.tag) == "value"]
            out.setdefault((child.get("name") or "").upper(), []).extend(values)
    return out


def _nested(model: Any, name: str) -> list[dict[str, list[str]]]:
    """The fields of the models inside ``model``'s ``multiModelField``/``modelField``."""
    out = []
    for child in model:
        if _local(child.tag) in ("multiModelField", "modelField") and \
                (child.get("name") or "").upper() == name:
            out += [_fields(m) for m in child if _local(m.tag) == "model"]
    return out


def _first(values: dict[str, list[str]], *names: str) -> str | None:
    for name in names:
        for v in values.get(name, []):
            if v.strip():
                return v.strip()
    return None


def _model(extraction: Extraction, kind: str, model: Any) -> None:
    own = _fields(model)
    if kind == "CONTACT":
        name = _first(own, "NAME") or ""
        for entry in _nested(model, "ENTRIES"):
            number = _first(entry, "VALUE")
            if number and (value := extraction.number(number)):
                extraction.contacts.setdefault(value, set()).add(name)
    elif kind in ("CALL", "INSTANTMESSAGE", "SMS", "MMS", "EMAIL", "CHAT"):
        parties = [p for party in _nested(model, "PARTIES")
                   if (p := _first(party, "IDENTIFIER"))]
        numbers = [n for p in parties if (n := extraction.number(p)) is not None]
        extraction.events.append(Event(
            "CALL" if kind == "CALL" else "MESSAGE", _first(own, "TIMESTAMP", "DATETIME"),
            _first(own, "DIRECTION", "TYPE"), numbers, _first(own, "SOURCE")))
    elif kind == "USERACCOUNT":
        service, username = _first(own, "SERVICETYPE", "SERVICE"), _first(own, "USERNAME")
        if service and username:
            extraction.accounts.add((service.lower(), username))


def read_ufdr(path: Path) -> Extraction:
    """Read a UFDR ``report.xml`` (streamed: each model is dropped once read)."""
    extraction = Extraction(path.name)
    sections: list[str] = []
    model_depth: int | None = None
    for event, element, depth in _events(path):
        tag = _local(element.tag)
        if event == "start":
            if tag == "metadata":
                sections.append((element.get("section") or "").upper())
            elif tag == "model" and model_depth is None:
                model_depth = depth
            continue
        if tag == "item" and sections and ("DEVICE" in sections[-1]
                                            or "EXTRACTION" in sections[-1]):
            kind = DEVICE_FIELDS.get((element.get("name") or "").upper().replace("_", " "))
            if kind and element.text and element.text.strip():
                extraction.add_device(kind, element.text)
        elif tag == "metadata":
            sections.pop()
            element.clear()
        elif tag == "model" and depth == model_depth:
            _model(extraction, (element.get("type") or "").upper(), element)
            model_depth = None
            # Streamed: a read model (with any message body) is dropped at once.
            element.clear()
        elif tag == "body" or (tag == "field" and (element.get("name") or "") == "Body"):
            element.clear()
    return extraction


FLAT_COLUMNS = ("record", "imei", "imsi", "iccid", "msisdn", "service", "username",
                "name", "number", "ts", "direction", "parties", "application")


def read_flat(path: Path) -> Extraction:
    """Read the flat CSV (one row per fact; ``record`` is DEVICE, ACCOUNT, CONTACT, CALL
    or MESSAGE; ``parties`` separated by ``;``); an unknown record type is an error
    naming its line."""
    extraction = Extraction(path.name)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            row = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
            record = row.get("record", "").upper()
            if record == "DEVICE":
                for kind in ("IMEI", "IMSI", "ICCID", "MSISDN"):
                    if row.get(kind.lower()):
                        extraction.add_device(kind, row[kind.lower()])
            elif record == "ACCOUNT" and row.get("service") and row.get("username"):
                extraction.accounts.add((row["service"].lower(), row["username"]))
            elif record == "CONTACT" and row.get("number"):
                if value := extraction.number(row["number"]):
                    extraction.contacts.setdefault(value, set()).add(row.get("name", ""))
            elif record in ("CALL", "MESSAGE"):
                numbers = [n for p in row.get("parties", "").split(";") if p.strip()
                           and (n := extraction.number(p)) is not None]
                extraction.events.append(Event(record, row.get("ts") or None,
                                               row.get("direction") or None, numbers,
                                               row.get("application") or None))
            else:
                raise MalformedFile(path.name, f"field record: {record!r} is not one of "
                                    "DEVICE, ACCOUNT, CONTACT, CALL, MESSAGE", line)
    return extraction
