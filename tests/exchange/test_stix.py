"""STIX 2.1 export: a valid bundle, only what the principal may see, disseminations kept."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import stix2
from sqlalchemy import select

from cellwatch.access.models import AuditEntry, Dissemination
from cellwatch.access.principal import SYSTEM
from cellwatch.access.service import Access
from cellwatch.errors import Denied, InvalidData, NotFound
from cellwatch.exchange.rows import ExportScope
from cellwatch.exchange.service.write import export_stix
from cellwatch.exchange.stix_ids import PROPERTIES_EXTENSION, observable, sco_id
from cellwatch.store import Store

NOW = datetime(2026, 5, 3, 9, 0, tzinfo=UTC)


def _export(access: Access, path: Path, scope: ExportScope = ExportScope(),
            reason: str = "operation test") -> dict[str, Any]:
    export_stix(access, path, scope, reason, now=NOW)
    text = path.read_text(encoding="utf-8")
    # Parsing back is the validation: stix2 checks every standard object's properties.
    parsed = stix2.parse(text, allow_custom=True)
    assert parsed.type == "bundle"
    document: dict[str, Any] = json.loads(text)
    return document


def _by_type(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [o for o in bundle["objects"] if o["type"] == kind]


def _ext(obj: dict[str, Any]) -> dict[str, Any]:
    """cellwatch's properties of an object (its property extension)."""
    values: dict[str, Any] = obj["extensions"][PROPERTIES_EXTENSION]
    return values


def _number(obj: dict[str, Any]) -> str:
    return str(_ext(obj)["prison_number"])


def test_system_export_is_a_valid_complete_bundle(exchange_estate: Store,
                                                  tmp_path: Path) -> None:
    bundle = _export(Access(exchange_estate, SYSTEM), tmp_path / "all.json")
    people = {_number(o): o for o in _by_type(bundle, "identity")
              if o["identity_class"] == "individual"}
    assert set(people) == {"A1111AA", "A2222BB", "A3333CC", "A4444DD"}
    assert people["A1111AA"]["name"] == "Smith, Test"
    rels = [o for o in _by_type(bundle, "relationship")
            if o["relationship_type"] == "attributed-to"]
    # Five attributions reach the sharing floor of 0.5; the 0.2 one stays home.
    assert len(rels) == 5
    probs = sorted(_ext(r)["probability"] for r in rels)
    assert probs == [0.75, 0.81, 0.88, 0.93, 0.97]
    assert all("cell on 12 nights" in r["description"] for r in rels)
    assert all(r["target_ref"] in {p["id"] for p in people.values()} for r in rels)
    imei = observable("IMEI", "356938035643809")
    assert imei in _by_type(bundle, "imei")
    assert _by_type(bundle, "phone-number")[0]["value"] == "+447911123456"
    accounts = _by_type(bundle, "user-account")
    assert accounts[0]["account_type"] == "instagram"
    assert accounts[0]["user_id"] == "jd_hewell"
    assert len(_by_type(bundle, "indicator")) == 5
    assert len(_by_type(bundle, "report")) == 4


def test_ids_are_stable_across_exports(exchange_estate: Store, tmp_path: Path) -> None:
    access = Access(exchange_estate, SYSTEM)
    first = _export(access, tmp_path / "a.json")
    second = _export(access, tmp_path / "b.json")
    ids = lambda b: {o["id"] for o in b["objects"]}  # noqa: E731
    assert ids(first) == ids(second)
    # The SCO id follows STIX's deterministic rule (UUIDv5 over id-contributing properties).
    assert sco_id("imei", {"value": "356938035643809"}) in ids(first)


def test_user_account_id_matches_stix2_library(exchange_estate: Store) -> None:
    ours = observable("ACCOUNT", "instagram:jd_hewell")
    theirs = stix2.UserAccount(user_id="jd_hewell", account_login="jd_hewell",
                               account_type="instagram")
    assert ours["id"] == theirs.id


def test_handling_codes_and_grades_become_markings(exchange_estate: Store,
                                                   tmp_path: Path) -> None:
    bundle = _export(Access(exchange_estate, SYSTEM), tmp_path / "all.json")
    reports = {r["name"]: r for r in _by_type(bundle, "report")}
    assert stix2.TLP_AMBER.id in reports["IR-P-HEI"]["object_marking_refs"]
    assert stix2.TLP_RED.id in reports["IR-C-WMP"]["object_marking_refs"]
    statements = {m["id"]: m["definition"]["statement"]
                  for m in _by_type(bundle, "marking-definition")
                  if m.get("definition_type") == "statement"}
    c_marks = [statements[m] for m in reports["IR-C-WMP"]["object_marking_refs"]
               if m in statements]
    assert "Handling conditions: Disseminate to WMP only" in c_marks
    assert any("source evaluation 2, intelligence assessment B, handling code C" in s
               for s in c_marks)
    assert _ext(reports["IR-C-NIU"])["handling_code"] == "C"


