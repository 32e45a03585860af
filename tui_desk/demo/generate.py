"""The demo tickets made: scripted, timed and played; a few awkward ones first, to test the UI."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator

from ..domain.models import Meaning
from ..store.writes import sort_key_for
from .common import DAY, DAY_OF, HOUR, MEANINGS, MINUTE, DemoRandom
from .people import Customer, Details, make_customers
from .samples import AWKWARD_TICKETS, COUNTRIES
from .scripts import (
    PRIORITY,
    PRIORITY_WEIGHTS,
    STATUS,
    STATUS_WEIGHTS,
    Author,
    Plan,
    Script,
    Step,
    script_ticket,
)
from .ticket import GeneratorBug, Ticket


def awkward_plans(author: Author, count: int) -> list[Plan]:
    r = author.rng
    now = author.now

    def person(code: str, name: str, email: str, company: str | None = None) -> Customer:
        country = next(c for c in COUNTRIES if c.code == code)
        return Customer(email, name, name.split()[0], country.phone(r), company, country, False)

    def plan(customer: Customer, subject: str, body: str, department: str, priority: str, age_days: float,
             conversation: int = 0, end_with_customer: bool = False, tags: tuple[str, ...] = ()) -> Plan:
        topic = author.topics[department][0]
        details = Details(r, now, customer, department)
        script = Script(author, customer, topic, details, department, priority,
                         author.agent_for(department, now - int(age_days * DAY)))
        script.steps.append(Step("assign", 15 * MINUTE, (script.agent.name, script.agent.name)))
        if tags:
            script.steps.append(Step("tag", 2 * MINUTE, (script.agent.name, list(tags), [])))
        if conversation:
            script.conversation(conversation, end_with_customer=end_with_customer)
        return Plan(customer, customer.email, subject, body, f"{r.getrandbits(40):010x}", (), priority,
                     department, int(age_days * DAY), script.steps)

    # Every plan is made, whatever the count: each draws from the random source.
    plans = [
        plan(
            person(entry["country"], entry["name"], entry["email"], entry.get("company")),
            entry["subject"],
            entry["body"],
            entry["department"],
            entry["priority"],
            entry["age_days"],
            entry.get("conversation", 0),
            entry.get("end_with_customer", False),
            tuple(entry.get("tags", ())),
        )
        for entry in AWKWARD_TICKETS
    ]
    return plans[:count]


def _times(plan: Plan, now: int) -> tuple[int, list[int]]:
    """When the ticket was created and when each step happened: all in the past, in order."""
    created = now - plan.age
    gaps = [s.gap for s in plan.steps]
    total = sum(gaps)
    room = max(0, now - created - MINUTE)
    if total > room and total:
        factor = room / total
        gaps = [max(2 if s.kind == "wake" else 0, int(g * factor)) for s, g in zip(plan.steps, gaps, strict=True)]
    at = created
    times = []
    for gap in gaps:
        at += gap
        times.append(at)
    overflow = (times[-1] if times else created) - (now - 1)
    if overflow > 0:
        created -= overflow
        times = [t - overflow for t in times]
    return created, times


_SIMPLE_STEPS: dict[str, Callable[..., None]] = {
    "reply": Ticket.reply,
    "note": Ticket.note,
    "resolve": Ticket.resolve,
    "reopen": Ticket.reopen,
    "restore": Ticket.restore,
    "priority": Ticket.set_priority,
    "department": Ticket.set_department,
}


def _play(plan: Plan, now: int, rng: random.Random) -> Ticket:
    created, times = _times(plan, now)
    ticket = Ticket(plan.customer, plan.email, plan.subject, plan.priority, plan.department, created,
                     plan.body, plan.token, plan.attachments)
    for index, ((kind, _gap, args), at) in enumerate(zip(plan.steps, times, strict=True)):
        simple = _SIMPLE_STEPS.get(kind)
        if simple is not None:
            simple(ticket, at, *args)
        elif kind == "customer":
            ticket.customer_message(at, plan.email, *args)
        elif kind == "assign":
            actor, agent = args
            if agent != ticket.assignee:
                ticket.assign(at, actor, agent)
        elif kind == "tag":
            actor, add, remove = args
            if [t for t in add if t not in ticket.tags] or [t for t in remove if t in ticket.tags]:
                ticket.tag(at, actor, add, remove)
        elif kind == "postpone_future":
            until = (now + rng.randint(2, 14 * 24) * HOUR) // HOUR * HOUR
            ticket.postpone(at, args[0], until)
        elif kind == "postpone_past":
            wake_at = times[index + 1]
            ticket.postpone(at, args[0], wake_at - min(5 * MINUTE, (wake_at - at) // 4))
        elif kind == "wake":
            ticket.wake(at)
        elif kind in ("spam", "delete"):
            ticket.bin(at, args[0], "spam" if kind == "spam" else "deleted")
        else:  # pragma: no cover - the scripts only use the kinds above
            raise GeneratorBug(kind)
    return ticket


def _epoch_of(text: str) -> int:
    """Inverse of stored_time for the times it produced."""
    return DAY_OF[text[:11]] * DAY + int(text[11:13]) * HOUR + int(text[14:16]) * MINUTE + int(text[17:19])


def _quick_sort_key(meaning: Meaning, waiting_since: str | None, updated_at: str) -> int:
    """writes.sort_key_for, for times made by stored_time."""
    if meaning is Meaning.ATTENTION:
        return _epoch_of(waiting_since or updated_at)
    return -_epoch_of(updated_at)


class Plays:
    """The demo's tickets, played one after the other, in the order the random source makes them.

    Nothing is kept but the customers: a million tickets never sit in memory together
    (see fill.py, which reads them twice: once to number them in order of arrival, once
    to write them). The same seed and `now` give the same tickets in the same order, and
    so does every pass over the same Plays.
    """

    def __init__(self, tickets: int, seed: int, now: int) -> None:
        self.tickets = tickets
        self.now = now
        self.rng = DemoRandom(seed)
        self.author = Author(self.rng, now)
        self.customers = make_customers(self.rng, max(1, tickets // 3))
        self._generated = len(self.customers)
        self._awkward = awkward_plans(self.author, min(10, tickets // 20))
        self.customers.extend(plan.customer for plan in self._awkward)
        for number, customer in enumerate(self.customers):
            customer.number = number
        # Each pass over the tickets starts from here: the same tickets every time, and the
        # customers (a third of a million at a million tickets) made once.
        self._start = self.rng.getstate()

    def __iter__(self) -> Iterator[Ticket]:
        # writes.sort_key_for parses its times with strptime (about 20 us a call); ours are
        # known to be well-formed, so a quick equivalent is used once it agrees with the real
        # one on the first 200 tickets.
        first: list[Ticket] = []
        sort_key: Callable[[Meaning, str | None, str], int] | None = None
        for ticket in self._played():
            if sort_key is not None:
                ticket.finish(sort_key)
                yield ticket
                continue
            first.append(ticket)
            if len(first) == 200:
                sort_key = _checked_sort_key(first)
                yield from _finished(first, sort_key)
        if sort_key is None:
            yield from _finished(first, _checked_sort_key(first))

    def _played(self) -> Iterator[Ticket]:
        self.rng.setstate(self._start)
        rng, now, customers = self.rng, self.now, self.customers
        played = 0
        for plan in self._awkward:
            played += 1
            yield _play(plan, now, rng)
        statuses = [s for s, _ in STATUS_WEIGHTS]
        priorities = [p for p, _ in PRIORITY_WEIGHTS]
        generated = self._generated
        for i in range(self.tickets - played):
            # The first tickets cover every status and priority, so even a tiny demo shows them all.
            status = statuses[i] if i < len(statuses) else STATUS(rng)
            priority = priorities[i] if i < len(priorities) else PRIORITY(rng)
            # Every customer gets a ticket; some write often.
            customer = customers[i] if i < generated else customers[int(generated * rng.random() ** 2)]
            yield _play(script_ticket(self.author, customer, status, priority), now, rng)


def _checked_sort_key(first: list[Ticket]) -> Callable[[Meaning, str | None, str], int]:
    for ticket in first:
        status, waiting_since, moment = ticket.sort_on
        meaning = MEANINGS[status]
        if sort_key_for(meaning, waiting_since, moment) != _quick_sort_key(meaning, waiting_since, moment):
            return sort_key_for
    return _quick_sort_key


def _finished(tickets: list[Ticket], sort_key: Callable[[Meaning, str | None, str], int]) -> Iterator[Ticket]:
    for ticket in tickets:
        ticket.finish(sort_key)
    yield from tickets
    tickets.clear()
