"""Ingest of ``extractions``: a seized phone's forensic extraction (UFDR ``report.xml``
or the flat CSV of :mod:`cellwatch.ingest.extractions`).

The file is checked and read whole before anything is stored (a malformed or hostile
file changes nothing); then one batch records it, one ``extractions`` row holds it, its
identifiers and call/message metadata are stored (never message content), the values
that are not identifiers are quarantined with file, line, field and reason, and the
identity links it evidences go to ``extraction_links`` for the graph (source
``EXTRACTION``):

* handset-SIM: every IMEI of the device with every IMSI and ICCID it reports;
* SIM-SIM and SIM-number: ICCID with IMSI, and the SIM with its number, only when the
  phone reports one SIM (with two, which number is on which SIM is not said);
* handset-account: every IMEI with every account on the phone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import datetime
from itertools import product
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.orm import Session

from cellwatch.errors import InvalidData, MalformedFile
from cellwatch.ingest.batches import IngestContext, begin_batch, finish_batch, quarantine_rows
from cellwatch.ingest.extraction_tables import (
    Extraction,
    ExtractionEvent,
    ExtractionIdentifier,
    ExtractionLink,
)
from cellwatch.ingest.extractions import Extraction as Read
from cellwatch.ingest.extractions import read_flat, read_ufdr
from cellwatch.ingest.model import IngestSummary, Problem, QuarantineItem, RetryResult, SourceFile
from cellwatch.store import utcnow
from cellwatch.timestamps import parse_timestamp

KIND = "extractions"
TYPE_ORDER = ("IMEI", "ICCID", "IMSI", "MSISDN", "ACCOUNT")
LINK_VALUE_MAX = 64  # identity_links.a and .b
RETRY_REASON = ("an extraction is evidence as a whole: correct the extraction file and "
                "ingest it again")


class ExtractionKind:
    """The ``extractions`` kind: reads its own files (XML or CSV), so it sniffs them too."""

    name = KIND

    def sniff(self, path: str | Path) -> SourceFile:
        """Hash ``path`` and tell UFDR XML from the flat CSV by its first byte."""
        file = Path(path)
        if not file.is_file():
            raise MalformedFile(str(file), "no such file")
        with file.open("rb") as handle:
            head = handle.read(1 << 16)
            digest = hashlib.sha256(head)
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        if not head.strip():
            raise MalformedFile(str(file), "empty file (no content)")
        if b"\x00" in head:
            raise MalformedFile(str(file), "binary content (NUL byte), not a text file")
        xml = head.removeprefix(b"\xef\xbb\xbf").lstrip().startswith(b"<")
        return SourceFile(file, "xml" if xml else "csv", digest.hexdigest(),
                          file.stat().st_size, (), -1)

    def ingest(self, ctx: IngestContext, source: SourceFile) -> IngestSummary:
        """Read the whole extraction, then store it under one batch; bad values quarantined."""
        try:
            read = read_ufdr(source.path) if source.format == "xml" else read_flat(source.path)
        except UnicodeDecodeError as exc:
            raise MalformedFile(source.name, f"not UTF-8 text ({exc.reason})") from exc
        summary = IngestSummary(kind=KIND, file=source.name)
        summary.batch_id = batch_id = begin_batch(ctx, KIND, source)
        try:
            with ctx.store.session() as session:
                problems = _store(session, batch_id, source, read, summary)
                count, reasons = quarantine_rows(ctx, batch_id, KIND, source.name, problems,
                                                 session=session)
                summary.quarantined += count
                summary.read += count
                for reason, n in reasons.items():
                    summary.reasons[reason] = summary.reasons.get(reason, 0) + n
                finish_batch(ctx, batch_id, summary, session=session)
        except Exception as exc:
            finish_batch(ctx, batch_id, summary, error=str(exc))
            raise
        return summary

    def retry(self, ctx: IngestContext, batch_id: int,
              rows: Sequence[QuarantineItem]) -> RetryResult:
        """A value of an extraction is not taken alone: each row stays, with the reason."""
        summary = IngestSummary(kind=KIND, file="quarantine retry", batch_id=batch_id,
                                read=len(rows))
        problem = Problem(None, RETRY_REASON)
        for _ in rows:
            summary.add_problems([problem])
        finish_batch(ctx, batch_id, summary)
        return RetryResult(summary=summary, failed={r.id: [problem] for r in rows})


def handler() -> ExtractionKind:
    """The ``extractions`` kind."""
    return ExtractionKind()


Quarantined = tuple[int, dict[str, str], list[Problem]]


def _store(session: Session, batch_id: int, source: SourceFile, read: Read,
           summary: IngestSummary) -> list[Quarantined]:
    bad: list[Quarantined] = [
        (r.line, {"field": r.field, "value": r.value}, [Problem(r.field, r.reason)])
        for r in read.rejected]
    extracted_at = _time(read.extracted_at, 0, "extracted_at", bad, summary) or utcnow()
    # The file by its own name: the batch holds where it came from (an upload's temporary
    # path is no one's business).
    row = Extraction(batch_id=batch_id, file_name=source.path.name,
                     tool="UFDR" if source.format == "xml" else "FLAT",
                     extracted_at=extracted_at)
    session.add(row)
    session.flush()
    identifiers = [*_identifiers(row.id, read), *_contacts(row.id, read)]
    events = [
        {"extraction_id": row.id, "source_line": e.line, "kind": e.kind,
         "ts": _time(e.ts, e.line, "ts", bad, summary),
         "direction": (e.direction or "")[:20] or None, "party": party,
         "application": (e.application or "")[:64] or None}
        for e in read.events for party in _parties(e.parties)]
    links = [{"extraction_id": row.id, "a_type": a_type, "a": a, "b_type": b_type, "b": b,
              "ts": extracted_at} for a_type, a, b_type, b in _links(read, summary)]
    for model, values in ((ExtractionIdentifier, identifiers), (ExtractionEvent, events),
                          (ExtractionLink, links)):
        if values:
            session.execute(insert(model), values)
    summary.accepted = len(identifiers) + len(events)
    summary.read += summary.accepted
    for flag, n in read.flags.items():
        summary.flag(flag, n)
    return bad


def _parties(parties: list[str]) -> list[str | None]:
    """A call or message with no readable party is still kept, with no party."""
    return [*parties] if parties else [None]


def _identifiers(extraction_id: int, read: Read) -> Iterable[dict[str, object]]:
    for kind in TYPE_ORDER[:4]:
        for value in sorted(read.device.get(kind, ())):
            yield {"extraction_id": extraction_id, "role": "DEVICE", "identifier_type": kind,
                   "identifier": value, "name": None,
                   "source_line": read.lines.get(("DEVICE", value), 0)}
    for _, account in sorted(read.accounts):
        yield {"extraction_id": extraction_id, "role": "ACCOUNT", "identifier_type": "ACCOUNT",
               "identifier": account, "name": None,
               "source_line": read.lines.get(("ACCOUNT", account), 0)}


def _contacts(extraction_id: int, read: Read) -> Iterable[dict[str, object]]:
    for number, names in sorted(read.contacts.items()):
        name = "; ".join(sorted(n for n in names if n))[:200] or None
        yield {"extraction_id": extraction_id, "role": "CONTACT", "identifier_type": "MSISDN",
               "identifier": number, "name": name,
               "source_line": read.lines.get(("CONTACT", number), 0)}


def _links(read: Read, summary: IngestSummary) -> list[tuple[str, str, str, str]]:
    """The pairs the extraction evidences, each in the graph's type order."""
    dev = {kind: sorted(read.device.get(kind, ())) for kind in TYPE_ORDER[:4]}
    accounts = []
    for _, account in sorted(read.accounts):
        if len(account) <= LINK_VALUE_MAX:
            accounts.append(account)
        else:
            summary.flag("account: too long for the identity graph")
    pairs = [("IMEI", "IMSI"), ("IMEI", "ICCID")]
    one_sim = len(dev["IMSI"]) <= 1 and len(dev["ICCID"]) <= 1
    if one_sim:
        pairs += [("ICCID", "IMSI"), ("IMSI", "MSISDN")]
        if not dev["IMSI"]:
            pairs.append(("ICCID", "MSISDN"))
    if one_sim and len(dev["MSISDN"]) > 1:
        pairs = [p for p in pairs if "MSISDN" not in p]
    found = [(a_type, a, b_type, b) for a_type, b_type in pairs
             for a, b in product(dev[a_type], dev[b_type])]
    found += [("IMEI", imei, "ACCOUNT", account) for imei in dev["IMEI"] for account in accounts]
    return found


def _time(text: str | None, line: int, name: str, bad: list[Quarantined],
          summary: IngestSummary) -> datetime | None:
    """A time of the extraction in UTC, or None with the value quarantined."""
    if not text:
        return None
    try:
        value, ambiguous = parse_timestamp(text)
    except InvalidData as exc:
        bad.append((line, {"field": name, "value": text}, [Problem(name, exc.message)]))
        return None
    if ambiguous:
        summary.flag(f"{name}: ambiguous_time")
    return value
