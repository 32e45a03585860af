"""Defects found by using the app as a demanding user and a hostile tester would (issue 12's trust features).

Each test names what a user did and saw; it failed before its fix.
"""

from __future__ import annotations

import errno
import sqlite3

import pytest
from textual.widgets import TextArea

from tui_desk.core.lifecycle import TicketService
from tui_desk.store import Store, queries
from tui_desk.ui.drafts import Drafts
from tui_desk.ui.screens.dialogs import LeaveEditorDialog
from tui_desk.ui.screens.reply import ReplyScreen
from tui_desk.ui.widgets.inbox import PAGE_SIZE

from .conftest import ACTOR, Desk, make_app
from .helpers import SIZE, StepClock, notifications, press, settle, type_text, widget_text


def disk_full(*_args: object, **_kwargs: object) -> None:
    raise sqlite3.OperationalError("database or disk is full")


async def test_a_draft_given_back_is_continued_at_its_end_not_before_it(desk: Desk) -> None:
    """r on a ticket with a kept draft, then typing: the words went in front of the draft."""
    vpn = desk.ids["vpn"]
    Drafts.next_to(desk.store.path, "alice").save("reply", vpn, "We restarted the gateway.")
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "r")
        await type_text(pilot, " It should hold now.")
        assert app.screen.query_one(TextArea).text == "We restarted the gateway. It should hold now."


