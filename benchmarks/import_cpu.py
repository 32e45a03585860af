"""`tui-desk import` of one mbox into a new store: wall time, rate, CPU time of the storing process
and of its parsers, peak memory of the whole process tree, the load average (docs/issue16/bulk-import.md).

    python benchmarks/import_cpu.py MBOX STORE      # STORE must not exist yet

On a shared machine the wall time follows the load; the CPU times per process are the figures to
compare between two versions. An mbox: `benchmarks/scale_bench.py`'s write_mbox.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from scale_bench import ROOT, _env, _tree_kb

CHILD = r"""
import json, resource, sys
from tui_desk.cli.entry import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
own, parsers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"store_cpu": own.ru_utime + own.ru_stime, "parsers_cpu": parsers.ru_utime + parsers.ru_stime,
                  "store_rss_mb": own.ru_maxrss / 1024, "parser_rss_mb": parsers.ru_maxrss / 1024}))
"""


def main() -> None:
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    mbox, store = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
    if store.exists():
        raise SystemExit(f"{store} exists: the import is measured into a new store")
    messages = sum(1 for line in mbox.open("rb") if line.startswith(b"From "))
    load_before = os.getloadavg()
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", CHILD, "--db", str(store), "import", "--quiet", str(mbox)],
        env=_env(store), cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )
    peak = 0
    while process.poll() is None:
        peak = max(peak, _tree_kb(process.pid))
        time.sleep(0.5)
    wall = time.perf_counter() - started
    out = process.communicate()[0].strip().splitlines()
    figures = json.loads(out[-1])
    print(*out[:-1], sep="\n")  # the import's own summary line
    print(f"{messages:,} messages in {wall:.1f} s: {messages / wall:,.0f}/s; load {load_before[0]:.1f} -> "
          f"{os.getloadavg()[0]:.1f}")
    print(f"store CPU {figures['store_cpu']:.1f} s ({figures['store_cpu'] / messages * 1e6:.0f} µs/message), "
          f"parsers CPU {figures['parsers_cpu']:.1f} s ({figures['parsers_cpu'] / messages * 1e6:.0f} µs/message)")
    print(f"peak memory of the tree (PSS) {peak / 1024:.0f} MB; largest store RSS {figures['store_rss_mb']:.0f} MB, "
          f"parser {figures['parser_rss_mb']:.0f} MB")


if __name__ == "__main__":
    main()
