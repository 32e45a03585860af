"""`tui-desk customer EMAIL [--json]`: a customer's history on the command line (issue 15, item 8)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from support import run_cli

from tui_desk.store import open_store

pytestmark = pytest.mark.both_backends

Run = Callable[..., tuple[int, str, str]]

HOSTILE_NAME = "Ann \x1b[2J\x1b]0;owned\x07"
HOSTILE_SUBJECT = "Refund \x1b[31mNOW\u202e"


@pytest.fixture
def run(db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Run:
    monkeypatch.setenv("TUI_DESK_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    open_store(db_path).close()

    def invoke(*args: str) -> tuple[int, str, str]:
        return run_cli(capsys, ["--db", str(db_path), "--as", "alice", *args])

    return invoke


@pytest.fixture
def tickets(run: Run) -> list[int]:
    """Ann's three tickets (the address in three spellings, one resolved) and one of someone else's."""
    ids = []
    for email, subject in (
        ("Ann@Example.com", "Printer jams"),
        ("ann@EXAMPLE.COM", "Invoice twice"),
        ("ANN@example.com", HOSTILE_SUBJECT),
        ("bob@example.com", "Not Ann's"),
    ):
        code, out, err = run("new", "--email", email, "--name", HOSTILE_NAME, "--subject", subject, "--body", "x")
        assert (code, err) == (0, "")
        ids.append(int(out))
    assert run("status", str(ids[0]), "resolved")[0] == 0
    return ids


def test_json_gives_counts_and_tickets_newest_first(run: Run, tickets: list[int]) -> None:
    code, out, err = run("customer", "ann@example.com", "--json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert data["email"] == "Ann@example.com"  # the stored address: the first ticket's spelling
    assert data["name"] == HOSTILE_NAME  # JSON carries the stored text
    assert data["counts"] == {"new": 2, "resolved": 1}
    assert [t["id"] for t in data["tickets"]] == [tickets[2], tickets[1], tickets[0]]
    newest = data["tickets"][0]
    assert set(newest) == {"id", "status", "subject", "created_at", "updated_at"}
    assert newest["subject"] == HOSTILE_SUBJECT
    assert data["tickets"][2]["status"] == "resolved"
    assert data["tickets"][2]["updated_at"] >= data["tickets"][2]["created_at"]


@pytest.mark.parametrize("spelling", ["ANN@EXAMPLE.COM", "  ann@example.com ", "Ann <aNn@example.com>"])
def test_the_address_matches_in_any_case(run: Run, tickets: list[int], spelling: str) -> None:
    code, out, _err = run("customer", spelling, "--json")
    assert code == 0
    assert len(json.loads(out)["tickets"]) == 3  # bob's is not among them


def test_text_output_labels_statuses_and_shows_hostile_text_harmlessly(run: Run, tickets: list[int]) -> None:
    code, out, err = run("customer", "ann@example.com")
    assert (code, err) == (0, "")
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    lines = out.splitlines()
    assert lines[0] == "Ann ␛[2J␛]0;owned␇ <Ann@example.com>"
    assert lines[1] == "  Tickets: 3 (New 2, Resolved 1)"
    rows = [line for line in lines if line.lstrip().startswith("#") and line.split()[0] != "#"]
    assert [row.split()[0] for row in rows] == [f"#{tickets[2]}", f"#{tickets[1]}", f"#{tickets[0]}"]
    assert "Refund ␛[31mNOW" in rows[0]
    assert rows[2].split()[1] == "Resolved"


def test_unknown_address_is_one_line_and_exit_1(run: Run, tickets: list[int]) -> None:
    code, out, err = run("customer", "nobody@example.com")
    assert (code, out) == (1, "")
    assert err == "tui-desk: No customer with the address nobody@example.com\n"


def test_not_an_address_is_one_line_and_exit_1(run: Run) -> None:
    code, out, err = run("customer", "not an address")
    assert (code, out) == (1, "")
    assert err.count("\n") == 1 and "Not an e-mail address" in err


def test_a_nameless_customer_takes_the_first_name_given_and_keeps_it(run: Run) -> None:
    for email, name in (("cy@example.com", None), ("CY@example.com", "  Cy Twombly "), ("cy@EXAMPLE.com", "Someone Else")):
        named = ("--name", name) if name else ()
        code, _out, err = run("new", "--email", email, *named, "--subject", "Hello", "--body", "x")
        assert (code, err) == (0, "")
    code, out, _err = run("customer", "cy@example.com", "--json")
    assert code == 0
    assert json.loads(out)["name"] == "Cy Twombly"
