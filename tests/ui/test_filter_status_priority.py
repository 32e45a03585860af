"""`f` → By status… / By priority… (docs/issue17/rest.md): the pickers show the translated
names, narrow as you type, refuse a name that is none of them, and filter the inbox."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tui_desk.i18n import set_language
from tui_desk.ui.screens.filter_picker import FilterPicker

from .conftest import Desk, make_app
from .helpers import inbox_subjects, listed, notifications, press, settle, type_text, widget_text

SIZE = (120, 40)
# Filter → assignee…, mine, unassigned, department…, tag…, status…, priority…
BY_STATUS = ("f", *["down"] * 5, "enter")
BY_PRIORITY = ("f", *["down"] * 6, "enter")


@pytest.fixture(autouse=True)
def _english_after() -> Iterator[None]:
    yield
    set_language(None)


def title(app) -> str:  # noqa: ANN001
    return str(app.query_one("#inbox-pane").border_title)


async def test_typing_narrows_the_priority_picker_and_enter_filters(desk: Desk) -> None:
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, *BY_PRIORITY)
        assert isinstance(app.screen, FilterPicker)
        assert listed(app) == ["urgent", "high", "normal", "low"]
        await type_text(pilot, "urg")
        await settle(pilot)
        assert listed(app) == ["urgent"]
        await press(pilot, "enter")
        await settle(pilot)
        assert app.main.inbox_filter.priority == "urgent"
        assert sorted(inbox_subjects(app)) == ["Site down for EU customers", "VPN drops every hour"]
        assert "priority urgent" in title(app)
        await press(pilot, "2")  # another view keeps the priority, as it keeps the other filters
        await settle(pilot)
        assert app.main.inbox_filter.priority == "urgent"
        await press(pilot, "escape")  # Esc in the inbox clears the filters, the priority too
        await settle(pilot)
        assert app.main.inbox_filter.priority is None


async def test_a_priority_that_does_not_exist_is_refused(desk: Desk) -> None:
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = inbox_subjects(app)
        await press(pilot, *BY_PRIORITY)
        await type_text(pilot, "xyz")
        await settle(pilot)
        assert listed(app) == []
        assert "No priority called “xyz”" in widget_text(app.screen.query_one("#filter-empty"))
        await press(pilot, "enter")
        assert "No priority called “xyz”" in notifications(app, "warning")
        assert isinstance(app.screen, FilterPicker)
        await press(pilot, "escape")
        assert app.main.inbox_filter.priority is None
        assert inbox_subjects(app) == before


async def test_the_status_picker_shows_and_narrows_the_translated_names(desk: Desk) -> None:
    assert set_language("hr")
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, *BY_STATUS)
        assert "Odložen" in listed(app) and "Novi" in listed(app)
        await type_text(pilot, "odl")
        await settle(pilot)
        assert listed(app) == ["Odložen"]
        await press(pilot, "enter")
        await settle(pilot)
        assert app.main.inbox_filter.statuses == ("postponed",)
        assert inbox_subjects(app) == ["Server room too warm"]
        assert "Odložen" in title(app)
        # New has no view of its own: the title still names it in the agent's language.
        await press(pilot, *BY_STATUS)
        await type_text(pilot, "nov")
        await press(pilot, "enter")
        await settle(pilot)
        assert app.main.inbox_filter.statuses == ("new",)
        assert "VPN drops every hour" in inbox_subjects(app)
        assert title(app).split(" · ")[0].endswith(": Novi")


async def test_a_status_that_does_not_exist_is_refused(desk: Desk) -> None:
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, *BY_STATUS)
        await type_text(pilot, "Shipped")
        await settle(pilot)
        assert listed(app) == []
        await press(pilot, "enter")
        assert "No status called “Shipped”" in notifications(app, "warning")
        await press(pilot, "escape")
        assert app.main.inbox_filter.statuses == ()


async def test_the_english_name_or_the_config_key_finds_a_translated_status_or_priority(desk: Desk) -> None:
    """In Croatian the lists show "hitan", "Odložen"; an agent who knows `urgent` and `postponed`
    from the config file (or the English names) finds them too (docs/issue17/polish.md)."""
    assert set_language("hr")
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, *BY_PRIORITY)
        await type_text(pilot, "urg")
        await settle(pilot)
        assert listed(app) == ["hitan"]
        await press(pilot, "enter")
        await settle(pilot)
        assert app.main.inbox_filter.priority == "urgent"
        await press(pilot, *BY_STATUS)
        await type_text(pilot, "Postponed")
        await settle(pilot)
        assert listed(app) == ["Odložen"]
        await press(pilot, "enter")
        await settle(pilot)
        assert app.main.inbox_filter.statuses == ("postponed",)
