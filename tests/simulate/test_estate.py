"""Placement of the fixed RF detectors on landings."""

from __future__ import annotations

import numpy as np

from cellwatch.simulate import reference
from cellwatch.simulate.detections import coverage
from cellwatch.simulate.estate import Establishment, build_estate

from .conftest import tiny

MARGIN_M = 1.5  # the across-corridor offset (1 m) plus slack


def _landing_detectors(est: Establishment) -> dict[int, list[int]]:
    """Sensor indices of the RF detectors of each landing, by landing location index."""
    s = est.sensors
    out: dict[int, list[int]] = {}
    for j, (k, li) in enumerate(zip(s.kind, s.loc, strict=True)):
        if k == "RF_DETECTOR" and li >= 0 and est.loc_type[li] == "LANDING":
            out.setdefault(int(li), []).append(j)
    return out


def test_several_detectors_spread_along_their_landing() -> None:
    sc = tiny(estate={"rf_detectors_per_landing": 3.0})
    for est in build_estate(sc, 5):
        s = est.sensors
        by_landing = _landing_detectors(est)
        assert by_landing
        assert all(len(d) == 3 for d in by_landing.values())
        for li, det in by_landing.items():
            cells = est.cells[est.cell_landing == li]
            pos = {(float(s.x[j]), float(s.y[j])) for j in det}
            assert len(pos) == 3  # no two detectors of a landing co-located
            assert np.all(s.x[det] >= est.x[cells].min() - MARGIN_M)
            assert np.all(s.x[det] <= est.x[cells].max() + MARGIN_M)
            assert np.all(s.y[det] >= est.y[cells].min() - MARGIN_M)
            assert np.all(s.y[det] <= est.y[cells].max() + MARGIN_M)
            assert np.all(s.floor[det] == est.floor[li])


def test_spread_detectors_tell_symmetric_cells_apart() -> None:
    sc = tiny(estate={"rf_detectors_per_landing": 2.0})
    est = build_estate(sc, 5)[0]
    li, det = next(iter(_landing_detectors(est).items()))
    cells = est.cells[est.cell_landing == li]
    cov = coverage(est, 0.0)

    def heard(loc: int) -> dict[int, float]:
        """Distance from each of the landing's detectors that hears ``loc``."""
        sl = slice(cov.offs[loc], cov.offs[loc + 1])
        return {int(j): float(d) for j, d in zip(cov.sensor[sl], cov.dist[sl], strict=True)
                if j in det}

    # The detection model reads the sensor positions set by the estate.
    for c in cells:
        for j, d in heard(int(c)).items():
            assert np.isclose(d, np.hypot(est.x[c] - est.sensors.x[j], est.y[c] - est.sensors.y[j]))
    # Mirror-image cells (both ends of one side; facing across the corridor) now hear differently.
    first = int(cells[0])
    same_y = cells[est.y[cells] == est.y[first]]
    far_end = int(same_y[np.argmax(est.x[same_y])])
    facing = int(cells[(est.x[cells] == est.x[first]) & (est.y[cells] != est.y[first])][0])
    # End cells are within reach of a detector (a landing-centre one is 25-30 m away).
    assert heard(first)
    assert heard(far_end)
    assert heard(first) != heard(far_end)
    assert heard(first) != heard(facing)


def test_single_detector_sits_on_its_landing() -> None:
    sc = tiny()
    assert sc.estate.rf_detectors_per_landing == 1.0
    for est in build_estate(sc, 5):
        s = est.sensors
        by_landing = _landing_detectors(est)
        assert by_landing
        for li, det in by_landing.items():
            assert len(det) == 1
            j = det[0]
            assert (s.x[j], s.y[j], s.floor[j]) == (est.x[li], est.y[li], est.floor[li])


def test_sensors_file_carries_spread_positions() -> None:
    sc = tiny(estate={"rf_detectors_per_landing": 3.0})
    estate = build_estate(sc, 5)
    cols = reference.sensors(sc, estate)
    est = estate[0]
    det = next(iter(_landing_detectors(est).values()))
    rows = {sid: (x, y) for sid, x, y in zip(cols["sensor_id"], cols["x_m"], cols["y_m"],
                                             strict=True)}
    written = [rows[est.sensors.ids[j]] for j in det]
    assert written == [(f"{est.sensors.x[j]:.1f}", f"{est.sensors.y[j]:.1f}") for j in det]
    assert len(set(written)) == 3
