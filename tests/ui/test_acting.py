"""Issue 17 items 9 and 12 in the app: postpone says when, safe defaults, keys in the palette, marks in help."""

from __future__ import annotations

from datetime import UTC, datetime

from textual.widgets import TextArea

from tui_desk.core.sla import SlaState
from tui_desk.core.sla_tracking import FIRST_RESPONSE, RESOLUTION, SlaView
from tui_desk.domain.clock import fixed_clock
from tui_desk.store import queries
from tui_desk.ui.app import TuiDeskApp
from tui_desk.ui.screens.dialogs import ConfirmDialog
from tui_desk.ui.screens.help import HelpScreen
from tui_desk.ui.screens.postpone import PostponeDialog
from tui_desk.ui.screens.templates import TemplateEditor, TemplatesScreen
from tui_desk.ui.sla_display import short_label

from .conftest import ACTOR, Desk, make_app
from .helpers import NOW, SIZE, notifications, press, settle, type_text, widget_text


def resolved_line(app) -> str:  # noqa: ANN001
    return widget_text(app.screen.query_one("#postpone-when"))


async def test_postpone_shows_the_resolved_time_as_you_type_and_in_the_notice(desk: Desk) -> None:
    vpn = desk.ids["vpn"]
    app = make_app(desk.store)  # Monday 23 November 2026, 12:00 UTC
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "p")
        assert isinstance(app.screen, PostponeDialog)
        assert "2026-11-30 09:00" in app.screen.placeholder  # the example is a week ahead, never past
        await type_text(pilot, "1M")
        assert "30min or 1mo" in resolved_line(app)
        await press(pilot, "backspace", "backspace")
        await type_text(pilot, "fri 14:00")
        assert "→ Fri 27 Nov 14:00" in resolved_line(app)
        await press(pilot, *["backspace"] * 9)
        await type_text(pilot, "1h30min")
        assert "→ Mon 23 Nov 13:30" in resolved_line(app)
        await press(pilot, "enter")

        assert not isinstance(app.screen, PostponeDialog)
        ticket = queries.get_ticket(desk.store, vpn)
        assert (ticket.status, ticket.postponed_until) == ("postponed", "2026-11-23T13:30:00Z")
        assert f"#{vpn}: postponed until Mon 23 Nov 13:30" in notifications(app)


async def test_postpone_presets_on_a_friday_land_on_monday_morning(desk: Desk) -> None:
    vpn = desk.ids["vpn"]
    friday = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
    app = TuiDeskApp(desk.store, clock=fixed_clock(friday), actor=ACTOR)  # built-in hours: Mon-Fri 09-17
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "p")
        choices = widget_text(app.screen.query_one("#choices"))
        assert "Tomorrow morning (Mon 30 Nov 09:00)" in choices
        assert "Next week (Mon 30 Nov 09:00)" in choices
        await press(pilot, "down", "down", "enter")
        assert queries.get_ticket(desk.store, vpn).postponed_until == "2026-11-30T09:00:00Z"
        assert f"#{vpn}: postponed until Mon 30 Nov 09:00" in notifications(app)


async def test_enter_on_the_discard_question_keeps_the_changes(desk: Desk) -> None:
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+p")
        await type_text(pilot, "Saved replies")
        await press(pilot, "enter")
        assert isinstance(app.screen, TemplatesScreen)
        await press(pilot, "e")
        assert isinstance(app.screen, TemplateEditor)
        await type_text(pilot, "changed ")
        await press(pilot, "escape")
        assert isinstance(app.screen, ConfirmDialog)
        assert "n / Esc / Enter: no" in widget_text(app.screen)
        await press(pilot, "enter")
        assert isinstance(app.screen, TemplateEditor)  # still editing, the text as it was typed
        assert app.screen.query_one(TextArea).text.startswith("changed ")


async def test_the_palette_shows_each_actions_key(desk: Desk) -> None:
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        helps = {command.title: command.help for command in app.get_system_commands(app.screen)}
        assert helps["Postpone"].startswith("p · ")
        assert helps["Previous ticket"].startswith("\\[ · ")  # the palette reads markup: [ escaped


async def test_help_explains_the_inbox_marks(desk: Desk) -> None:
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        shown = " ".join(widget_text(app.screen.query_one("#help-box")).split())
        assert "Inbox marks" in shown
        for mark in ("● needs attention", "✔ marked", "◉ another agent", "reply✗", "solve✗"):
            assert mark in shown, mark


def test_a_missed_target_on_a_closed_ticket_says_which() -> None:
    now = NOW
    first = SlaView(SlaState.BREACHED, FIRST_RESPONSE, None, None, True)
    resolution = SlaView(SlaState.BREACHED, RESOLUTION, None, -60, False)
    only_the_reply_was_late = SlaView(SlaState.BREACHED, RESOLUTION, None, 3600, True)
    assert short_label(first, now) == "reply✗"
    assert short_label(resolution, now) == "solve✗"
    assert short_label(only_the_reply_was_late, now) == "reply✗"