async def test_a_full_disk_never_claims_the_text_is_in_the_drafts(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    """Store and drafts folder on one full disk: the app said "kept ... in your drafts" when it was not."""

    def no_space(*_args: object, **_kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        monkeypatch.setattr(app.service, "add_note", disk_full)
        monkeypatch.setattr(Drafts, "save", no_space)
        await press(pilot, "n")
        await type_text(pilot, "Called the customer back.")
        await press(pilot, "ctrl+s")
        said = notifications(app)
        assert not any("in your drafts" in line for line in said), said
        assert any("could not be written to your drafts" in line for line in notifications(app, "error")), said
        assert isinstance(app.screen, ReplyScreen)
        assert app.screen.query_one(TextArea).text == "Called the customer back."
    assert not any(m.body == "Called the customer back." for m in queries.ticket_messages(desk.store, desk.ids["vpn"]))


async def test_the_palette_shows_a_status_name_with_brackets_as_it_is(desk: Desk) -> None:
    """statuses --add 'Wait [1 [b]x' is a valid name; the palette showed it as "Wait [1 \\[b]x"."""
    from textual.command import CommandPalette

    from .helpers import widget_text

    desk.service.define_status("Wait [1 [b]x", "hold")
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await type_text(pilot, "View: Wait")
        for _ in range(40):  # the palette searches in the background
            await pilot.pause(0.05)
            shown = widget_text(app.screen.query_one("CommandList"))
            if "View: Wait" in shown:
                break
        assert "View: Wait [1 [b]x" in shown, shown


async def test_undo_after_a_note_on_the_resolved_ticket_reaches_the_resolve(desk: Desk) -> None:
    """e, n (why it was resolved), u, u: the first u promised "undo again to undo resolve on #N",
    the second refused it because of that very note."""
    vpn = desk.ids["vpn"]
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "e")
        assert queries.get_ticket(desk.store, vpn).status == "resolved"
        await press(pilot, "2")  # the resolved ticket stays in sight
        app.main.inbox.move_to(next(i for i in range(app.main.inbox.total) if app.main.inbox.row_at(i).id == vpn))
        await settle(pilot)
        await press(pilot, "n")
        await type_text(pilot, "Resolved: the gateway was replaced.")
        await press(pilot, "ctrl+s", "u")
        assert f"undo again to undo resolve on #{vpn}" in notifications(app)[-1]
        await press(pilot, "u")
        assert notifications(app)[-1] == f"Undone: resolve on #{vpn}", notifications(app)
        assert queries.get_ticket(desk.store, vpn).status != "resolved"
    assert queries.ticket_messages(desk.store, vpn)[-1].body == "Resolved: the gateway was replaced."


async def test_a_huge_subject_and_thousands_of_attachments_draw_a_bounded_thread(desk: Desk) -> None:
    """A 2 MB subject (one long header) froze the app for seconds on selection: the thread
    header wrapped all of it; 5,000 attachments drew 5,000 lines."""
    from .helpers import thread_text

    subject = "Refund " * 300_000
    big = desk.service.create_ticket(
        email="flood@example.com",
        subject=subject,
        body="see the files",
        priority="urgent",
        attachments=[(f"scan{i}.pdf", "application/pdf", b"%PDF") for i in range(5_000)],
    )
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.main.inbox.move_to(next(i for i in range(app.main.inbox.total) if app.main.inbox.row_at(i).id == big))
        await settle(pilot)
        assert app.main.ticket is not None and app.main.ticket.id == big
        shown = thread_text(app)
        assert len(shown.splitlines()) < 300, len(shown.splitlines())
        assert "scan0.pdf" in shown and "see the files" in shown
        assert "4,950 more attachments" in shown
        await press(pilot, "w")  # the full text lists every one
        from tui_desk.ui.widgets.full_text import FullTextView

        listed = app.screen.query_one(FullTextView).text
        assert "📎 scan0.pdf  application/pdf, 4 B" in listed and "📎 scan4999.pdf" in listed


async def test_drafts_left_by_a_crash_are_announced_and_follow_a_merge_or_say_where_they_are(desk: Desk) -> None:
    """kill -9 with text in the editor: on restart nothing said a draft existed; a draft of a
    ticket merged since could only be reached from the merged pointer, where sending is refused;
    one of a purged ticket was never reachable at all."""
    vpn, invoice, site, prize = desk.ids["vpn"], desk.ids["invoice"], desk.ids["site"], desk.ids["prize"]
    drafts = Drafts.next_to(desk.store.path, "alice")
    drafts.save("reply", invoice, "Your refund is on its way.")
    drafts.save("note", site, "EU mirror checked.")
    drafts.save("reply", prize, "Dear winner,")
    desk.service.merge(invoice, vpn)
    desk.service.set_status(prize, "deleted")
    desk.service.purge(prize)

    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        said = "\n".join(notifications(app, "warning"))
        assert f"Unsent text kept for #{vpn}, #{site}: r or n on the ticket brings it back" in said, said
        assert f"#{invoice} was merged into #{vpn}: your unsent text for it is now on #{vpn}" in said
        assert f"#{prize} no longer exists; your unsent text for it is in {drafts.path('reply', prize)}" in said
        assert app.main.inbox.current is not None and app.main.inbox.current.id == vpn
        await press(pilot, "r")
        assert app.screen.query_one(TextArea).text == "Your refund is on its way."
    assert drafts.path("reply", prize).read_text() == "Dear winner,"


async def test_a_tag_both_added_and_removed_is_refused_not_guessed(desk: Desk) -> None:
    """t, "-vip +vip": the agent meant to end with vip; it was added, then removed again."""
    vpn = desk.ids["vpn"]
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "t")
        await type_text(pilot, "-vip +VIP urgent")
        await press(pilot, "enter")
        assert any("both added and removed" in line for line in notifications(app, "error")), notifications(app)
    assert queries.get_ticket(desk.store, vpn).tags == ()


async def test_the_full_text_viewer_pages_back_up_with_a_key_its_footer_shows(desk: Desk) -> None:
    """w on a long message: space pages down, but the footer offered no way back up."""
    from textual.widgets import Footer

    from tui_desk.ui.screens.full_text import FullTextScreen
    from tui_desk.ui.widgets.full_text import FullTextView

    from .helpers import widget_text

    long = desk.service.create_ticket(
        email="log@example.com", subject="Our log", body="\n".join(f"line {n}" for n in range(5_000)), priority="urgent"
    )
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.main.inbox.move_to(next(i for i in range(app.main.inbox.total) if app.main.inbox.row_at(i).id == long))
        await settle(pilot)
        await press(pilot, "w")
        assert isinstance(app.screen, FullTextScreen)
        assert "b Page up" in " ".join(widget_text(app.screen.query_one(Footer)).split())
        view = app.screen.query_one(FullTextView)
        await press(pilot, "space", "space")
        two_pages = view.scroll_offset.y
        assert two_pages > 0
        await press(pilot, "b")
        assert 0 < view.scroll_offset.y < two_pages
        await press(pilot, "escape")
        assert not isinstance(app.screen, FullTextScreen)


