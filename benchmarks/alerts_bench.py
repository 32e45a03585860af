"""What one look for alerts costs (docs/issue18/alerts.md): the app's worker does it at each
inbox reload and SLA tick, when the agent turned alerts on.

    python benchmarks/alerts_bench.py                     # 20,000 demo tickets, a temporary file
    python benchmarks/alerts_bench.py --tickets 100000
    python benchmarks/alerts_bench.py --db /tmp/big.db    # fill once, keep, reuse

One look: the agent's tickets needing attention and the unassigned ones of every department
(the widest a config can ask for), nearest SLA due first, up to WATCH_LIMIT per list; their
states with the built-in SLA policies; and the decision against the set alerted so far.
"""

from __future__ import annotations

import argparse

from _common import NOW, demo_store, median_ms

from tui_desk.core.alerts import decide, watched, watched_rows
from tui_desk.core.sla import SlaPolicies
from tui_desk.store import queries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=20_000)
    parser.add_argument("--db", help="a store to reuse (filled first when empty)")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()

    policies = SlaPolicies()
    with demo_store(args.db, args.tickets, seed=7, prefix="alerts-bench-") as (store, _path):
        agent = queries.agent_names(store)[0]
        departments = queries.department_names(store)
        alerted = decide(watched(watched_rows(store, agent, departments), policies, NOW), frozenset(), first=True)[1]

        def look() -> int:
            rows = watched_rows(store, agent, departments)
            alerts, _after = decide(watched(rows, policies, NOW), alerted)
            return len(rows)

        median, low, high, rows = median_ms(look, args.runs)
        print(
            f"One look for {agent!r} and {len(departments)} departments ({rows} tickets watched): "
            f"median {median:.1f} ms (min {low:.1f}, max {high:.1f}) over {args.runs} runs"
        )


if __name__ == "__main__":
    main()
