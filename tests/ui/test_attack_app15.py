"""Defects found by attacking the app's issue 15 surfaces (attachments, quote folding, customer
history, forward, the editor's signatures and attachments) as a hostile sender and a demanding
user would. Each test names what was done and seen; it failed before its fix."""

from __future__ import annotations

from pathlib import Path

import platformdirs
import pytest
from textual.widgets import TextArea
from textual.widgets._toast import Toast

from tui_desk.core.lifecycle import TicketService
from tui_desk.store import Store
from tui_desk.ui.drafts import Drafts
from tui_desk.ui.screens.dialogs import ChoiceDialog
from tui_desk.ui.screens.reply import ReplyScreen

from .conftest import ACTOR, make_app
from .helpers import SIZE, StepClock, notifications, press, settle, type_text
from .test_editor_extras import _app, _attach, _open_reply


@pytest.fixture
def downloads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / ".config"))
    monkeypatch.delenv("XDG_DOWNLOAD_DIR", raising=False)
    return platformdirs.user_downloads_path()


def _ticket(store: Store, *files: tuple[str, str, bytes]) -> int:
    return TicketService(store, clock=StepClock(), actor="alice").create_ticket(
        email="erin@example.com", subject="Invoice", body="see attached", attachments=list(files)
    )


def toasts(app) -> str:  # noqa: ANN001
    """What the notifications draw (rendered as the toast does, so markup in them shows)."""
    return "\n".join(str(Toast(n).render()) for n in app._notifications)


@pytest.mark.parametrize("name", ["[red]Pay now.pdf", "x]y[@click=app.quit]z.pdf"])
async def test_a_saved_attachment_named_like_markup_is_named_as_sent(empty_store: Store, downloads: Path, name: str) -> None:
    _ticket(empty_store, (name, "application/pdf", b"%PDF"))
    app = make_app(empty_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "A")
        assert isinstance(app.screen, ChoiceDialog)
        await press(pilot, "enter")
        await settle(pilot)
        saved = [p.name for p in downloads.iterdir()]
        assert len(saved) == 1, saved
        shown = toasts(app)
        assert saved[0] in shown.replace("\n", ""), (shown, notifications(app))


async def test_an_opener_that_fails_is_said_not_reported_as_opened(empty_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """xdg-open with no program for the type exits non-zero at once: the app said "Opened" and nothing opened."""
    monkeypatch.setenv("TUI_DESK_OPENER", "false")
    _ticket(empty_store, ("report.pdf", "application/pdf", b"PDF"))
    app = make_app(empty_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "A", "down", "enter")
        for _ in range(60):
            if notifications(app):
                break
            await pilot.pause(0.05)
        assert not any("Opened" in n for n in notifications(app)), notifications(app)
        errors = notifications(app, "error")
        assert len(errors) == 1 and "false" in errors[0] and "report.pdf" in errors[0], errors


async def test_a_typed_path_of_an_unknown_users_home_is_refused_and_the_text_kept(empty_store: Store, tmp_path: Path) -> None:
    """Ctrl+O, `~nosuchuser/x.pdf`, Enter: expanduser raised on the event loop and the app died with a traceback."""
    _ticket(empty_store)
    kept = tmp_path / "notes.txt"
    kept.write_text("fine", encoding="utf-8")
    app = _app(empty_store, None)
    async with app.run_test(size=SIZE) as pilot:
        editor = await _open_reply(pilot)
        await type_text(pilot, "See the file.")
        await _attach(pilot, Path("~nosuch-user-i15/x.pdf"))
        assert isinstance(app.screen, ReplyScreen), app.screen
        assert any("~nosuch-user-i15" in n for n in notifications(app, "error")), notifications(app)
        await _attach(pilot, kept)  # the editor goes on
        assert [p.name for p in editor.attached] == ["notes.txt"]
        assert editor.query_one(TextArea).text.startswith("See the file.")
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, ReplyScreen), "sent: no file left 'being read'"


@pytest.mark.parametrize("name", ["Eve [/] Ops", "Eve [red]Ops", "[@click=app.quit]Eve"])
async def test_h_titles_a_customer_named_like_markup_with_the_name_as_sent(empty_store: Store, name: str) -> None:
    """A sender's display name "Eve [/] Ops": H raised MarkupError on the event loop (border titles are markup)."""
    from tui_desk.ui.widgets.history import CustomerHistoryList

    service = TicketService(empty_store, clock=StepClock(), actor="alice")
    for subject in ("First", "Second"):
        service.create_ticket(email="eve@example.com", name=name, subject=subject, body="hi")
    app = make_app(empty_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "H")
        await settle(pilot)
        history = app.main.query_one(CustomerHistoryList)
        assert history.display
        title = history._border_title
        assert title is not None and title.plain == f"Other tickets of {name}: 1", title
        assert not title.spans, title.spans


