"""``match_people``: candidate prisoners for records that name people without a number.

The model (comparisons and blocking in :mod:`cellwatch.matching.model`) is trained on
the data at hand each call: u by random sampling with a fixed seed, m by EM on two
blocks (each leaving the other columns free). The prior is fixed at one in the number
of prisoners, since a record names at most one prisoner. Small inputs (fewer than
:data:`MIN_EM_RECORDS`) keep the m priors: EM on a handful of pairs overfits.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from cellwatch.access.policy import Target
from cellwatch.access.roles import Action, Resource
from cellwatch.access.scopes import visible_prisoners
from cellwatch.access.service import Access
from cellwatch.errors import InvalidData, LakeError
from cellwatch.lake.analytic_engine import scratch_connection
from cellwatch.matching import model
from cellwatch.matching.prepare import Rejected, prepare, split
from cellwatch.store.reference import Prisoner

MATCH_COLUMNS = ("record_id", "prison_number", "match_probability", "match_weight", "rank",
                 "explanation")
MIN_EM_RECORDS = 30
U_MAX_PAIRS = 2e5
# A trained m is kept at or above this fraction of its prior (see _floored).
M_FLOOR = 0.25
# ... and a u cleared of sampled matches at or above this fraction of the sampled u.
U_FLOOR = 0.05

Records = Any  # pyarrow.Table | Sequence[Mapping[str, Any]]


def _rows(table: Records) -> list[dict[str, Any]]:
    if hasattr(table, "to_pylist"):
        return list(table.to_pylist())
    return [dict(r) for r in table]


def prisoners_for(access: Access) -> list[dict[str, Any]]:
    """The prisoners the principal may see, as matching input (the read is audited)."""
    target = Target(Resource.PRISONER)
    with access.transaction() as s:
        access.check(Action.READ, target, role_only=True)
        rows = s.execute(select(Prisoner.prison_number, Prisoner.surname, Prisoner.forenames,
                                Prisoner.date_of_birth)
                         .where(visible_prisoners(access.principal))
                         .order_by(Prisoner.prison_number))
        out = [dict(r._mapping) for r in rows]
        access.audit(s, "match", target, detail={"candidates": len(out)})
    return out


@dataclass
class MatchRun:
    """A matching run: the candidates, the records that could not be matched (with their
    reasons), and one line summing up Splink's training warnings."""

    table: Any
    rejected: list[Rejected] = field(default_factory=list)
    training: str = "training: no warnings"


def match_people(records: Records, against: str | Records = "prisoners", *,
                 access: Access | None = None, threshold: float = 0.0, seed: int = 42,
                 id_column: str = "id") -> Any:
    """Score ``records`` against prisoners; a ``pyarrow.Table`` of :data:`MATCH_COLUMNS`.

    ``records`` carry ``surname``, ``forenames``, ``date_of_birth`` (ISO) and optionally
    an ``id``. ``against`` is ``"prisoners"`` (those ``access`` may see) or a table of
    people with a ``prison_number``. Rank 1 is each record's best candidate. A record
    that cannot be matched is an error naming every such row (:func:`match_records`
    matches the rest and returns them instead).

    >>> # match_people([{"surname": "Smiht", "forenames": "John", "date_of_birth":
    >>> #               "1990-04-03"}], access=access).to_pylist()[0]["prison_number"]
    """
    prepare(_rows(records), id_column)  # raises naming every unusable row
    return match_records(records, against, access=access, threshold=threshold, seed=seed,
                         id_column=id_column).table


def match_records(records: Records, against: str | Records = "prisoners", *,
                  access: Access | None = None, threshold: float = 0.0, seed: int = 42,
                  id_column: str = "id") -> MatchRun:
    """As :func:`match_people`, but records that cannot be matched (an unusable date of
    birth, neither surname nor date) are returned with their reason while the rest are
    matched."""
    import pyarrow as pa

    if isinstance(against, str):
        if against != "prisoners" or access is None:
            raise InvalidData("against='prisoners' needs an access; or pass a table",
                              {"against": [str(against)]})
        reference = prisoners_for(access)
    else:
        reference = _rows(against)
    left, rejected = split(_rows(records), id_column)
    right = prepare(reference, "prison_number", need_key=False)
    if not left or not right:
        return MatchRun(pa.table({c: [] for c in MATCH_COLUMNS}), rejected)
    try:
        with _splink_warnings() as warnings:
            pairs = _predict(left, right, threshold, seed)
    except Exception as exc:
        # Splink and DuckDB errors cross into cellwatch once, here, with their SQL if any.
        if isinstance(exc, InvalidData):
            raise
        raise LakeError(f"person matching failed: {exc}", getattr(exc, "sql", None)) from exc
    table = pa.Table.from_pylist(_ranked(pairs), schema=_schema())
    return MatchRun(table, rejected, _summary(warnings))


@contextmanager
def _splink_warnings() -> Iterator[list[str]]:
    """Collect what Splink logs at WARNING or above while training, instead of printing it."""
    caught: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            caught.append(record.getMessage())

    logger = logging.getLogger("splink")
    handler, propagate = Collect(logging.WARNING), logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield caught
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def _summary(warnings: Sequence[str]) -> str:
    """Splink's training warnings as one line: how many, and the first of each kind."""
    if not warnings:
        return "training: no warnings"
    kinds: dict[str, int] = {}
    for w in warnings:
        first = " ".join(w.split())[:80]
        kinds[first] = kinds.get(first, 0) + 1
    shown = "; ".join(f"{k} ({n}x)" if n > 1 else k for k, n in list(kinds.items())[:3])
    return f"training: {len(warnings)} Splink warning(s): {shown}"


