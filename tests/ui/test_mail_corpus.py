"""The awkward mail corpus, imported, is shown literally by the app: no markup, no escapes, no crash."""

from __future__ import annotations

from pathlib import Path

from tui_desk.core.lifecycle import TicketService
from tui_desk.mail.importer import import_paths
from tui_desk.store import Store, queries

from .conftest import make_app
from .helpers import SIZE, press, settle, thread_text, widget_text

CORPUS = Path(__file__).parents[1] / "data" / "mail"


async def test_imported_corpus_is_shown_literally(empty_store: Store) -> None:
    summary = import_paths(TicketService(empty_store), sorted(CORPUS.glob("*.eml")), ["help@desk.example"])
    assert summary.tickets_created == 12  # every message, even without a sender
    evil = empty_store.scalar("SELECT id FROM tickets WHERE subject LIKE '%not bold%'")
    app = make_app(empty_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "[bold]not bold[/bold]" in widget_text(app.main.inbox)
        for _ in range(12):  # walk every ticket: each renders without an error
            await press(pilot, "j")
            assert "\x1b" not in thread_text(app)
        for _ in range(12):
            if thread_text(app).startswith(f"#{evil} "):
                break
            await press(pilot, "k")
        shown = thread_text(app)
        assert shown.startswith(f"#{evil} ␛[31mRED␛[0m [bold]not bold[/bold] [link=x]")
        assert "Body ␛[2J␛]0;title␇ [red]markup[/red] [/] \\[escaped]" in shown
        assert "\x1b" not in shown
    assert "\x1b[2J" in queries.ticket_messages(empty_store, evil)[0].body  # stored as it came
