"""The TRO state machine, loaded from ``data/lifecycle.yaml`` by the shared lifecycle
loader (:mod:`cellwatch.lifecycle`), which validates it and checks every transition."""

from __future__ import annotations

import functools
from importlib import resources

import yaml

from cellwatch.lifecycle import Lifecycle, StateSpec, load_lifecycle, parse_lifecycle

__all__ = ["Lifecycle", "StateSpec", "default_lifecycle", "load_lifecycle", "parse_lifecycle"]


@functools.lru_cache(maxsize=1)
def default_lifecycle() -> Lifecycle:
    """The bundled lifecycle (cached: it is immutable).

    >>> default_lifecycle().check("DRAFT", "APPROVED").name
    'APPROVED'
    """
    text = resources.files("cellwatch.tro").joinpath("data").joinpath("lifecycle.yaml").read_text(
        "utf-8"
    )
    return parse_lifecycle(yaml.safe_load(text))
