"""Domain vocabulary: statuses and their meanings, priorities, message kinds, records."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from ..i18n import _
from .text import one_line


class Meaning(StrEnum):
    """What a status means for sorting, SLA clocks and reports."""

    ATTENTION = "attention"  # waiting for an agent (New, Open)
    WAITING = "waiting"  # waiting on the customer (Answered)
    DONE = "done"  # Resolved
    HOLD = "hold"  # Postponed
    SPAM = "spam"
    DELETED = "deleted"
    MERGED = "merged"  # went into another ticket; kept as a pointer


class Status(StrEnum):
    NEW = "new"
    OPEN = "open"
    ANSWERED = "answered"
    RESOLVED = "resolved"
    POSTPONED = "postponed"
    SPAM = "spam"
    DELETED = "deleted"
    MERGED = "merged"


BUILTIN_MEANINGS: dict[str, Meaning] = {
    Status.NEW: Meaning.ATTENTION,
    Status.OPEN: Meaning.ATTENTION,
    Status.ANSWERED: Meaning.WAITING,
    Status.RESOLVED: Meaning.DONE,
    Status.POSTPONED: Meaning.HOLD,
    Status.SPAM: Meaning.SPAM,
    Status.DELETED: Meaning.DELETED,
    Status.MERGED: Meaning.MERGED,
}

# A custom status follows the lifecycle rows of the built-in status it stands for.
MEANING_BASE_STATUS: dict[Meaning, Status] = {
    Meaning.ATTENTION: Status.OPEN,
    Meaning.WAITING: Status.ANSWERED,
    Meaning.DONE: Status.RESOLVED,
    Meaning.HOLD: Status.POSTPONED,
    Meaning.SPAM: Status.SPAM,
    Meaning.DELETED: Status.DELETED,
    Meaning.MERGED: Status.MERGED,
}

CUSTOM_MEANINGS = (Meaning.ATTENTION, Meaning.WAITING, Meaning.DONE, Meaning.HOLD)


def status_label(key: str, custom_name: str | None = None) -> str:
    """The name of a status in the user's language."""
    labels: dict[str, str] = {
        Status.NEW: _("New"),
        Status.OPEN: _("Open"),
        Status.ANSWERED: _("Answered"),
        Status.RESOLVED: _("Resolved"),
        Status.POSTPONED: _("Postponed"),
        Status.SPAM: _("Spam"),
        Status.DELETED: _("Deleted"),
        Status.MERGED: _("Merged"),
    }
    if key in labels:
        return labels[key]
    return one_line(custom_name or key)  # a name someone typed: shown through the sanitiser


class Priority(StrEnum):
    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"

    @property
    def rank(self) -> int:
        """Sort rank: urgent first."""
        return PRIORITY_ORDER.index(self)


PRIORITY_ORDER = [Priority.URGENT, Priority.HIGH, Priority.NORMAL, Priority.LOW]


def priority_label(key: str) -> str:
    labels: dict[str, str] = {
        Priority.URGENT: _("urgent"),
        Priority.HIGH: _("high"),
        Priority.NORMAL: _("normal"),
        Priority.LOW: _("low"),
    }
    return labels.get(key, key)


class MessageKind(StrEnum):
    CUSTOMER = "customer"
    REPLY = "reply"
    NOTE = "note"


class EventKind(StrEnum):
    CREATED = "created"
    CUSTOMER_MESSAGE = "customer_message"
    REPLIED = "replied"
    NOTE = "note"
    RESOLVED = "resolved"
    POSTPONED = "postponed"
    WOKEN = "woken"
    REOPENED = "reopened"
    SPAM = "spam"
    DELETED = "deleted"
    RESTORED = "restored"
    STATUS = "status"
    ASSIGNED = "assigned"
    PRIORITY = "priority"
    DEPARTMENT = "department"
    TAGGED = "tagged"
    UNTAGGED = "untagged"
    MERGED = "merged"  # on both tickets: from_value/to_value name the other one as "#id"
    SPLIT = "split"  # on both tickets: a message moved into a new ticket
    UNDONE = "undone"  # an agent took back an action; detail names it
    # Mail "From:" one of our addresses that the desk cannot tell it sent: a customer message, flagged.
    UNVERIFIED_SENDER = "unverified_sender"
    # A message sent on to a third party (a supplier): internal, no status change; detail: the address.
    FORWARDED = "forwarded"
    # An automatic acknowledgement (RFC 3834) was queued to the sender of a new ticket; detail: to whom.
    ACKNOWLEDGED = "acknowledged"


