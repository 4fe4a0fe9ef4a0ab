"""Whole-file problems of an upload, said in words before the file is ingested.

An officer exporting from Excel or a partner's system most often sends a file that is
empty, saved as UTF-16 ("Unicode Text"), separated by semicolons or tabs, a header with no
rows, or another kind's file. The ingest service would refuse most of these too, with a
line number and a technical reason; this says what happened and what to do instead, and
names only the file as the user sent it (never a server path).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from cellwatch.ingest.service import kind_specs, normalise_column

SAMPLE = 64 * 1024
SEPARATORS = {";": "semicolons", "\t": "tabs", "|": "vertical bars"}
EXCEL = "Save it from Excel as \u201cCSV UTF-8 (Comma delimited)\u201d and upload it again."


def _utf16(head: bytes) -> bool:
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return True
    # No byte-order mark: ASCII text in UTF-16 has a NUL in every other byte.
    sample = head[:200]
    return len(sample) >= 8 and sample[1::2].count(0) > len(sample) // 4


def _label(kind: str) -> str:
    return kind.replace("_", " ")


def problem(path: Path, name: str, kind: str) -> str | None:
    """What is wrong with the whole file ``path`` (sent as ``name``) for ``kind``, or None."""
    with path.open("rb") as handle:
        head = handle.read(SAMPLE)
    if not head.strip():
        return f"{name} is empty: nothing to ingest."
    if _utf16(head):
        return f"{name} is saved as UTF-16 (Excel\u2019s \u201cUnicode Text\u201d). {EXCEL}"
    if name.lower().endswith(".xml") or head.removeprefix(b"\xef\xbb\xbf").lstrip() \
            .startswith(b"<"):
        return _xml_problem(head, name, kind)
    if not name.lower().endswith((".csv", ".txt")):
        return None
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not a character cut by the sample's end
            return (f"{name} is not UTF-8 text (byte {exc.start + 1} cannot be read). "
                    f"{EXCEL}")
        text = head[:exc.start].decode("utf-8-sig")
    lines = [line for line in text.splitlines() if line.strip()]
    header = lines[0]
    if "," not in header:
        for sep, word in SEPARATORS.items():
            if sep in header:
                return (f"The columns of {name} are separated by {word}; cellwatch reads "
                        f"comma-separated files. {EXCEL}")
    columns = {normalise_column(c) for c in next(csv.reader(io.StringIO(header)))}
    wrong = _wrong_kind(columns, kind)
    if wrong:
        return wrong.format(name=name)
    if len(lines) == 1 and len(head) < SAMPLE:
        return f"{name} has a header but no rows: nothing to ingest."
    return None


def _wrong_kind(columns: set[str], kind: str) -> str | None:
    specs = kind_specs()
    chosen = specs.get(kind)
    if chosen is None or all(c in columns for c in chosen.required):
        return None
    fits = sorted(k for k, spec in specs.items()
                  if k != kind and spec.required and all(c in columns for c in spec.required))
    missing = ", ".join(c for c in chosen.required if c not in columns)
    if fits:
        others = " or ".join(f"\u201c{_label(k)}\u201d" for k in fits)
        return (f"{{name}} has the columns of a {others} file, not {_label(kind)} "
                f"(it lacks {missing}). Choose {others} as the kind, or upload the "
                f"{_label(kind)} file.")
    return f"{{name}} is not a {_label(kind)} file: its header lacks {missing}."


XML_KIND = "extractions"
UFDR_ROOT = "project"
# The first element's name, past the declaration, comments and processing instructions.
_FIRST_TAG = re.compile(rb"<([A-Za-z_][\w.\-]*:)?([A-Za-z_][\w.\-]*)")
_DTD = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
_SKIP = re.compile(rb"\s*(<\?.*?\?>|<!--.*?-->)", re.DOTALL)


def _xml_problem(head: bytes, name: str, kind: str) -> str | None:
    """An XML upload is a phone extraction's UFDR ``report.xml``, or it is said what it is."""
    if kind != XML_KIND:
        return (f"{name} is an XML file; only phone extractions (a Cellebrite UFDR "
                f"report.xml) are read from XML. Choose \u201c{_label(XML_KIND)}\u201d as "
                f"the kind, or upload the {_label(kind)} file as CSV.")
    if _DTD.search(head):
        return (f"{name} declares a document type or entities (<!DOCTYPE>), which "
                "cellwatch refuses: XML bombs use them, and a UFDR report.xml has none.")
    rest = head.removeprefix(b"\xef\xbb\xbf")
    while (skipped := _SKIP.match(rest)) is not None:
        rest = rest[skipped.end():]
    first = _FIRST_TAG.match(rest.lstrip())
    if first is None:
        return (f"{name} is not XML that cellwatch can read (it does not start with an "
                "element). Export the phone\u2019s extraction as a UFDR report.xml, or "
                "as the flat extraction CSV.")
    root = first[2].decode("ascii")
    if root != UFDR_ROOT:
        return (f"{name} is XML but not a Cellebrite UFDR report: its first element is "
                f"<{root}>, a report.xml starts with <{UFDR_ROOT}>. Upload the report.xml "
                "from the UFDR (or the flat extraction CSV).")
    return None
