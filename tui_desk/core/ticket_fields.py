"""Changes to a ticket's fields other than its status: assignee, priority, department, tags."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..domain.clock import to_text
from ..domain.errors import TransitionRefused
from ..domain.models import EventKind, Status, StatusDef, priority_label
from ..i18n import _
from ..store import tickets, writes
from .changes import Change, Plan, TicketChanges
from .names import person_name, tag_edit, tag_to_remove
from .transitions import parse_priority


class FieldEdits(TicketChanges):
    """Who has the ticket, how urgent it is, where it belongs and how it is tagged."""

    def assign(
        self, ticket_id: int, agent: str | None, *, actor: str | None = None, expected_version: int | None = None
    ) -> Change:
        """Give the ticket to an agent (created on first use) or unassign it with None."""
        agent_name = person_name(agent) if agent and agent.strip() not in ("", "-") else None

        def plan(ticket: dict[str, Any], definition: StatusDef) -> Plan:
            current = ticket["assignee"]
            if (current or "").casefold() == (agent_name or "").casefold():
                raise TransitionRefused(
                    _("Ticket #{id} is already assigned to {agent}").format(id=ticket["id"], agent=current)
                    if current
                    else _("Ticket #{id} is not assigned").format(id=ticket["id"])
                )
            return Plan(
                {"assignee_id": ("agent", agent_name)},
                [(EventKind.ASSIGNED, current, agent_name, None)],
            )

        return self.change(ticket_id, plan, actor=actor, expected_version=expected_version)

    def set_priority(
        self, ticket_id: int, priority: str, *, actor: str | None = None, expected_version: int | None = None
    ) -> Change:
        value = parse_priority(priority)

        def plan(ticket: dict[str, Any], definition: StatusDef) -> Plan:
            if ticket["priority"] == value:
                raise TransitionRefused(
                    _("Ticket #{id} already has priority {priority}").format(
                        id=ticket["id"], priority=priority_label(value)
                    )
                )
            return Plan(
                {"priority": value.value, "priority_rank": value.rank},
                [(EventKind.PRIORITY, ticket["priority"], value.value, None)],
            )

        return self.change(ticket_id, plan, actor=actor, expected_version=expected_version)

    def set_department(
        self, ticket_id: int, department: str | None, *, actor: str | None = None, expected_version: int | None = None
    ) -> Change:
        name = person_name(department) if department and department.strip() not in ("", "-") else None

        def plan(ticket: dict[str, Any], definition: StatusDef) -> Plan:
            if (ticket["department"] or "").casefold() == (name or "").casefold():
                raise TransitionRefused(
                    _("Ticket #{id} is already in {department}").format(
                        id=ticket["id"], department=name or _("no department")
                    )
                )
            return Plan(
                {"department_id": ("department", name)},
                [(EventKind.DEPARTMENT, ticket["department"], name, None)],
            )

        return self.change(ticket_id, plan, actor=actor, expected_version=expected_version)

    def tag(
        self,
        ticket_id: int,
        add: Iterable[str] = (),
        remove: Iterable[str] = (),
        *,
        actor: str | None = None,
        expected_version: int | None = None,
    ) -> list[Change]:
        """Add and remove tags in one transaction, one event per tag that changed."""
        edit = tag_edit(add, remove)  # refuses a bad tag before any ticket is touched
        to_add, to_remove = edit.add, edit.remove
        who = actor or self.actor
        moment = to_text(self.clock())
        changes: list[Change] = []
        with self.store.transaction() as conn:
            ticket = self.load_ticket_in_tx(conn, ticket_id, expected_version)
            if ticket["status"] == Status.MERGED:
                raise self.merged_refusal(ticket)
            current = {t.casefold(): t for t in ticket["tags"]}
            # A tag stored before quotes were dropped ("vip-customer" with its quotes) is still removable.
            for stored in ticket["tags"]:
                current.setdefault(tag_to_remove(stored).casefold(), stored)
            for tag in to_add:
                if tag.casefold() in current:
                    continue
                tickets.add_tag(conn, ticket_id, tickets.named_id(conn, "tag", tag))
                writes.insert_event(conn, ticket_id, moment, who, EventKind.TAGGED, None, tag)
                current[tag.casefold()] = tag
                changes.append(Change(ticket_id, EventKind.TAGGED, None, tag))
            for tag in to_remove:
                if tag.casefold() not in current:
                    continue
                stored = current.pop(tag.casefold())
                tickets.remove_tag(conn, ticket_id, stored)
                writes.insert_event(conn, ticket_id, moment, who, EventKind.UNTAGGED, stored, None)
                changes.append(Change(ticket_id, EventKind.UNTAGGED, stored, None))
            if not changes:
                raise TransitionRefused(_("Ticket #{id}: the tags are already so").format(id=ticket_id))
            meaning = self.status_in_tx(conn, ticket["status"]).meaning
            writes.update_ticket(
                conn,
                ticket_id,
                ticket["version"],
                # sort_key follows updated_at for tickets not waiting on us, as in change().
                {"updated_at": moment, "sort_key": writes.sort_key_for(meaning, ticket["waiting_since"], moment)},
            )
            self.record_before(conn, ticket)
        return changes


__all__ = ["FieldEdits"]