def event_label(kind: str) -> str:
    labels: dict[str, str] = {
        EventKind.CREATED: _("created"),
        EventKind.CUSTOMER_MESSAGE: _("customer wrote"),
        EventKind.REPLIED: _("replied"),
        EventKind.NOTE: _("internal note"),
        EventKind.RESOLVED: _("resolved"),
        EventKind.POSTPONED: _("postponed"),
        EventKind.WOKEN: _("woke up"),
        EventKind.REOPENED: _("reopened"),
        EventKind.SPAM: _("marked spam"),
        EventKind.DELETED: _("deleted"),
        EventKind.RESTORED: _("restored"),
        EventKind.STATUS: _("status set"),
        EventKind.ASSIGNED: _("assigned"),
        EventKind.PRIORITY: _("priority"),
        EventKind.DEPARTMENT: _("department"),
        EventKind.TAGGED: _("tagged"),
        EventKind.UNTAGGED: _("untagged"),
        EventKind.MERGED: _("merged"),
        EventKind.SPLIT: _("split"),
        EventKind.UNDONE: _("undone"),
        EventKind.UNVERIFIED_SENDER: _("claims to be the help desk (not verified): kept as a customer message"),
        EventKind.FORWARDED: _("forwarded"),
        EventKind.ACKNOWLEDGED: _("acknowledged automatically"),
    }
    return labels.get(kind, kind)


@dataclass(frozen=True)
class StatusDef:
    key: str
    name: str
    meaning: Meaning
    builtin: bool

    @property
    def base(self) -> Status:
        if self.builtin:
            return Status(self.key)
        return MEANING_BASE_STATUS[self.meaning]

    @property
    def label(self) -> str:
        return status_label(self.key, self.name)


@dataclass(frozen=True)
class Ticket:
    id: int
    subject: str
    status: str
    priority: str
    customer_id: int
    customer_email: str
    customer_name: str | None
    assignee: str | None
    department: str | None
    created_at: str
    updated_at: str
    waiting_since: str | None
    postponed_until: str | None
    previous_status: str | None
    postponed_from: str | None
    first_response_at: str | None
    resolved_at: str | None
    last_customer_message_at: str | None
    message_count: int
    version: int
    tags: tuple[str, ...] = field(default_factory=tuple)
    sla_elapsed: int = 0
    sla_running_since: str | None = None
    sla_first_elapsed: int | None = None
    sla_due: str | None = None
    deleted_at: str | None = None
    merged_into: int | None = None


@dataclass(frozen=True)
class InboxRow:
    """What one inbox line needs, nothing more (pages are read often)."""

    id: int
    subject: str
    status: str
    priority: str
    customer_email: str
    customer_name: str | None
    assignee: str | None
    department: str | None
    waiting_since: str | None
    updated_at: str
    needs_attention: bool
    version: int
    sla_elapsed: int = 0
    sla_running_since: str | None = None
    sla_first_elapsed: int | None = None
    sla_due: str | None = None


@dataclass(frozen=True)
class Message:
    id: int
    ticket_id: int
    kind: str
    author: str
    body: str
    created_at: str
    message_id: str | None
    in_reply_to: str | None
    references: str | None
    attachments: tuple[Attachment, ...] = field(default_factory=tuple)
    cc: tuple[str, ...] = ()  # whom the mail copied (plain addresses; docs/issue15/recipients.md)
    reply_to: str | None = None  # where answers to a customer's mail go, when not to its sender


@dataclass(frozen=True)
class Attachment:
    id: int
    message_id: int
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True)
class Event:
    id: int
    ticket_id: int
    at: str
    actor: str
    kind: str
    from_value: str | None
    to_value: str | None
    detail: str | None
