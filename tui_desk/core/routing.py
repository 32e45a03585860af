"""Routing rules (issue 18, docs/issue18/routing.md): where a new ticket goes, without anyone sorting it.

``[[routing]]`` rules are read from the config (:func:`routing_from_config`); a bad rule is left
out and named in ``problems``, the others load. When a ticket is created (mail, ``tui-desk new``)
the rules run in order inside the creation's transaction (:func:`attach`), and ``tui-desk route``
runs them over existing tickets, one transaction per ticket (:func:`route_ticket`). Every change a
rule makes goes through the status-transition service as an action of the actor
``routing: <rule name>``: it shows in the timeline and undo takes it back like any action.

The patterns are the user's, but they run over hostile mail, and a plain-looking pattern can
backtrack for minutes on a text built for it (``.*a.*a.*b`` took 261 s on 4,000 characters with
Python's ``re``: benchmarks/routing_bench.py). Three guards: the text a pattern sees is bounded
(the first :data:`BODY_CHARS` characters of the body, and so on); a repeat inside a repeat
(``(a+)+``, exponential) is refused when the config loads; and each search runs in the ``regex``
module with a time limit (:data:`MATCH_SECONDS`), past which the pattern counts as not matching.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from re import _parser as sre_parser  # type: ignore[attr-defined]  # re's parse tree, to refuse nested repeats
from typing import Any

from ..domain.clock import to_text
from ..domain.errors import ConflictError, InvalidInput, NotFound, TransitionRefused
from ..domain.models import Priority
from ..domain.text import one_line
from ..i18n import _, ngettext
from ..i18n import number as number_text
from ..store import Connection, tickets, undo_log
from ..store import routing as routing_store
from ..store.queries import VIEW_ATTENTION, InboxFilter
from .actions import KEPT_ACTIONS, ActionKind
from .lifecycle import TicketService
from .names import person_name, tag_name
from .transitions import parse_priority

# How much of each field a pattern sees (see the module's docstring).
SUBJECT_CHARS = 1_000
BODY_CHARS = 4_000
FROM_CHARS = 320
MAILBOX_CHARS = 500
MAX_PATTERN_CHARS = 1_000
# What one search may take; regex checks it now and then, so a search that runs out stops within
# about 0.2 s (benchmarks/routing_bench.py).
MATCH_SECONDS = 0.05
# What all the patterns may take over one ticket. Routing runs inside the creation's transaction,
# under the desk's write lock: twenty rules of plain-looking patterns that each run out of time on a
# crafted body held every other writer (agents, fetch) for seconds per mail. Once spent, the
# ticket's remaining patterns count as not matching.
TICKET_MATCH_SECONDS = 0.25
_clock = time.monotonic  # the budget's clock (a test steps it: no timing in tests)

MATCH_FIELDS = ("subject", "body", "from", "mailbox")
RULE_KEYS = frozenset({"name", "match", "department", "priority", "tags", "assign", "stop"})
ROUND_ROBIN = "round-robin"
LEAST_LOADED = "least-loaded"
ASSIGN_MODES = (ROUND_ROBIN, LEAST_LOADED)


def routing_actor(rule_name: str) -> str:
    """Who a rule's changes are recorded as done by (not translated: it is stored in the timeline)."""
    return f"routing: {rule_name}"


@dataclass(frozen=True)
class Rule:
    name: str
    patterns: tuple[tuple[str, Any], ...] = ()  # (field, compiled regex pattern)
    department: str | None = None
    priority: Priority | None = None
    tags: tuple[str, ...] = ()
    assign: str | None = None  # an agent's name, ROUND_ROBIN or LEAST_LOADED
    stop: bool = False

    def matches(self, facts: dict[str, Any], mailboxes: Sequence[str], deadline: float | None = None) -> bool:
        """Every pattern the rule has finds its field (case-insensitively); a rule without any matches all.
        `deadline` (of `_clock`): the ticket's budget, shared by all its rules."""
        for key, pattern in self.patterns:
            if key == "mailbox":
                if not any(_found(pattern, box[:MAILBOX_CHARS], deadline) for box in mailboxes if box):
                    return False
            elif not _found(pattern, _seen(key, facts), deadline):
                return False
        return True


def _found(pattern: Any, text: str, deadline: float | None = None) -> bool:  # noqa: ANN401 - a regex pattern
    timeout = MATCH_SECONDS
    if deadline is not None:
        timeout = min(timeout, deadline - _clock())
        if timeout <= 0:
            return False  # the ticket's budget is spent
    try:
        return pattern.search(text, timeout=timeout) is not None
    except TimeoutError:
        return False  # a search built to run for minutes: not a match


