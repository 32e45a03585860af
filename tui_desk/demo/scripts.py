"""Scripts: which steps a demo ticket goes through, and when, and the words people use."""

from __future__ import annotations

import random
from bisect import bisect
from dataclasses import dataclass
from itertools import accumulate
from math import log
from typing import Any, NamedTuple

from .common import DAY, HOUR, MINUTE, RANKS, SPAN
from .people import Customer, Details
from .samples import (
    AGENTS,
    CHASERS,
    COMEBACKS,
    DELETE_BODIES,
    DEPARTMENT_WEIGHTS,
    DEPARTMENTS,
    DUPLICATE_NOTES,
    GENERIC_NOTES,
    NATIVE_TOPICS,
    POSTPONE_NOTES,
    SPAM,
    SPAM_SENDERS,
    THANKS,
    TOPICS,
    WELCOMES,
    Agent,
    Topic,
)

_FORMER_UNTIL = 21 * DAY  # a former agent took tickets created more than this long ago

# The English topic that a first message in the customer's language is about.
_NATIVE_TOPIC = {
    t.department: t for t in TOPICS
    if t.subjects[0] in ("Invoice {invoice} has the wrong company name", "Cannot log in after password reset",
                         "Where is my order {order}?")
}


class _Weighted:
    """Values drawn with the given weights."""

    def __init__(self, pairs: tuple[tuple[Any, int], ...]) -> None:
        self.values = [value for value, _ in pairs]
        self.bounds = list(accumulate(weight for _, weight in pairs))

    def __call__(self, rng: random.Random) -> Any:
        return self.values[bisect(self.bounds, rng.random() * self.bounds[-1])]


STATUS_WEIGHTS = (("new", 11), ("open", 9), ("answered", 17), ("resolved", 48), ("postponed", 5),
                   ("spam", 5), ("deleted", 5))
PRIORITY_WEIGHTS = (("normal", 66), ("high", 17), ("low", 10), ("urgent", 7))
STATUS = _Weighted(STATUS_WEIGHTS)
PRIORITY = _Weighted(PRIORITY_WEIGHTS)
_DEPARTMENT = _Weighted(DEPARTMENT_WEIGHTS)
_ROUNDS = _Weighted(((1, 50), (2, 33), (3, 17)))
# How long, on average, an agent takes to answer, by priority.
_ANSWER_TIME = {"urgent": 40 * MINUTE, "high": 2 * HOUR, "normal": 6 * HOUR, "low": 16 * HOUR}

_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


