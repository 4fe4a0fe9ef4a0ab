"""``make bench``: throughput figures, each against a baseline measured in the same run.

Every benchmark is a module listed in :data:`cellwatch.bench.__main__.BENCHMARKS` with a
function ``run(options: BenchOptions) -> list[BenchResult]``. Steps whose memory matters
run in a child process (:func:`cellwatch.bench.common.run_child`) so that each peak RSS
is that step's own.
"""

from cellwatch.bench.common import BenchOptions, BenchResult, run_child

__all__ = ["BenchOptions", "BenchResult", "run_child"]
