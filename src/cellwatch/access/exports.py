"""Intelligence export as CSV in the interchange layout (``intelligence_reports``).

The rows are those the principal may see (handling codes enforced by
:func:`cellwatch.access.intel.export_intelligence`, which needs the export permission and
a reason, records every item leaving its owner as a dissemination and audits the export).
The columns are the interchange ones, so an export can be ingested again elsewhere.
"""

from __future__ import annotations

import csv
from typing import TextIO

from cellwatch.access import intel
from cellwatch.access.service import Access

COLUMNS = ("report_ref", "ts", "establishment", "source_evaluation",
           "intelligence_assessment", "handling_code", "handling_conditions", "subjects",
           "identifiers", "text")


def write_intelligence_csv(access: Access, reason: str, out: TextIO,
                           filters: intel.IntelligenceFilter = intel.IntelligenceFilter()
                           ) -> int:
    """Write the principal's exportable intelligence to ``out``; return the row count."""
    rows = intel.export_intelligence(access, reason, filters)
    subjects = intel.subjects_of(access, [r.id for r in rows])
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for r in rows:
        writer.writerow([r.report_ref, r.ts.isoformat(), r.establishment or "",
                         r.source_evaluation, r.intelligence_assessment, r.handling_code,
                         r.handling_conditions or "", ";".join(sorted(subjects[r.id])),
                         ";".join(r.identifiers or []), r.text or ""])
    return len(rows)
