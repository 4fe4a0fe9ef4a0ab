"""A small simulated estate, ingested and attributed once per test module: the exports
partners' tools are run on (stix2-validator, misp-stix, followthemoney, networkx)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from attribution.tiny_estate import tiny_estate
from cellwatch.access.principal import SYSTEM
from cellwatch.access.service import Access
from cellwatch.attribution.run import attribute
from cellwatch.settings import Settings


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Access]:
    """The tiny estate (two prisons, three weeks) with one finished attribution run, as
    ``system`` with its settings (so exports count detections in the lake)."""
    root = tmp_path_factory.mktemp("simulated")
    settings = Settings(home=root / "home", environment="test")
    with tiny_estate(settings, 7, root / "sim") as (_, store):
        attribute(settings, store)
        yield Access(store, SYSTEM, settings)
