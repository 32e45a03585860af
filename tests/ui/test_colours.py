"""Issue 17 items 1-3: states apart without colour and in 16 colours; the theme kept in the config."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.color import ColorSystem
from rich.segment import Segment
from rich.style import Style
from textual.filter import Monochrome

from tui_desk.domain.clock import fixed_clock
from tui_desk.store import queries
from tui_desk.ui.app import TuiDeskApp
from tui_desk.ui.screens.reply import ReplyScreen

from .conftest import ACTOR, Desk, make_app
from .helpers import NOW, SIZE, current_subject, notifications, press, settle, status_of, type_text

URGENT_ROW, HIGH_ROW = 0, 2  # VPN (urgent) and Invoice (high) in the inbox order of the test desk


def priority_cell(app: TuiDeskApp, row: int) -> Segment:
    inbox = app.main.inbox
    names = [c.key for c in inbox.columns(inbox.scrollable_content_region.width)]
    return list(inbox.render_line(row + 1))[names.index("priority")]


def mono(style: Style) -> tuple[object, ...]:
    """What is left of a style without colour."""
    return (bool(style.bold), bool(style.reverse), bool(style.underline), bool(style.italic))


def sixteen(style: Style) -> tuple[object, ...]:
    """A style as a 16-colour terminal shows it."""
    fg = style.color.downgrade(ColorSystem.STANDARD).number if style.color else None
    bg = style.bgcolor.downgrade(ColorSystem.STANDARD).number if style.bgcolor else None
    return (fg, bg, *mono(style))


async def test_issue17_item1_no_color_triage_loop_and_states_apart(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "G")  # the cursor away from the rows compared
        urgent = Monochrome().apply([priority_cell(app, URGENT_ROW)], app.styles.background)[0]
        high = Monochrome().apply([priority_cell(app, HIGH_ROW)], app.styles.background)[0]
        assert urgent.style and high.style
        assert mono(urgent.style) != mono(high.style), "urgent and high look the same without colour"
        inbox = app.main.inbox
        near = inbox.get_component_rich_style("inbox--sla-near", partial=True)
        late = inbox.get_component_rich_style("inbox--sla-breached", partial=True)
        assert mono(near) != mono(late), "a near and an overdue SLA look the same without colour"

        # The loop: open, reply, resolve, next.
        await press(pilot, "g", "enter", "r")
        vpn = desk.ids["vpn"]
        assert isinstance(app.screen, ReplyScreen)
        await type_text(pilot, "Restarting the gateway.")
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert status_of(desk.store, vpn) == "answered"
        shown = app.main.inbox.current  # the answered ticket left the view: the next one is up
        assert shown is not None and shown.id != vpn
        await press(pilot, "e")
        await settle(pilot)
        assert status_of(desk.store, shown.id) == "resolved"
        await press(pilot, "s")
        await settle(pilot)
        after = app.main.inbox.current
        assert after is not None and after.id not in (vpn, shown.id)
        app.export_screenshot()


async def test_issue17_item2_sixteen_colours_keep_states_apart(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "xterm")  # Rich then gives the app's console 16 colours, as on a real xterm
    monkeypatch.delenv("COLORTERM", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    app = make_app(desk.store)
    assert app.console.color_system == "standard"
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "G")
        urgent, high = priority_cell(app, URGENT_ROW), priority_cell(app, HIGH_ROW)
        assert urgent.style and high.style
        assert sixteen(urgent.style) != sixteen(high.style), "urgent and high look the same in 16 colours"
        inbox = app.main.inbox
        near = inbox.get_component_rich_style("inbox--sla-near", partial=True)
        late = inbox.get_component_rich_style("inbox--sla-breached", partial=True)
        assert sixteen(near) != sixteen(late), "a near and an overdue SLA look the same in 16 colours"

        await press(pilot, "g")
        red = sixteen(inbox.get_component_rich_style("inbox--urgent", partial=True))[0]
        border = app.query_one("#inbox-pane").styles.border_top[1].rich_color.downgrade(ColorSystem.STANDARD).number
        assert border != red, "the focused pane's border is the colour of urgent"
        key = app.screen.query("FooterKey").first()
        assert key.get_component_rich_style("footer-key--key").color.downgrade(ColorSystem.STANDARD).number != red


def app_with_config(desk: Desk, config: Path) -> TuiDeskApp:
    return TuiDeskApp(desk.store, clock=fixed_clock(NOW), actor=ACTOR, live_interval=None, config_file=config)


async def test_issue17_item3_the_theme_is_kept_in_the_config(desk: Desk, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('# mine\nlanguage = "en"\n\n[keys]\nreply = "r"\n', encoding="utf-8")
    app = app_with_config(desk, config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme != "textual-light"
        app.theme = "textual-light"  # what the palette's "Change theme" does with the pick
        await settle(pilot)
    text = config.read_text(encoding="utf-8")
    assert 'theme = "textual-light"' in text and "# mine" in text and '[keys]\nreply = "r"' in text

    again = app_with_config(desk, config)
    async with again.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert again.theme == "textual-light"
        assert not notifications(again, "warning")
        assert len(queries.ticket_messages(desk.store, desk.ids["vpn"])) >= 1


async def test_issue17_item3_an_unknown_theme_falls_back_with_a_word(desk: Desk, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('theme = "no-such-theme"\n', encoding="utf-8")
    app = app_with_config(desk, config)
    default = TuiDeskApp(desk.store, clock=fixed_clock(NOW), actor=ACTOR, live_interval=None).theme
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == default
        assert any("no-such-theme" in n for n in notifications(app, "warning"))
        assert current_subject(app) == "VPN drops every hour"
    assert config.read_text(encoding="utf-8") == 'theme = "no-such-theme"\n', "a start alone never rewrites the config"
