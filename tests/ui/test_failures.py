"""Item 8 (app): a failed write never loses the agent's text, and no worker fails silently.

The store is made to fail the way real ones do: SQLite's "database or disk is full"
(raised from the service, and for real with PRAGMA max_page_count), a damaged page
while a ticket is read, a disk I/O error under a background worker.
"""

from __future__ import annotations

import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from textual.widgets import TextArea

from tui_desk.core.rules import RulesConfig
from tui_desk.domain.clock import fixed_clock
from tui_desk.store import Store, queries
from tui_desk.ui.app import TuiDeskApp
from tui_desk.ui.screens.reply import DRAFT_SAVE_DELAY, ReplyScreen

from .conftest import ACTOR, Desk, make_app
from .helpers import (
    NOW,
    SIZE,
    current_subject,
    notifications,
    press,
    settle,
    thread_text,
    type_text,
)


def disk_full(*_args: object, **_kwargs: object) -> None:
    raise sqlite3.OperationalError("database or disk is full")


def drafts_folder(store: Store) -> Path:
    return Path(store.path).with_name(Path(store.path).name + ".drafts")


async def test_item8_failed_reply_says_why_and_keeps_the_editor_open(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    vpn = desk.ids["vpn"]
    replies_before = len(queries.ticket_messages(desk.store, vpn))
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        monkeypatch.setattr(app.service, "reply", disk_full)
        await press(pilot, "r")
        await type_text(pilot, "We have restarted the VPN gateway.")
        await press(pilot, "ctrl+s")
        errors = notifications(app, "error")
        assert len(errors) == 1 and "disk is full" in errors[0].lower(), errors
        assert isinstance(app.screen, ReplyScreen), "the editor stays open"
        assert app.screen.query_one(TextArea).text == "We have restarted the VPN gateway."
        draft = drafts_folder(desk.store) / f"reply-{vpn}-{ACTOR}.txt"
        assert draft.read_text() == "We have restarted the VPN gateway."
        assert stat.S_IMODE(draft.stat().st_mode) == 0o600
        assert stat.S_IMODE(draft.parent.stat().st_mode) == 0o700

        monkeypatch.undo()  # the disk has room again: the same editor sends
        await press(pilot, "ctrl+s")
        assert app.screen is app.screen_stack[0]
        assert not draft.exists(), "a stored reply is no draft any more"
    assert len(queries.ticket_messages(desk.store, vpn)) == replies_before + 1


async def test_item8_really_full_store_keeps_the_note(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    """No mock of the service: the connection that writes may not grow the store by a single page."""
    store = desk.store
    real_transaction = store.transaction

    @contextmanager
    def capped(**kwargs: bool) -> Iterator[sqlite3.Connection]:
        conn = store.conn  # this worker thread's own connection
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")
        with real_transaction(**kwargs) as inner:
            yield inner

    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        monkeypatch.setattr(store, "transaction", capped)
        body = "Long investigation notes. " * 20_000  # half a megabyte: needs pages the store cannot have
        await press(pilot, "n")
        app.screen.query_one(TextArea).text = body
        await press(pilot, "ctrl+s")
        assert notifications(app, "error"), ("the failure is said", notifications(app), app.screen)
        assert isinstance(app.screen, ReplyScreen)
        assert app.screen.query_one(TextArea).text == body
    assert not any(m.body == body for m in queries.ticket_messages(desk.store, desk.ids["vpn"]))


async def test_item8_draft_survives_a_quit_and_is_offered_back(desk: Desk) -> None:
    site = desk.ids["site"]
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "j")
        assert current_subject(app) == "Site down for EU customers"
        await press(pilot, "r")
        await type_text(pilot, "The EU mirror is back")
        await pilot.pause(DRAFT_SAVE_DELAY + 0.3)
        # Written while typing, so a crash (no clean quit) would keep it too.
        assert (drafts_folder(desk.store) / f"reply-{site}-{ACTOR}.txt").read_text() == "The EU mirror is back"
        await type_text(pilot, ", sorry")  # typed just before quitting: kept on the way out

    bob = TuiDeskApp(desk.store, clock=fixed_clock(NOW), actor="bob", live_interval=None)
    async with bob.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "j", "r")
        assert bob.screen.query_one(TextArea).text == "", "another agent's draft stays theirs"
        await press(pilot, "escape")

    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "j", "n")
        assert app.screen.query_one(TextArea).text == "", "a note is not the reply"
        await press(pilot, "escape", "r")
        assert isinstance(app.screen, ReplyScreen)
        assert app.screen.query_one(TextArea).text == "The EU mirror is back, sorry"
        assert f"Your unsent text for #{site} is back in the editor" in notifications(app)
        await press(pilot, "ctrl+s")
        assert app.screen is app.screen_stack[0]
    assert queries.ticket_messages(desk.store, site)[-1].body == "The EU mirror is back, sorry"
    assert not (drafts_folder(desk.store) / f"reply-{site}-{ACTOR}.txt").exists()


