"""Routing on the command line (issue 18, docs/issue18/routing.md): `new` routes, a broken rule is one
line on stderr and the others still route, `route --dry-run` prints the change and makes none,
`agent away|back|list`, and `list --view unassigned`."""

from __future__ import annotations

import pytest
from support import run_cli

CONFIG = r"""
[departments.Billing]
agents = ["alice", "bob", "carol"]

[[routing]]
name = "billing words"
match = { subject = "invoice|refund|charge", body = "IBAN" }
department = "Billing"
priority = "high"
tags = ["billing"]
assign = "round-robin"
stop = true

[[routing]]
name = "broken"
match = { subject = "(" }

[[routing]]
name = "vip"
match = { from = "@bigcustomer\\.com$" }
priority = "urgent"
"""


@pytest.fixture
def desk(tmp_path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    config = tmp_path / "config.toml"
    config.write_text(CONFIG, encoding="utf-8")
    monkeypatch.setenv("TUI_DESK_CONFIG", str(config))
    return ["--db", str(tmp_path / "desk.db")]


def new(capsys, db: list[str], subject: str, body: str, email: str = "dan@example.com") -> tuple[int, str, str]:  # noqa: ANN001
    return run_cli(capsys, ["new", *db, "--email", email, "--subject", subject, "--body", body])


def test_new_is_routed_and_a_broken_rule_is_one_line_on_stderr(capsys, desk: list[str]) -> None:
    code, out, err = new(capsys, desk, "Refund", "IBAN DE00")
    assert (code, out) == (0, "1\n")
    assert err.count("\n") == 1 and "'broken' was not loaded" in err and err.startswith("tui-desk: ")
    code, out, _err = run_cli(capsys, ["show", *desk, "1"])
    assert "Assignee: alice   Department: Billing" in out
    assert "routing: billing words: assigned - → alice" in out
    new(capsys, desk, "Hello", "Hi", email="boss@bigcustomer.com")  # the rule after the broken one still routes
    code, out, _err = run_cli(capsys, ["list", *desk, "--json"])
    assert '"priority": "urgent"' in out


def test_route_dry_run_prints_the_change_and_changes_nothing(capsys, desk: list[str], tmp_path) -> None:
    db = tmp_path / "desk.db"
    code, _out, _err = new(capsys, desk, "Refund", "IBAN")
    before = db.read_bytes()
    code, out, _err = run_cli(capsys, ["route", *desk, "--dry-run", "1"])
    # Already routed when it was created: nothing would change.
    assert code == 0 and out == "Dry run: 0 tickets would change; nothing was changed\n"
    code, out, _err = run_cli(capsys, ["assign", *desk, "1", "-"])
    code, out, _err = run_cli(capsys, ["department", *desk, "1", "-"])
    before = db.read_bytes()
    code, out, _err = run_cli(capsys, ["route", *desk, "--dry-run"])
    assert code == 0
    assert out.splitlines() == [
        "#1 department: – → Billing (routing: billing words)",
        "#1 assignee: – → bob (routing: billing words)",
        "Dry run: 1 ticket would change; nothing was changed",
    ]
    assert db.read_bytes() == before
    code, out, _err = run_cli(capsys, ["route", *desk])
    assert out.splitlines()[-1] == "1 ticket routed"
    code, out, _err = run_cli(capsys, ["show", *desk, "1"])
    assert "Assignee: bob   Department: Billing" in out


def test_agent_away_back_and_list(capsys, desk: list[str]) -> None:
    new(capsys, desk, "Hello", "Hi")  # the store: `agent` does not make one
    assert run_cli(capsys, ["agent", *desk, "away", "bob"])[:2] == (0, "bob is away: routing skips them\n")
    assert run_cli(capsys, ["agent", *desk, "away", "Bob"])[1] == "Bob was already away\n"
    code, out, _err = run_cli(capsys, ["agent", *desk, "list"])
    lines = {line.split()[0]: line for line in out.splitlines()}
    assert set(lines) == {"alice", "bob", "carol"}
    assert "away since" in lines["bob"] and "present" in lines["alice"] and "Billing" in lines["alice"]
    new(capsys, desk, "Refund", "IBAN")
    new(capsys, desk, "Refund", "IBAN")
    code, out, _err = run_cli(capsys, ["list", *desk, "--assignee", "bob"])
    assert "Refund" not in out
    assert run_cli(capsys, ["agent", *desk, "back", "bob"])[1] == "bob is back\n"
    code, out, err = run_cli(capsys, ["agent", *desk, "away"])
    assert code == 1 and out == "" and err.count("\n") == 1


def test_list_view_unassigned(capsys, desk: list[str]) -> None:
    new(capsys, desk, "Refund", "IBAN")  # routed to alice
    new(capsys, desk, "Printer", "It jams")  # no rule places it
    code, out, _err = run_cli(capsys, ["list", *desk, "--view", "unassigned"])
    assert code == 0 and "Printer" in out and "Refund" not in out
    code, out, _err = run_cli(capsys, ["--lang", "et", "list", *desk, "--view", "Määramata"])
    assert code == 0 and "Printer" in out and "Refund" not in out