async def test_h_shown_while_moving_fast_reads_the_history_of_where_one_stops_only(
    empty_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """j held with H shown: one history read per ticket passed; for a customer with 65,000 tickets
    (0.23 s a read) the threads piled up and the screen lagged 250 ms (docs/issue15/reading.md)."""
    import asyncio

    from textual import events

    from tui_desk.core import customers
    from tui_desk.ui import reading
    from tui_desk.ui.widgets.history import CustomerHistoryList

    service = TicketService(empty_store, clock=StepClock(), actor="alice")
    for n in range(12):
        service.create_ticket(email="big@example.com", name="Big", subject=f"Order {n}", body="hi")
    read: list[str] = []

    def counted(store: Store, address: str) -> customers.CustomerHistory:
        read.append(address)
        return customers.customer_history(store, address)

    monkeypatch.setattr(reading, "customer_history", counted)
    app = make_app(empty_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "H")
        await settle(pilot)
        app.main.query_one("#inbox").focus()
        read.clear()
        for _ in range(10):  # key repeat: 30 a second
            app.post_message(events.Key("j", "j"))
            await asyncio.sleep(1 / 30)
        await pilot.pause(0.3)
        await settle(pilot)
        assert len(read) <= 2, len(read)
        history = app.main.query_one(CustomerHistoryList)
        options = [history.get_option_at_index(i) for i in range(history.option_count)]
        assert len(options) == 11 and str(app.main.selected_id) not in [o.id for o in options]


async def test_ctrl_c_says_how_to_quit_in_plain_words(empty_store: Store) -> None:
    """Notifications are plain text (a sender's name is not markup): Textual's own Ctrl+C hint showed "[b]"."""
    app = make_app(empty_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+c")
        shown = toasts(app)
        assert "Press q to quit the app" in shown and "[b]" not in shown, shown


async def test_a_file_whose_name_is_not_utf8_is_attached_and_kept_with_the_draft(empty_store: Store, tmp_path: Path) -> None:
    """A Latin-1 file name on disk (b"caf\\xe9.txt"): writing the draft's file list raised
    UnicodeEncodeError on the event loop, and the app died with the reply unsent."""
    import os

    ticket = _ticket(empty_store)
    odd = Path(os.fsdecode(bytes(tmp_path) + b"/caf\xe9.txt"))
    odd.write_bytes(b"menu")
    app = _app(empty_store, None)
    async with app.run_test(size=SIZE) as pilot:
        editor = await _open_reply(pilot)
        await type_text(pilot, "The menu.")
        await _attach(pilot, odd)
        assert isinstance(app.screen, ReplyScreen), app.screen
        assert [p.data for p in editor.attached] == [b"menu"]
        editor.keep_draft()
        await press(pilot, "escape")
    assert Drafts.next_to(empty_store.path, ACTOR).load_files("reply", ticket) == [str(odd)]


async def test_the_ctrl_o_folder_tree_shows_escape_sequences_in_file_names_not_obeys_them(
    empty_store: Store, tmp_path: Path
) -> None:
    """A file named "evil\\x1b[41mRED\\x1b]0;pwned\\x07.txt" (an unpacked archive's): the picker's
    folder tree sent the sequences to the terminal (red background, window title set)."""
    import asyncio

    from textual.widgets import DirectoryTree

    from tui_desk.ui.editor_attachments import FilePicker

    _ticket(empty_store)
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "evil\x1b[41mRED\x1b]0;pwned\x07.txt").write_text("x")
    ReplyScreen.last_folder = folder
    app = _app(empty_store, None)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await _open_reply(pilot)
            await pilot.press("ctrl+o")
            for _ in range(60):  # the tree loads in its own worker
                await asyncio.sleep(0.05)
                if isinstance(app.screen, FilePicker) and app.screen.query_one(DirectoryTree).root.children:
                    break
            tree = app.screen.query_one(DirectoryTree)
            await pilot.pause()
            lines = [strip.text for strip in tree.render_lines(tree.region.reset_offset)]
            shown = "\n".join(lines)
            assert "evil␛[41mRED" in shown and "\x1b" not in shown and "\x07" not in shown, shown
    finally:
        ReplyScreen.last_folder = None


async def test_c_for_a_customer_with_many_tickets_lists_the_newest_and_says_the_rest(empty_store: Store) -> None:
    """C built one option per ticket on the event loop: for 65,536 tickets the screen froze 1.7 s.
    Now the newest 200, as H shows, and a line pointing to `tui-desk customer`."""
    service = TicketService(empty_store, clock=StepClock(), actor="alice")
    for n in range(206):
        service.create_ticket(email="big@example.com", name="Big", subject=f"Order {n}", body="hi")
    app = make_app(empty_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "C")
        assert isinstance(app.screen, ChoiceDialog), app.screen
        assert len(app.screen.choices) == 200
        assert "Order 205" in app.screen.choices[0][1], "newest first"
        assert app.screen.hint == "… 5 older tickets: tui-desk customer EMAIL lists them all"
