"""Reading the thread (issue 15 items 8 and 9, docs/issue15/reading.md): the quoted older mail
in a customer's messages folded and unfolded."""

from __future__ import annotations

from ..i18n import _
from .action_table import ACTION_BY_ID, keys_label
from .panes import PanesBase
from .widgets.thread import ThreadView


class ReadingActions(PanesBase):
    def show_unfold_key(self) -> None:
        """Fold lines name the key that unfolds them: the one bound now ([keys] may rebind it)."""
        keys = self.desk.keymap.get("toggle_quotes") or ACTION_BY_ID["toggle_quotes"].keys
        self.query_one(ThreadView).unfold_key = keys_label(keys.split(",")[0])

    def action_toggle_quotes(self) -> None:
        row = self._require_ticket()
        if row is None or not self._thread_shown(row.id):
            return
        thread = self.query_one(ThreadView)
        if thread.unfolded_id != row.id and not thread.folded:
            self.notify(_("Nothing is folded in this thread"))
            return
        thread.toggle_quotes()
