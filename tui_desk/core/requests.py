"""What an agent asks for, said once: the app and the command line build the same requests.

A request names its action kind (what the undo log and the outcome call it) and how it
changes one ticket through the :class:`TicketService`. The app's key bindings and the
CLI's subcommands only gather the arguments; running a request over many tickets and
saying what happened (:mod:`tui_desk.core.change_text`) is shared, so the two cannot
disagree about what ``resolve`` or ``tag +a`` does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from .actions import ActionKind, Outcome, perform
from .lifecycle import STATUS_ACTIONS, Change, TicketService
from .names import TagEdit
from .signatures import Signatures, for_ticket, signed


@dataclass(frozen=True)
class ChangeRequest:
    """One change an agent asks for, to be applied to each ticket named."""

    kind: ClassVar[str]

    def apply(self, service: TicketService, ticket_id: int) -> Change | Sequence[Change]:
        raise NotImplementedError


@dataclass(frozen=True)
class Resolve(ChangeRequest):
    kind: ClassVar[str] = ActionKind.RESOLVE

    def apply(self, service: TicketService, ticket_id: int) -> Change:
        return service.resolve(ticket_id)


@dataclass(frozen=True)
class Reopen(ChangeRequest):
    kind: ClassVar[str] = ActionKind.REOPEN

    def apply(self, service: TicketService, ticket_id: int) -> Change:
        return service.reopen(ticket_id)


@dataclass(frozen=True)
class MarkSpam(ChangeRequest):
    kind: ClassVar[str] = ActionKind.SPAM

    def apply(self, service: TicketService, ticket_id: int) -> Change:
        return service.mark_spam(ticket_id)


@dataclass(frozen=True)
class Delete(ChangeRequest):
    kind: ClassVar[str] = ActionKind.DELETE

    def apply(self, service: TicketService, ticket_id: int) -> Change:
        return service.delete(ticket_id)


@dataclass(frozen=True)
class Restore(ChangeRequest):
    kind: ClassVar[str] = ActionKind.RESTORE

    def apply(self, service: TicketService, ticket_id: int) -> Change:
        return service.restore(ticket_id)


@dataclass(frozen=True)
class Postpone(ChangeRequest):
    until: datetime
    kind: ClassVar[str] = ActionKind.POSTPONE

    def apply(self, service: TicketService, ticket_id: int) -> Change:
        return service.postpone(ticket_id, self.until)


@dataclass(frozen=True)
class SetCustomStatus(ChangeRequest):
    key: str
    kind: ClassVar[str] = ActionKind.STATUS

    def apply(self, service: TicketService, ticket_id: int) -> Change:
        return service.set_custom_status(ticket_id, self.key)


@dataclass(frozen=True)
class SetStatus(ChangeRequest):
    """A status by the word typed (``resolved``, ``open``, a custom status key)."""

    word: str
    until: datetime | None = None
    kind: ClassVar[str] = ActionKind.STATUS

    @property
    def action_kind(self) -> str:
        """The undo log's name for it: typing ``resolved`` is a resolve, not a status set."""
        return STATUS_ACTIONS.get(self.word.strip().lower(), ActionKind.STATUS)

    def apply(self, service: TicketService, ticket_id: int) -> Change:
        return service.set_status(ticket_id, self.word, until=self.until)


@dataclass(frozen=True)
class Assign(ChangeRequest):
    agent: str | None
    kind: ClassVar[str] = ActionKind.ASSIGN

    def apply(self, service: TicketService, ticket_id: int) -> Change:
        return service.assign(ticket_id, self.agent)


@dataclass(frozen=True)
class SetPriority(ChangeRequest):
    priority: str
    kind: ClassVar[str] = ActionKind.PRIORITY

    def apply(self, service: TicketService, ticket_id: int) -> Change:
        return service.set_priority(ticket_id, self.priority)


@dataclass(frozen=True)
class SetDepartment(ChangeRequest):
    department: str | None
    kind: ClassVar[str] = ActionKind.DEPARTMENT

    def apply(self, service: TicketService, ticket_id: int) -> Change:
        return service.set_department(ticket_id, self.department)


@dataclass(frozen=True)
class Tag(ChangeRequest):
    edit: TagEdit
    kind: ClassVar[str] = ActionKind.TAG

    def apply(self, service: TicketService, ticket_id: int) -> list[Change]:
        return service.tag(ticket_id, add=self.edit.add, remove=self.edit.remove)


@dataclass(frozen=True)
class Merge(ChangeRequest):
    target: int
    kind: ClassVar[str] = ActionKind.MERGE

    def apply(self, service: TicketService, ticket_id: int) -> list[Change]:
        return service.merge(ticket_id, self.target)


@dataclass(frozen=True)
class Split(ChangeRequest):
    """The message becomes a ticket of its own; the ticket id it is run on is its message's."""

    message_id: int
    kind: ClassVar[str] = ActionKind.SPLIT

    def apply(self, service: TicketService, ticket_id: int) -> list[Change]:
        return service.split(self.message_id)


@dataclass(frozen=True)
class Reply(ChangeRequest):
    body: str
    options: dict[str, Any] = field(default_factory=dict)
    signatures: Signatures | None = None  # `reply --signature`: each ticket's own, filled in for it
    kind: ClassVar[str] = ActionKind.REPLY

    def apply(self, service: TicketService, ticket_id: int) -> Change:
        body = self.body
        if self.signatures is not None:
            rendered = for_ticket(service.store, self.signatures, ticket_id, service.actor)
            if rendered is not None:
                body = signed(body, rendered.text)
        return service.reply(ticket_id, body, **self.options)


@dataclass(frozen=True)
class Note(ChangeRequest):
    body: str
    attachments: Sequence[tuple[str, str, bytes]] = ()  # (file name, content type, bytes)
    kind: ClassVar[str] = ActionKind.NOTE

    def apply(self, service: TicketService, ticket_id: int) -> Change:
        return service.add_note(ticket_id, self.body, attachments=self.attachments)


def action_kind(request: ChangeRequest) -> str:
    return request.action_kind if isinstance(request, SetStatus) else request.kind


def run(service: TicketService, request: ChangeRequest, ticket_ids: Iterable[int]) -> Outcome:
    """The request applied to each ticket, recorded as one undoable action (see ``perform``)."""
    return perform(service, action_kind(request), ticket_ids, lambda ticket_id: request.apply(service, ticket_id))
