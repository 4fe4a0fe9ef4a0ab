"""Where establishments are, and the operators' masts that serve them.

Positions come from ``data/postcode_districts.csv``: the approximate centre of the
establishment's postcode district (the register gives a postcode, not coordinates).
Masts stand a few hundred metres to a few kilometres from the prison, at bearings fixed
by its code, so a cell id always has the same position.
"""

from __future__ import annotations

import csv
import math
import zlib
from functools import lru_cache
from importlib import resources

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]
# Used only for a postcode whose district the table lacks: the centre of England.
FALLBACK = (52.56, -1.46)


@lru_cache(maxsize=1)
def _districts() -> dict[str, tuple[float, float]]:
    text = resources.files("cellwatch.simulate").joinpath("data/postcode_districts.csv")
    rows = [r for r in csv.reader(text.read_text("utf-8").splitlines()) if r and r[0][0] != "#"]
    return {r[0]: (float(r[1]), float(r[2])) for r in rows[1:]}


def locate(postcode: str) -> tuple[float, float]:
    """Approximate (latitude, longitude) of a UK postcode, from its district.

    >>> locate("B97 6QS")
    (52.298, -1.965)
    """
    district = postcode.strip().upper().split(" ")[0]
    return _districts().get(district, FALLBACK)


def mast_positions(code: str, lat0: float, lon0: float, n: int) -> tuple[F64, F64]:
    """(latitudes, longitudes) of ``n`` masts serving the establishment ``code``, 0.3-3 km away."""
    h = zlib.crc32(code.encode())
    k = np.arange(n)
    bearing = (h % 360 + k * 360.0 / max(n, 1)) * math.pi / 180
    dist_km = 0.3 + ((h >> 9) % 1000 / 1000 + k * 0.37) % 1.0 * 2.7
    lat = lat0 + dist_km * np.cos(bearing) / 111.0
    lon = lon0 + dist_km * np.sin(bearing) / (111.0 * math.cos(math.radians(lat0)))
    return np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64)
