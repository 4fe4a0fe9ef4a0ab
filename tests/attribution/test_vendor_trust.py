"""Own-call days as labels: EM learns how far a vendor's placements can be trusted."""

from __future__ import annotations

import numpy as np

from cellwatch.attribution.em import CODE_BITS, estimate_assigned, own_call_labels
from cellwatch.attribution.pipeline import uninformative

FIELDS = {"vendor": (0, 1), "today": (0, 1, 2)}
I64 = np.int64


def code(vendor: int, today: int) -> int:
    """The packed vector (em.encode_sql) of one row."""
    return (vendor + 1) + ((today + 1) << CODE_BITS)


def misplacing_world(days: int = 1000, own_call_every: int = 4
                     ) -> tuple[np.ndarray, np.ndarray]:
    """Two candidates a day, the user first; the vendor places the phone with his
    neighbour on 7 days in 10; every ``own_call_every``-th day the user alone calls his
    own numbers (today 2) and his neighbour does not (0); other days have no calls."""
    codes, groups = [], []
    for g in range(days):
        wrong = g % 10 < 7
        called = g % own_call_every == 0
        codes += [code(0 if wrong else 1, 2 if called else -1),
                  code(1 if wrong else 0, 0 if called else -1)]
        groups += [g, g]
    return np.asarray(codes, dtype=I64), np.asarray(groups, dtype=I64)


def test_only_a_lone_own_caller_on_an_unjudged_day_is_labelled() -> None:
    codes = np.asarray([code(1, 2), code(0, 0),      # day 0: one own caller
                        code(1, 2), code(0, 2),      # day 1: two, no label
                        code(1, 2), code(0, 0),      # day 2: an analyst rejected him
                        code(1, -1)], dtype=I64)     # day 3: no calls
    groups = np.asarray([0, 0, 1, 1, 2, 2, 3], dtype=I64)
    labels = np.asarray([-1, -1, -1, -1, 0, -1, -1], dtype=I64)
    out = own_call_labels(codes, groups, labels, FIELDS)
    assert out.tolist() == [1, -1, -1, -1, 0, -1, -1]
    assert labels.tolist() == [-1, -1, -1, -1, 0, -1, -1]  # the input is not changed


def test_own_call_days_turn_a_misleading_vendor_against_its_placements() -> None:
    codes, groups = misplacing_world()
    none = np.full(len(codes), -1, dtype=I64)
    # A centre that trusts the vendor, as the development worlds' does.
    centre = ({"vendor": np.asarray([0.1, 0.9]), "today": np.asarray([0.1, 0.2, 0.7])},
              {"vendor": np.asarray([0.9, 0.1]), "today": np.asarray([0.6, 0.35, 0.05])})
    kw = {"iterations": 100, "centre": centre, "strength": 100.0,
          "start": {f: (centre[0][f], centre[1][f]) for f in FIELDS}}
    plain = estimate_assigned(codes, groups, none, FIELDS, **kw)  # type: ignore[arg-type]
    learned = estimate_assigned(codes, groups, own_call_labels(codes, groups, none, FIELDS),
                                FIELDS, **kw)  # type: ignore[arg-type]
    assert plain.weight("vendor", 1) > 0.0
    assert learned.weight("vendor", 1) < 0.0
    assert learned.labelled == 250


def test_an_untrusted_field_is_pulled_towards_no_evidence() -> None:
    m = {"vendor": np.asarray([0.1, 0.9]), "today": np.asarray([0.1, 0.2, 0.7])}
    u = {"vendor": np.asarray([0.9, 0.1]), "today": np.asarray([0.6, 0.35, 0.05])}
    cm, cu = uninformative((m, u), ("vendor",))
    assert cm["vendor"].tolist() == [0.9, 0.1]
    assert cm["today"].tolist() == [0.1, 0.2, 0.7]
    assert cu is u
    assert m["vendor"].tolist() == [0.1, 0.9]
