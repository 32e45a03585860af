"""Saved replies in the app: Ctrl+T in the reply editor, the fuzzy picker, the management screen."""

from __future__ import annotations

from textual.widgets import Input, OptionList, TextArea

from tui_desk.core.templates import (
    NAME_MAX,
    add_template,
    get_template,
    list_templates,
    remove_template,
)
from tui_desk.store import queries
from tui_desk.ui.screens.dialogs import ConfirmDialog, TextPrompt
from tui_desk.ui.screens.help import HelpScreen
from tui_desk.ui.screens.reply import ReplyScreen
from tui_desk.ui.screens.template_picker import TemplatePicker
from tui_desk.ui.screens.templates import TemplateEditor, TemplatesScreen

from .conftest import Desk, make_app
from .helpers import SIZE, notifications, press, settle, status_of, type_text, widget_text

DEFAULTS = ["Acknowledge", "Need more info", "Refund policy", "Resolved"]


def editor_text(app) -> str:  # noqa: ANN001
    return app.screen.query_one(TextArea).text


def picker_names(app) -> list[str]:  # noqa: ANN001
    assert isinstance(app.screen, TemplatePicker)
    return [template.name for template in app.screen.shown]


def names_in_store(desk: Desk) -> list[str]:
    return [t.name for t in list_templates(desk.store)]


# -- the picker of the reply editor ---------------------------------------------------------------
async def test_ctrl_t_inserts_the_filled_in_reply_at_the_cursor_and_ctrl_s_sends_it(desk: Desk) -> None:
    vpn = desk.ids["vpn"]
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "r")
        assert isinstance(app.screen, ReplyScreen)
        assert "Saved reply" in widget_text(app.screen.query_one("Footer"))
        await type_text(pilot, "PS: on it.")
        await press(pilot, "home")  # the cursor back at the start: the reply goes in front of the text
        await press(pilot, "ctrl+t")
        assert isinstance(app.screen, TemplatePicker)
        assert picker_names(app) == DEFAULTS
        assert isinstance(app.screen.focused, Input)

        await type_text(pilot, "nmi")  # fuzzy: Need More Info
        assert picker_names(app)[0] == "Need more info"
        preview = widget_text(app.screen.query_one("#picker-preview"))
        assert "Hello Dave," in preview and "“VPN drops every hour”" in preview
        await press(pilot, "enter")

        assert isinstance(app.screen, ReplyScreen)
        assert isinstance(app.screen.focused, TextArea)
        expected = get_template(desk.store, "need more info").body
        expected = (
            expected.replace("{customer.first_name}", "Dave")
            .replace("{ticket.subject}", "VPN drops every hour")
            .replace("{ticket.id}", str(vpn))
            .replace("{agent.name}", "alice")
        )
        assert editor_text(app) == expected + "PS: on it."
        assert notifications(app, "warning") == []

        await press(pilot, "ctrl+s")
        assert not isinstance(app.screen, ReplyScreen)
        message = queries.ticket_messages(desk.store, vpn)[-1]
        assert (message.kind, message.author, message.body) == ("reply", "alice", expected + "PS: on it.")
        assert status_of(desk.store, vpn) == "answered"


async def test_the_picker_moves_with_the_arrows_and_works_in_notes(desk: Desk) -> None:
    invoice = desk.ids["invoice"]
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "j", "j", "n")  # the invoice ticket (Maria Popescu), an internal note
        assert isinstance(app.screen, ReplyScreen) and app.screen.kind == "note"
        await press(pilot, "ctrl+t")
        await type_text(pilot, "re")  # Refund policy, Resolved, … (fuzzy), the focus stays in the input
        assert picker_names(app)[:2] == ["Refund policy", "Resolved"]
        await press(pilot, "down", "enter")
        assert editor_text(app).startswith("Hello Maria,\n\nGood news: the issue you reported (ticket #")
        await press(pilot, "ctrl+s")
        assert queries.ticket_messages(desk.store, invoice)[-1].kind == "note"


