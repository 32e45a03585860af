"""Issue 12, item 15: an action undo cannot take back is skipped, so the next undo reaches the one before it."""

from __future__ import annotations

import pytest
from support import AGENT

from tui_desk.core.actions import ActionKind, perform, undo_last
from tui_desk.core.lifecycle import TicketService
from tui_desk.domain.errors import TransitionRefused
from tui_desk.store import queries

pytestmark = pytest.mark.both_backends


def test_item15_undo_skips_a_note_and_reaches_the_resolve_before_it(service, make_ticket) -> None:
    resolved, noted = make_ticket("open"), make_ticket("open")
    perform(service, ActionKind.RESOLVE, [resolved], service.resolve)
    perform(service, ActionKind.NOTE, [noted], lambda i: service.add_note(i, "called them"))

    with pytest.raises(TransitionRefused) as refused:
        undo_last(service)
    assert str(refused.value) == (
        f"Your last action was a note on #{noted}: notes stay in the thread; add another note to correct it."
        f" It is skipped: undo again to undo resolve on #{resolved}"
    )

    assert undo_last(service).changed == [resolved]
    assert queries.get_ticket(service.store, resolved).status == "open"
    with pytest.raises(TransitionRefused, match="Nothing to undo"):
        undo_last(service)


def test_item15_undo_skips_a_ticket_changed_by_someone_else_and_a_purged_one(service, store, clock, make_ticket) -> None:
    first, changed, purged = make_ticket("open"), make_ticket("open"), make_ticket("open")
    perform(service, ActionKind.ASSIGN, [first], lambda i: service.assign(i, AGENT))
    perform(service, ActionKind.RESOLVE, [changed], service.resolve)
    perform(service, ActionKind.DELETE, [purged], lambda i: service.set_status(i, "deleted"))
    service.purge(purged)
    TicketService(store, clock=clock, actor="bob").set_priority(changed, "urgent")

    with pytest.raises(TransitionRefused, match=f"No ticket #{purged}. It is skipped: undo again to undo resolve on #{changed}"):
        undo_last(service)
    with pytest.raises(TransitionRefused, match=f"changed since .*It is skipped: undo again to undo assign on #{first}"):
        undo_last(service)
    assert undo_last(service).changed == [first]
    assert queries.get_ticket(store, first).assignee is None
    assert queries.get_ticket(store, changed).status == "resolved"


def test_item15_cli_undo_moves_past_a_reply(db_path, capsys) -> None:
    from tui_desk.cli import main

    db = str(db_path)
    for subject in ("One", "Two"):
        assert main(["--db", db, "new", "--email", "c@example.com", "--subject", subject, "--body", "x"]) == 0
    assert main(["--db", db, "status", "1", "resolved"]) == 0
    assert main(["--db", db, "reply", "2", "--body", "On it"]) == 0
    capsys.readouterr()

    assert main(["--db", db, "undo"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "It is skipped: undo again to undo resolve on #1" in err

    assert main(["--db", db, "undo"]) == 0
    assert capsys.readouterr().out.endswith("Undone: resolve on #1\n")
