"""Saved replies: reply templates with placeholders, kept in the store.

A template body is plain text with placeholders such as ``{customer.first_name}``,
``{ticket.id}`` or ``{agent.name}``. ``render`` fills them in and never fails:

- ``{{`` and ``}}`` are literal braces (as in Python's ``str.format``);
- a known placeholder without a value (a customer without a name) and an unknown
  one (a typo) stay in the text as they were written, so the agent sees them in
  the editor, and each is named once in the problems;
- any other brace (``{``, ``}``, ``{not a name}``) is literal text.

The default saved replies are the store's (store/default_templates.py): the
migration that makes the table writes them. The CRUD functions each run in one ``store.transaction()`` and report bad input
as ``InvalidInput`` / ``NotFound`` with one clear line. No Textual here: the CLI,
the app and scripts share this module.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..domain.clock import Clock, system_clock, to_text
from ..domain.errors import InvalidInput, NotFound
from ..domain.models import Ticket, priority_label, status_label
from ..domain.text import storable
from ..i18n import _
from ..store import Connection, queries
from ..store import templates as stored
from ..store.default_templates import default_templates as default_templates
from .names import NAME_MAX as NAME_MAX  # where the UI and tests have found it
from .names import saved_reply_name

if TYPE_CHECKING:

    from ..store import Store

# `{{`, `}}`, or a placeholder: dotted names, spaces allowed just inside the braces.
_TOKEN = re.compile(r"\{\{|\}\}|\{[ \t]*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)[ \t]*\}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# Words before a given name that are not the name ("Dr. Jane Smith" is Jane).
_HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "madam", "dame"})
# Words after a comma that are not a given name ("Smith, Jr." is not "Last, First").
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "phd", "md", "esq", "mba", "msc", "bsc", "dds", "cpa"})
# Lower-case words that start a family name ("de la Cruz, Juan", "van der Berg, Anna").
_PARTICLES = frozenset({"de", "del", "dela", "della", "la", "le", "van", "von", "der", "den", "da", "di", "du", "dos", "das", "ten", "ter", "bin", "al", "el"})


# -- the placeholders ---------------------------------------------------------------------
def placeholders() -> list[tuple[str, str]]:
    """Every placeholder a template may use, with what it stands for (in the user's language)."""
    return [
        ("customer.first_name", _("the customer's first name")),
        ("customer.name", _("the customer's full name")),
        ("customer.email", _("the customer's e-mail address")),
        ("ticket.id", _("the ticket number")),
        ("ticket.subject", _("the ticket's subject")),
        ("ticket.status", _("the ticket's status")),
        ("ticket.priority", _("the ticket's priority")),
        ("ticket.department", _("the ticket's department")),
        ("agent.name", _("your name")),
        ("agent.first_name", _("your first name")),
    ]


def placeholder_names() -> list[str]:
    return [name for name, _description in placeholders()]


def _clean(value: object) -> str | None:
    """A value as one line of text: no control characters, no line breaks; None when empty."""
    if value is None:
        return None
    text = " ".join(_CONTROL.sub(" ", str(value)).split())
    return text or None


def _word(text: str) -> str:
    return text.strip(" \t\"'“”‘’«»()[]<>.,;:")


def first_name(name: str | None) -> str | None:
    """The given name in a customer's name: "Ann Tamm" → Ann, "Tamm, Ann" → Ann, "Dr. Jane Smith" → Jane.

    None when there is no name (or the "name" is an e-mail address).
    """
    cleaned = _clean(name)
    if cleaned is None or "@" in cleaned:
        return None
    head, comma, tail = cleaned.partition(",")
    words = [w for w in (_word(w) for w in head.split()) if w]
    after = [w for w in (_word(w) for w in tail.split()) if w]
    family = len(words) == 1 or all(w in _PARTICLES for w in words[:-1])
    if comma and after and family and after[0].casefold() not in _SUFFIXES:
        words = after  # "Last, First"; not "Ann Tamm, Acme Ltd" nor "Lee, Jr."
    while len(words) > 1 and words[0].casefold() in _HONORIFICS:
        words = words[1:]
    return words[0] if words else None


def ticket_context(
    ticket: Ticket, agent: str, *, agent_name: str | None = None, status_name: str | None = None
) -> dict[str, str | None]:
    """The placeholder values for a reply on `ticket` by `agent` (`agent_name`: the full name, if known)."""
    shown_agent = _clean(agent_name) or _clean(agent)
    return {
        "customer.first_name": first_name(ticket.customer_name),
        "customer.name": _clean(ticket.customer_name),
        "customer.email": _clean(ticket.customer_email),
        "ticket.id": str(ticket.id),
        "ticket.subject": _clean(ticket.subject),
        "ticket.status": _clean(status_label(ticket.status, status_name)),
        "ticket.priority": _clean(priority_label(ticket.priority)),
        "ticket.department": _clean(ticket.department),
        "agent.name": shown_agent,
        "agent.first_name": first_name(shown_agent),
    }


# -- rendering ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Problem:
    """A placeholder left in the text as written: `unknown` (no such name) or `empty` (no value here)."""

    placeholder: str  # as written in the template, braces included
    kind: str  # "unknown" or "empty"
    suggestion: str | None = None  # for an unknown one: the known name it most resembles

    @property
    def message(self) -> str:
        if self.kind == "empty":
            return _("{placeholder} has no value for this ticket: it was left as it is").format(
                placeholder=self.placeholder
            )
        if self.suggestion:
            return _("Unknown placeholder {placeholder} (did you mean {suggestion}?): it was left as it is").format(
                placeholder=self.placeholder, suggestion="{" + self.suggestion + "}"
            )
        return _("Unknown placeholder {placeholder}: it was left as it is").format(placeholder=self.placeholder)


@dataclass(frozen=True)
class Rendered:
    text: str
    problems: tuple[Problem, ...] = ()

    def summary(self) -> str:
        """All problems in one line ("" when there are none)."""
        return "; ".join(p.message for p in self.problems)


def render(body: str, context: Mapping[str, str | None]) -> Rendered:
    """Fill the placeholders of `body` from `context` (name → value or None). Never raises."""
    known = {key.casefold(): key for key in (*placeholder_names(), *context)}
    problems: dict[str, Problem] = {}

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "{{":
            return "{"
        if token == "}}":
            return "}"
        written = match.group(1)
        key = known.get(written.casefold())
        value = _clean(context.get(key)) if key is not None else None
        if value is not None:
            return value
        if token not in problems:
            if key is None:
                close = difflib.get_close_matches(written.casefold(), list(known), n=1, cutoff=0.6)
                problems[token] = Problem(token, "unknown", known[close[0]] if close else None)
            else:
                problems[token] = Problem(token, "empty")
        return token

    text = _TOKEN.sub(replace, str(body))
    return Rendered(text, tuple(problems.values()))


# -- the store -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Template:
    id: int
    name: str
    body: str
    created_at: str
    updated_at: str


def clean_name(name: str | None) -> str:
    """A template name as stored: one line, spaces collapsed; InvalidInput when it breaks a rule of core.names."""
    return saved_reply_name(name)


def _clean_body(body: str | None) -> str:
    text = storable((body or "").replace("\r\n", "\n").replace("\r", "\n"))
    if not text.strip():
        raise InvalidInput(_("A saved reply needs some text"))
    return text


def list_templates(store: Store) -> list[Template]:
    """Every saved reply, by name (case-insensitively)."""
    return [Template(**r) for r in stored.all_rows(store)]


def _find(conn: Connection, name: str) -> Template | None:
    # The name as typed also finds one stored before names were checked (with control characters).
    row = stored.find(conn, name, _clean(name) or "")
    return Template(*row) if row else None


def _not_found(name: str, names: Sequence[str]) -> NotFound:
    """"No saved reply named 'ack' (did you mean 'Acknowledge'?)": a prefix or a close name."""
    wanted = (_clean(name) or "").casefold()
    by_key = {n.casefold(): n for n in names}
    close = [n for key, n in by_key.items() if wanted and key.startswith(wanted)]
    if len(close) != 1:
        close = [by_key[k] for k in difflib.get_close_matches(wanted, list(by_key), n=1, cutoff=0.6)]
    if close:
        return NotFound(
            _("No saved reply named {name!r} (did you mean {suggestion!r}?)").format(
                name=_clean(name) or name, suggestion=close[0]
            )
        )
    return NotFound(_("No saved reply named {name!r}").format(name=_clean(name) or name))


def _require(conn: Connection, name: str) -> Template:
    found = _find(conn, name)
    if found is None:
        raise _not_found(name, stored.names(conn))
    return found


def _refuse_taken(conn: Connection, name: str, own_id: int | None = None) -> None:
    other = _find(conn, name)
    if other is not None and other.id != own_id:
        raise InvalidInput(_("A saved reply named {name!r} already exists").format(name=other.name))


def get_template(store: Store, name: str) -> Template:
    """The saved reply called `name` (case-insensitively); NotFound otherwise."""
    return _require(store.conn, name)


def add_template(store: Store, name: str, body: str, *, clock: Clock = system_clock) -> Template:
    name, body = clean_name(name), _clean_body(body)
    now = to_text(clock())
    with store.transaction() as conn:
        _refuse_taken(conn, name)
        return Template(stored.insert(conn, name, body, now), name, body, now, now)


def update_template(store: Store, name: str, body: str, *, clock: Clock = system_clock) -> Template:
    """Give the saved reply `name` a new body."""
    body = _clean_body(body)
    now = to_text(clock())
    with store.transaction() as conn:
        template = _require(conn, name)
        if template.body == body:
            return template
        stored.set_body(conn, template.id, body, now)
        return Template(template.id, template.name, body, template.created_at, now)


def rename_template(store: Store, old: str, new: str, *, clock: Clock = system_clock) -> Template:
    """Rename a saved reply; changing only the case of its name is allowed."""
    new = clean_name(new)
    now = to_text(clock())
    with store.transaction() as conn:
        template = _require(conn, old)
        if template.name == new:
            return template
        _refuse_taken(conn, new, own_id=template.id)
        stored.set_name(conn, template.id, new, now)
        return Template(template.id, new, template.body, template.created_at, now)


def remove_template(store: Store, name: str) -> Template:
    """Delete a saved reply; returns what was deleted."""
    with store.transaction() as conn:
        template = _require(conn, name)
        stored.delete(conn, template.id)
        return template


def agent_display_name(store: Store, agent: str) -> str | None:
    """The agent's full name when the store knows it (`agents.full_name`), else None."""
    return _clean(stored.agent_full_name(store, agent))


def context_for_ticket(store: Store, ticket_id: int, agent: str) -> dict[str, str | None]:
    """The placeholder values for a reply by `agent` on ticket `ticket_id` (NotFound for an unknown ticket)."""
    ticket = queries.get_ticket(store, ticket_id)
    status_name = stored.status_name(store, ticket.status)
    return ticket_context(ticket, agent, agent_name=agent_display_name(store, agent), status_name=status_name)


def render_for_ticket(store: Store, name: str, ticket_id: int, agent: str) -> Rendered:
    """The saved reply `name` filled in for ticket `ticket_id` and `agent`."""
    template = get_template(store, name)
    return render(template.body, context_for_ticket(store, ticket_id, agent))