async def test_a_placeholder_that_cannot_be_filled_stays_visible_with_a_warning(desk: Desk) -> None:
    add_template(desk.store, "Nickname", "Hi {customer.nickname}, [bold]{customer.first_name}[/]!")
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "r", "ctrl+t")
        await type_text(pilot, "nick")
        assert picker_names(app) == ["Nickname"]
        assert "Unknown placeholder {customer.nickname}" in widget_text(app.screen.query_one("#picker-preview"))
        await press(pilot, "enter")
        assert editor_text(app) == "Hi {customer.nickname}, [bold]Dave[/]!"
        warnings = notifications(app, "warning")
        assert len(warnings) == 1
        assert "Unknown placeholder {customer.nickname} (did you mean {customer.name}?)" in warnings[0]
        assert "KeyError" not in warnings[0]


async def test_escape_leaves_the_text_as_it_was(desk: Desk) -> None:
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "r")
        await type_text(pilot, "draft")
        await press(pilot, "ctrl+t", "escape")
        assert isinstance(app.screen, ReplyScreen)
        assert editor_text(app) == "draft"
        assert isinstance(app.screen.focused, TextArea)


async def test_no_match_and_no_saved_replies_are_said_plainly(desk: Desk) -> None:
    add_template(desk.store, "[bold]x[/]", "[red]y[/] {customer.name}")
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "r", "ctrl+t")
        await type_text(pilot, "[bold]")
        assert picker_names(app) == ["[bold]x[/]"]
        assert "▊ [bold]x[/] " in widget_text(app.screen.query_one("#picker-list"))
        assert widget_text(app.screen.query_one("#picker-preview")).strip() == "[red]y[/] Dave Lee"
        await press(pilot, *["backspace"] * len("[bold]"))
        await type_text(pilot, "zzz")
        assert picker_names(app) == []
        assert "No saved reply matches “zzz”" in widget_text(app.screen)
        await press(pilot, "enter")  # nothing to insert: the picker stays
        assert isinstance(app.screen, TemplatePicker)
        await press(pilot, "escape", "escape")

        for name in names_in_store(desk):
            remove_template(desk.store, name)
        await press(pilot, "r", "ctrl+t")
        assert picker_names(app) == []
        assert "No saved replies yet" in widget_text(app.screen)
        await press(pilot, "escape")
        assert isinstance(app.screen, ReplyScreen)


# -- managing them ---------------------------------------------------------------------------------
async def open_management(pilot) -> None:  # noqa: ANN001
    await press(pilot, "ctrl+p")
    await type_text(pilot, "Saved replies")
    await press(pilot, "enter")
    assert isinstance(pilot.app.screen, TemplatesScreen)


def shown_names(app) -> list[str]:  # noqa: ANN001
    options = app.screen.query_one("#templates-list", OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


def highlighted_name(app) -> str | None:  # noqa: ANN001
    current = app.screen.current
    return current.name if current else None


async def test_add_edit_rename_and_delete_from_the_app(desk: Desk) -> None:
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_management(pilot)
        assert shown_names(app) == DEFAULTS
        assert "Hello {customer.first_name}," in widget_text(app.screen.query_one("#templates-preview"))

        # Add: a name, then the text; Ctrl+S saves.
        await press(pilot, "a")
        assert isinstance(app.screen, TextPrompt)
        await type_text(pilot, "Shipping")
        await press(pilot, "enter")
        assert isinstance(app.screen, TemplateEditor)
        await type_text(pilot, "Your parcel is on its way, {customer.first_name}.")
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, TemplatesScreen)
        assert get_template(desk.store, "shipping").body == "Your parcel is on its way, {customer.first_name}."
        assert shown_names(app) == ["Acknowledge", "Need more info", "Refund policy", "Resolved", "Shipping"]
        assert highlighted_name(app) == "Shipping"
        assert "Added saved reply 'Shipping'" in notifications(app)

        # Edit its text.
        await press(pilot, "e")
        assert isinstance(app.screen, TemplateEditor)
        assert editor_text(app) == "Your parcel is on its way, {customer.first_name}."
        await type_text(pilot, "Good news: ")
        await press(pilot, "ctrl+s")
        assert get_template(desk.store, "shipping").body == "Good news: Your parcel is on its way, {customer.first_name}."
        assert "Good news: Your parcel" in widget_text(app.screen.query_one("#templates-preview"))

        # Rename it.
        await press(pilot, "r")
        assert isinstance(app.screen, TextPrompt)
        assert app.screen.query_one(Input).value == "Shipping"
        await press(pilot, "ctrl+u")
        await type_text(pilot, "Delivery")
        await press(pilot, "enter")
        assert "Delivery" in names_in_store(desk) and "Shipping" not in names_in_store(desk)
        assert highlighted_name(app) == "Delivery"

        # Delete asks first; n keeps it, y deletes it.
        await press(pilot, "d")
        assert isinstance(app.screen, ConfirmDialog)
        assert "Delete the saved reply “Delivery”?" in widget_text(app.screen)
        await press(pilot, "n")
        assert "Delivery" in names_in_store(desk)
        await press(pilot, "d", "y")
        assert names_in_store(desk) == DEFAULTS
        assert shown_names(app) == DEFAULTS

        await press(pilot, "escape")
        assert not isinstance(app.screen, TemplatesScreen)


