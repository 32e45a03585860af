"""Saved views in the app: save the view shown under a name, switch to one, delete one.

A base of MainScreen (main_screen.py), which only wires it in: the keys (`V` save, `{` / `}`
previous / next), the row of tabs above the inbox, the `v` picker, the command
palette and the help. The views live in the config file
(`tui_desk.core.saved_views`), which is read again before every change, so
edits made meanwhile (by hand, by `tui-desk sla set`) are kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from textual.app import SystemCommand

from ..core.saved_views import SavedView, SavedViews, check_name, read_views, remove_view, save_view
from ..domain.errors import TuiDeskError
from ..domain.text import one_line
from ..i18n import _
from .format import markup_literal
from .panes import PanesBase, given
from .screens.dialogs import ChoiceDialog, ConfirmDialog, TextPrompt
from .widgets.view_tabs import ViewTabs

# Values of the `v` picker that are saved views; a status key never starts with a space.
PICK_PREFIX = " saved:"


class SavedViewsMixin(PanesBase):
    """Saved views on the main screen: the tabs, the `v` picker's entries, the palette's commands."""

    # The saved view last opened: two views may hold the same filter, and `}` must still
    # move on from the one shown.
    _shown_saved_view: str | None = None

    # -- reading ------------------------------------------------------------------------
    def load_saved_views(self) -> None:
        """Read the views from the config file, say which entries were skipped, redraw the tabs."""
        if self.config_file is None:
            return
        try:
            self.saved_views = read_views(self.config_file)
        except TuiDeskError as error:
            self.saved_views = SavedViews()
            self.notify(str(error), severity="error", markup=False, timeout=10)
        for problem in self.saved_views.problems:
            self.notify(
                _("In {path}: {problem}").format(path=self.config_file, problem=problem),
                severity="warning",
                markup=False,
                timeout=10,
            )
        self.run_worker(
            self.query_one(ViewTabs).show_views(self.saved_views.names), group="view-tabs", exclusive=True
        )
        self.follow_saved_view()

    def current_saved_view(self) -> SavedView | None:
        """The saved view that shows exactly what the inbox shows now, if any."""
        shown = self.saved_views.get(self._shown_saved_view) if self._shown_saved_view else None
        if shown is not None and shown.inbox_filter(self.actor) == self.inbox_filter:
            return shown
        return next((v for v in self.saved_views.views if v.inbox_filter(self.actor) == self.inbox_filter), None)

    def follow_saved_view(self) -> None:
        """Light the tab of the saved view shown (none when the filter differs from every view)."""
        current = self.current_saved_view()
        self.query_one(ViewTabs).follow(current.name if current else None)

    # -- switching ----------------------------------------------------------------------
    def show_saved_view(self, name: str) -> None:
        view = self.saved_views.get(name)
        if view is None:
            self.notify(_("No saved view “{name}”").format(name=one_line(name)), severity="warning", markup=False)
            return
        if view.inbox_filter(self.actor) != self.inbox_filter:
            self.set_filter(view.inbox_filter(self.actor), view.status)
        self._shown_saved_view = view.name
        self.follow_saved_view()

    def on_view_tabs_picked(self, event: ViewTabs.Picked) -> None:
        self.show_saved_view(event.name)

    def action_saved_view(self, step: int) -> None:
        """`}` / `{`: the next / previous saved view, as the tabs show them (wrapping around)."""
        names = self.saved_views.names
        if not names:
            self.notify(_("No saved views yet: V saves the view shown under a name"), severity="warning")
            return
        current = self.current_saved_view()
        if current is None:
            index = 0 if step > 0 else len(names) - 1
        else:
            index = (names.index(current.name) + step) % len(names)
        self.show_saved_view(names[index])

    def saved_view_choices(self) -> list[tuple[str, str]]:
        """The saved views for the `v` picker, as (value, label)."""
        return [(PICK_PREFIX + v.name, _("Saved view: {name}").format(name=one_line(v.name))) for v in self.saved_views.views]

    def action_pick_view(self) -> None:
        self.app.push_screen(
            ChoiceDialog(_("Show…"), [(v.key, v.label) for v in self.views()] + self.saved_view_choices()),
            given(self._show_picked),
        )

    def _show_picked(self, value: str) -> None:
        if not self.picked_saved_view(value):
            self.action_view(value)

    def picked_saved_view(self, value: str) -> bool:
        """Show the saved view picked in the `v` picker; False if `value` is not one."""
        if not value.startswith(PICK_PREFIX):
            return False
        self.show_saved_view(value[len(PICK_PREFIX):])
        return True

    # -- saving and deleting ------------------------------------------------------------
    def action_save_view(self) -> None:
        """`V`: save the view, filter, search and sort shown under a name."""
        if self.config_file is None:
            self.notify(_("Saved views need a config file"), severity="warning")
            return
        try:
            draft = SavedView.from_filter("", self.inbox_filter, self.actor)
        except TuiDeskError as error:
            self.notify(str(error), severity="warning", markup=False)
            return
        current = self.current_saved_view()

        def named(value: str | None) -> None:
            if value is None or not value.strip():
                return
            try:
                name = check_name(value)
            except TuiDeskError as error:
                self.notify(str(error), severity="warning", markup=False)
                return
            view = replace(draft, name=name)

            def replace_it(yes: bool | None) -> None:
                if yes:
                    self._write_view(view)

            if name in self.saved_views.names:
                self.app.push_screen(
                    ConfirmDialog(_("Replace the saved view “{name}”?").format(name=one_line(name))), replace_it
                )
            else:
                self._write_view(view)

        self.app.push_screen(
            TextPrompt(
                _("Save this view as…"),
                value=current.name if current else "",
                placeholder=_("a name, e.g. my urgent"),
                hint=_("Saves: {what}").format(what=draft.describe(self.status_label)),
            ),
            named,
        )

    def _write_view(self, view: SavedView) -> None:
        try:
            path = save_view(view, self.config_file)
        except TuiDeskError as error:
            self.notify(str(error), severity="error", markup=False, timeout=10)
            return
        self.load_saved_views()
        self.notify(
            _("Saved the view “{name}” in {path}").format(name=one_line(view.name), path=path), markup=False
        )

    def delete_saved_view(self, name: str) -> None:
        """Ask, then remove the saved view from the config file."""

        def decided(yes: bool | None) -> None:
            if not yes:
                return
            try:
                remove_view(name, self.config_file)
            except TuiDeskError as error:
                self.notify(str(error), severity="error", markup=False, timeout=10)
                return
            self.load_saved_views()
            self.notify(_("Deleted the saved view “{name}”").format(name=one_line(name)), markup=False)

        self.app.push_screen(
            ConfirmDialog(
                _("Delete the saved view “{name}”? The tickets stay as they are.").format(name=one_line(name))
            ),
            decided,
        )

    # -- command palette -----------------------------------------------------------------
    def saved_view_commands(self) -> Iterator[SystemCommand]:
        for view in self.saved_views.views:
            # The palette reads titles as markup: escape, so "[bold]x" shows as typed.
            name = markup_literal(one_line(view.name))
            description = markup_literal(view.describe(self.status_label))
            yield SystemCommand(
                _("View: {name}").format(name=name),
                _("Saved view: {what}").format(what=description),
                lambda name=view.name: self.show_saved_view(name),
            )
            yield SystemCommand(
                _("Delete saved view: {name}").format(name=name),
                _("Remove it from the config file (asks first)"),
                lambda name=view.name: self.delete_saved_view(name),
            )