async def test_item8_failed_ticket_load_never_shows_the_previous_thread(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = desk.ids["site"]
    real = queries.ticket_messages

    def damaged(store: Store, ticket_id: int, **kwargs: object) -> list:
        if ticket_id == site:
            raise sqlite3.DatabaseError("database disk image is malformed")
        return real(store, ticket_id, **kwargs)

    monkeypatch.setattr(queries, "ticket_messages", damaged)
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "VPN drops every hour" in thread_text(app)
        await press(pilot, "j")
        assert current_subject(app) == "Site down for EU customers"
        shown = thread_text(app)
        assert "VPN" not in shown and f"#{site} could not be read" in shown
        assert app.main.ticket is None
        errors = notifications(app, "error")
        assert len(errors) == 1 and "damaged" in errors[0], errors


@pytest.mark.parametrize(
    ("target", "keys"),
    [
        ("tui_desk.ui.navigation.to_solve_within", ("s",)),
        ("tui_desk.ui.ticket_actions.undo_last", ("u",)),
        ("tui_desk.ui.background.run_rules", ()),
        ("tui_desk.store.queries.status_counts_upto", ()),
        ("tui_desk.store.queries.inbox_ids", ("asterisk",)),
        ("tui_desk.store.queries.agent_names", ("a",)),
        ("tui_desk.ui.screens.reports.build_report", ("x",)),
        ("tui_desk.ui.screens.template_picker.list_templates", ("r", "ctrl+t")),
    ],
)
async def test_item8_every_worker_failure_is_said(
    desk: Desk, monkeypatch: pytest.MonkeyPatch, target: str, keys: tuple[str, ...]
) -> None:
    def io_error(*_args: object, **_kwargs: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(target, io_error)
    app = make_app(desk.store)
    app.rules = RulesConfig()
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, *keys)
        errors = notifications(app, "error")
        assert any("disk I/O error" in e for e in errors), (target, errors)


async def test_item8_failed_saved_reply_gives_the_text_back(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    from tui_desk.ui.screens.templates import TemplateEditor, TemplatesScreen

    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+p")
        await type_text(pilot, "Saved replies")
        await press(pilot, "enter")
        assert isinstance(app.screen, TemplatesScreen)
        monkeypatch.setattr("tui_desk.ui.screens.templates.add_template", disk_full)
        await press(pilot, "a")
        await type_text(pilot, "Shipping")
        await press(pilot, "enter")
        await type_text(pilot, "Your parcel is on its way.")
        await press(pilot, "ctrl+s")
        assert any("disk is full" in e.lower() for e in notifications(app, "error"))
        assert isinstance(app.screen, TemplateEditor), "the text comes back to be saved again"
        assert app.screen.query_one(TextArea).text == "Your parcel is on its way."
        monkeypatch.undo()
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, TemplatesScreen)
        assert "Added saved reply 'Shipping'" in notifications(app)


async def test_after_a_failed_ticket_load_reply_and_changes_refuse(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    """The store read of the ticket fails: r, n, e and every action that needs a ticket say so."""
    from tui_desk.ui.action_table import actions

    site = desk.ids["site"]
    real = queries.get_ticket

    def damaged(store: Store, ticket_id: int) -> object:
        if ticket_id == site:
            raise sqlite3.DatabaseError("database disk image is malformed")
        return real(store, ticket_id)

    monkeypatch.setattr(queries, "get_ticket", damaged)
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "VPN drops every hour" in thread_text(app)
        await press(pilot, "j")
        assert current_subject(app) == "Site down for EU customers"
        shown = thread_text(app)
        assert "VPN" not in shown and f"#{site} could not be read" in shown
        assert app.main.ticket is None
        keys = [a.keys for a in actions() if a.needs_ticket]
        assert {"r", "n", "e", "p", "d", "M", "S", "w"} <= set(keys)
        for key in keys:
            app._notifications.clear()
            await press(pilot, key)
            assert app.screen is app.main, f"{key} opened {app.screen}"
            assert f"#{site} could not be read" in notifications(app, "error"), key
    monkeypatch.undo()
    assert real(desk.store, site).status != "resolved"


async def test_a_failed_inbox_page_shows_an_error_row_then_loads_on_a_move(
    empty_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui_desk.core.lifecycle import TicketService
    from tui_desk.ui.widgets.inbox import PAGE_SIZE

    from .helpers import StepClock, widget_text

    service = TicketService(empty_store, clock=StepClock(), actor=ACTOR)
    total = PAGE_SIZE + 30
    for number in range(total):
        service.create_ticket(email=f"c{number}@example.com", subject=f"Question {number}", body="Hello.")
    real = queries.inbox_page
    broken = [True]

    def failing(store: Store, flt: object, offset: int, limit: int) -> list:
        if offset >= PAGE_SIZE and broken[0]:
            raise sqlite3.OperationalError("disk I/O error")
        return real(store, flt, offset, limit)  # type: ignore[arg-type]

    monkeypatch.setattr(queries, "inbox_page", failing)
    app = make_app(empty_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "G")
        await settle(pilot)
        shown = widget_text(app.main.inbox)
        assert "Could not be read; move the cursor to try again" in shown
        assert "  …" not in shown, "a failed page is not shown as loading"
        assert any("disk I/O error" in e for e in notifications(app, "error"))
        broken[0] = False
        await press(pilot, "k")
        await settle(pilot)
        assert all(app.main.inbox.row_at(i) is not None for i in range(total))
        assert "Could not be read" not in widget_text(app.main.inbox)
