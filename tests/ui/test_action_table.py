"""One action table: bindings, footer, help and palette all come from ui/action_table.py; [keys] rebinds."""

from __future__ import annotations

from pathlib import Path

from textual.widgets._footer import FooterKey

from tui_desk.domain.clock import fixed_clock
from tui_desk.store import Store
from tui_desk.ui.action_table import ACTIONS, Action, actions, key_label, keys_label
from tui_desk.ui.app import TuiDeskApp
from tui_desk.ui.screens.help import HelpScreen

from .conftest import ACTOR, Desk, make_app
from .helpers import (
    NOW,
    SIZE,
    current_subject,
    notifications,
    press,
    settle,
    status_of,
    widget_text,
)


def app_with_config(store: Store, config: Path) -> TuiDeskApp:
    return TuiDeskApp(store, clock=fixed_clock(NOW), actor=ACTOR, live_interval=None, config_file=config)


def footer_keys(app: TuiDeskApp) -> list[tuple[str, str]]:
    return [(key.key_display, key.description) for key in app.main.query(FooterKey)]


def help_rows(app: TuiDeskApp) -> list[tuple[str, str]]:
    return [row for _group, rows in app.main.help_sections() for row in rows]


def in_help(action: Action, rows: list[tuple[str, str]], keys: str) -> bool:
    shown = action.help_keys or keys_label(keys)
    if action.help is not None:
        # Its own row, or the first key of a row it shares (`] / [`, `1 … 7`).
        return any(
            shown in (row_keys, row_keys.split(" / ")[0], row_keys.split(" … ")[0]) and text == action.help
            for row_keys, text in rows
        )
    # A key that joins the row above: `] / [`, or the run `1 … 7`.
    return any(shown in row_keys.split(" / ") or " … " in row_keys for row_keys, _text in rows)


async def test_every_action_is_in_the_palette_and_the_help(desk: Desk) -> None:
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        titles = {command.title for command in app.get_system_commands(app.screen)}
        rows = help_rows(app)
        for action in actions():
            if action.in_palette:
                assert (action.palette or action.label) in titles, action.id
            elif action.call and action.call.startswith("view("):
                assert f"View: {action.label}" in titles, action.id  # the palette's list of views
            else:
                assert action.id in ("command_palette", "quit"), action.id  # Textual's own: the palette, Quit
            assert in_help(action, rows, action.keys), action.id
        # The help screen shows those rows.
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        shown = " ".join(widget_text(app.screen.query_one("#help-box")).split())  # long lines wrap
        for entry in ACTIONS:
            text = entry.text if not isinstance(entry, Action) else entry.help
            if text is not None:
                assert " ".join(text.split()) in shown, text


async def test_the_palette_runs_an_action_that_had_no_command(desk: Desk) -> None:
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "j", "j")
        before = app.main.inbox.cursor
        command = next(c for c in app.get_system_commands(app.screen) if c.title == "Previous ticket")
        await command.callback()
        await settle(pilot)
        assert app.main.inbox.cursor == before - 1


async def test_the_footer_shows_the_keys_the_bindings_use(desk: Desk) -> None:
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown = [a for a in actions() if a.footer is not None]
        expected = [
            (app.get_key_display(binding), binding.description)
            for binding in app.main._bindings.shown_keys  # the bindings as Textual holds them
        ]
        assert footer_keys(app) == expected
        assert [description for _key, description in expected] == [
            a.label for a in sorted(shown, key=lambda a: a.footer or 0)
        ]


async def test_keys_of_the_config_file_rebind_an_action(desk: Desk, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[keys]\nresolve = "E"\n')
    app = app_with_config(desk.store, config)
    vpn = desk.ids["vpn"]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert current_subject(app) == "VPN drops every hour"
        assert ("E", "Resolve") in footer_keys(app)
        assert ("e", "Resolve") not in footer_keys(app)
        assert ("E", "Resolve") in help_rows(app)
        await press(pilot, "e")
        assert status_of(desk.store, vpn) != "resolved", "e is no longer resolve"
        await press(pilot, "E")
        assert status_of(desk.store, vpn) == "resolved"
        assert not notifications(app, "warning")


async def test_a_bad_key_in_the_config_file_is_said_not_a_crash(desk: Desk, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[keys]\nresolve = "ctrl+nosuchkey"\nfly = "y"\nreply = 3\nnote = "N"\n')
    app = app_with_config(desk.store, config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        warnings = " | ".join(notifications(app, "warning"))
        assert "[keys] resolve: not a key: ctrl+nosuchkey" in warnings
        assert "[keys] fly: no such action" in warnings
        assert "[keys] reply: not a key: 3" in warnings
        assert app.is_running
        assert ("e", "Resolve") in footer_keys(app), "a refused key leaves the default"
        assert ("N", "Note") in footer_keys(app), "the good entries still apply"


async def test_a_key_taken_from_another_action_is_said(desk: Desk, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[keys]\nresolve = "r"\n')
    app = app_with_config(desk.store, config)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "r")
        await settle(pilot)
        assert status_of(desk.store, desk.ids["vpn"]) == "resolved"
        assert "[keys] resolve: r is the key of reply too" in " | ".join(notifications(app, "warning"))


def test_key_labels_read_as_the_help_writes_them() -> None:
    assert [key_label(k) for k in ("question_mark", "slash", "escape", "R", "ctrl+p", "f5", "space")] == [
        "?", "/", "Esc", "R", "Ctrl+P", "F5", "Space",
    ]