def _seen(key: str, facts: dict[str, Any]) -> str:
    if key == "subject":
        return str(facts["subject"])[:SUBJECT_CHARS]
    if key == "from":
        return str(facts["sender"])[:FROM_CHARS]
    return str(facts["body"])[:BODY_CHARS]


@dataclass(frozen=True)
class Routing:
    """The rules that loaded, each department's agents (by casefolded name), what was refused."""

    rules: tuple[Rule, ...] = ()
    departments: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)  # key: (name, agents)
    problems: tuple[str, ...] = ()

    def knows_agent(self, name: str) -> bool:
        """Whether routing could ever give this agent a ticket: listed in a department, or named by a rule."""
        key = name.strip().casefold()
        named = (r.assign for r in self.rules if r.assign and r.assign not in ASSIGN_MODES)
        listed = (a for _name, agents in self.departments.values() for a in agents)
        return any(a.casefold() == key for a in (*named, *listed))

    def agents_of(self, department: str | None) -> tuple[str, ...]:
        if not department:
            return ()
        return self.departments.get(department.casefold(), ("", ()))[1]


def _assign_mode_like(value: str) -> bool:
    """"round_robin", "Least loaded": a misspelt mode, refused rather than taken for an agent's name."""
    return re.sub(r"[^a-z]", "", value.lower()) in ("roundrobin", "leastloaded", "robin", "leastload")


_REPEATS = (sre_parser.MAX_REPEAT, sre_parser.MIN_REPEAT)


def _nested_repeat(items: Any, inside: bool = False) -> bool:  # noqa: ANN401 - re's parse tree
    """Whether an unbounded repeat holds another one, as ``(a+)+`` or ``(\\w+\\s?)*$`` do: on a
    text that almost matches they try every way of splitting it, 2^n for n characters, and no
    bound on the text keeps that short. Possessive repeats and atomic groups never go back: allowed."""
    for op, value in items:
        if op in _REPEATS:
            _low, high, sub = value
            unbounded = high == sre_parser.MAXREPEAT
            if (unbounded and inside) or _nested_repeat(sub, inside or unbounded):
                return True
        elif op == sre_parser.SUBPATTERN:
            if _nested_repeat(value[-1], inside):
                return True
        elif op == sre_parser.BRANCH:
            if any(_nested_repeat(branch, inside) for branch in value[1]):
                return True
        elif op in (sre_parser.ASSERT, sre_parser.ASSERT_NOT) and _nested_repeat(value[1], inside):
            return True
    return False


def _departments(raw: dict[str, Any], problems: list[str]) -> dict[str, tuple[str, tuple[str, ...]]]:
    table = raw.get("departments", {})
    if not isinstance(table, dict):
        problems.append(_("[departments] must be a table of [departments.NAME] tables"))
        return {}
    found: dict[str, tuple[str, tuple[str, ...]]] = {}
    for name, data in table.items():
        try:
            department = person_name(str(name))
            agents_raw = data.get("agents", []) if isinstance(data, dict) else None
            if not isinstance(agents_raw, list) or not all(isinstance(a, str) for a in agents_raw):
                raise InvalidInput(_("agents must be a list of names"))
            # Keyed by the folded name: "alice" listed again as "Alice" is one agent, one turn.
            kept: dict[str, str] = {}
            for agent in agents_raw:
                kept.setdefault(person_name(agent).casefold(), person_name(agent))
            agents = tuple(kept.values())
        except InvalidInput as error:
            problems.append(_("[departments.{name}]: {reason}").format(name=name, reason=error))
            continue
        found[department.casefold()] = (department, agents)
    return found


