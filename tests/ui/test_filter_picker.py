"""Issue 17 items 10 and 11 (docs/issue17/filters.md): the `f` pickers narrow as you type and
refuse a value that matches nothing; `s` stays inside the agent's filter while it has work."""

from __future__ import annotations

import threading

import pytest

from tui_desk.store import queries
from tui_desk.ui.screens.filter_picker import FilterPicker, narrowed

from .conftest import Desk, make_app
from .helpers import (
    current_subject,
    inbox_subjects,
    listed,
    notifications,
    press,
    settle,
    type_text,
    widget_text,
)

SIZE = (120, 40)
BY_DEPARTMENT = ("f", "down", "down", "down", "enter")  # Filter → By department…


def test_typing_narrows_case_and_accent_insensitively() -> None:
    values = ["Billing", "Évora office", "Technical"]
    assert narrowed(values, "bil") == ["Billing"]
    assert narrowed(values, "EVO") == ["Évora office"]
    assert narrowed(values, "ical") == ["Technical"]
    assert narrowed(values, "Shi") == []
    assert narrowed(values, "  ") == values


async def test_typing_narrows_the_department_picker_and_enter_filters(desk: Desk) -> None:
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, *BY_DEPARTMENT)
        assert isinstance(app.screen, FilterPicker)
        assert listed(app) == ["Billing", "Technical"]
        await type_text(pilot, "bil")
        await settle(pilot)
        assert listed(app) == ["Billing"]
        await press(pilot, "enter")
        assert not isinstance(app.screen, FilterPicker)
        assert app.main.inbox_filter.department == "Billing"
        assert inbox_subjects(app) == ["Invoice charged twice"]


async def test_a_department_that_does_not_exist_is_refused(desk: Desk) -> None:
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = inbox_subjects(app)
        await press(pilot, *BY_DEPARTMENT)
        await type_text(pilot, "Shi")
        await settle(pilot)
        assert listed(app) == []
        assert "No department called “Shi”" in widget_text(app.screen.query_one("#filter-empty"))
        await press(pilot, "enter")
        assert "No department called “Shi”" in notifications(app, "warning")
        assert isinstance(app.screen, FilterPicker)  # still open: the agent can fix the typo
        await press(pilot, "escape")
        assert app.main.inbox_filter.department is None
        assert inbox_subjects(app) == before


async def test_the_picker_opens_before_its_values_are_read(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()
    real = queries.department_names

    def slow(store):  # noqa: ANN001, ANN202
        release.wait(5)  # a large or distant store
        return real(store)

    monkeypatch.setattr(queries, "department_names", slow)
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*BY_DEPARTMENT)
        await pilot.pause(0.2)
        assert isinstance(app.screen, FilterPicker)  # the event loop was free while the store was read
        assert app.screen.values is None and listed(app) == []
        await press(pilot, "enter")  # nothing seen yet: Enter picks nothing
        assert isinstance(app.screen, FilterPicker)
        release.set()
        await settle(pilot)
        assert listed(app) == ["Billing", "Technical"]


async def test_to_solve_stays_in_the_department_filter(desk: Desk) -> None:
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "2", *BY_DEPARTMENT)  # All, Billing: the invoice and the refund
        await type_text(pilot, "Billing")
        await press(pilot, "enter", "O")  # sorted by SLA
        assert sorted(inbox_subjects(app)) == ["Invoice charged twice", "Refund for order 1042"]
        await press(pilot, "s")
        # The urgent VPN ticket of Technical waits longer, but the agent works Billing.
        assert current_subject(app) == "Invoice charged twice"
        flt = app.main.inbox_filter
        assert (flt.view, flt.department, flt.order) == ("attention", "Billing", "sla")
        assert not any("whole inbox" in n for n in notifications(app))


async def test_to_solve_says_so_when_the_filter_has_nothing_left(desk: Desk) -> None:
    desk.service.resolve(desk.ids["invoice"])  # Billing has nothing that needs attention
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, *BY_DEPARTMENT)
        await type_text(pilot, "bil")
        await press(pilot, "enter")
        assert inbox_subjects(app) == []
        await press(pilot, "s")
        assert "Nothing in this filter needs attention; showing the next one of the whole inbox" in notifications(app)
        assert app.main.inbox_filter.department is None
        assert current_subject(app) == "VPN drops every hour"
