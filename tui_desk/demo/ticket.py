"""One demo ticket's life, changed the way TicketService's methods change a ticket."""

from __future__ import annotations

from collections.abc import Callable

from ..core.lifecycle import (
    CUSTOMER_REOPENS,
    POSTPONE_FROM,
    REOPEN_FROM,
    REPLY_FROM,
    RESOLVE_FROM,
    RESTORE_FROM,
)
from ..domain.models import Meaning
from ..store.writes import bucket_for
from .common import MEANINGS, stored_time
from .people import Customer


class GeneratorBug(RuntimeError):
    """The demo tried a step the lifecycle refuses: a bug in this module."""


# (at, kind, author, body, message-id token or None, attachments)
_MessageRow = tuple[str, str, str, str, str | None, tuple[tuple[str, str, bytes], ...]]
# (at, actor, kind, from, to, detail)
_EventRow = tuple[str, str, str, str | None, str | None, str | None]


class Ticket:
    """The columns TicketService keeps, changed the way its methods change them."""

    __slots__ = (
        "subject", "customer", "department", "status", "previous_status", "postponed_from", "postponed_until",
        "priority", "assignee", "created", "created_at", "updated_at", "waiting_since", "first_response_at",
        "resolved_at", "last_customer_message_at", "last_agent_reply_at", "last_message_at", "message_count",
        "bucket", "sort_key", "sort_on", "version", "tags", "messages", "events",
    )

    def __init__(self, customer: Customer, email: str, subject: str, priority: str,
                 department: str | None, at: int, body: str, token: str | None,
                 attachments: tuple[tuple[str, str, bytes], ...]) -> None:
        moment = stored_time(at)
        self.subject = " ".join(subject.split())
        self.customer = customer
        self.department = department
        self.status = "new"
        self.previous_status: str | None = None
        self.postponed_from: str | None = None
        self.postponed_until: str | None = None
        self.priority = priority
        self.assignee: str | None = None
        self.created = at
        self.created_at = moment
        self.updated_at = moment
        self.waiting_since: str | None = moment
        self.first_response_at: str | None = None
        self.resolved_at: str | None = None
        self.last_customer_message_at: str | None = moment
        self.last_agent_reply_at: str | None = None
        self.last_message_at: str | None = moment
        self.message_count = 1
        self.bucket = 0
        self.sort_key = 0
        self.sort_on: tuple[str, str | None, str] = ("new", moment, moment)
        self.version = 1
        self.tags: list[str] = []
        self.messages: list[_MessageRow] = [(moment, "customer", email, body, token, attachments)]
        self.events: list[_EventRow] = [(moment, email, "created", None, "new", None)]

    # TicketService.change: updated_at, bucket and sort_key follow every change. Only the
    # last values are kept, so the (slow to compute) sort key is worked out once, at the end.
    def _changed(self, moment: str) -> None:
        self.updated_at = moment
        self.sort_on = (self.status, self.waiting_since, moment)
        self.version += 1

    def finish(self, sort_key: Callable[[Meaning, str | None, str], int]) -> None:
        status, waiting_since, moment = self.sort_on
        meaning = MEANINGS[status]
        self.bucket = bucket_for(meaning)
        self.sort_key = sort_key(meaning, waiting_since, moment)

    def _require(self, allowed: frozenset, action: str) -> None:
        if self.status not in allowed:
            raise GeneratorBug(f"demo: cannot {action} a {self.status} ticket")

    def customer_message(self, at: int, author: str, body: str, token: str | None,
                         attachments: tuple[tuple[str, str, bytes], ...] = ()) -> None:
        moment = stored_time(at)
        status = self.status
        target = "open" if status in CUSTOMER_REOPENS else status
        self.status = target
        self.last_customer_message_at = moment
        self.last_message_at = moment
        self.message_count += 1
        self.waiting_since = self.waiting_since or moment
        if target != status:
            self.postponed_until = self.postponed_from = self.resolved_at = None
        self._changed(moment)
        self.messages.append((moment, "customer", author, body, token, attachments))
        self.events.append((moment, author, "customer_message", status, target, None))

    def reply(self, at: int, agent: str, body: str) -> None:
        self._require(REPLY_FROM, "reply to")
        moment = stored_time(at)
        status = self.status
        self.status = "answered"
        self.last_agent_reply_at = moment
        self.last_message_at = moment
        self.message_count += 1
        self.waiting_since = self.postponed_until = self.postponed_from = self.resolved_at = None
        if self.first_response_at is None:
            self.first_response_at = moment
        self._changed(moment)
        self.messages.append((moment, "reply", agent, body, None, ()))
        self.events.append((moment, agent, "replied", status, "answered", None))

    def note(self, at: int, agent: str, body: str) -> None:
        moment = stored_time(at)
        self.message_count += 1
        self._changed(moment)
        self.messages.append((moment, "note", agent, body, None, ()))
        self.events.append((moment, agent, "note", None, None, None))

    def resolve(self, at: int, agent: str) -> None:
        self._require(RESOLVE_FROM, "resolve")
        moment = stored_time(at)
        status = self.status
        self.status = "resolved"
        self.resolved_at = moment
        self.waiting_since = self.postponed_until = self.postponed_from = None
        self._changed(moment)
        self.events.append((moment, agent, "resolved", status, "resolved", None))

    def postpone(self, at: int, agent: str, until: int) -> None:
        self._require(POSTPONE_FROM, "postpone")
        if until <= at:
            raise GeneratorBug("demo: postponed into the past")
        moment, until_text = stored_time(at), stored_time(until)
        status = self.status
        self.status = "postponed"
        self.postponed_until = until_text
        self.postponed_from = status
        self._changed(moment)
        self.events.append((moment, agent, "postponed", status, "postponed", until_text))

    def wake(self, at: int) -> None:
        moment = stored_time(at)
        if self.status != "postponed" or (self.postponed_until or "") > moment:
            raise GeneratorBug("demo: woke a ticket that was not due")
        target = self.postponed_from or "open"
        self.status = target
        self.postponed_until = self.postponed_from = None
        self._changed(moment)
        self.events.append((moment, "system", "woken", "postponed", target, None))

    def reopen(self, at: int, agent: str) -> None:
        self._require(REOPEN_FROM, "reopen")
        moment = stored_time(at)
        status = self.status
        self.status = "open"
        self.resolved_at = None
        self.waiting_since = self.waiting_since or moment
        self._changed(moment)
        self.events.append((moment, agent, "reopened", status, "open", None))

    def bin(self, at: int, agent: str, target: str) -> None:
        if self.status == target:
            raise GeneratorBug(f"demo: already {target}")
        moment = stored_time(at)
        status = self.status
        if MEANINGS[status] not in (Meaning.SPAM, Meaning.DELETED):
            self.previous_status = status
        self.status = target
        self._changed(moment)
        self.events.append((moment, agent, "spam" if target == "spam" else "deleted", status, target, None))

    def restore(self, at: int, agent: str) -> None:
        self._require(RESTORE_FROM, "restore")
        moment = stored_time(at)
        status = self.status
        self.status = self.previous_status or "open"
        self.previous_status = None
        self._changed(moment)
        self.events.append((moment, agent, "restored", status, self.status, None))

    def assign(self, at: int, actor: str, agent: str) -> None:
        if (self.assignee or "").casefold() == agent.casefold():
            raise GeneratorBug("demo: already assigned")
        moment = stored_time(at)
        self.events.append((moment, actor, "assigned", self.assignee, agent, None))
        self.assignee = agent
        self._changed(moment)

    def set_priority(self, at: int, actor: str, priority: str) -> None:
        if priority == self.priority:
            raise GeneratorBug("demo: same priority")
        moment = stored_time(at)
        self.events.append((moment, actor, "priority", self.priority, priority, None))
        self.priority = priority
        self._changed(moment)

    def set_department(self, at: int, actor: str, department: str) -> None:
        if department == self.department:
            raise GeneratorBug("demo: same department")
        moment = stored_time(at)
        self.events.append((moment, actor, "department", self.department, department, None))
        self.department = department
        self._changed(moment)

    def tag(self, at: int, actor: str, add: list[str], remove: list[str]) -> None:
        # TicketService.tag: one event per tag, one version; updated_at and the sort key follow.
        moment = stored_time(at)
        changed = False
        for name in add:
            if name not in self.tags:
                self.tags.append(name)
                self.events.append((moment, actor, "tagged", None, name, None))
                changed = True
        for name in remove:
            if name in self.tags:
                self.tags.remove(name)
                self.events.append((moment, actor, "untagged", name, None, None))
                changed = True
        if not changed:
            raise GeneratorBug("demo: tags already so")
        self._changed(moment)