def _rule(data: Any, number: int, departments: dict[str, tuple[str, tuple[str, ...]]]) -> Rule:  # noqa: ANN401
    """One ``[[routing]]`` table as a rule; InvalidInput names what is wrong (the caller names the rule)."""
    if not isinstance(data, dict):
        raise InvalidInput(_("must be a table"))
    unknown = sorted(set(data) - RULE_KEYS)
    if unknown:
        raise InvalidInput(_("unknown key {key!r}; known: {known}").format(key=unknown[0], known=", ".join(sorted(RULE_KEYS))))
    match = data.get("match", {})
    if not isinstance(match, dict):
        raise InvalidInput(_("match must be a table, e.g. match = {{ subject = \"invoice\" }}"))
    patterns: list[tuple[str, Any]] = []
    if match:  # only then: every command reads the config, few have rules with patterns
        import regex  # type: ignore[import-untyped]  # searches with a time limit
    for key, text in match.items():
        if key not in MATCH_FIELDS:
            raise InvalidInput(_("unknown key {key!r}; known: {known}").format(key=f"match.{key}", known=", ".join(MATCH_FIELDS)))
        if not isinstance(text, str) or len(text) > MAX_PATTERN_CHARS:
            raise InvalidInput(ngettext(
                "match.{key} must be a regular expression of at most {n} character",
                "match.{key} must be a regular expression of at most {n} characters", MAX_PATTERN_CHARS,
            ).format(key=key, n=number_text(MAX_PATTERN_CHARS)))
        try:
            # Both modules must read it: re's parse tree is what the nesting check walks.
            nested = _nested_repeat(sre_parser.parse(text, re.IGNORECASE))
            patterns.append((key, regex.compile(text, regex.IGNORECASE)))
        except (re.error, regex.error, OverflowError, RecursionError, ValueError) as error:
            raise InvalidInput(_("match.{key} is not a valid regular expression: {reason}").format(key=key, reason=error)) from None
        if nested:
            raise InvalidInput(
                _("match.{key}: a repeat inside a repeat, as in (a+)+, can take hours on hostile mail; write it without one").format(key=key)
            )
    department = data.get("department")
    if department is not None:
        if not isinstance(department, str):
            raise InvalidInput(_("department must be text"))
        department = person_name(department)
    priority = data.get("priority")
    if priority is not None:
        priority = parse_priority(str(priority))
    tags = data.get("tags", [])
    if isinstance(tags, str):
        tags = [tags]
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise InvalidInput(_("tags must be a list of tags"))
    assign = data.get("assign")
    if assign is not None:
        if not isinstance(assign, str) or not assign.strip():
            raise InvalidInput(_("assign must be an agent's name, round-robin or least-loaded"))
        if assign.strip().lower() in ASSIGN_MODES:
            assign = assign.strip().lower()
            if department is not None and not departments.get(department.casefold(), ("", ()))[1]:
                raise InvalidInput(_("assign = {mode} needs the department's agents: [departments.\"{name}\"] agents = [...]").format(
                    mode=assign, name=department))
        elif _assign_mode_like(assign):
            raise InvalidInput(_("unknown assign mode {mode!r}: use round-robin, least-loaded or an agent's name").format(mode=assign))
        else:
            assign = person_name(assign)
    stop = data.get("stop", False)
    if not isinstance(stop, bool):
        raise InvalidInput(_("stop must be true or false"))
    name = data.get("name")
    return Rule(
        name=person_name(str(name)) if isinstance(name, str) else _("rule {position}").format(position=number),
        patterns=tuple(patterns),
        department=department,
        priority=priority,
        tags=tuple(dict.fromkeys(tag_name(t) for t in tags)),
        assign=assign,
        stop=stop,
    )


def departments_from_config(raw: dict[str, Any] | None) -> dict[str, tuple[str, tuple[str, ...]]]:
    """``[departments.NAME] agents`` as routing reads them, without compiling the rules' patterns
    (alerts need only the table); a malformed department is left out."""
    return _departments(raw or {}, [])


def routing_from_config(raw: dict[str, Any] | None) -> Routing:
    """The ``[[routing]]`` rules and ``[departments.NAME] agents`` of a config; a bad rule is left out
    and named in ``problems`` (one line each), so the good ones still route."""
    raw = raw or {}
    problems: list[str] = []
    departments = _departments(raw, problems)
    entries = raw.get("routing", [])
    if isinstance(entries, dict):
        entries = [entries]
    if not isinstance(entries, list):
        problems.append(_("[[routing]] must be a list of tables"))
        entries = []
    rules: list[Rule] = []
    seen: set[str] = set()
    for number, data in enumerate(entries, start=1):
        label = data.get("name") if isinstance(data, dict) and isinstance(data.get("name"), str) else None
        # Cut: a 10,000-character name made a 10,000-character line on stderr and in the app.
        shown = repr(one_line(label, 80)) if label else _("rule {position}").format(position=number)
        try:
            if label is not None and not label.strip():
                raise InvalidInput(_("a rule's name cannot be blank"))
            if isinstance(data, dict) and "name" in data and label is None:
                # name = 5 would have become "rule 1", a name the admin never wrote, in every timeline
                raise InvalidInput(_("name must be text"))
            rule = _rule(data, number, departments)
            if rule.name.casefold() in seen:
                raise InvalidInput(_("another rule has this name"))
        except InvalidInput as error:
            problems.append(_("[[routing]] {rule} was not loaded: {reason}").format(rule=shown, reason=error))
            continue
        seen.add(rule.name.casefold())
        rules.append(rule)
    return Routing(tuple(rules), departments, tuple(problems))


