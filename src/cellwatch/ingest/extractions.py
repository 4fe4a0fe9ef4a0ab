"""Phone extractions: what a seized phone's forensic extraction says about its identity.

Reads Cellebrite's UFDR ``report.xml`` (streamed, defused) and a flat CSV of the same
fields for other tools (XRY, Oxygen): the device's IMEI, its SIM's IMSI, ICCID and
number, the accounts on it, its contacts' numbers, and the parties and times of calls and
messages. Message content is dropped as soon as the parser has read it, never kept or
stored. Every value gets the one identifier verdict of every kind
(:func:`cellwatch.identifiers.normalise_flagged`); one that fails is kept out and
recorded with its line, field and reason (the ingest kind quarantines it), and a flag
(``unallocated_number``) is counted.

Hostile files are refused with a clear error: a DTD or entity (XML bombs) by defusedxml,
nesting deeper than :data:`MAX_DEPTH`, malformed XML with its line. The ingest kind is
:mod:`cellwatch.ingest.extraction_kind`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cellwatch.errors import InvalidIdentifier, MalformedFile
from cellwatch.identifiers import normalise_flagged
from cellwatch.identifiers.accounts import parse_account
from cellwatch.identifiers.classify import identifier_reason

MAX_DEPTH = 64  # report.xml nests about 12 deep; anything far deeper is hostile
DEVICE_FIELDS = {"IMEI": "IMEI", "IMSI": "IMSI", "ICCID": "ICCID", "MSISDN": "MSISDN",
                 "PHONE NUMBER": "MSISDN", "MSISDN1": "MSISDN", "LAST USED ICCID": "ICCID"}
EXTRACTED_AT = ("DEVICEINFOEXTRACTIONSTARTDATETIME", "EXTRACTIONSTARTDATETIME",
                "EXTRACTION START DATE/TIME")
_XML_CHUNK = 1 << 16
ROOT = "project"  # a UFDR report.xml's root element (any namespace)


@dataclass
class Event:
    """A call or a message: when, which way, with whom, through what (no content)."""

    kind: str  # CALL or MESSAGE
    ts: str | None
    direction: str | None
    parties: list[str] = field(default_factory=list)
    application: str | None = None
    line: int = 0


@dataclass(frozen=True)
class Rejected:
    """A value that is not an identifier: where it was, what it was, why not."""

    line: int
    field: str
    value: str
    reason: str


@dataclass
class Extraction:
    """What one extraction says: identifiers of the device and what is on it."""

    source: str
    device: dict[str, set[str]] = field(default_factory=dict)
    accounts: set[tuple[str, str]] = field(default_factory=set)  # (platform, account id)
    contacts: dict[str, set[str]] = field(default_factory=dict)  # number -> names
    events: list[Event] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    flags: dict[str, int] = field(default_factory=dict)  # "FIELD: flag" -> values
    lines: dict[tuple[str, str], int] = field(default_factory=dict)  # (what, value) -> line
    extracted_at: str | None = None

    def add_device(self, kind: str, raw: str, line: int = 0) -> None:
        """Add one of the device's own identifiers (normalised, or rejected with why)."""
        value = self._normal(kind, raw, line, f"device {kind.lower()}")
        if value:
            self.device.setdefault(kind, set()).add(value)
            self.lines.setdefault(("DEVICE", value), line)

    def add_account(self, service: str, username: str, line: int = 0) -> None:
        """Add an account on the phone (``platform:handle``, or rejected with why)."""
        try:
            info = parse_account(username, platform=service)
        except InvalidIdentifier as exc:
            self.rejected.append(Rejected(line, "account", f"{service}:{username}",
                                          identifier_reason("ACCOUNT", exc)))
            return
        self.accounts.add((str(info.value).split(":", 1)[0], info.value))
        self.lines.setdefault(("ACCOUNT", info.value), line)

    def add_contact(self, raw: str, name: str, line: int = 0) -> None:
        """Add a contact's number (with the name the phone gives it)."""
        if value := self._normal("MSISDN", raw, line, "contact number"):
            self.contacts.setdefault(value, set()).add(name)
            self.lines.setdefault(("CONTACT", value), line)

    def number(self, raw: str, line: int = 0) -> str | None:
        """A party's number in E.164, or ``None`` (recorded) if it is none."""
        return self._normal("MSISDN", raw, line, "party")

    def _normal(self, kind: str, raw: str, line: int, what: str) -> str | None:
        try:
            value, flags = normalise_flagged(kind, raw.strip())
        except InvalidIdentifier as exc:
            self.rejected.append(Rejected(line, what, raw, identifier_reason(kind, exc)))
            return None
        for flag in flags:
            key = f"{what}: {flag}"
            self.flags[key] = self.flags.get(key, 0) + 1
        return value


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _events(path: Path) -> Iterator[tuple[str, Any, int]]:
    """``(event, element, line)`` of the file, refusing DTDs, entities and deep nests.

    The line is where the element starts (expat's, read as each start tag is parsed).
    """
    from xml.etree.ElementTree import TreeBuilder

    from defusedxml.common import DefusedXmlException
    from defusedxml.ElementTree import DefusedXMLParser, ParseError

    pending: list[tuple[str, Any, int]] = []
    lines: dict[int, int] = {}

    class _Target(TreeBuilder):
        def start(self, tag: Any, attrs: Any) -> Any:
            element = super().start(tag, attrs)
            line = int(parser.parser.CurrentLineNumber)
            if len(lines) >= MAX_DEPTH:
                raise MalformedFile(path.name, f"nesting deeper than {MAX_DEPTH} levels "
                                    "(a hostile file?)", line)
            lines[id(element)] = line
            pending.append(("start", element, line))
            return element

        def end(self, tag: Any) -> Any:
            element = super().end(tag)
            pending.append(("end", element, lines.pop(id(element), 0)))
            return element

    parser = DefusedXMLParser(target=_Target(), forbid_dtd=True)
    try:
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(_XML_CHUNK), b""):
                parser.feed(chunk)
                yield from pending
                pending.clear()
            parser.close()
            yield from pending
    except DefusedXmlException as exc:
        raise MalformedFile(path.name, f"refused ({type(exc).__name__}: a DTD or entity, "
                            "as XML bombs use)") from exc
    except ParseError as exc:
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


