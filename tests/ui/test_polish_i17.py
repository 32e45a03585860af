"""Issue 17's last rough edges (docs/issue17/polish.md): each test fails without its fix."""

from __future__ import annotations

import pytest

from tui_desk.i18n import _, set_language
from tui_desk.ui.screens.reply import ReplyScreen

from .conftest import Desk, make_app
from .helpers import SIZE, notifications, press, settle


@pytest.mark.parametrize("lang", ["en", "et"])
async def test_an_empty_note_is_nothing_to_save_never_to_send(desk: Desk, lang: str) -> None:
    assert set_language(lang)
    try:
        app = make_app(desk.store)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await press(pilot, "n")
            assert isinstance(app.screen, ReplyScreen) and app.screen.kind == "note"
            await press(pilot, "ctrl+s")
            shown = notifications(app)
            assert _("Nothing to save: the note is empty") in shown, shown
            assert _("Nothing to send: the text is empty") not in shown
            if lang == "et":
                assert "Nothing to save" not in " ".join(shown)  # translated, not the English
    finally:
        set_language(None)


async def test_an_empty_reply_is_still_nothing_to_send(desk: Desk) -> None:
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "r")
        assert isinstance(app.screen, ReplyScreen) and app.screen.kind == "reply"
        await press(pilot, "ctrl+s")
        assert "Nothing to send: the text is empty" in notifications(app)