@pytest.mark.parametrize("key", ["w", "S"])
async def test_full_text_or_split_of_an_unreadable_ticket_says_so_not_try_again(
    desk: Desk, monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    """A damaged page under a ticket: w and S said "The thread is still loading; try again",
    which never helps."""
    site = desk.ids["site"]
    real = queries.ticket_messages

    def damaged(store: object, ticket_id: int, **kwargs: object) -> list:
        if ticket_id == site:
            raise sqlite3.DatabaseError("database disk image is malformed")
        return real(store, ticket_id, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(queries, "ticket_messages", damaged)
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "j", key)
        assert app.main.inbox.current is not None and app.main.inbox.current.id == site
        said = notifications(app)
        assert not any("try again" in line for line in said), said
        assert f"#{site} could not be read" in notifications(app, "error"), said


async def test_reply_on_a_merged_ticket_is_refused_before_typing_and_its_draft_moves_on(desk: Desk) -> None:
    """r on a merged pointer opened the editor; a whole reply later the store refused it."""
    vpn, invoice = desk.ids["vpn"], desk.ids["invoice"]
    desk.service.merge(invoice, vpn)
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.drafts.save("reply", invoice, "Refund sent.")  # typed before another agent merged it
        await press(pilot, "7")  # any view: go to the pointer by number
        await press(pilot, "number_sign")
        await type_text(pilot, str(invoice))
        await press(pilot, "enter")
        assert app.main.ticket is not None and app.main.ticket.id == invoice
        await press(pilot, "r")
        assert not isinstance(app.screen, ReplyScreen)
        assert f"Ticket #{invoice} was merged into #{vpn}; work on #{vpn}" in notifications(app, "error")
        assert app.drafts.load("reply", vpn) == "Refund sent."
        assert app.drafts.load("reply", invoice) is None


async def test_the_empty_store_hint_is_a_table_and_says_where_it_is_cut(tmp_path) -> None:  # noqa: ANN001
    """At 80 columns the descriptions started anywhere and stopped mid-word ("a customer r")."""
    from tui_desk.store import open_store

    from .helpers import widget_text

    store = open_store(tmp_path / "empty.db")
    try:
        app = make_app(store)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            lines = [line for line in widget_text(app.main.inbox).splitlines() if "tui-desk " in line]
            by_command = {line.split("   ")[0].strip(): line for line in lines}
            fetch, imports = by_command["tui-desk fetch"], by_command["tui-desk import PATH"]
            assert fetch.index("fetch new mail") == imports.index("import mail"), lines
            cut = by_command["tui-desk new --email ADDRESS --subject TEXT"]
            assert cut.rstrip().endswith("…"), lines
    finally:
        store.close()


async def test_a_draft_whose_text_was_stored_before_a_crash_is_not_offered_again(desk: Desk) -> None:
    """kill -9 (or ctrl+q) between the store's commit and the draft's deletion: on restart the
    sent reply came back as unsent text, one ctrl+s away from mailing it twice."""
    from tui_desk.core.lifecycle import TicketService

    vpn, site = desk.ids["vpn"], desk.ids["site"]
    import os

    drafts = Drafts.next_to(desk.store.path, "alice")
    drafts.save("reply", vpn, "The gateway is replaced.")
    drafts.save("reply", site, "Mirror is back.")
    drafts.save("reply", desk.ids["invoice"], "Thanks!")
    TicketService(desk.store, clock=desk.clock, actor="bob").reply(site, "Mirror is back.")  # not alice's
    # Alice's "Thanks!" went out before the draft was written: the draft is a second one.
    TicketService(desk.store, clock=desk.clock, actor="alice").reply(desk.ids["invoice"], "Thanks!")
    desk.clock.advance(60 * 24)
    # The draft was written, then (the next day, on this data set's clock) stored, then the app died.
    written = desk.clock.now.timestamp() - 5
    for ticket in (vpn, site, desk.ids["invoice"]):
        os.utime(drafts.path("reply", ticket), (written, written))
    TicketService(desk.store, clock=desk.clock, actor="alice").reply(vpn, "The gateway is replaced.")

    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        said = "\n".join(notifications(app))
        assert f"Unsent text kept for #{desk.ids['invoice']}, #{site}: r or n" in said, said
        await press(pilot, "number_sign")
        await type_text(pilot, str(vpn))
        await press(pilot, "enter", "r")
        assert app.main.inbox.current is not None and app.main.inbox.current.id == vpn
        assert app.screen.query_one(TextArea).text == ""
    assert not drafts.path("reply", vpn).exists()


async def test_full_text_of_a_long_thread_holds_its_earliest_messages_too(desk: Desk) -> None:
    """w on a thread of 230 messages showed the latest 200 only, and said nothing of the rest."""
    from tui_desk.ui.screens.full_text import FullTextScreen
    from tui_desk.ui.widgets.full_text import FullTextView

    long = desk.service.create_ticket(email="chatty@example.com", subject="Chatty", body="THE VERY FIRST", priority="urgent")
    for n in range(230):
        desk.service.add_customer_message(long, f"message {n}")
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.main.inbox.move_to(next(i for i in range(app.main.inbox.total) if app.main.inbox.row_at(i).id == long))
        await settle(pilot)
        await press(pilot, "w")
        assert isinstance(app.screen, FullTextScreen)
        view = app.screen.query_one(FullTextView)
        await settle(pilot)
        assert "THE VERY FIRST" in view.text and "message 229" in view.text


async def test_fix_app_item1_escape_in_the_editor_offers_keep_as_draft(desk: Desk) -> None:
    """Esc with text in the editor offered only "discard" or "keep writing": no way to put it aside for later."""
    vpn = desk.ids["vpn"]
    draft = Drafts.next_to(desk.store.path, ACTOR).path("reply", vpn)
    assert draft is not None
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "r")
        await type_text(pilot, "Half an answer")
        await press(pilot, "escape")
        assert isinstance(app.screen, LeaveEditorDialog)
        shown = widget_text(app.screen)
        for key in ("k: keep as draft", "d: discard", "Esc / w: keep writing"):
            assert key in shown, shown

        await press(pilot, "escape")  # Esc twice never loses the text: back to writing
        assert isinstance(app.screen, ReplyScreen)
        assert app.screen.query_one(TextArea).text == "Half an answer"

        await press(pilot, "escape", "k")  # keep as draft: the editor closes, the file stays
        assert app.screen is app.screen_stack[0]
        assert draft.read_text() == "Half an answer"
        await press(pilot, "r")
        assert isinstance(app.screen, ReplyScreen)
        assert app.screen.query_one(TextArea).text == "Half an answer"

        await type_text(pilot, ", more")
        await press(pilot, "escape", "enter")  # Enter is the safe choice: kept too
        assert app.screen is app.screen_stack[0]
        assert draft.read_text() == "Half an answer, more"

        await press(pilot, "r", "escape", "d")  # discard: the file goes, r starts empty
        assert app.screen is app.screen_stack[0]
        assert not draft.exists()
        await press(pilot, "r")
        assert app.screen.query_one(TextArea).text == ""
    assert not draft.exists()