@dataclass
class DryRun:
    """What a dry run over many tickets would have done so far, so each ticket's plan follows the
    ones before it as a real run's changes would: the round-robin turns and the tickets given."""

    turns: dict[str, str] = field(default_factory=dict)  # department key: the agent key of its last turn
    given: dict[str, int] = field(default_factory=dict)  # agent key: tickets this run would have given them


@dataclass(frozen=True)
class Routed:
    """One change a rule made (or, in a dry run, would make) to a ticket."""

    ticket_id: int
    rule: str
    field: str  # "department", "priority", "tag" or "assignee"
    from_value: str | None
    to_value: str


def _pick(
    conn: Connection, routing: Routing, mode: str, department: str | None, dry_run: bool, at: str,
    plan: DryRun | None = None,
) -> str | None:
    """The agent a mode (or a rule naming one agent) gives the ticket to, among agents not away; None if nobody."""
    away = {name.casefold() for name, _since in routing_store.away_agents(conn)}
    if mode not in ASSIGN_MODES:  # a rule naming one agent: skipped while away, as the modes skip them
        return None if mode.casefold() in away else mode
    agents = routing.agents_of(department)
    if not agents or department is None:
        return None
    if mode == LEAST_LOADED:
        present = [a for a in agents if a.casefold() not in away]
        if not present:
            return None
        load = routing_store.attention_counts(conn, present)
        if dry_run and plan is not None:
            for key, count in plan.given.items():
                load[key] = load.get(key, 0) + count
        # min() keeps the first of equals: ties go to the agent listed first.
        return min(present, key=lambda a: load.get(a.casefold(), 0))
    keys = [a.casefold() for a in agents]
    key = department.casefold()
    last = plan.turns[key] if dry_run and plan is not None and key in plan.turns else routing_store.last_turn(conn, key)
    start = keys.index(last) + 1 if last in keys else 0
    for step in range(len(agents)):
        candidate = agents[(start + step) % len(agents)]
        if candidate.casefold() not in away:
            if not dry_run:  # advanced under the write lock the caller's transaction holds
                routing_store.set_turn(conn, key, candidate.casefold(), at)
            elif plan is not None:  # a dry run over many tickets: the turns a real run would give
                plan.turns[key] = candidate.casefold()
            return candidate
    return None


def route_in_tx(
    service: TicketService,
    routing: Routing,
    conn: Connection,
    ticket_id: int,
    mailboxes: Sequence[str] | None = None,
    *,
    dry_run: bool = False,
    plan: DryRun | None = None,
) -> list[Routed]:
    """Run the rules over one ticket inside the caller's transaction; what they changed (or would).
    A dry run keeps what it would have done in `plan`, never in the store.

    A rule assigns only a ticket nobody has that needs attention: assignment is a claim, and routing
    takes none away.
    """
    facts = routing_store.ticket_facts(conn, ticket_id, BODY_CHARS)
    if facts is None:
        raise NotFound(_("No ticket #{id}").format(id=ticket_id))
    boxes = list(mailboxes) if mailboxes is not None else [facts["mailbox"]]
    department, priority, assignee = facts["department"], facts["priority"], facts["assignee"]
    tags = {t.casefold() for t in tickets.ticket_tags(conn, ticket_id)}
    done: list[Routed] = []
    at = to_text(service.clock())
    deadline = _clock() + TICKET_MATCH_SECONDS
    for rule in routing.rules:
        if not rule.matches(facts, boxes, deadline):
            continue
        planned: list[Routed] = []
        if rule.department and rule.department.casefold() != (department or "").casefold():
            planned.append(Routed(ticket_id, rule.name, "department", department, rule.department))
            department = rule.department
        if rule.priority is not None and rule.priority.value != priority:
            planned.append(Routed(ticket_id, rule.name, "priority", priority, rule.priority.value))
            priority = rule.priority.value
        for tag in rule.tags:
            if tag.casefold() not in tags:
                planned.append(Routed(ticket_id, rule.name, "tag", None, tag))
                tags.add(tag.casefold())
        # Only a ticket that needs an answer takes a turn: `route 1-500` over a desk's history (to tag
        # it) gave resolved and spam tickets to agents, and each took a live ticket's turn.
        if rule.assign and assignee is None and facts["bucket"] == routing_store.ATTENTION_BUCKET:
            agent = _pick(conn, routing, rule.assign, department, dry_run, at, plan)
            if agent is not None:
                planned.append(Routed(ticket_id, rule.name, "assignee", None, agent))
                assignee = agent
                if dry_run and plan is not None:  # whichever rule gave it: a load a later least-loaded sees
                    plan.given[agent.casefold()] = plan.given.get(agent.casefold(), 0) + 1
        if planned and not dry_run:
            planned = _apply(service, conn, rule.name, planned, at)
        done.extend(planned)
        if rule.stop:
            break
    return done


