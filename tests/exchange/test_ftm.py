"""FollowTheMoney export: valid entities, stable ids, attribution links."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from followthemoney import model

from cellwatch.access.principal import SYSTEM
from cellwatch.access.service import Access
from cellwatch.exchange.ftm import identifier_entity_id, person_entity_id
from cellwatch.exchange.rows import ExportScope
from cellwatch.exchange.service.write import export_ftm
from cellwatch.store import Store


def _entities(path: Path) -> list[Any]:
    # Loading through the model validates schema names and property values.
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        entity = model.get_proxy(json.loads(line), cleaned=False)
        assert entity.schema.validate(entity.to_dict()) is None
        out.append(entity)
    return out


def test_system_export_maps_people_identifiers_and_links(exchange_estate: Store,
                                                         tmp_path: Path) -> None:
    summary = export_ftm(Access(exchange_estate, SYSTEM), tmp_path / "all.jsonl")
    entities = _entities(tmp_path / "all.jsonl")
    assert summary.objects == len(entities)
    by_schema: dict[str, list[Any]] = {}
    for e in entities:
        by_schema.setdefault(e.schema.name, []).append(e)
    assert len(by_schema["Person"]) == 4
    smith = next(e for e in by_schema["Person"] if e.id == person_entity_id("A1111AA"))
    assert smith.get("idNumber") == ["A1111AA"]
    # A number attributed with probability >= 0.9 is also the person's phone.
    assert smith.get("phone") == ["+447911123456"]
    assert {e.first("service") for e in by_schema["UserAccount"]} == {
        "instagram", "mobile telephone number", "mobile subscription (IMSI)"}
    assert len(by_schema["Asset"]) == 2  # two handsets
    links = by_schema["UnknownLink"]
    assert len(links) == 5
    imei_link = next(e for e in links
                     if e.first("object") == identifier_entity_id("IMEI", "356938035643809"))
    assert imei_link.first("subject") == smith.id
    assert "probability 0.970" in imei_link.first("description")
    # Every link points at entities in the same file.
    ids = {e.id for e in entities}
    assert all(e.first("subject") in ids and e.first("object") in ids for e in links)


def test_ids_stable_and_scope_respected(as_user: Callable[[str], Access],
                                        exchange_estate: Store, tmp_path: Path) -> None:
    export_ftm(Access(exchange_estate, SYSTEM), tmp_path / "a.jsonl")
    export_ftm(Access(exchange_estate, SYSTEM), tmp_path / "b.jsonl")
    assert (tmp_path / "a.jsonl").read_text() == (tmp_path / "b.jsonl").read_text()
    export_ftm(as_user("lei_analyst"), tmp_path / "lei.jsonl",
               ExportScope(include_intelligence=False), reason="case 7")
    people = [e for e in _entities(tmp_path / "lei.jsonl") if e.schema.name == "Person"]
    assert [p.first("idNumber") for p in people] == ["A3333CC"]