def _model(extraction: Extraction, kind: str, model: Any, line: int) -> None:
    own = _fields(model)
    if kind == "CONTACT":
        name = _first(own, "NAME") or ""
        for entry in _nested(model, "ENTRIES"):
            if number := _first(entry, "VALUE"):
                extraction.add_contact(number, name, line)
    elif kind in ("CALL", "INSTANTMESSAGE", "SMS", "MMS", "EMAIL", "CHAT"):
        parties = [p for party in _nested(model, "PARTIES")
                   if (p := _first(party, "IDENTIFIER"))]
        numbers = [n for p in parties if (n := extraction.number(p, line)) is not None]
        extraction.events.append(Event(
            "CALL" if kind == "CALL" else "MESSAGE", _first(own, "TIMESTAMP", "DATETIME"),
            _first(own, "DIRECTION", "TYPE"), numbers, _first(own, "SOURCE"), line))
    elif kind == "USERACCOUNT":
        service, username = _first(own, "SERVICETYPE", "SERVICE"), _first(own, "USERNAME")
        if service and username:
            extraction.add_account(service, username, line)


def read_ufdr(path: Path) -> Extraction:
    """Read a UFDR ``report.xml`` (streamed: each model is dropped once read)."""
    extraction = Extraction(path.name)
    sections: list[str] = []
    model_depth: int | None = None
    model_line = 0
    depth = 0
    for event, element, line in _events(path):
        tag = _local(element.tag)
        if event == "start":
            depth += 1
            if depth == 1 and tag != ROOT:
                raise MalformedFile(path.name, f"not a UFDR report: its root element is "
                                    f"<{tag}>, a report.xml's is <{ROOT}>", line)
            if tag == "metadata":
                sections.append((element.get("section") or "").upper())
            elif tag == "model" and model_depth is None:
                model_depth, model_line = depth, line
            continue
        depth -= 1
        if tag == "item" and sections and ("DEVICE" in sections[-1]
                                            or "EXTRACTION" in sections[-1]):
            _item(extraction, element, line)
        elif tag == "metadata":
            sections.pop()
            element.clear()
        elif tag == "model" and depth + 1 == model_depth:
            _model(extraction, (element.get("type") or "").upper(), element, model_line)
            model_depth = None
            # Streamed: a read model (with any message body) is dropped at once.
            element.clear()
        elif tag == "body" or (tag == "field" and (element.get("name") or "") == "Body"):
            element.clear()
    return extraction


def _item(extraction: Extraction, element: Any, line: int) -> None:
    name = (element.get("name") or "").upper().replace("_", " ")
    text = (element.text or "").strip()
    if not text:
        return
    if name in EXTRACTED_AT and extraction.extracted_at is None:
        extraction.extracted_at = text
    elif kind := DEVICE_FIELDS.get(name):
        extraction.add_device(kind, text, line)


FLAT_COLUMNS = ("record", "imei", "imsi", "iccid", "msisdn", "service", "username",
                "name", "number", "ts", "direction", "parties", "application")
FLAT_RECORDS = ("DEVICE", "ACCOUNT", "CONTACT", "CALL", "MESSAGE")


def read_flat(path: Path) -> Extraction:
    """Read the flat CSV (one row per fact; ``record`` is DEVICE, ACCOUNT, CONTACT, CALL
    or MESSAGE; ``parties`` separated by ``;``; a DEVICE row may give ``ts``, the time
    of the extraction); an unknown record type is an error naming its line."""
    extraction = Extraction(path.name)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        if "record" not in [(c or "").strip().lower() for c in reader.fieldnames or ()]:
            raise MalformedFile(path.name, "missing required column: record", 1)
        for line, row in enumerate(reader, start=2):
            row = {k.strip().lower(): (v or "").strip() for k, v in row.items()
                   if isinstance(k, str) and isinstance(v, str | None)}
            _flat_row(extraction, path, line, row)
    return extraction


def _flat_row(extraction: Extraction, path: Path, line: int, row: dict[str, str]) -> None:
    record = row.get("record", "").upper()
    if record == "DEVICE":
        for kind in ("IMEI", "IMSI", "ICCID", "MSISDN"):
            if row.get(kind.lower()):
                extraction.add_device(kind, row[kind.lower()], line)
        if row.get("ts") and extraction.extracted_at is None:
            extraction.extracted_at = row["ts"]
    elif record == "ACCOUNT":
        if row.get("service") and row.get("username"):
            extraction.add_account(row["service"], row["username"], line)
        else:
            extraction.rejected.append(Rejected(line, "account", row.get("username", ""),
                                                "service and username are both required"))
    elif record == "CONTACT" and row.get("number"):
        extraction.add_contact(row["number"], row.get("name", ""), line)
    elif record in ("CALL", "MESSAGE"):
        numbers = [n for p in row.get("parties", "").split(";") if p.strip()
                   and (n := extraction.number(p, line)) is not None]
        extraction.events.append(Event(record, row.get("ts") or None,
                                       row.get("direction") or None, numbers,
                                       row.get("application") or None, line))
    elif record != "CONTACT":
        raise MalformedFile(path.name, f"field record: {record!r} is not one of "
                            f"{', '.join(FLAT_RECORDS)}", line)
