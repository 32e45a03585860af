"""Hostile review of issue 18's routing on the command line (docs/issue18/attack.md): what a
careless admin types. Each test fails without its fix."""

from __future__ import annotations

import pytest
from support import run_cli

CONFIG = r"""
[departments.Billing]
agents = ["alice", "bob"]

[[routing]]
name = "rr"
department = "Billing"
assign = "round-robin"

[[routing]]
name = "to dora"
match = { subject = "printer" }
assign = "Dora"
"""


@pytest.fixture
def desk(tmp_path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    config = tmp_path / "config.toml"
    config.write_text(CONFIG, encoding="utf-8")
    monkeypatch.setenv("TUI_DESK_CONFIG", str(config))
    return ["--db", str(tmp_path / "desk.db")]


def test_agent_away_for_a_name_routing_does_not_know_is_one_line_and_exit_1(capsys, desk: list[str]) -> None:
    run_cli(capsys, ["new", *desk, "--email", "dan@example.com", "--subject", "Hi", "--body", "Hi"])
    code, out, err = run_cli(capsys, ["agent", *desk, "away", "alcie"])  # a typo: alice would go on taking tickets
    assert (code, out) == (1, "") and err.count("\n") == 1 and err.startswith("tui-desk: ") and "alcie" in err
    assert "alcie" not in run_cli(capsys, ["agent", *desk, "list"])[1]
    # Listed in a department, or named by a rule's assign, in any case: known.
    assert run_cli(capsys, ["agent", *desk, "away", "ALICE"])[0] == 0
    assert run_cli(capsys, ["agent", *desk, "away", "dora"])[0] == 0


def test_route_dry_run_over_several_tickets_prints_the_turns_a_real_run_takes(capsys, desk: list[str]) -> None:
    for _n in range(3):
        run_cli(capsys, ["new", *desk, "--email", "dan@example.com", "--subject", "Hi", "--body", "Hi"])
    for ticket_id in ("1", "2", "3"):  # placed by hand: nobody has them
        run_cli(capsys, ["assign", *desk, ticket_id, "-"])
    out = run_cli(capsys, ["route", *desk, "--dry-run"])[1]
    dry = [line for line in out.splitlines() if "assignee" in line]
    out = run_cli(capsys, ["route", *desk])[1]
    real = [line for line in out.splitlines() if "assignee" in line]
    assert dry == real
    assert [line.split("→ ")[1].split()[0] for line in real] == ["bob", "alice", "bob"]  # alice had #3 at creation