def _pdf(title: str) -> bytes:
    return (
        "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\n"
        f"% {title}\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    ).encode("latin-1", "replace")


class Step(NamedTuple):
    kind: str
    gap: int  # seconds after the previous step
    args: tuple[Any, ...] = ()


class Author:
    """Writes the scripts of tickets: who does what, when, and the words they use."""

    def __init__(self, rng: random.Random, now: int) -> None:
        self.rng = rng
        self.now = now
        self.by_department: dict[str, list[Agent]] = {d: [] for d in DEPARTMENTS}
        for agent in AGENTS:
            self.by_department[agent.department].append(agent)
        self.active = {d: [a for a in team if a.active] for d, team in self.by_department.items()}
        self.former = {d: [a for a in team if not a.active] for d, team in self.by_department.items()}
        self.topics: dict[str, list[Topic]] = {d: [t for t in TOPICS if t.department == d] for d in DEPARTMENTS}

    # -- words --------------------------------------------------------------------------
    def fill(self, template: str, details: Details) -> str:
        return template.format_map(details)

    def customer_text(self, customer: Customer, text: str) -> str:
        r = self.rng
        country = customer.country
        signature = customer.first
        if customer.company and r.random() < 0.5:
            signature += f"\n{customer.company}"
        if customer.phone and r.random() < 0.3:
            signature += f"\n{customer.phone}"
        return f"{r.choice(country.greetings)}\n\n{text}\n\n{r.choice(country.signoffs)}\n{signature}"

    def agent_text(self, agent: Agent, customer: Customer, department: str | None, text: str) -> str:
        return (f"Hi {customer.first},\n\n{text}\n\nBest regards,\n{agent.full_name}\n"
                f"{department or 'Customer'} Support")

    def attachments(self, topic: Topic | None, details: Details) -> tuple[tuple[str, str, bytes], ...]:
        r = self.rng
        department = topic.department if topic else "Technical"
        if department == "Billing":
            invoice = details["invoice"]
            return ((f"{invoice}.pdf", "application/pdf", _pdf(invoice)),)
        if department == "Shipping":
            return ((f"photo_{r.randint(1000, 9999)}.png", "image/png", _PNG),)
        if r.random() < 0.5:
            log = "\n".join(
                f"2024-01-0{1 + i % 9}T10:{i:02d}:00Z ERROR sync {details['error']} retry={i}" for i in range(12)
            )
            return (("sync.log", "text/plain", log.encode()),)
        return (("screenshot.png", "image/png", _PNG),)

    # -- agents ---------------------------------------------------------------------------
    def agent_for(self, department: str, created: int) -> Agent:
        """Someone from the department; a former colleague took some of the older tickets."""
        if self.now - created > _FORMER_UNTIL:
            former = self.former[department]
            if former and self.rng.random() < 0.5:
                return self.rng.choice(former)
        return self.rng.choice(self.active[department])


@dataclass
class Plan:
    """A ticket to be: the customer, the first message and the steps after it."""

    customer: Customer
    email: str
    subject: str
    body: str
    token: str | None
    attachments: tuple[tuple[str, str, bytes], ...]
    priority: str
    department: str | None
    age: int  # seconds before `now` the ticket was created
    steps: list[Step]


class Script:
    """Builds one ticket's steps, keeping track of its status as the steps will leave it."""

    def __init__(self, author: Author, customer: Customer, topic: Topic | None, details: Details,
                 department: str | None, priority: str, agent: Agent) -> None:
        self.author = author
        self.rng = author.rng
        self.random = author.rng.random
        self.customer = customer
        self.topic = topic
        self.details = details
        self.department = department  # as it will be after triage
        self.priority = priority
        self.steps: list[Step] = []
        self.status = "new"
        self.agent = agent

    def _gap(self, mean: float, minimum: int = 0) -> int:
        """Exponentially distributed, like the time until the next e-mail (random.expovariate)."""
        return minimum + int(-log(1.0 - self.random()) * mean)

    def _agent(self) -> Agent:
        return self.agent

    # -- steps ----------------------------------------------------------------------------
    def triage(self, *, assign: bool = True, tags: bool = True, created_without_department: bool = False,
               initial_priority: str | None = None) -> None:
        r = self.rng
        if created_without_department and self.department:
            agent = self._agent()
            self.steps.append(Step("department", self._gap(20 * MINUTE, 30), (agent.name, self.department)))
        if assign:
            agent = self._agent()
            # Usually the agent takes the ticket themselves; sometimes a lead hands it out.
            actor = agent.name if r.random() < 0.7 else "tom"
            self.steps.append(Step("assign", self._gap(25 * MINUTE, 20), (actor, agent.name)))
        if initial_priority and initial_priority != self.priority:
            self.steps.append(Step("priority", self._gap(10 * MINUTE, 10), (self._agent().name, self.priority)))
        if tags and self.topic and r.random() < 0.6:
            wanted = list(self.topic.tags[: 1 + int(r.random() < 0.5)])
            if self.customer.vip:
                wanted.append("vip")
            if self.priority == "urgent" and r.random() < 0.3:
                wanted.append("escalated")
            self.steps.append(Step("tag", self._gap(3 * MINUTE, 5), (self._agent().name, wanted, [])))

    def customer_writes(self, text: str, mean_gap: float = 10 * HOUR) -> None:
        body = self.author.customer_text(self.customer, text)
        token = f"{self.rng.getrandbits(40):010x}"
        attachments = self.author.attachments(self.topic, self.details) if self.random() < 0.07 else ()
        self.steps.append(Step("customer", self._gap(mean_gap, 60), (body, token, attachments)))
        if self.status in ("answered", "resolved", "postponed"):
            self.status = "open"

    def agent_replies(self, template: str) -> None:
        agent = self._agent()
        text = self.author.fill(template, self.details)
        body = self.author.agent_text(agent, self.customer, self.department, text)
        self.steps.append(Step("reply", self._gap(_ANSWER_TIME[self.priority], 60), (agent.name, body)))
        self.status = "answered"

    def agent_notes(self, template: str, mean_gap: float = 15 * MINUTE) -> None:
        self.steps.append(Step("note", self._gap(mean_gap, 30), (self._agent().name, self.author.fill(template, self.details))))

    def act(self, kind: str, mean_gap: float, *args: Any) -> None:
        self.steps.append(Step(kind, self._gap(mean_gap, 30), (self._agent().name, *args)))
        if kind == "resolve":
            self.status = "resolved"
        elif kind == "reopen":
            self.status = "open"

    # -- conversations --------------------------------------------------------------------
    def conversation(self, rounds: int, *, end_with_customer: bool = False) -> None:
        """Replies and customer answers in turn, with the odd internal note; ends with a reply."""
        r = self.rng
        topic = self.topic
        assert topic is not None
        for i in range(rounds):
            if r.random() < 0.2:
                self.agent_notes(r.choice(topic.notes + GENERIC_NOTES))
            last = i == rounds - 1
            self.agent_replies(r.choice(topic.solutions + topic.replies if last else topic.replies))
            if i < rounds - 1 or end_with_customer:
                self.customer_writes(self.author.fill(r.choice(topic.followups), self.details))


def _rounds(rng: random.Random, low: int = 1) -> int:
    return max(low, _ROUNDS(rng))


def _age(rng: random.Random, status: str) -> int:
    """How long ago a ticket that ends in `status` was created."""
    if status == "new":
        age = rng.expovariate(1 / (1.5 * DAY))
    elif status == "open":
        age = rng.expovariate(1 / (5 * DAY))
    elif status == "answered":
        age = rng.expovariate(1 / (4 * DAY))
    elif status == "postponed":
        age = rng.uniform(1 * DAY, 30 * DAY)
    else:
        age = rng.uniform(0.3 * DAY, SPAN)
    return int(min(SPAN, max(10 * MINUTE, age)))


def script_ticket(author: Author, customer: Customer, status: str, priority: str) -> Plan:
    """A plausible life for a ticket that is to end in `status`."""
    r = author.rng
    now = author.now
    age = _age(r, status)

    if status == "spam":
        subject, body = r.choice(SPAM)
        sender = r.choice(SPAM_SENDERS)
        spammer = Customer(sender, "", "", None, None, customer.country, False)
        details = Details(r, now, spammer, "Sales")
        details["company_or_name"] = customer.company or "your company"
        script = Script(author, spammer, None, details, None, "normal",
                         author.agent_for(r.choice(DEPARTMENTS), now - age))
        if r.random() < 0.15:  # first thrown away, then recognised as spam
            script.act("delete", 3 * HOUR)
        script.act("spam", 2 * HOUR)
        return Plan(spammer, sender, author.fill(subject, details), author.fill(body, details), None, (),
                     "normal" if r.random() < 0.8 else "low", None, age, script.steps)

    if status == "deleted" and r.random() < 0.4:  # a test message or an auto-reply
        subject, text = r.choice(DELETE_BODIES)
        details = Details(r, now, customer, "Technical")
        script = Script(author, customer, None, details, None, priority,
                         author.agent_for(r.choice(DEPARTMENTS), now - age))
        script.act("delete", 4 * HOUR)
        return Plan(customer, customer.email, subject, text, None, (), priority, None, age, script.steps)

    native = NATIVE_TOPICS.get(customer.country.code)
    department = _DEPARTMENT(r)
    topic = r.choice(author.topics[department])
    details = Details(r, now, customer, department)
    if native and r.random() < 0.08:
        department, subject_template, text = r.choice(native)
        topic = _NATIVE_TOPIC[department]
        details.department = department
        subject = author.fill(subject_template, details)
        body = author.customer_text(customer, author.fill(text, details))
    else:
        subject = author.fill(r.choice(topic.subjects), details)
        body = author.customer_text(customer, author.fill(r.choice(topic.openings), details))
    if customer.vip and priority in ("normal", "low"):
        priority = "high"
    initial_priority = priority
    if r.random() < 0.06:  # created with one priority, changed at triage
        initial_priority = r.choice([p for p in RANKS if p != priority])
    created_without_department = r.random() < 0.12

    script = Script(author, customer, topic, details, department, priority, author.agent_for(department, now - age))
    token = f"{r.getrandbits(40):010x}"
    attachments = author.attachments(topic, details) if r.random() < 0.07 else ()

    def triage(**kwargs: Any) -> None:
        script.triage(created_without_department=created_without_department,
                      initial_priority=initial_priority, **kwargs)

    if status == "new":
        triage(assign=r.random() < 0.35, tags=r.random() < 0.5)
        if r.random() < 0.2:
            script.customer_writes(author.fill(r.choice(CHASERS), details), mean_gap=20 * HOUR)
        if r.random() < 0.15:
            script.agent_notes(r.choice(topic.notes + GENERIC_NOTES))
    elif status == "open":
        triage()
        way = r.random()
        script.conversation(_rounds(r))
        if way < 0.7:
            script.customer_writes(author.fill(r.choice(topic.followups), details))
        elif way < 0.82:
            script.act("resolve", 1 * DAY)
            script.customer_writes(author.fill(r.choice(COMEBACKS), details), mean_gap=2 * DAY)
        elif way < 0.92:
            script.act("resolve", 1 * DAY)
            script.agent_notes("Customer called: the problem is back, reopening.", mean_gap=DAY)
            script.act("reopen", 10 * MINUTE)
        else:
            script.customer_writes(author.fill(r.choice(topic.followups), details))
            script.agent_notes(r.choice(POSTPONE_NOTES), mean_gap=HOUR)
            script.act("postpone_past", 10 * MINUTE)
            script.steps.append(Step("wake", int(r.uniform(0.5 * DAY, 4 * DAY))))
    elif status == "answered":
        triage()
        script.conversation(_rounds(r))
        if r.random() < 0.08:
            script.act("postpone_past", 10 * MINUTE)
            script.steps.append(Step("wake", int(r.uniform(0.5 * DAY, 3 * DAY))))
    elif status == "resolved":
        triage()
        way = r.random()
        if way < 0.08:  # closed without an answer
            script.agent_notes(r.choice(DUPLICATE_NOTES), mean_gap=2 * HOUR)
            script.act("resolve", 5 * MINUTE)
        else:
            script.conversation(_rounds(r))
            if way < 0.35:
                script.customer_writes(author.fill(r.choice(THANKS), details), mean_gap=5 * HOUR)
                if r.random() < 0.5:
                    script.agent_replies(r.choice(WELCOMES))
                script.act("resolve", 20 * MINUTE)
            elif way < 0.42:  # resolved, back, resolved again
                script.act("resolve", 30 * MINUTE)
                script.customer_writes(author.fill(r.choice(COMEBACKS), details), mean_gap=2 * DAY)
                script.agent_replies(r.choice(topic.replies))
                script.act("resolve", 2 * DAY)
            elif way < 0.7:
                script.act("resolve", 10 * MINUTE)
            else:  # no answer from the customer for a few days
                script.act("resolve", 4 * DAY)
    elif status == "postponed":
        triage()
        way = r.random()
        if way < 0.55:
            script.conversation(_rounds(r))
        elif way < 0.85:
            script.conversation(_rounds(r), end_with_customer=True)
        script.agent_notes(r.choice(POSTPONE_NOTES), mean_gap=HOUR)
        script.act("postpone_future", 10 * MINUTE)
    elif status == "deleted":
        triage(tags=False)
        if r.random() < 0.5:
            script.conversation(_rounds(r))
            script.act("resolve", DAY)
        script.act("delete", 2 * DAY)
        if r.random() < 0.2:  # deleted by mistake, restored, deleted again later
            script.act("restore", 30 * MINUTE)
            script.act("delete", 2 * DAY)

    if status not in ("new", "spam", "deleted") and r.random() < 0.04:
        # Handed over to a colleague half-way.
        others = [a for a in AGENTS if a.active and a.name != script.agent.name]
        position = r.randint(1, len(script.steps)) if script.steps else 0
        if position < len(script.steps) and script.steps[position].kind not in ("wake",):
            script.steps.insert(position, Step("assign", script._gap(HOUR, 60), ("tom", r.choice(others).name)))

    return Plan(customer, customer.email, subject, body, token, attachments, initial_priority,
                 None if created_without_department else department, age, script.steps)
