"""Exports through the policy: the rows a principal may take away, written whole or not at
all, and audited.

* :func:`write_intelligence_csv`: intelligence in the interchange layout
  (``intelligence_reports``). The rows are those the principal may see (handling codes
  enforced by :func:`cellwatch.intelligence.service.export_intelligence`, which needs the export
  permission and a reason, records every item leaving its owner as a dissemination and
  audits the export). The columns are the interchange ones, so an export can be ingested
  again elsewhere.
* :func:`export_attributions_csv`: the ``attributions`` interchange CSV, byte for byte
  the layout of :func:`cellwatch.attribution.export.export_attributions`: for ``system``
  the run as the model wrote it; for a user what the statements module states of the
  prisoners he may see (:func:`attribution_rows_for`).
* :func:`audited_export`: the one way a CLI export writes its file and audits it
  (``export``: what, how many rows, the file name); a refusal is audited and leaves no file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TextIO

from cellwatch.access.policy import Target
from cellwatch.access.roles import Action, Resource
from cellwatch.access.service import Access
from cellwatch.csvsafe import SafeDictWriter, write_table_schema
from cellwatch.csvsafe import writer as csv_writer
from cellwatch.errors import AccessDenied, Denied, InvalidData
from cellwatch.intelligence import service as intel

COLUMNS = ("report_ref", "ts", "establishment", "source_evaluation",
           "intelligence_assessment", "handling_code", "handling_conditions", "subjects",
           "identifiers", "text")
TYPES = {"ts": "datetime"}  # the Table Schema beside an export: the rest are strings


def require_reason(access: Access, reason: str | None) -> None:
    """A user exporting people's data says why (audited with the export); ``system`` need not."""
    if not access.principal.is_system and not (reason or "").strip():
        raise InvalidData("a reason is required to export", {"reason": ["required"]})


def atomically(out: Path, write: Callable[[Path], int]) -> int:
    """``write`` a neighbour of ``out`` and move it into place: a refused or failed export
    leaves no file behind. Returns what ``write`` returns (the rows written)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    try:
        n = write(partial)
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    return n


def audited_export(access: Access, what: str, resource: Resource, out: Path,
                   write: Callable[[Path], int], reason: str | None = None,
                   detail: Mapping[str, Any] | None = None,
                   schema: Mapping[str, Any] | None = None) -> int:
    """Write an export with ``write(path) -> rows`` and audit it as ``export`` on
    ``resource`` (detail: ``what``, ``rows``, ``file`` and ``detail``).

    The file is moved into place only once the export is audited, so no export goes
    unrecorded. ``schema`` (a Table Schema) is written beside the file once it is in
    place. A refusal that ``write`` raises unaudited (a plain
    :class:`~cellwatch.errors.AccessDenied`) is audited here as an ``export`` denied.
    """
    target = Target(resource)

    def audited(path: Path) -> int:
        try:
            rows = write(path)
        except Denied:
            raise  # Access.transaction has audited it
        except AccessDenied as exc:
            with access.transaction():  # which audits the denial as every other is
                raise Denied(exc.message, Action.EXPORT, target, reason) from exc
            raise
        with access.transaction() as s:
            access.audit(s, "export", target, reason=reason or None, detail={
                "what": what, "rows": rows, "file": out.name, **(detail or {})})
        return rows

    rows = atomically(out, audited)
    if schema is not None:
        write_table_schema(out, schema)
    return rows


def write_intelligence_csv(access: Access, reason: str, out: TextIO,
                           filters: intel.IntelligenceFilter = intel.IntelligenceFilter()
                           ) -> int:
    """Write the principal's exportable intelligence to ``out``; return the row count."""
    rows = intel.export_intelligence(access, reason, filters)
    subjects = intel.subjects_of(access, [r.id for r in rows])
    writer = csv_writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for r in rows:
        writer.writerow([r.report_ref, r.ts.isoformat(), r.establishment or "",
                         r.source_evaluation, r.intelligence_assessment, r.handling_code,
                         r.handling_conditions or "", ";".join(sorted(subjects[r.id])),
                         ";".join(r.identifiers or []), r.text or ""])
    return len(rows)


def attribution_rows_for(access: Access, run_id: int | None = None
                         ) -> tuple[int, list[dict[str, Any]]]:
    """The ``attributions`` rows the principal may take away. Needs prisoner and
    identifier read, as the STIX and FollowTheMoney exports of the same claims do.

    ``system`` (the interchange dump: evaluation, another cellwatch) gets the run's
    intervals as the model wrote them, any run, every probability, verdicts applied. A
    user gets what the statements module states (:func:`~cellwatch.statements.service.
    export_claims`): the latest run, at or above the floor or confirmed, a verdict at once,
    one row per period, prisoners he may see only.
    """
    from cellwatch.attribution.export import attribution_rows, latest_run
    from cellwatch.statements.service import export_claims

    with access.transaction():
        access.check(Action.READ, Target(Resource.PRISONER), role_only=True)
        access.check(Action.READ, Target(Resource.IDENTIFIER), role_only=True)
    latest = latest_run(access.store)
    run = run_id if run_id is not None else latest
    if access.principal.is_system:
        return run, attribution_rows(access.store, run)
    if run != latest:
        raise InvalidData(f"run {run}: an export states the latest run ({latest}) only",
                          {"run": [f"only the latest run, {latest}"]})
    rows = [{"identifier_type": c.holding.identifier_type, "identifier": c.holding.identifier,
             "prison_number": c.prison_number, "probability": round(st.period.probability, 4),
             "valid_from": st.valid_from, "valid_to": st.valid_to, "status": c.status}
            for c in export_claims(access) for st in c.stretches]
    rows.sort(key=lambda r: (r["identifier_type"], r["identifier"], r["valid_from"],
                             r["prison_number"]))
    return run, rows


def export_attributions_csv(access: Access, out: Path, run_id: int | None = None,
                            reason: str = "") -> int:
    """Write the ``attributions`` interchange CSV of what the principal may see; audited."""
    from cellwatch.attribution.export import COLUMNS as ATTRIBUTION_COLUMNS
    from cellwatch.attribution.export import TYPES as ATTRIBUTION_TYPES
    from cellwatch.csvsafe import table_schema

    require_reason(access, reason)
    run, rows = attribution_rows_for(access, run_id)

    def write(path: Path) -> int:
        # The dialect of attribution.export.export_attributions (interchange.md): a test
        # holds the two byte for byte equal for ``system``.
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = SafeDictWriter(fh, fieldnames=ATTRIBUTION_COLUMNS, extrasaction="ignore")
            writer.writeheader()
            writer.writerows(rows)
        return len(rows)

    return audited_export(access, "attributions", Resource.ATTRIBUTION, out, write, reason,
                          {"run": run}, table_schema(ATTRIBUTION_COLUMNS, ATTRIBUTION_TYPES))