async def test_management_refuses_a_taken_name_and_keeps_unsaved_text_on_escape(desk: Desk) -> None:
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_management(pilot)
        await press(pilot, "a")
        await type_text(pilot, "resolved")
        await press(pilot, "enter")
        assert isinstance(app.screen, TemplatesScreen)  # no editor for a taken name
        assert "A saved reply named 'Resolved' already exists" in notifications(app, "error")

        await press(pilot, "j", "e")  # Need more info
        assert isinstance(app.screen, TemplateEditor)
        await type_text(pilot, "changed ")
        await press(pilot, "escape")
        assert isinstance(app.screen, ConfirmDialog)
        await press(pilot, "n")
        assert isinstance(app.screen, TemplateEditor)
        await press(pilot, "escape", "y")
        assert isinstance(app.screen, TemplatesScreen)
        assert not get_template(desk.store, "need more info").body.startswith("changed")

        for name in names_in_store(desk):
            remove_template(desk.store, name)
        await press(pilot, "escape")
        await open_management(pilot)
        assert shown_names(app) == []
        assert "No saved replies yet: press a to add one." in widget_text(app.screen)
        await press(pilot, "e")
        assert "No saved reply selected: press a to add one" in notifications(app, "warning")


async def test_help_names_the_keys(desk: Desk) -> None:
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        shown = widget_text(app.screen)
        assert "Ctrl+T" in shown and "insert a saved reply" in shown


def test_snapshot_the_picker(desk: Desk, snap_compare) -> None:  # noqa: ANN001
    async def run_before(pilot) -> None:  # noqa: ANN001
        await settle(pilot)
        await press(pilot, "r", "ctrl+t")
        await type_text(pilot, "re")
        for widget in pilot.app.screen.query("Input, TextArea"):
            widget.cursor_blink = False  # type: ignore[attr-defined]
        await settle(pilot)

    assert snap_compare(make_app(desk.store), terminal_size=SIZE, run_before=run_before)


async def test_names_are_shown_literally_and_a_refused_name_is_said_before_the_text(desk: Desk) -> None:
    add_template(desk.store, "a [/] b", "hi")
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.main.action_saved_replies()
        await settle(pilot)
        screen = app.screen
        for _ in range(6):  # past "a [/] b", highlighted on the way: no MarkupError
            await press(pilot, "down")
        await press(pilot, "home")
        assert app.screen is screen
        assert "a [/] b" in widget_text(screen)
        await press(pilot, "a")
        await type_text(pilot, "x" * (NAME_MAX + 1))
        await press(pilot, "enter")
        assert any("at most" in text for text in notifications(app, "error"))
        assert app.screen is screen  # no editor opened for a name that cannot be saved
