"""Spark fixtures shared by the lake's Spark test modules (once per xdist worker).

Imports are inside the fixtures: modules of this folder that do not use Spark must not
need pyspark or Java.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from cellwatch.settings import Settings

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


@pytest.fixture(scope="session")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparkSession]:
    """This worker's SparkSession (shared with every Spark test module)."""
    from spark_support import spark_session

    yield from spark_session(tmp_path_factory)


@pytest.fixture(scope="session")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A tiny simulated estate (2 establishments, 10 days) ingested through the framework."""
    from spark_support import simulated_estate

    return simulated_estate(tmp_path_factory)
