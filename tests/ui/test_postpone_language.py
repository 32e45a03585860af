"""Postpone in the agent's language in the app (docs/issue17/rest.md): the dialog's example uses the
language's day name, and a day typed in that language resolves live; one that could be two days is refused."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tui_desk.i18n import set_language
from tui_desk.store import queries
from tui_desk.ui.screens.postpone import PostponeDialog

from .conftest import Desk, make_app
from .helpers import SIZE, press, settle, type_text, widget_text


@pytest.fixture(autouse=True)
def _english_after() -> Iterator[None]:
    yield
    set_language(None)


async def test_a_croatian_day_name_postpones_and_an_ambiguous_one_is_refused(desk: Desk) -> None:
    assert set_language("hr")
    vpn = desk.ids["vpn"]
    app = make_app(desk.store)  # Monday 23 November 2026, 12:00 UTC
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "p")
        assert isinstance(app.screen, PostponeDialog)
        assert "pet 14:00" in app.screen.placeholder  # petak: Friday as a Croatian agent writes it
        await type_text(pilot, "p")
        line = widget_text(app.screen.query_one("#postpone-when"))
        assert "ponedjeljak" in line and "petak" in line  # refused, not guessed
        await type_text(pilot, "et 14:00")
        assert widget_text(app.screen.query_one("#postpone-when")) == "→ pet 27 stu 14:00"
        await press(pilot, "enter")
        await settle(pilot)
        assert queries.get_ticket(desk.store, vpn).postponed_until == "2026-11-27T14:00:00Z"
