"""A field's placeholder that its width cuts is said whole under the field (issue 17: no text cut).

Some placeholders are the only instructions a dialog gives ("+tag adds, -tag removes; a bare word
adds"); translated, they outgrow a field at 80 columns (Tagalog) or at 60 (most languages). A dialog
screen that mixes this in shows such a placeholder in full, wrapped and dim, just under its field,
for as long as the field is empty (the placeholder's own time on screen) and cut.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual import events
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Input, Label

from ..domain.text import printable

WHOLE = "placeholder-whole"


class WholePlaceholders:
    """Mixin for a dialog screen (before ModalScreen in the bases)."""

    def on_mount(self) -> None:
        self.call_after_refresh(self._fit_placeholders)  # type: ignore[attr-defined]

    def on_resize(self, event: events.Resize) -> None:
        self.call_after_refresh(self._fit_placeholders)  # type: ignore[attr-defined]

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fit_placeholder(event.input)

    def _fit_placeholders(self) -> None:
        for field in self.query(Input):  # type: ignore[attr-defined]
            self._fit_placeholder(field)

    def _fit_placeholder(self, field: Input) -> None:
        box = field.parent
        if not field.placeholder or not isinstance(box, Widget):
            return
        # The cursor takes the last cell of the field's content.
        wanted = cell_len(field.placeholder) > field.content_region.width - 1 and not field.value
        name = f"whole-{id(field)}"
        whole = next((w for w in box.children if w.name == name), None)
        if whole is not None:
            whole.display = wanted
        elif wanted:
            box.mount(Label(Content(printable(field.placeholder)), classes=f"dialog-hint {WHOLE}", name=name), after=field)
