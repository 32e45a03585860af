"""The reply editor's signature and attached files (issue 15 items 5 and 2,
docs/issue15/signatures.md and editor-attachments.md), from the keyboard."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Input, TextArea

from tui_desk.core.attachments import get_attachment
from tui_desk.core.lifecycle import TicketService
from tui_desk.domain.clock import fixed_clock
from tui_desk.domain.models import MessageKind
from tui_desk.store import Store, queries
from tui_desk.ui.app import TuiDeskApp
from tui_desk.ui.editor_attachments import MAX_PICK_BYTES, AttachmentList, FilePicker
from tui_desk.ui.screens.reply import ReplyScreen

from .conftest import ACTOR
from .helpers import NOW, SIZE, StepClock, notifications, press, settle, type_text

CONFIG = """
[signature]
text = "Best,\\n{agent.name}"

[[mail.imap]]
host = "imap.example.com"
from = "Billing <billing@example.com>"
signature = "{agent.name}, Billing team"
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


def _ticket(store: Store, mailbox: str | None = None) -> int:
    ticket_id = TicketService(store, clock=StepClock(), actor=ACTOR).create_ticket(
        email="erin@example.com", subject="Invoice", body="Where is my invoice?"
    )
    if mailbox is not None:  # what the importer records (another change of issue 15)
        with store.transaction() as conn:
            conn.execute("UPDATE tickets SET mailbox = ? WHERE id = ?", [mailbox, ticket_id])
    return ticket_id


def _app(store: Store, config: Path | None) -> TuiDeskApp:
    return TuiDeskApp(store, clock=fixed_clock(NOW), actor=ACTOR, live_interval=None, config_file=config)


async def _open_reply(pilot, key: str = "r") -> ReplyScreen:  # noqa: ANN001 - Pilot
    await settle(pilot)
    await press(pilot, key)
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ReplyScreen)
    return screen


async def test_the_signature_is_under_the_text_with_the_cursor_above_it(empty_store: Store, config: Path) -> None:
    ticket = _ticket(empty_store)
    app = _app(empty_store, config)
    async with app.run_test(size=SIZE) as pilot:
        editor = await _open_reply(pilot)
        area = editor.query_one(TextArea)
        assert area.text == "\n\n-- \nBest,\nalice"
        assert area.cursor_location == (0, 0)
        await type_text(pilot, "Here it is.")
        assert area.text == "Here it is.\n\n-- \nBest,\nalice"
        await press(pilot, "ctrl+s")
        await settle(pilot)
    assert queries.ticket_messages(empty_store, ticket)[-1].body == "Here it is.\n\n-- \nBest,\nalice"


async def test_the_mailbox_signature_wins_and_a_kept_draft_is_not_signed_twice(empty_store: Store, config: Path) -> None:
    _ticket(empty_store, "billing@example.com")
    app = _app(empty_store, config)
    async with app.run_test(size=SIZE) as pilot:
        editor = await _open_reply(pilot)
        await type_text(pilot, "Paid.")
        assert editor.query_one(TextArea).text == "Paid.\n\n-- \nalice, Billing team"
        editor.keep_as_draft()
        await settle(pilot)
        again = await _open_reply(pilot)
        assert again.query_one(TextArea).text == "Paid.\n\n-- \nalice, Billing team"


async def test_a_note_gets_no_signature_and_the_signature_alone_is_nothing_to_keep(
    empty_store: Store, config: Path
) -> None:
    _ticket(empty_store)
    app = _app(empty_store, config)
    async with app.run_test(size=SIZE) as pilot:
        note = await _open_reply(pilot, "n")
        assert note.query_one(TextArea).text == ""
        await press(pilot, "escape")
        await _open_reply(pilot)
        await press(pilot, "escape")  # nothing written: closes without asking, keeps no draft
        await settle(pilot)
        assert not isinstance(app.screen, ReplyScreen)
        assert app.drafts.kept() == []


