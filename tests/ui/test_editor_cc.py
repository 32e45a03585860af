"""The reply editor's To and Cc (issue 15 item 3, docs/issue15/recipients.md "In the editor"):
the remembered Cc is shown and editable; what the agent leaves there is what the reply copies."""

from __future__ import annotations

from email.utils import getaddresses
from pathlib import Path

import pytest
from test_mail_smtp import settings_for, smtp_server  # noqa: F401 - the fixture
from textual.widgets import Input, Label, TextArea

from tui_desk.core.lifecycle import TicketService
from tui_desk.domain.clock import fixed_clock
from tui_desk.domain.models import MessageKind
from tui_desk.mail.outbox import send_due
from tui_desk.mail.settings import MailSettings
from tui_desk.store import Store, queries
from tui_desk.store import recipients as copies
from tui_desk.ui.app import TuiDeskApp
from tui_desk.ui.screens.reply import DRAFT_SAVE_DELAY, ReplyScreen

from .conftest import ACTOR
from .helpers import NOW, SIZE, StepClock, notifications, press, settle, type_text

UNUSED_PORT = 9  # the background sender never runs in these tests (no live interval)


def _ticket(store: Store, **kwargs: object) -> int:
    return TicketService(store, clock=StepClock(), actor=ACTOR).create_ticket(
        email="carol@example.com", name="Carol", subject="Printer broken", body="It jams.",
        cc=["bob@example.com"], **kwargs,  # type: ignore[arg-type]
    )


def _app(store: Store, mail: MailSettings | None) -> TuiDeskApp:
    return TuiDeskApp(store, clock=fixed_clock(NOW), actor=ACTOR, live_interval=None, mail=mail)


async def _open_reply(pilot, key: str = "r") -> ReplyScreen:  # noqa: ANN001 - Pilot
    await settle(pilot)
    await press(pilot, key)
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ReplyScreen)
    return screen


def _outbox_cc(store: Store) -> list[str]:
    with store.transaction() as conn:
        return copies.outbox_cc(conn, int(store.scalar("SELECT max(id) FROM outbox")))


async def _set_cc(pilot, editor: ReplyScreen, text: str) -> None:  # noqa: ANN001 - Pilot
    field = editor.query_one("#cc", Input)
    await press(pilot, "shift+tab")  # from the text to the Cc field, from the keyboard
    assert field.has_focus
    field.value = ""
    await type_text(pilot, text)


async def test_the_editor_shows_to_and_the_remembered_cc_and_the_edited_cc_is_sent_and_remembered(
    empty_store: Store, smtp_server  # noqa: F811
) -> None:
    port, handler, _controller = smtp_server
    ticket = _ticket(empty_store, message_id="<c1@example.com>")
    settings = settings_for(port)
    app = _app(empty_store, settings)
    async with app.run_test(size=SIZE) as pilot:
        editor = await _open_reply(pilot)
        assert str(editor.query_one("#to-line", Label).content) == "To: Carol <carol@example.com>"
        field = editor.query_one("#cc", Input)
        assert field.value == "bob@example.com"
        assert editor.query_one(TextArea).has_focus  # the text keeps the first focus
        await type_text(pilot, "Fixed.")
        await _set_cc(pilot, editor, "Carol Two <Carol2@Example.net>")
        await press(pilot, "tab")
        assert editor.query_one(TextArea).has_focus
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, ReplyScreen)
    reply = queries.ticket_messages(empty_store, ticket)[-1]
    assert reply.kind == MessageKind.REPLY and reply.body == "Fixed."
    assert copies.thread_recipients(empty_store, ticket)[reply.id][0] == ["carol2@example.net"]
    assert _outbox_cc(empty_store) == ["carol2@example.net"]
    assert copies.remembered_cc(empty_store, ticket) == ["carol2@example.net"]  # the next reply copies carol2
    send_due(empty_store, settings, clock=fixed_clock(NOW))
    [sent] = handler.received
    assert getaddresses([str(sent["To"])])[0][1] == "carol@example.com"
    assert [a for _n, a in getaddresses([str(sent["Cc"])])] == ["carol2@example.net"]
    assert sorted(handler.envelopes[0][1]) == ["carol2@example.net", "carol@example.com"]