def _schema() -> Any:
    import pyarrow as pa

    return pa.schema([("record_id", pa.string()), ("prison_number", pa.string()),
                      ("match_probability", pa.float64()), ("match_weight", pa.float64()),
                      ("rank", pa.int32()), ("explanation", pa.string())])


def _predict(left: list[dict[str, Any]], right: list[dict[str, Any]], threshold: float,
             seed: int) -> list[dict[str, Any]]:
    import pyarrow as pa
    from splink import DuckDBAPI, Linker, block_on

    # Splink's DuckDB back end takes a connection; the lake hands out the scratch one.
    con = scratch_connection()
    try:
        db = DuckDBAPI(connection=con)
        records = db.register(pa.Table.from_pylist(left), dataset_display_name="records")
        people = db.register(pa.Table.from_pylist(right), dataset_display_name="prisoners")
        linker = Linker([records, people], model.settings(1.0 / len(right)), log_level=None)
        linker.training.estimate_u_using_random_sampling(max_pairs=U_MAX_PAIRS, seed=seed)
        if len(left) >= MIN_EM_RECORDS:
            for cols in model.EM_BLOCKS:
                try:
                    linker.training.estimate_parameters_using_expectation_maximisation(
                        block_on(*cols), fix_probability_two_random_records_match=True)
                except ValueError:
                    # Splink refuses an m that EM drove below 1e-300 (a level no pair in
                    # the block reaches); the session is discarded and the m values from
                    # the priors or the other block stand.
                    continue
        trained = _floored(linker.misc.save_model_to_json())
        linker = Linker([records, people], trained, log_level=None)
        pairs = linker.inference.predict(threshold_match_probability=threshold)
        rows: list[dict[str, Any]] = pairs.as_record_list()
        levels = _level_weights(trained)
    finally:
        con.close()
    return [_orient(r, levels) for r in rows]


def _floored(trained: dict[str, Any]) -> dict[str, Any]:
    """The trained model with two corrections.

    * Each level's m is kept at or above a fraction of its prior: EM can drive the m of
      a level few pairs reach to nearly nothing (-117 bits for "surname Jaro-Winkler >=
      0.80" on FEBRL4), which then vetoes every true match that lands there.
    * Each u is cleared of the true matches among the random pairs it was sampled from:
      u is the share of random pairs at a level, and a fraction ``prior`` of them are
      matches, at that level with probability m. Negligible for most levels; for an
      exact date of birth it was most of u (0.00023 sampled, of which 0.00020 matches on
      FEBRL4), understating the evidence of a shared birth date by about 3 bits.
    """
    priors = {label: m for levels in model.COMPARISONS.values() for label, _, m in levels}
    prior = float(trained.get("probability_two_random_records_match") or 0.0)
    for comparison in trained["comparisons"]:
        for level in comparison["comparison_levels"]:
            label = str(level.get("label_for_charts", ""))
            m, u = level.get("m_probability"), level.get("u_probability")
            if label in priors and m is not None:
                m = level["m_probability"] = max(float(m), priors[label] * M_FLOOR)
            if m is not None and u is not None and 0.0 < prior < 1.0:
                level["u_probability"] = max((float(u) - prior * float(m)) / (1.0 - prior),
                                             float(u) * U_FLOOR)
    return trained


def _level_weights(trained: Mapping[str, Any]) -> dict[str, list[tuple[float, str]]]:
    """Comparison -> (match weight, label) of each level, from the trained model."""
    out: dict[str, list[tuple[float, str]]] = {}
    for comparison in trained["comparisons"]:
        levels = []
        for level in comparison["comparison_levels"]:
            m, u = level.get("m_probability"), level.get("u_probability")
            weight = 0.0 if level.get("is_null_level") or not (m and u) else math.log2(m / u)
            levels.append((weight, str(level.get("label_for_charts", ""))))
        out[comparison["output_column_name"]] = levels
    return out


def _orient(row: Mapping[str, Any], levels: Mapping[str, list[tuple[float, str]]]
            ) -> dict[str, Any]:
    """Put the record on the left, the prisoner on the right, whatever Splink's order."""
    swap = row.get("source_dataset_l") != "records"
    return {"record_id": str(row["unique_id_r" if swap else "unique_id_l"]),
            "prison_number": str(row["unique_id_l" if swap else "unique_id_r"]),
            "match_probability": float(row["match_probability"]),
            "match_weight": float(row["match_weight"]),
            "explanation": _explain(row, levels)}


def _explain(row: Mapping[str, Any], levels: Mapping[str, list[tuple[float, str]]]) -> str:
    """Each comparison's level and its weight in bits, strongest evidence first.

    Splink reports each comparison's weight (``mw_<name>``); the level is the one whose
    trained weight it is (weights of one comparison's levels differ).
    """
    parts = []
    for name in model.COMPARISONS:
        bits = float(row.get(f"mw_{name}") or 0.0)
        label = min(levels.get(name, [(bits, name)]), key=lambda lv: abs(lv[0] - bits))[1]
        parts.append((bits, f"{label} ({bits:+.1f})"))
    return "; ".join(text for _, text in sorted(parts, key=lambda p: -p[0]))


def _ranked(pairs: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    by_record: dict[str, list[dict[str, Any]]] = {}
    for p in pairs:
        by_record.setdefault(p["record_id"], []).append(p)
    out = []
    for record_id in sorted(by_record):
        ordered = sorted(by_record[record_id],
                         key=lambda p: (-p["match_weight"], p["prison_number"]))
        out += [{**p, "rank": i} for i, p in enumerate(ordered, start=1)]
    return out