def test_police_get_only_released_items_and_dissemination_is_recorded(
        as_user: Callable[[str], Access], exchange_estate: Store, tmp_path: Path) -> None:
    # WMP reaches no prisoner by geography; a C item naming WMP is released to it.
    access = as_user("wmp_investigator")
    with pytest.raises(Denied):  # investigators hold no intelligence export permission
        _export(access, tmp_path / "wmp.json")
    assert not (tmp_path / "wmp.json").exists()
    bundle = _export(access, tmp_path / "wmp.json",
                     ExportScope(include_intelligence=False))
    assert _by_type(bundle, "report") == []
    assert [o for o in _by_type(bundle, "identity") if o["identity_class"] == "individual"] == []


def test_supervisor_sees_own_establishment_and_released_c_only(
        as_user: Callable[[str], Access], exchange_estate: Store, tmp_path: Path) -> None:
    bundle = _export(as_user("hei_supervisor"), tmp_path / "hei.json")
    reports = {r["name"] for r in _by_type(bundle, "report")}
    # The C item on HEI names WMP only: not even HEI's own team receives it.
    assert reports == {"IR-P-HEI"}
    people = {_number(o) for o in _by_type(bundle, "identity")
              if o["identity_class"] == "individual"}
    assert people == {"A1111AA"}
    rels = [o for o in _by_type(bundle, "relationship")
            if o["relationship_type"] == "attributed-to"]
    assert len(rels) == 3  # only A1111AA's identifiers
    with exchange_estate.session() as s:
        audit = s.scalars(select(AuditEntry).where(AuditEntry.action == "export",
                                                   AuditEntry.principal == "hei_supervisor"))
        formats = [e.detail.get("format") for e in audit]
    assert "stix" in formats


def test_items_leaving_their_owner_are_disseminations(
        as_user: Callable[[str], Access], exchange_estate: Store, tmp_path: Path) -> None:
    # NIU (national) is named by IR-C-NIU, owned by nobody: it leaves its owner.
    from cellwatch.access.models import User

    with exchange_estate.session() as s:
        user = s.scalars(select(User).where(User.username == "nat_analyst")).one()
        user.roles = ["supervisor"]
    _export(as_user("nat_analyst"), tmp_path / "niu.json", reason="national review")
    with exchange_estate.session() as s:
        rows = list(s.scalars(select(Dissemination).where(Dissemination.to_org == "NIU")))
    assert rows
    assert all(r.reason == "national review" and r.channel == "EXPORT" for r in rows)


def test_prisoner_filter_and_errors(exchange_estate: Store, tmp_path: Path,
                                    as_user: Callable[[str], Access]) -> None:
    bundle = _export(Access(exchange_estate, SYSTEM), tmp_path / "one.json",
                     ExportScope(prison_number="A2222BB"))
    people = [o for o in _by_type(bundle, "identity") if o["identity_class"] == "individual"]
    assert [_number(p) for p in people] == ["A2222BB"]
    assert {r["name"] for r in _by_type(bundle, "report")} == {"IR-C-NIU"}
    with pytest.raises(NotFound):
        _export(as_user("hei_supervisor"), tmp_path / "x.json",
                ExportScope(prison_number="A3333CC"))
    with pytest.raises(InvalidData):
        _export(as_user("hei_supervisor"), tmp_path / "x.json", reason=" ")


def test_one_night_attribution_stops_at_08_local_next_day(exchange_estate: Store,
                                                          tmp_path: Path) -> None:
    from cellwatch.attribution.models import Attribution

    with exchange_estate.session() as s:
        for a in s.scalars(select(Attribution)):
            a.valid_to = a.valid_from  # one night: 1 April 2026 (BST from 29 March)
    bundle = _export(Access(exchange_estate, SYSTEM), tmp_path / "night.json")
    rels = [o for o in _by_type(bundle, "relationship")
            if o["relationship_type"] == "attributed-to"]
    assert rels
    # 08:00 BST on the first day to 08:00 BST the next morning, in UTC.
    assert {(r["start_time"], r["stop_time"]) for r in rels} == {
        ("2026-04-01T07:00:00.000Z", "2026-04-02T07:00:00.000Z")}


def test_failed_write_is_audited_as_failed_and_leaves_no_file(
        exchange_estate: Store, tmp_path: Path) -> None:
    # A real failure while writing: the partial file's place leads nowhere.
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    (out_dir / "share.json.partial").symlink_to(tmp_path / "missing" / "x")
    with pytest.raises(FileNotFoundError):
        export_stix(Access(exchange_estate, SYSTEM), out_dir / "share.json", reason="op")
    assert list(out_dir.iterdir()) == []
    with exchange_estate.session() as s:
        entries = [e for e in s.scalars(select(AuditEntry).where(AuditEntry.action == "export"))
                   if "format" in e.detail]  # intelligence is audited on its own too
    assert [(e.outcome, e.detail["format"], e.detail["error"].split(":")[0])
            for e in entries] == [("failed", "stix", "FileNotFoundError")]


def test_export_is_audited_once_written_with_its_object_count(
        exchange_estate: Store, tmp_path: Path) -> None:
    summary = export_stix(Access(exchange_estate, SYSTEM), tmp_path / "s.json", reason="op")
    with exchange_estate.session() as s:
        entries = [e for e in s.scalars(select(AuditEntry).where(AuditEntry.action == "export"))
                   if "format" in e.detail]  # intelligence is audited on its own too
    assert [(e.outcome, e.detail["file"], e.detail["objects"]) for e in entries] == [
        ("allowed", "s.json", summary.objects)]