async def _attach(pilot, path: Path) -> None:  # noqa: ANN001 - Pilot
    # No settle while the picker is up: its folder tree keeps a loader worker running.
    await pilot.press("ctrl+o")
    await pilot.pause()
    picker = pilot.app.screen
    assert isinstance(picker, FilePicker)
    typed = picker.query_one(Input)
    typed.value = str(path)
    typed.cursor_position = len(typed.value)
    await pilot.press("enter")
    await settle(pilot)


async def test_attach_two_files_remove_one_and_send_stores_the_other(
    empty_store: Store, tmp_path: Path, config: Path
) -> None:
    ticket = _ticket(empty_store)
    invoice, photo = tmp_path / "invoice.pdf", tmp_path / "photo.png"
    invoice.write_bytes(b"%PDF-1.4 invoice")
    photo.write_bytes(b"\x89PNG photo")
    app = _app(empty_store, None)
    async with app.run_test(size=SIZE) as pilot:
        editor = await _open_reply(pilot)
        await type_text(pilot, "Attached.")
        await _attach(pilot, invoice)
        await _attach(pilot, photo)
        assert isinstance(app.screen, ReplyScreen)
        listed = editor.query_one(AttachmentList)
        assert [str(listed.get_option_at_index(i).prompt) for i in range(listed.option_count)] == [
            "📎 invoice.pdf (16 B)", "📎 photo.png (10 B)",
        ]
        listed.focus()
        listed.highlighted = 1
        await press(pilot, "delete")
        assert [p.name for p in editor.attached] == ["invoice.pdf"]
        await press(pilot, "ctrl+s")
        await settle(pilot)
    reply = queries.ticket_messages(empty_store, ticket)[-1]
    assert reply.kind == MessageKind.REPLY and reply.body == "Attached."
    assert [(a.filename, a.content_type) for a in reply.attachments] == [("invoice.pdf", "application/pdf")]
    assert get_attachment(empty_store, reply.attachments[0].id).data == b"%PDF-1.4 invoice"


async def test_an_unreadable_file_is_said_and_the_draft_and_other_files_stay(empty_store: Store, tmp_path: Path) -> None:
    _ticket(empty_store)
    kept = tmp_path / "notes.txt"
    kept.write_text("fine", encoding="utf-8")
    huge = tmp_path / "huge.iso"
    with huge.open("wb") as handle:
        handle.truncate(MAX_PICK_BYTES + 1)  # sparse: over the limit without the disk
    app = _app(empty_store, None)
    async with app.run_test(size=SIZE) as pilot:
        editor = await _open_reply(pilot, "n")
        await type_text(pilot, "Log attached.")
        await _attach(pilot, kept)
        await _attach(pilot, tmp_path / "missing.txt")
        await _attach(pilot, huge)
        assert isinstance(app.screen, ReplyScreen)
        errors = notifications(app, "error")
        assert any("Cannot attach" in n and "missing.txt" in n for n in errors), errors
        assert any("huge.iso" in n and "25 MB" in n for n in errors), errors
        assert editor.query_one(TextArea).text == "Log attached."
        assert [p.name for p in editor.attached] == ["notes.txt"]
        editor.keep_draft()
        assert app.drafts.load_files("note", editor.ticket_id) == [str(kept)]


async def test_a_kept_draft_brings_its_files_back(empty_store: Store, tmp_path: Path) -> None:
    _ticket(empty_store)
    log = tmp_path / "server.log"
    log.write_bytes(b"LOG")
    app = _app(empty_store, None)
    async with app.run_test(size=SIZE) as pilot:
        editor = await _open_reply(pilot)
        await type_text(pilot, "See the log.")
        await _attach(pilot, log)
        editor.keep_as_draft()
        await settle(pilot)
        again = await _open_reply(pilot)
        assert again.query_one(TextArea).text == "See the log."
        assert [(p.name, p.data) for p in again.attached] == [("server.log", b"LOG")]
