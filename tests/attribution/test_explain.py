"""Evidence items in words: the day's own calls."""

from __future__ import annotations

from datetime import date

from cellwatch.attribution.explain import evidence_items

ROW = {"prison_number": "A1234BC", "eday": date(2026, 10, 1), "calls_today": 3,
       "first_day": None, "last_day": None}


def test_calls_to_the_prisoners_contacts_that_day_are_said_with_their_weight() -> None:
    [item] = evidence_items({**ROW, "l_today": 2, "w_today": 3.5, "pin_today": 2,
                             "pin_today_shared": 0}, 14)
    assert item["kind"] == "TODAY"
    assert item["description"] == ("2 of 3 calls on 2026-10-01 to numbers on A1234BC's "
                                   "approved PIN list")
    assert item["weight_log2"] == 3.5
    assert (item["first_seen"], item["last_seen"]) == (ROW["eday"], ROW["eday"])


def test_a_day_with_calls_to_nobody_of_his_counts_against_him() -> None:
    [item] = evidence_items({**ROW, "l_today": 0, "w_today": -1.25, "pin_today": 0}, 14)
    assert item["description"] == "3 calls on 2026-10-01, none to numbers on A1234BC's PIN list"
    assert item["weight_log2"] == -1.25


def test_a_day_without_calls_says_nothing() -> None:
    assert evidence_items({**ROW, "l_today": -1, "calls_today": 0}, 14) == []
