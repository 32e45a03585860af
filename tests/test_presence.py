"""Presence: who else is on a ticket, kept by heartbeats that expire (core/presence.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from support import FakeClock

from tui_desk.core import presence
from tui_desk.core.presence import Doing, Presence
from tui_desk.domain.clock import to_text
from tui_desk.store import Store, open_store

pytestmark = pytest.mark.both_backends


def test_an_agent_on_a_ticket_is_seen_by_others_with_what_they_do_and_since_when(store: Store, clock: FakeClock) -> None:
    started = to_text(clock())
    presence.mark(store, "bob", 7, Doing.VIEWING, clock)
    presence.mark(store, "carol", 7, Doing.REPLYING, clock)

    assert presence.on_ticket(store, 7, clock) == [
        Presence("bob", 7, Doing.VIEWING, started),
        Presence("carol", 7, Doing.REPLYING, started),
    ]
    # The asking agent is left out of what it is shown.
    assert [p.agent for p in presence.on_ticket(store, 7, clock, excluding="bob")] == ["carol"]
    assert presence.on_ticket(store, 8, clock) == []


def test_a_heartbeat_keeps_since_and_a_change_of_what_one_does_restarts_it(store: Store, clock: FakeClock) -> None:
    presence.mark(store, "bob", 7, Doing.VIEWING, clock)
    first = to_text(clock())
    clock.advance(seconds=10)
    presence.mark(store, "bob", 7, Doing.VIEWING, clock)  # heartbeat
    assert presence.on_ticket(store, 7, clock)[0].since == first

    clock.advance(seconds=10)
    presence.mark(store, "bob", 7, Doing.REPLYING, clock)
    assert presence.on_ticket(store, 7, clock) == [Presence("bob", 7, Doing.REPLYING, to_text(clock()))]


def test_moving_to_another_ticket_leaves_the_first(store: Store, clock: FakeClock) -> None:
    presence.mark(store, "bob", 7, Doing.VIEWING, clock)
    presence.mark(store, "bob", 9, Doing.VIEWING, clock)
    assert presence.on_ticket(store, 7, clock) == []
    assert [p.ticket_id for p in presence.everyone(store, clock)] == [9]


def test_leaving_clears_one_ticket_or_all(store: Store, clock: FakeClock) -> None:
    presence.mark(store, "bob", 7, Doing.VIEWING, clock)
    presence.mark(store, "carol", 8, Doing.REPLYING, clock)
    presence.leave(store, "bob", 8)  # not where bob is: nothing changes
    assert len(presence.everyone(store, clock)) == 2
    presence.leave(store, "bob", 7)
    presence.leave(store, "carol")
    assert presence.everyone(store, clock) == []


def test_one_agent_in_two_apps_keeps_each_apps_ticket_and_shows_once_per_ticket(store: Store, clock: FakeClock) -> None:
    presence.mark(store, "bob", 7, Doing.VIEWING, clock, session="laptop")
    presence.mark(store, "bob", 9, Doing.VIEWING, clock, session="desktop")
    assert [(p.agent, p.ticket_id) for p in presence.everyone(store, clock)] == [("bob", 7), ("bob", 9)]

    # Both apps on one ticket, one of them replying: bob is replying there, once.
    clock.advance(seconds=5)
    presence.mark(store, "bob", 7, Doing.REPLYING, clock, session="desktop")
    assert presence.on_ticket(store, 7, clock) == [Presence("bob", 7, Doing.REPLYING, to_text(clock()))]

    # Quitting one app leaves the other's presence alone.
    presence.leave(store, "bob", session="desktop")
    assert [(p.ticket_id, p.doing) for p in presence.everyone(store, clock)] == [(7, Doing.VIEWING)]


def test_an_entry_without_a_heartbeat_for_30_seconds_no_longer_counts_and_is_pruned(
    store: Store, clock: FakeClock
) -> None:
    presence.mark(store, "bob", 7, Doing.REPLYING, clock)  # then bob's app dies
    clock.advance(seconds=30)
    assert [p.agent for p in presence.on_ticket(store, 7, clock)] == ["bob"]  # 30 s: still counts
    clock.advance(seconds=1)
    assert presence.on_ticket(store, 7, clock) == []
    assert presence.on_tickets(store, [7], clock) == {}
    assert presence.everyone(store, clock) == []

    # The next write by anyone removes the stale row.
    presence.mark(store, "carol", 8, Doing.VIEWING, clock)
    assert store.scalar("SELECT count(*) FROM presence WHERE agent = 'bob'") == 0


def test_a_page_of_tickets_gets_who_is_on_each(store: Store, clock: FakeClock) -> None:
    presence.mark(store, "bob", 7, Doing.VIEWING, clock)
    presence.mark(store, "carol", 7, Doing.REPLYING, clock)
    presence.mark(store, "dan", 12, Doing.VIEWING, clock)
    found = presence.on_tickets(store, [*range(1, 1200)], clock, excluding="dan")  # more ids than one query binds
    assert {ticket: [p.agent for p in ps] for ticket, ps in found.items()} == {7: ["bob", "carol"]}


def test_presence_is_shared_between_connections_to_one_file(db_path, store: Store, clock: FakeClock) -> None:
    other = open_store(db_path)  # another app on the same desk
    try:
        presence.mark(other, "bob", 7, Doing.REPLYING, clock)
        assert [p.to_json() for p in presence.on_ticket(store, 7, clock)] == [
            {"agent": "bob", "doing": "replying", "since": to_text(clock())}
        ]
    finally:
        other.close()


def test_presence_writes_never_touch_the_change_marker_of_the_live_refresh(store: Store, clock: FakeClock) -> None:
    from tui_desk.store import queries

    before = queries.change_marker(store)
    presence.mark(store, "bob", 7, Doing.VIEWING, clock)
    presence.leave(store, "bob")
    assert queries.change_marker(store) == before


# -- the command line: `who` and `show --json` ------------------------------------------------
def _cli(db_path, capsys, *args: str) -> tuple[int, str, str]:
    from tui_desk.cli import entry

    capsys.readouterr()
    code = entry.main(["--db", str(db_path), "--as", "alice", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_who_lists_everyone_on_a_ticket_now(db_path, store: Store, capsys, service) -> None:
    import json

    from tui_desk.domain.clock import system_clock

    first = service.create_ticket(email="c@example.com", subject="Printer jammed", body="Help")
    second = service.create_ticket(email="d@example.com", subject="VPN down", body="Help")
    assert _cli(db_path, capsys, "who") == (0, "Nobody is on a ticket now\n", "")

    presence.mark(store, "bob", first, Doing.VIEWING, system_clock)  # the command line reads the real time
    presence.mark(store, "carol", second, Doing.REPLYING, system_clock)
    code, out, err = _cli(db_path, capsys, "who")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert len(lines) == 2
    assert lines[0].split()[:3] == ["bob", "viewing", f"#{first}"] and "Printer jammed" in lines[0]
    assert lines[1].split()[:3] == ["carol", "replying", f"#{second}"] and "VPN down" in lines[1]

    code, out, err = _cli(db_path, capsys, "who", "--json")
    assert [(p["agent"], p["ticket_id"], p["doing"]) for p in json.loads(out)] == [
        ("bob", first, "viewing"),
        ("carol", second, "replying"),
    ]
    assert all(set(p) == {"agent", "ticket_id", "doing", "since"} for p in json.loads(out))


def test_cli_show_json_names_who_is_on_the_ticket(db_path, store: Store, capsys, service) -> None:
    import json

    from tui_desk.domain.clock import system_clock

    ticket = service.create_ticket(email="c@example.com", subject="Printer jammed", body="Help")
    code, out, _err = _cli(db_path, capsys, "show", str(ticket), "--json")
    assert json.loads(out)["presence"] == []

    before = to_text(system_clock())
    presence.mark(store, "bob", ticket, Doing.REPLYING, system_clock)
    after = to_text(system_clock())
    code, out, _err = _cli(db_path, capsys, "show", str(ticket), "--json")
    assert code == 0
    [shown] = json.loads(out)["presence"]
    assert shown["agent"] == "bob" and shown["doing"] == "replying"
    assert before <= shown["since"] <= after
    code, out, _err = _cli(db_path, capsys, "show", str(ticket))
    assert "bob is replying" in out


def test_a_heartbeat_from_a_clock_far_ahead_or_a_broken_row_does_not_show_an_agent_for_ever(
    db_path, store: Store, clock: FakeClock, capsys
) -> None:
    """Review: a row whose heartbeat was an hour ahead (an app whose clock was off, then gone)
    counted for that hour and more; one whose times were not times counted for ever, and its
    `since` made `tui-desk who` fail."""
    ahead = clock.now + timedelta(hours=1)
    with store.transaction() as conn:
        for agent, since, heartbeat in (
            ("ghost", to_text(ahead), to_text(ahead)),
            ("broken", "yesterday", "zzz"),
            ("odd", "not a time", to_text(clock.now)),
        ):
            conn.execute(
                "INSERT INTO presence(agent, session, ticket_id, doing, since, heartbeat_at)"
                " VALUES (?, 's', 7, 'viewing', ?, ?)",
                [agent, since, heartbeat],
            )
    assert presence.everyone(store, clock) == []
    assert presence.on_ticket(store, 7, clock) == [] and presence.on_tickets(store, [7], clock) == {}
    presence.mark(store, "bob", 7, Doing.VIEWING, clock)  # a write prunes what can never count
    assert {r["agent"] for r in store.query("SELECT agent FROM presence")} == {"bob", "odd"}
    # A heartbeat a little ahead (within the expiry) still counts.
    presence.mark(store, "carol", 7, Doing.VIEWING, lambda: clock.now + timedelta(seconds=20))
    assert [p.agent for p in presence.on_ticket(store, 7, clock)] == ["bob", "carol"]


def test_an_agent_is_seen_on_a_ticket_of_any_number_the_store_can_give(store: Store, clock: FakeClock) -> None:
    """Ticket numbers are 64-bit on both backends (a PostgreSQL sequence, a SQLite rowid)."""
    big = 2**31 + 7
    presence.mark(store, "bob", big, Doing.VIEWING, clock)
    assert [(p.agent, p.ticket_id) for p in presence.on_ticket(store, big, clock)] == [("bob", big)]
