"""The TRO API: an order's whole lifecycle, illegal moves, and who may see and move what.

The fixture estate (Hewell, Berwyn, Leeds) gets a wing sensor at Hewell and at Leeds,
and the lake a few days of detections of one SIM at each, so each is a candidate.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from audit_support import audited
from cellwatch.lake import layout
from cellwatch.settings import Settings
from cellwatch.store import Location, Sensor, Store
from cellwatch.tro.verify import verify

Login = Callable[[str], dict[str, str]]
IMSI_HEI = "234150000000001"  # Vodafone UK (234-15)
IMSI_LEI = "234100000000002"  # O2 (234-10)
START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
ORDERS = "/api/v1/tro/orders"


def _detect(settings: Settings, establishment: str, sensor: str, imsi: str) -> None:
    """Four days of detections, written in the lake's documented layout."""
    for day in range(4):
        ts = START + timedelta(days=day)
        folder = layout.kind_dir(settings.lake_dir, layout.DETECTIONS) / (
            f"establishment={establishment}") / f"day={ts.date().isoformat()}"
        folder.mkdir(parents=True, exist_ok=True)
        row = {"ts": ts, "sensor_id": sensor, "imsi": imsi, "imei": None,
               "establishment": establishment}
        schema = layout.FILE_SCHEMAS[layout.DETECTIONS]
        pq.write_table(pa.Table.from_pylist(
            [{k: v for k, v in row.items() if k in schema.names}], schema=schema),
            folder / f"part-{sensor}-0.parquet")


@pytest.fixture
def lake(client: TestClient, settings: Settings, store: Store) -> None:
    """A SIM used on a wing at Hewell and one at Leeds (after the estate is built)."""
    with store.session() as s:
        for est in ("HEI", "LEI"):
            s.add(Location(code=f"{est}-A", establishment=est, type="WING"))
        s.flush()
        for est in ("HEI", "LEI"):
            s.add(Sensor(sensor_id=f"{est}-MA-1", establishment=est, kind="MANAGED_ACCESS",
                         location_code=f"{est}-A"))
    _detect(settings, "HEI", "HEI-MA-1", IMSI_HEI)
    _detect(settings, "LEI", "LEI-MA-1", IMSI_LEI)


def _move(client: TestClient, headers: dict[str, str], ref: str, state: str,
          **extra: str) -> tuple[int, dict[str, Any]]:
    r = client.post(f"{ORDERS}/{ref}/transition", headers=headers,
                    json={"state": state, "reason": f"to {state}", **extra})
    return r.status_code, r.json()


def _audited(store: Store, user: str) -> list[tuple[str, str | None, str]]:
    return audited(store, user, "tro_order")


def _draft(client: TestClient, login: Login) -> str:
    r = client.post(ORDERS, headers=login("hei_analyst"),
                    json={"establishment": "HEI", "identifiers": [IMSI_HEI]})
    assert r.status_code == 201, r.text
    ref: str = r.json()["ref"]
    return ref


