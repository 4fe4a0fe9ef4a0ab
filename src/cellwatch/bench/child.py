"""Child-process entry point: ``python -m cellwatch.bench.child module:function JSON``.

Prints one JSON line: the function's dict result plus ``seconds`` (wall clock of the
call), ``cpu_seconds`` (user + system CPU of the call, all threads: on a shared machine
the fairer comparison) and ``peak_rss_bytes`` (this process's maximum resident set size).
"""

from __future__ import annotations

import importlib
import json
import resource
import sys
import time


def main(argv: list[str]) -> int:
    """Run the named function with the JSON arguments and print its result."""
    target, raw = argv[0], argv[1]
    module_name, function_name = target.split(":")
    function = getattr(importlib.import_module(module_name), function_name)
    started, cpu = time.perf_counter(), _cpu()
    result = dict(function(**json.loads(raw)))
    result["seconds"] = time.perf_counter() - started
    result["cpu_seconds"] = _cpu() - cpu
    # Linux reports ru_maxrss in KiB.
    result["peak_rss_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps(result, default=str))
    return 0


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
