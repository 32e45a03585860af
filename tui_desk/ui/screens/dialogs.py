"""Small modal dialogs: confirm, leave the editor, pick from a list (or type), type a value."""

from __future__ import annotations

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from ...domain.text import printable
from ...i18n import N_, _
from ..dialog_fit import ListsFitTheScreen
from ..whole_placeholder import WholePlaceholders


class ConfirmDialog(ModalScreen[bool]):
    """Yes/no; y confirms, n or Esc declines; Enter confirms unless `enter_means` is False.

    A question whose yes loses work ("Discard your changes?") passes ``enter_means=False``:
    Enter, pressed out of habit, then keeps the work, and only y throws it away.
    """

    BINDINGS = [
        Binding("y", "answer(True)", N_("Yes")),
        Binding("n,escape", "answer(False)", N_("No")),
        Binding("enter", "enter", show=False),
    ]

    def __init__(self, question: str, *, enter_means: bool = True) -> None:
        super().__init__()
        self.question = question
        self.enter_means = enter_means

    def compose(self) -> ComposeResult:
        hint = _("y / Enter: yes    n / Esc: no") if self.enter_means else _("y: yes    n / Esc / Enter: no")
        with Vertical(classes="dialog"):
            yield Label(Content(printable(self.question)), classes="dialog-title")
            yield Label(Content(hint), classes="dialog-hint")

    def action_enter(self) -> None:
        self.dismiss(self.enter_means)

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class LeaveEditorDialog(ModalScreen[str]):
    """Esc in the editor with text in it: keep it as a draft, discard it, or keep writing.

    Keeping is what Enter does, and Esc goes back to the text: no key pressed out of
    habit (Enter, Esc twice) loses what was written; only d does, on purpose.
    """

    KEEP = "keep"
    DISCARD = "discard"
    WRITE = "write"

    BINDINGS = [
        # The keys are spelled out in the dialog itself: a modal screen has no footer.
        Binding("k,enter", "answer('keep')", show=False),
        Binding("d", "answer('discard')", show=False),
        Binding("w,escape", "answer('write')", show=False),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content(_("Close the editor?")), classes="dialog-title")
            yield Label(
                Content(_("Enter / k: keep as draft (r or n brings it back)")), classes="dialog-hint", id="leave-keep"
            )
            yield Label(Content(_("d: discard the text")), classes="dialog-hint", id="leave-discard")
            yield Label(Content(_("Esc / w: keep writing")), classes="dialog-hint", id="leave-write")

    def action_answer(self, answer: str) -> None:
        self.dismiss(answer)


class ChoiceDialog(ListsFitTheScreen, WholePlaceholders, ModalScreen[str | None]):
    """Pick one of a few values; with `allow_typed`, the input may hold any value."""

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"))]

    def __init__(
        self,
        title: str,
        choices: list[tuple[str, str]],
        *,
        allow_typed: bool = False,
        placeholder: str = "",
        hint: str = "",
        selected: str | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.choices = choices  # (value, label)
        self.selected = selected
        self.allow_typed = allow_typed
        self.placeholder = placeholder
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content(printable(self.title_text)), classes="dialog-title")
            if self.allow_typed:
                yield Input(placeholder=self.placeholder, id="typed")
            yield OptionList(
                *[Option(Content(printable(label)), id=f"choice-{index}") for index, (_v, label) in enumerate(self.choices)],
                id="choices",
            )
            if self.hint:
                yield Label(Content(printable(self.hint)), classes="dialog-hint")

    def on_mount(self) -> None:
        if self.allow_typed:
            self.query_one("#typed", Input).focus()
        else:
            self.query_one("#choices", OptionList).focus()
        options = self.query_one("#choices", OptionList)
        if self.choices:
            values = [value for value, _label in self.choices]
            options.highlighted = values.index(self.selected) if self.selected in values else 0

    @on(OptionList.OptionSelected, "#choices")
    def chosen(self, event: OptionList.OptionSelected) -> None:
        index = int((event.option.id or "choice-0").split("-")[1])
        self.dismiss(self.choices[index][0])

    @on(Input.Submitted, "#typed")
    def typed(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if not value:
            if self.choices:
                options = self.query_one("#choices", OptionList)
                self.dismiss(self.choices[options.highlighted or 0][0])
            return
        accepted = self.accept_typed(value)
        if accepted is not None:
            self.dismiss(accepted)

    def accept_typed(self, value: str) -> str | None:
        """The value to return for typed text, or None to stay open (after saying why)."""
        return value

    def on_key(self, event: events.Key) -> None:
        # Down from the typed field goes to the choices, so one hand stays on the keys.
        if self.allow_typed and event.key == "down" and isinstance(self.focused, Input) and self.choices:
            event.stop()
            self.query_one("#choices", OptionList).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)


class TextPrompt(WholePlaceholders, ModalScreen[str | None]):
    """Type one value; Enter accepts, Esc cancels."""

    BINDINGS = [Binding("escape", "cancel", N_("Cancel"))]

    def __init__(self, title: str, *, value: str = "", placeholder: str = "", hint: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.placeholder = placeholder
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Content(printable(self.title_text)), classes="dialog-title")
            yield Input(value=self.value, placeholder=self.placeholder, id="prompt")
            if self.hint:
                yield Label(Content(printable(self.hint)), classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#prompt", Input).focus()

    @on(Input.Submitted, "#prompt")
    def submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
