"""How long the worst patterns a config may hold take on hostile mail (docs/issue18/routing.md).

Patterns run over the first BODY_CHARS characters of a message (core/routing.py), a repeat inside
a repeat is refused at load, and each search has a time limit. This prints, for patterns that
load, the time one rule takes on a 1 MB body built to make it backtrack, and what Python's `re`
alone would take on the same bounded text (--with-re: minutes).

    PYTHONPATH=. python benchmarks/routing_bench.py [--with-re]
"""

from __future__ import annotations

import re
import sys
import time

from tui_desk.core import routing as routing_module
from tui_desk.core.routing import BODY_CHARS, routing_from_config

CASES = {
    r"invoice|refund|charge": "x" * 1_000_000,
    r".*a.*b": "a" * 1_000_000,
    r"x*x*x*y": "x" * 1_000_000,
    r".*a.*a.*b": "a" * 1_000_000,
    r"\s*\s*\s*x": " " * 1_000_000,
    r"(\w|\d)*x": "1" * 1_000_000,
}


def main() -> None:
    print(f"body seen: {BODY_CHARS} characters of 1,000,000")
    for pattern, body in CASES.items():
        routing = routing_from_config({"routing": [{"name": "r", "match": {"body": pattern}}]})
        assert not routing.problems, routing.problems
        rule = routing.rules[0]
        started = time.perf_counter()
        rule.matches({"subject": "", "sender": "", "body": body}, ())
        took = time.perf_counter() - started
        line = f"{pattern:<24} {took:8.3f} s"
        if "--with-re" in sys.argv:
            started = time.perf_counter()
            re.search(pattern, body[:BODY_CHARS], re.IGNORECASE)
            line += f"   re alone: {time.perf_counter() - started:8.3f} s"
        print(line)
    for pattern in (r"(a+)+$", r"(\w+\s?)*$"):
        problems = routing_from_config({"routing": [{"name": "r", "match": {"body": pattern}}]}).problems
        print(f"{pattern:<24} refused: {bool(problems)}")
    # Twenty plain-looking rules on one crafted mail, as route_in_tx runs them: one shared budget.
    rules = [{"name": f"r{n}", "match": {"body": r"(refund|invoice).*(iban|swift)"}} for n in range(20)]
    body = "refund " * 1_000
    started = time.perf_counter()
    deadline = routing_module._clock() + routing_module.TICKET_MATCH_SECONDS
    for rule in routing_from_config({"routing": rules}).rules:
        rule.matches({"subject": "", "sender": "", "body": body}, (), deadline)
    print(f"20 rules, one ticket       {time.perf_counter() - started:8.3f} s")


if __name__ == "__main__":
    main()
