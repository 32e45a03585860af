"""Issue 17, hostile review: what a demanding user found on every terminal (docs/issue17/attack.md)."""

from __future__ import annotations

import pytest
from rich.color import ColorSystem
from rich.style import Style
from textual.command import CommandList
from textual.widgets import Input, OptionList
from textual.widgets._footer import FooterKey
from textual.widgets._toast import Toast, ToastRack

from tui_desk.i18n import _, set_language
from tui_desk.store import queries
from tui_desk.ui.app import TuiDeskApp
from tui_desk.ui.layout import TicketLine
from tui_desk.ui.screens.postpone import PostponeDialog
from tui_desk.ui.screens.reply import ReplyScreen

from .conftest import Desk, make_app
from .helpers import SIZE, press, settle, type_text, widget_text
from .test_colours import mono, sixteen


def cell_style(app: TuiDeskApp, row: int, column: str) -> Style:
    inbox = app.main.inbox
    names = [c.key for c in inbox.columns(inbox.scrollable_content_region.width)]
    segment = list(inbox.render_line(row + 1 - int(inbox.scroll_offset.y)))[names.index(column)]
    return segment.style or Style()


def mono_look(app: TuiDeskApp, row: int, column: str) -> tuple[object, ...]:
    return mono(cell_style(app, row, column))


async def test_no_color_on_a_16_colour_terminal_keeps_every_state_apart(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    """NO_COLOR users often run TERM=xterm or the Linux console: the 16-colour styles must not undo the mono ones."""
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.delenv("COLORTERM", raising=False)
    app = make_app(desk.store)
    assert app.console.color_system == "standard"
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "G")
        inbox = app.main.inbox
        style = {name: mono(inbox.get_component_rich_style(f"inbox--{name}", partial=True))
                 for name in ("urgent", "high", "sla-near", "sla-breached")}
        plain = {mono(Style()), mono(Style(bold=True))}  # an ordinary cell of a row, needing attention or not
        for name, look in style.items():
            assert look not in plain, f"{name} looks like any other cell without colour"
        assert style["urgent"] != style["high"], "urgent and high look the same without colour"
        assert style["sla-near"] != style["sla-breached"], "a near and an overdue SLA look the same without colour"
        await press(pilot, "g")
        cursor, other = (mono_look(app, row, "status") for row in (0, 1))
        assert cursor != other, "the cursor row looks like any other without colour"
        await press(pilot, "tab")
        cursor, other = (mono_look(app, row, "status") for row in (0, 1))
        assert cursor != other, "the cursor row of an unfocused inbox looks like any other without colour"



def looks_of_lines(options: OptionList, wanted: str) -> list[tuple[object, ...]]:
    """How each line holding `wanted` looks without colour: its first cell's style (padding: underline shows there)."""
    looks = []
    for y in range(options.scrollable_content_region.height):
        strip = options.render_line(y)
        if wanted in strip.text:
            cell = next(iter(strip))
            looks.append(mono(cell.style or Style()))
    return looks