async def test_fix_app_item2_a_page_that_failed_to_load_is_loaded_on_the_next_scroll(
    empty_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A page whose query failed once showed "…" for good: it stayed pending, so no scroll asked again."""
    service = TicketService(empty_store, clock=StepClock(), actor=ACTOR)
    total = PAGE_SIZE + 30
    for number in range(total):
        service.create_ticket(email=f"c{number}@example.com", subject=f"Question {number}", body="Hello.")
    real = queries.inbox_page
    failures = []

    def fails_once(store: Store, flt: object, offset: int, limit: int) -> list:
        if offset >= PAGE_SIZE and not failures:
            failures.append(offset)
            raise sqlite3.OperationalError("disk I/O error")
        return real(store, flt, offset, limit)  # type: ignore[arg-type]

    monkeypatch.setattr(queries, "inbox_page", fails_once)
    app = make_app(empty_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.main.inbox.total == total
        await press(pilot, "G")  # to the second page: its query fails
        assert failures == [PAGE_SIZE]
        errors = notifications(app, "error")
        assert len(errors) == 1 and "disk I/O error" in errors[0], errors

        # The next move asks again (a repaint meanwhile may already have), without a reload of the inbox.
        await press(pilot, "k")
        assert app.main.inbox.current is not None
        assert all(app.main.inbox.row_at(i) is not None for i in range(total))
        assert "…" not in widget_text(app.main.inbox)
        assert len(notifications(app, "error")) == 1, "said once"
