"""The takedown request lifecycle, as data (``data/lifecycle.yaml``).

The shared loader (:mod:`cellwatch.lifecycle`) reads it, so TROs, takedowns and alerts
share one notion of states, terminals and allowed transitions, and one checker.
"""

from __future__ import annotations

import functools
from importlib import resources

import yaml

from cellwatch.lifecycle import Lifecycle, parse_lifecycle

DRAFTED = "DRAFTED"
SENT = "SENT"
ACKNOWLEDGED = "ACKNOWLEDGED"
REMOVED = "REMOVED"
REFUSED = "REFUSED"

# A prisoner with a request in one of these states has been acted against on the platform:
# a new account linked to them afterwards is an attempt to carry on (the new-account rule).
ACTED_ON = (SENT, ACKNOWLEDGED, REMOVED)


@functools.lru_cache(maxsize=1)
def takedown_lifecycle() -> Lifecycle:
    """The bundled lifecycle (cached: it is immutable)."""
    data = resources.files("cellwatch.takedown").joinpath("data")
    text = data.joinpath("lifecycle.yaml").read_text("utf-8")
    return parse_lifecycle(yaml.safe_load(text))