@pytest.mark.usefixtures("lake")
def test_an_order_from_candidate_to_verified(client: TestClient, login: Login, store: Store,
                                             settings: Settings) -> None:
    analyst, supervisor = login("hei_analyst"), login("hei_supervisor")
    r = client.get("/api/v1/tro/candidates", headers=analyst, params={"establishment": "HEI"})
    assert r.status_code == 200, r.text
    assert [(c["identifier"], c["operator"], c["action"]) for c in r.json()] == [
        (IMSI_HEI, "Vodafone UK", "DISCONNECT_SIM")]
    # Without a filter the analyst sees Hewell's candidates only, never Leeds'.
    r = client.get("/api/v1/tro/candidates", headers=analyst)
    assert [c["identifier"] for c in r.json()] == [IMSI_HEI]

    ref = _draft(client, login)
    # An analyst drafts and may send back, but signing off is a supervisor's.
    assert _move(client, analyst, ref, "APPROVED")[0] == 403
    assert _move(client, supervisor, ref, "APPROVED")[0] == 200
    assert _move(client, supervisor, ref, "FILED")[0] == 200
    assert _move(client, analyst, ref, "GRANTED", court="Birmingham Crown Court",
                 order_date="2026-03-16")[0] == 200
    status, body = _move(client, analyst, ref, "SERVED")
    assert (status, body["state"]) == (200, "SERVED")
    assert all(ln["compliance_due"] for ln in body["lines"])

    # The operator answers through the ordinary ingest kind; the order moves by itself.
    csv = ("order_ref,identifier,outcome,actioned_ts\r\n"
           f"{ref},{IMSI_HEI},DONE,2026-03-20T10:00:00Z\r\n")
    r = client.post("/api/v1/ingest/operator_responses", headers=supervisor,
                    files={"file": ("responses.csv", csv.encode(), "text/csv")})
    assert r.status_code == 201, r.text
    assert client.get(f"{ORDERS}/{ref}", headers=analyst).json()["state"] == "DISCONNECTED"

    # Quiet for the policy's period with no reappearance in the lake: verified.
    verify(settings, store, "system", as_of=datetime(2026, 4, 1, tzinfo=UTC))
    r = client.get(f"{ORDERS}/{ref}", headers=analyst)
    assert [t["to"] for t in r.json()["transitions"]] == [
        "DRAFT", "APPROVED", "FILED", "GRANTED", "SERVED", "ACKNOWLEDGED", "DISCONNECTED",
        "VERIFIED"]
    assert r.json()["lines"][0]["status"] == "DONE"
    listed = client.get(ORDERS, headers=analyst, params={"limit": 1}).json()
    assert listed == [{"ref": ref, "establishment": "HEI", "state": "VERIFIED", "lines": 1}]
    assert ("tro.transition.decision", ref, "denied") in _audited(store, "hei_analyst")


@pytest.mark.usefixtures("lake")
def test_an_illegal_move_is_a_409_problem(client: TestClient, login: Login) -> None:
    ref = _draft(client, login)
    r = client.post(f"{ORDERS}/{ref}/transition", headers=login("hei_analyst"),
                    json={"state": "SERVED", "reason": "skip ahead"})
    assert r.status_code == 409
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "DRAFT" in r.json()["detail"]
    assert "SERVED" in r.json()["detail"]
    r = client.post(ORDERS, headers=login("hei_analyst"),
                    json={"establishment": "HEI", "identifiers": ["234150000000099"]})
    assert r.status_code == 422  # no evidence of use in the establishment


@pytest.mark.usefixtures("lake")
def test_leeds_cannot_see_or_move_a_hewell_order(client: TestClient, login: Login,
                                                 store: Store) -> None:
    ref = _draft(client, login)
    leeds = login("lei_analyst")
    assert client.get(ORDERS, headers=leeds).json() == []
    # Another establishment's order answers exactly as a missing one (no existence leak).
    hidden = client.get(f"{ORDERS}/{ref}", headers=leeds)
    missing = client.get(f"{ORDERS}/TRO-HEI-2026-99999", headers=leeds)
    assert (hidden.status_code, missing.status_code) == (404, 404)
    assert hidden.json()["detail"] == missing.json()["detail"].replace(
        "TRO-HEI-2026-99999", ref)
    assert _move(client, leeds, ref, "DRAFT")[0] == 404
    assert client.post(ORDERS, headers=leeds, json={"establishment": "HEI"}).status_code == 403
    assert _audited(store, "lei_analyst") == [
        ("tro.list", None, "allowed"), ("tro.read", ref, "denied"),
        ("tro.transition.decision", ref, "denied"), ("tro.create.decision", None, "denied")]
    # The region reads Hewell's order but does not work it; the nation sees every order.
    region = login("wm_analyst")
    assert client.get(f"{ORDERS}/{ref}", headers=region).status_code == 200
    assert _move(client, region, ref, "APPROVED")[0] == 403
    assert [o["ref"] for o in client.get(ORDERS, headers=login("nat_analyst")).json()] == [ref]
    assert client.get(ORDERS, headers=login("hei_analyst")).json()[0]["ref"] == ref


@pytest.mark.usefixtures("lake")
@pytest.mark.parametrize("user", ["parole_cm", "voda_liaison", "wmp_investigator"])
def test_parole_police_and_operators_see_no_orders(client: TestClient, login: Login,
                                                   store: Store, user: str) -> None:
    ref = _draft(client, login)
    me = login(user)
    assert client.get(ORDERS, headers=me).status_code == 403
    assert client.get(f"{ORDERS}/{ref}", headers=me).status_code == 403
    assert client.get("/api/v1/tro/candidates", headers=me).status_code == 403
    assert [outcome for _a, _r, outcome in _audited(store, user)] == ["denied"] * 3