async def test_an_unchanged_cc_keeps_the_remembered_one_and_an_emptied_one_copies_nobody(empty_store: Store) -> None:
    first, second = _ticket(empty_store), _ticket(empty_store)
    app = _app(empty_store, settings_for(UNUSED_PORT))
    async with app.run_test(size=SIZE) as pilot:
        await _open_reply(pilot)
        await type_text(pilot, "Looking.")
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert _outbox_cc(empty_store) == ["bob@example.com"]
        assert copies.remembered_cc(empty_store, first) == ["bob@example.com"]
        editor = await _open_reply(pilot)  # the answered one has left the list: the second is next
        assert editor.ticket_id == second
        await type_text(pilot, "Done.")
        editor.query_one("#cc", Input).value = ""
        await press(pilot, "ctrl+s")
        await settle(pilot)
    assert _outbox_cc(empty_store) == []
    assert copies.remembered_cc(empty_store, second) == []


@pytest.mark.parametrize(
    ("typed", "said"),
    [("bob@example.com, not an address", "Not an e-mail address: 'not'"),
     ("Help <HELP@desk.example>", "help@desk.example is the help desk's own address: it is never copied")],
)
async def test_a_bad_or_own_address_is_one_notification_and_nothing_is_sent(
    empty_store: Store, typed: str, said: str
) -> None:
    ticket = _ticket(empty_store)
    app = _app(empty_store, settings_for(UNUSED_PORT))
    async with app.run_test(size=SIZE) as pilot:
        editor = await _open_reply(pilot)
        await type_text(pilot, "Please check.")
        await _set_cc(pilot, editor, typed)
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert app.screen is editor  # the text, the field and the files stay for another try
        assert notifications(app, "error") == [said]
        assert editor.query_one(TextArea).text == "Please check."
        assert editor.query_one("#cc", Input).value == typed
        assert editor.query_one("#cc", Input).has_focus
    assert [m.kind for m in queries.ticket_messages(empty_store, ticket)] == [MessageKind.CUSTOMER]
    assert empty_store.scalar("SELECT count(*) FROM outbox") == 0
    assert copies.remembered_cc(empty_store, ticket) == ["bob@example.com"]


async def test_an_edited_cc_comes_back_with_its_draft_and_a_reply_to_is_the_to(empty_store: Store) -> None:
    ticket = _ticket(empty_store, reply_to="orders@example.com")
    app = _app(empty_store, settings_for(UNUSED_PORT))
    async with app.run_test(size=SIZE) as pilot:
        editor = await _open_reply(pilot)
        assert str(editor.query_one("#to-line", Label).content) == "To: orders@example.com"
        await type_text(pilot, "Half written")
        await _set_cc(pilot, editor, "bob@example.com, dave@example.org")
        await pilot.pause(DRAFT_SAVE_DELAY + 0.3)  # written while typing, so a crash keeps it too
        kept = app.drafts.path("reply", ticket)
        assert kept is not None and kept.read_text() == "Half written"
        assert kept.with_suffix(".cc").read_text() == "bob@example.com, dave@example.org"
        editor.keep_as_draft()
        await settle(pilot)
        again = await _open_reply(pilot)
        assert again.query_one(TextArea).text == "Half written"
        assert again.query_one("#cc", Input).value == "bob@example.com, dave@example.org"
        await press(pilot, "ctrl+s")
        await settle(pilot)
    assert copies.remembered_cc(empty_store, ticket) == ["bob@example.com", "dave@example.org"]
    assert app.drafts.kept() == []


async def test_a_note_has_no_recipients(empty_store: Store) -> None:
    _ticket(empty_store)
    app = _app(empty_store, None)
    async with app.run_test(size=SIZE) as pilot:
        note = await _open_reply(pilot, "n")
        assert not note.query("#recipients")
        await press(pilot, "escape")


def test_drafts_forget_the_cc_with_the_text(tmp_path: Path) -> None:
    from tui_desk.ui.drafts import Drafts

    drafts = Drafts(tmp_path / "d", ACTOR)
    drafts.save("reply", 3, "text")
    drafts.save_cc("reply", 3, "a@example.com,\n b@example.com")
    assert Drafts(tmp_path / "d", ACTOR).load_cc("reply", 3) == "a@example.com, b@example.com"
    drafts.delete("reply", 3)
    assert Drafts(tmp_path / "d", ACTOR).load_cc("reply", 3) is None
    assert list((tmp_path / "d").iterdir()) == []
