"""Undo's way back: a ticket's fields and tags put back as they were before an action.

The undo log (core/actions.py) says what an action changed; these are the
changes that take it back, each a change of its own with an ``undone`` event.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..domain.errors import ConflictError
from ..domain.models import EventKind, StatusDef, event_label
from ..i18n import _
from ..store import Connection, action_tickets, tickets
from .changes import SNAPSHOT_FIELDS, Change, Plan, TicketChanges


class PutBack(TicketChanges):
    """Everything merging and undo need of the service: the machinery and the way back."""

    def put_back(
        self,
        ticket_id: int,
        before: dict[str, Any],
        *,
        action_id: int,
        version_after: int,
        label: str,
        actor: str | None = None,
        also: Callable[[Connection], None] | None = None,
    ) -> Change:
        """Undo one ticket's part of an action: its fields and tags as they were before it.

        Refused (ConflictError) unless the ticket is still as the action left it: at
        ``version_after``, or back there through undos of later actions. The undo is a
        change of its own, with an ``undone`` event; history is never rewritten.
        """
        new_version: list[int] = []

        def plan(ticket: dict[str, Any], definition: StatusDef) -> Plan:
            if self.effective_version(ticket["id"], ticket["version"]) != version_after:
                raise ConflictError(self.changed_since(ticket))
            new_version.append(ticket["version"] + 1)
            fields: dict[str, Any] = {name: before[name] for name in SNAPSHOT_FIELDS if name in before}
            fields["assignee_id"] = ("agent", before.get("assignee"))
            fields["department_id"] = ("department", before.get("department"))
            wanted = {t.casefold(): t for t in before.get("tags", [])}
            current = {t.casefold(): t for t in ticket["tags"]}
            tags_to_add[:] = [t for k, t in wanted.items() if k not in current]
            tags_to_remove[:] = [t for k, t in current.items() if k not in wanted]
            return Plan(fields, [(EventKind.UNDONE, ticket["status"], before["status"], label)])

        tags_to_add: list[str] = []
        tags_to_remove: list[str] = []

        def finish(conn: Connection, _message: int | None) -> None:
            for tag in tags_to_add:
                tickets.add_tag(conn, ticket_id, tickets.named_id(conn, "tag", tag), if_missing=True)
            for tag in tags_to_remove:
                tickets.remove_tag(conn, ticket_id, tag)
            action_tickets.mark_undone(conn, action_id, ticket_id, new_version[0])
            if also is not None:
                also(conn)

        return self.change(ticket_id, plan, actor=actor, expected_version=None, also=finish, allow_merged=True)

    def effective_version(self, ticket_id: int, version: int) -> int:
        """The ticket's version, seen through undos: an undone action counts as never having happened.

        So does a note of the agent's that undo skipped: it changed none of the fields undo
        puts back, and the refusal that skipped it promised to undo the action before it
        (resolve, then a note saying why, then undo twice).
        """
        conn = self.store.conn
        while True:
            before = action_tickets.version_before_undone(conn, ticket_id, version)
            if before is None:
                return version
            version = before

    def changed_since(self, ticket: dict[str, Any]) -> str:
        """Why an undo left the ticket alone: it was changed since the action (and by whom, last)."""
        last = tickets.last_event(self.store.conn, ticket["id"])
        if last is None:
            return _("#{id} was changed since; it was left as it is").format(id=ticket["id"])
        return _("#{id} was changed since ({kind} by {actor}); it was left as it is").format(
            id=ticket["id"], kind=event_label(last[1]), actor=last[0]
        )


__all__ = ["PutBack"]
