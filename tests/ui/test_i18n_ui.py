"""The app in each language: status names in the inbox and help, footer labels whole at 80x24, a snapshot."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

from tui_desk.i18n import _, set_language
from tui_desk.ui.screens.help import HelpScreen

from .conftest import Desk, make_app
from .helpers import SIZE, press, settle, widget_text

STATUS_NAMES = {
    "en": ["New", "Open", "Answered", "Resolved", "Postponed"],
    "et": ["Uus", "Avatud", "Vastatud", "Lahendatud", "Edasilükatud"],
    "ro": ["Nou", "Deschis", "Răspuns", "Rezolvat", "Amânat"],
    "lv": ["Jauns", "Atvērts", "Atbildēts", "Atrisināts", "Atlikts"],
    "tl": ["New", "Open", "Answered", "Resolved", "Postponed"],
    "hr": ["Novi", "Otvoren", "Odgovoren", "Riješen", "Odložen"],
}
LANGUAGES = list(STATUS_NAMES)


@pytest.fixture(autouse=True)
def _english_after() -> Iterator[None]:
    yield
    set_language(None)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_inbox_and_help_show_the_localized_status_names(desk: Desk, language: str) -> None:
    assert set_language(language)
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "2")  # the All view: every built-in status but Spam and Deleted
        inbox = widget_text(app.main.inbox)
        for name in STATUS_NAMES[language]:
            assert f" {name} " in inbox, f"{name!r} not whole in the inbox:\n{inbox}"
        assert _("Status") in inbox.splitlines()[0]
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        help_text = widget_text(app.screen)
        for name in STATUS_NAMES[language][2:]:  # the views line: Answered, Postponed, Resolved
            assert name in help_text
        assert _("Reply to the customer (Ctrl+S sends, Esc cancels)") in help_text


@pytest.mark.parametrize("language", ["et", "hr"])
async def test_footer_and_dialogs_are_translated(desk: Desk, language: str) -> None:
    set_language(language)
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        labels = [key.description for key in app.query_one(Footer).query(FooterKey)]
        assert _("Reply") in labels and _("Postpone") in labels and "Reply" not in labels
        await press(pilot, "p")
        assert _("Postpone #{id} until…").format(id=app.main.inbox.current.id) in widget_text(app.screen)


@pytest.mark.parametrize("language", LANGUAGES)
async def test_footer_labels_are_whole_at_80x24(desk: Desk, language: str) -> None:
    set_language(language)
    app = make_app(desk.store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        footer = app.query_one(Footer)
        keys = list(footer.query(FooterKey))
        assert keys
        for key in keys:
            shown = widget_text(key)
            assert shown.endswith(key.description), f"{key.description!r} drawn as {shown!r}"
            region = key.region
            assert region.right <= footer.region.right, f"{language}: {key.description!r} is cut at the edge"
            overlapping = [o for o in keys if o is not key and o.region.overlaps(region)]
            assert not overlapping, f"{language}: {key.description!r} is covered"


def test_snapshot_inbox_in_croatian(desk: Desk, snap_compare) -> None:  # noqa: ANN001
    set_language("hr")

    async def run_before(pilot) -> None:  # noqa: ANN001
        await settle(pilot)

    assert snap_compare(make_app(desk.store), terminal_size=SIZE, run_before=run_before)


async def test_unknown_language_notice_in_the_app(desk: Desk) -> None:
    from tui_desk.domain.clock import fixed_clock
    from tui_desk.ui.app import TuiDeskApp

    from .helpers import NOW, notifications

    app = TuiDeskApp(desk.store, clock=fixed_clock(NOW), actor="alice", live_interval=None,
                     notice="No translation for 'xx'; using English")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert notifications(app, "warning") == ["No translation for 'xx'; using English"]


@pytest.mark.parametrize("language", LANGUAGES)
async def test_footer_leaves_a_margin_at_80_columns(desk: Desk, language: str) -> None:
    """Issue 17, item 15: a footer that fills all 80 columns reads as cut off (lv and hr did)."""
    set_language(language)
    app = make_app(desk.store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        keys = list(app.query_one(Footer).query(FooterKey))
        assert max(key.region.right for key in keys) <= 78, [key.description for key in keys]


@pytest.mark.parametrize(("language", "heading"), [("et", "Vastus"), ("ro", "Răspuns"), ("lv", "Atbilde"), ("hr", "Odgovor")])
async def test_the_thread_heads_an_agent_reply_with_a_noun(desk: Desk, language: str, heading: str) -> None:
    """Issue 17, item 13: the heading over an agent's reply is the noun, the key keeps the verb."""
    from .helpers import current_subject, thread_text

    set_language(language)
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "j")  # Site down: the customer's message and "Looking into it now."
        assert current_subject(app) == "Site down for EU customers"
        text = thread_text(app)
        assert f"{heading} · " in text, text
        assert f"{_('Reply')} · " not in text
