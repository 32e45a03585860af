"""A 10 MB message: seconds from selecting its ticket to the thread shown, and peak memory (item 21).

    python benchmarks/huge_message_bench.py [--mb 10]

Each case runs in a fresh process (so its peak resident memory is its own) with the app
headless at 160x48: the inbox shows a small ticket first, then the cursor moves onto the
ticket with the huge message and the time until its thread is drawn is taken. Cases:
prose (10 MB of ordinary lines), blob (10 MB of base64 on one line, no spaces: what a
mail client's broken attachment looks like in text/plain) and, after the change, the
time to open the full text of that message (`w`).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import asyncio, base64, os, sys, time
sys.path.insert(0, sys.argv[1])
from tui_desk.domain.clock import fixed_clock
from tui_desk.core.lifecycle import TicketService
from tui_desk.store import open_store
from tui_desk.ui.app import TuiDeskApp
from tests.ui.helpers import NOW, StepClock, settle

case, size, path = sys.argv[2], int(sys.argv[3]), sys.argv[4]
store = open_store(path)
service = TicketService(store, clock=StepClock(), actor="bench")
if case == "prose":
    line = "The customer explains the problem once more, at length and in detail. "
    body = "\n".join(line for _ in range(size // (len(line) + 1)))
else:
    body = base64.b64encode(os.urandom(size * 3 // 4)).decode()
service.create_ticket(email="small@example.com", subject="Small", body="Hello", priority="urgent")
service.create_ticket(email="huge@example.com", subject="Huge", body=body)
del body

def peak_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024

async def main():
    app = TuiDeskApp(store, clock=fixed_clock(NOW), actor="bench", live_interval=None)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot, rounds=50)
        before = peak_mb()
        start = time.perf_counter()
        await pilot.press("j")
        await settle(pilot, rounds=500)
        await pilot.pause()
        took = time.perf_counter() - start
        print(f"select {took:.2f} s  peak {peak_mb():.0f} MB (before selecting {before:.0f} MB)", flush=True)
        if hasattr(app, "action_full_text"):
            start = time.perf_counter()
            await pilot.press("w")
            await settle(pilot, rounds=500)
            await pilot.pause()
            took = time.perf_counter() - start
            print(f"full text {took:.2f} s  peak {peak_mb():.0f} MB", flush=True)
            await pilot.press("G")
            await pilot.pause()

asyncio.run(main())
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=10, help="size of the huge message in MB")
    parser.add_argument("--timeout", type=float, default=300)
    args = parser.parse_args()
    for case in ("prose", "blob"):
        with tempfile.TemporaryDirectory(prefix="huge-bench-") as folder:
            try:
                result = subprocess.run(
                    [sys.executable, "-c", CHILD, str(ROOT), case, str(args.mb * 1_000_000), f"{folder}/b.db"],
                    capture_output=True,
                    text=True,
                    timeout=args.timeout,
                )
                output = (result.stdout + (result.stderr[-500:] if result.returncode else "")).strip()
            except subprocess.TimeoutExpired:
                output = f"did not finish in {args.timeout:.0f} s"
        for line in output.splitlines():
            print(f"{case:6} {args.mb} MB: {line}")


if __name__ == "__main__":
    main()