def _apply(service: TicketService, conn: Connection, rule: str, planned: list[Routed], at: str) -> list[Routed]:
    """One action of ``routing: <rule>``, recorded for undo like an agent's; the changes it made."""
    actor = routing_actor(rule)
    action_id = undo_log.insert_action(conn, actor, at, ActionKind.ROUTE)
    undo_log.prune_actions(conn, actor, KEPT_ACTIONS)
    outer = service.recording
    service.recording = action_id
    made: list[Routed] = []
    try:
        for change in planned:
            try:
                if change.field == "department":
                    service.set_department(change.ticket_id, change.to_value, actor=actor)
                elif change.field == "priority":
                    service.set_priority(change.ticket_id, change.to_value, actor=actor)
                elif change.field == "tag":
                    service.tag(change.ticket_id, add=[change.to_value], actor=actor)
                else:
                    service.assign(change.ticket_id, change.to_value, actor=actor)
            except (TransitionRefused, ConflictError):
                continue  # a merged ticket, or already so: nothing to record
            made.append(change)
    finally:
        service.recording = outer
    if not made:
        undo_log.delete_action(conn, action_id)
    return made


def attach(service: TicketService, routing: Routing) -> None:
    """Route every ticket the service creates from now on, in its creation's transaction."""
    if not routing.rules:
        service.on_created = None
        return

    def on_created(conn: Connection, ticket_id: int, mailboxes: Sequence[str]) -> None:
        route_in_tx(service, routing, conn, ticket_id, mailboxes)

    service.on_created = on_created


def route_ticket(
    service: TicketService, routing: Routing, ticket_id: int, *, dry_run: bool = False, plan: DryRun | None = None,
) -> list[Routed]:
    """``tui-desk route``: one existing ticket, in a transaction of its own. A dry run writes nothing;
    pass one `plan` for all its tickets, so it shows the turns and loads a real run would."""
    if dry_run:
        with service.store.read_snapshot() as conn:
            return route_in_tx(service, routing, conn, ticket_id, dry_run=True, plan=plan)
    with service.store.transaction() as conn:
        return route_in_tx(service, routing, conn, ticket_id)


def tickets_to_route(service: TicketService, ids: Iterable[int] | None) -> list[int]:
    """The tickets named, or every ticket needing attention."""
    if ids is not None:
        return list(dict.fromkeys(ids))
    with service.store.read_snapshot() as conn:
        return routing_store.attention_ticket_ids(conn)


# The built-in view "Unassigned" (the app's views, `tui-desk list --view unassigned`): tickets
# needing attention that no agent has, what no rule could place.
UNASSIGNED_VIEW = "unassigned"


def unassigned_filter() -> InboxFilter:
    return InboxFilter(view=VIEW_ATTENTION, assignee="-")


def is_unassigned_view(name: str) -> bool:
    """Whether `list --view NAME` names the built-in view, in English or in the agent's language."""
    return name.strip().casefold() in (UNASSIGNED_VIEW, _("Unassigned").casefold())


def agent_away(service: TicketService, name: str, away: bool) -> bool:
    """Mark an agent away or back; False if they already were so."""
    agent = person_name(name)
    with service.store.transaction() as conn:
        if away:
            return routing_store.set_away(conn, agent.casefold(), agent, to_text(service.clock()))
        return routing_store.set_back(conn, agent.casefold())


def agents_away(service: TicketService) -> list[tuple[str, str]]:
    with service.store.read_snapshot() as conn:
        return routing_store.away_agents(conn)


__all__ = [
    "ASSIGN_MODES",
    "BODY_CHARS",
    "DryRun",
    "UNASSIGNED_VIEW",
    "Routed",
    "Routing",
    "Rule",
    "agent_away",
    "agents_away",
    "attach",
    "is_unassigned_view",
    "route_in_tx",
    "route_ticket",
    "routing_actor",
    "routing_from_config",
    "tickets_to_route",
    "unassigned_filter",
]
