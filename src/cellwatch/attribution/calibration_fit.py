"""Fit the calibration map (:mod:`cellwatch.attribution.calibration`) on development worlds.

``python -m cellwatch.attribution.calibration_fit OUT.toml WORLD_DIR...`` where each
WORLD_DIR is a world kept by the evaluation matrix (``run_world(..., keep=True)``: its
``home/`` store and ``src/truth/``). Each world is re-scored without the map, and every
scored IMEI and IMSI pair-day is labelled right when truth has that prisoner using it that
day. Only ever run it on development worlds: a map fitted on the worlds it is judged on
says nothing about worlds it has not seen.

With ``--cellmate-share`` first, the worlds are scored with ``RunParams.cellmate_share``
and OUT gets only the class that setting adds (``tied``, :mod:`cellwatch.attribution.
cellmates`), to be appended to the shipped map: its other classes stay as fitted without
it, so runs with the setting off are unchanged.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from cellwatch.attribution import calibration
from cellwatch.attribution.evaluate import truth_file
from cellwatch.attribution.params import RunParams
from cellwatch.attribution.pipeline import run_pipeline
from cellwatch.attribution.sources import open_engine
from cellwatch.lake.analytic_engine import scratch_connection
from cellwatch.settings import Settings
from cellwatch.store import open_store

# The classes only RunParams.cellmate_share produces.
CELLMATE_CLASSES = ("tied",)


def world_rows(world: Path, params: RunParams | None = None) -> list[tuple[str, float, bool]]:
    """(night class, uncalibrated probability, right) for every scored pair-day of a world."""
    settings = Settings(home=world / "home", environment="test")
    store = open_store(settings)
    engine = open_engine(settings, store)
    try:
        run_pipeline(engine, replace(params or RunParams(), calibrate=False))
        scored = engine.run(
            "SELECT identifier_type, identifier, eday, prison_number, night, raw_p "
            "FROM cw_f_score WHERE identifier_type IN ('IMEI', 'IMSI') AND confirmed = 0")
    finally:
        engine.close()
        store.dispose()
    con = scratch_connection()
    try:
        con.register("s", scored)
        rows = con.execute(
            "WITH t AS (SELECT DISTINCT CAST(date AS DATE) AS day, identifier_type, "
            "CAST(identifier AS VARCHAR) AS identifier, prison_number "
            "FROM read_csv(?, all_varchar = true)) "
            "SELECT s.night, s.raw_p, t.day IS NOT NULL FROM s LEFT JOIN t ON t.day = s.eday "
            "AND t.identifier_type = s.identifier_type AND t.identifier = s.identifier "
            "AND t.prison_number = s.prison_number",
            [str(truth_file(world / "src"))]).fetchall()
    finally:
        con.close()
    return [(str(c), float(p), bool(ok)) for c, p, ok in rows]


def main(argv: list[str]) -> int:
    """Fit on the worlds given and write the TOML map."""
    if len(argv) < 2:
        print(__doc__)
        return 2
    mates = argv[0] == "--cellmate-share"
    if mates:
        argv = argv[1:]
    out, worlds = Path(argv[0]), [Path(a) for a in argv[1:]]
    params = RunParams(cellmate_share=mates)
    rows = [r for w in worlds for r in world_rows(w, params)]
    knots = calibration.fit(rows)
    if mates:
        knots = {c: k for c, k in knots.items() if c in CELLMATE_CLASSES}
    counts = {c: sum(1 for r in rows if r[0] == c) for c in calibration.MAPPED}
    provenance = {
        "fitted_on": ", ".join(w.name for w in worlds),
        "fitted_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "rows": str(len(rows)),
        "labels": "simulator truth of development worlds only (never held-out worlds)",
    } | ({"params": "cellmate_share"} if mates else {})
    out.write_text(calibration.dump(knots, provenance, counts), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