async def test_no_color_the_highlighted_choice_of_every_list_shows(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    """Postpone presets (typing in the field above) and the command palette: the highlight was a grey shade only."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "p")
        assert isinstance(app.screen, PostponeDialog)
        options = app.screen.query_one(OptionList)
        first = str(options.get_option_at_index(0).prompt)
        second = str(options.get_option_at_index(1).prompt)
        assert options.highlighted == 0
        assert looks_of_lines(options, first) != looks_of_lines(options, second), "the preset Enter picks is not shown"
        await press(pilot, "escape", "ctrl+p")
        await type_text(pilot, "res")
        await settle(pilot)
        commands = app.screen.query_one(CommandList)
        assert commands.highlighted == 0 and commands.option_count > 1
        top = commands.get_option_at_index(0).prompt
        below = commands.get_option_at_index(1).prompt
        top_text = (top.plain if hasattr(top, "plain") else str(top)).split("\n")[0]
        below_text = (below.plain if hasattr(below, "plain") else str(below)).split("\n")[0]
        assert looks_of_lines(commands, top_text)[:1] != looks_of_lines(commands, below_text)[:1], (
            "the palette's highlighted command looks like the others without colour"
        )


def toast_looks(app: TuiDeskApp, colours: bool) -> dict[str, tuple[object, ...]]:
    """Each notification severity as the terminal shows it: the left edge's shape and colour, and the text style."""
    looks = {}
    for toast in app.screen.query_one(ToastRack).query(Toast):
        kind, colour = toast.styles.border_left
        number = colour.rich_color.downgrade(ColorSystem.STANDARD).number if colours else None
        severity = next(c for c in ("-information", "-warning", "-error") if toast.has_class(c))
        looks[severity] = (kind, number, bool(toast.styles.text_style.bold))
    return looks


@pytest.mark.parametrize("terminal", ["NO_COLOR", "TERM=xterm"])
async def test_a_failure_notice_never_looks_like_a_success(
    desk: Desk, monkeypatch: pytest.MonkeyPatch, terminal: str
) -> None:
    """An error notice (a reply not saved) looked like "replied" without colour, and like a warning in 16 colours."""
    monkeypatch.delenv("COLORTERM", raising=False)
    if terminal == "NO_COLOR":
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
        monkeypatch.setenv("TERM", "xterm")
    app = make_app(desk.store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        for severity in ("information", "warning", "error"):
            app.notify(f"a {severity} notice", severity=severity)  # type: ignore[arg-type]
        await pilot.pause(0.3)  # toasts are mounted on the next refresh
        looks = toast_looks(app, colours=terminal != "NO_COLOR")
        assert len(looks) == 3
        assert len(set(looks.values())) == 3, f"two notice severities look the same: {looks}"


def footer_keys(app: TuiDeskApp) -> list[str]:
    return [f"{key.key_display} {key.description}" for key in app.screen.query(FooterKey)]


@pytest.mark.parametrize("lang", ["en", "et"])
async def test_the_note_editor_never_says_send(desk: Desk, lang: str) -> None:
    """An internal note is never sent: its footer said "^s Send" in every language, next to "the customer never sees it"."""
    vpn = desk.ids["vpn"]
    assert set_language(lang)
    try:
        app = make_app(desk.store)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await press(pilot, "r")
            assert isinstance(app.screen, ReplyScreen)
            assert f"^s {_('Send')}" in footer_keys(app)
            await press(pilot, "escape")
            await settle(pilot)
            if not isinstance(app.screen, ReplyScreen) and app.screen is not app.main:
                await press(pilot, "d")  # the leave-editor question: discard the empty reply
            await settle(pilot)
            await press(pilot, "n")
            assert isinstance(app.screen, ReplyScreen) and app.screen.kind == "note"
            keys = footer_keys(app)
            assert f"^s {_('Send')}" not in keys and f"^s {_('Save')}" in keys, keys
            await type_text(pilot, "Customer is on the beta gateway.")
            await press(pilot, "ctrl+s")
            await settle(pilot)
            message = queries.ticket_messages(desk.store, vpn)[-1]
            assert (message.kind, message.body) == ("note", "Customer is on the beta gateway.")
    finally:
        set_language(None)


@pytest.mark.parametrize(("lang", "size"), [("tl", (80, 24)), ("ro", (60, 20)), ("lv", (60, 20))])
async def test_a_field_s_instructions_are_never_cut(desk: Desk, lang: str, size: tuple[int, int]) -> None:
    """`t`: "+tag adds, -tag removes; a bare word adds" is the only place that says how to remove a tag;
    in Tagalog it lost half at 80x24, in Romanian and Latvian its end at 60x20."""
    assert set_language(lang)
    try:
        app = make_app(desk.store)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await press(pilot, "t")
            field = app.screen.query_one(Input)
            whole = _("+tag adds, -tag removes; a bare word adds")
            assert field.placeholder == whole
            shown = " ".join(widget_text(app.screen).split())
            assert " ".join(whole.split()) in shown, shown
            await type_text(pilot, "+vip")  # the placeholder is gone once typing: so is its copy
            await settle(pilot)
            assert " ".join(whole.split()) not in " ".join(widget_text(app.screen).split())
    finally:
        set_language(None)


LONG_NAME = "Maria Teresa Dimaculangan-Villanueva de los Santos y Bautista"


@pytest.mark.parametrize(("size", "keys"), [((80, 24), ()), ((60, 20), ("T",)), ((120, 36), ())])
async def test_the_pinned_line_keeps_the_sla_whatever_the_name(desk: Desk, size: tuple[int, int], keys: tuple[str, ...]) -> None:
    """The pinned line exists to show who and the SLA: a long name (or the timeline shown at 60) cut the SLA off."""
    ticket = desk.service.create_ticket(
        email="mt@example.ph", name=LONG_NAME, subject="Order", body="Where is it?", priority="urgent"
    )
    app = make_app(desk.store)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await press(pilot, "#")
        await type_text(pilot, str(ticket))
        await press(pilot, "enter", *keys)
        await settle(pilot)
        line = widget_text(app.query_one(TicketLine)).strip()
        assert line.startswith(f"#{ticket} · Maria"), line
        assert "SLA " in line, line
        assert len(line) <= app.query_one(TicketLine).content_region.width, line


def cell_look(app: TuiDeskApp, row: int, column: str) -> tuple[object, ...]:
    return sixteen(cell_style(app, row, column))


async def test_in_16_colours_the_cursor_is_not_a_marked_row(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the thread focused, the inbox cursor and a marked row had the same grey background in 16 colours."""
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.delenv("COLORTERM", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "space")  # marks the first row, the cursor moves to the second
        await press(pilot, "tab")
        await settle(pilot)
        assert app.main.inbox.cursor == 1 and not app.main.inbox.has_focus
        assert cell_look(app, 0, "status") != cell_look(app, 1, "status"), "the cursor looks like a marked row"
        assert cell_look(app, 2, "status") != cell_look(app, 1, "status"), "the cursor is not shown"
