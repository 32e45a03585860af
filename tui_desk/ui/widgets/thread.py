"""The thread pane: the selected ticket's header and every message in order."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from functools import partial

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.text import Text

from ...domain.models import Message, MessageKind, Ticket, priority_label
from ...domain.quoting import SIGNATURE, Fold, folds
from ...domain.text import one_line, printable
from ...i18n import N_, _, ngettext, number, pgettext
from ..format import cut_text, local_time
from .part_lines import Deferred
from .text_pane import TextPane

# Long threads: the latest messages are drawn, older ones behind a key.
DEFAULT_MESSAGE_LIMIT = 200
# Long messages: the pane draws the start of each, the whole text is behind `w`. Bounds on
# characters and lines, per message and per thread (the latest messages get the budget
# first), keep any mail to a few milliseconds and a few MB of drawing.
MESSAGE_CHARS = 20_000
MESSAGE_LINES = 400
THREAD_CHARS = 200_000
# A header is one line in mail, but nothing bounds it: a subject or a name of megabytes
# would wrap into thousands of rows. Attachments are listed up to a count, then counted.
FIELD_CHARS = 1_000
ATTACHMENTS_SHOWN = 50
ADDRESSES_SHOWN = 10  # a Cc line stays one line; `tui-desk show` lists them all

_KIND_STYLE: dict[str, tuple[str, str]] = {
    MessageKind.CUSTOMER: ("blue", "bold blue"),
    MessageKind.REPLY: ("green", "bold green"),
    MessageKind.NOTE: ("yellow", "bold yellow"),
}


def kind_label(kind: str) -> str:
    return {
        MessageKind.CUSTOMER: _("Customer"),
        MessageKind.REPLY: pgettext("message", "Reply"),  # a noun here; the key "Reply" is the verb
        MessageKind.NOTE: _("Internal note"),
    }.get(kind, kind)  # type: ignore[call-overload]


def fold_line(fold: Fold, key: str) -> str:
    if fold.kind == SIGNATURE:
        text = ngettext("… signature, {n} line ({key} unfolds)", "… signature, {n} lines ({key} unfolds)", fold.lines)
    else:
        text = ngettext("… {n} quoted line ({key} unfolds)", "… {n} quoted lines ({key} unfolds)", fold.lines)
    return text.format(n=fold.lines, key=key)


def body_text(body: str, fold: bool, key: str) -> tuple[Text, int]:
    """The body as the pane shows it, quotes and signature folded when `fold`; and how many folds.

    Each piece of the sender's text goes through `printable` (the one sanitiser); the fold
    lines are the desk's own words. `body` is `_shown_body`'s.
    """
    spans = folds(body) if fold else []
    if not spans:
        return Text(printable(body) or " "), 0
    lines = body.split("\n")
    text = Text()
    at = 0
    for span in spans:
        text.append(printable("\n".join(lines[at : span.start] + [""])))
        text.append(fold_line(span, key), style="dim italic")
        at = span.end
        if at < len(lines):
            text.append("\n")
    if at < len(lines):
        text.append(printable("\n".join(lines[at:])))
    return text, len(spans)


def message_renderable(
    message: Message, chars: int = MESSAGE_CHARS, fold_quotes: bool = False, unfold_key: str = "Z"
) -> RenderableType:
    return message_parts(message, chars, fold_quotes, unfold_key)[0]


def message_parts(
    message: Message, chars: int = MESSAGE_CHARS, fold_quotes: bool = False, unfold_key: str = "Z"
) -> tuple[RenderableType, int]:
    """A coloured header line and the indented body, cut to `chars`: far cheaper to draw than a Panel.

    In a customer's mail the quoted older mail and the signature are folded when `fold_quotes`
    (docs/issue15/reading.md); the desk's own replies and notes never are.
    """
    colour, title_style = _KIND_STYLE.get(message.kind, ("white", "bold"))
    header = Text.assemble(
        ("▌ ", colour),
        (kind_label(message.kind), title_style),
        " · ",
        (one_line(message.author[:FIELD_CHARS], FIELD_CHARS), colour),
        " · ",
        (local_time(message.created_at), "dim"),
    )
    body, left_out = _shown_body(message, chars)
    shown, folded = body_text(body, _folds_quotes(message, fold_quotes), unfold_key)
    parts: list[RenderableType] = [header]
    if message.cc:  # who else reads this conversation: a reply-all copies them
        parts.append(_address_line(_("Cc"), message.cc))
    if message.reply_to and message.kind == MessageKind.CUSTOMER:  # the reply goes there, not to the author
        parts.append(_address_line(_("Reply-To"), (message.reply_to,)))
    parts.append(Padding(shown, (0, 0, 0, 2)))
    if left_out:
        parts.append(
            Text(
                "  " + ngettext(
                    "… {n} more character not shown; press w to read the full text",
                    "… {n} more characters not shown; press w to read the full text",
                    left_out,
                ).format(n=number(left_out)),
                style="dim italic",
            )
        )
    for attachment in message.attachments[:ATTACHMENTS_SHOWN]:
        parts.append(
            Text.assemble(
                ("  📎 ", ""),
                (one_line(attachment.filename[:FIELD_CHARS], FIELD_CHARS), "underline"),
                (f"  {one_line(attachment.content_type[:FIELD_CHARS], FIELD_CHARS)}, {attachment.size:,} B", "dim"),
            )
        )
    if len(message.attachments) > ATTACHMENTS_SHOWN:
        more = len(message.attachments) - ATTACHMENTS_SHOWN
        parts.append(Text("  " + ngettext("… {n} more attachment", "… {n} more attachments", more).format(n=number(more)), style="dim italic"))
    parts.append(Text(""))
    return Group(*parts), folded


def fold_count(message: Message, chars: int, fold_quotes: bool) -> int:
    """The folds `message_parts` makes in this message (what `Z` would unfold), without building it."""
    return len(folds(_shown_body(message, chars)[0])) if _folds_quotes(message, fold_quotes) else 0


def _folds_quotes(message: Message, fold_quotes: bool) -> bool:
    """Whether the message's quotes and signature fold: a customer's, when `fold_quotes`."""
    return fold_quotes and message.kind == MessageKind.CUSTOMER


def _shown_body(message: Message, chars: int) -> tuple[str, int]:
    """The body as far as the pane shows it (line ends as "\\n"), and how many characters are left out."""
    body, left_out = cut_text(message.body.rstrip(), chars, MESSAGE_LINES)
    return body.replace("\r\n", "\n"), left_out


def _address_line(label: str, addresses: tuple[str, ...]) -> Text:
    shown = ", ".join(addresses[:ADDRESSES_SHOWN])
    if len(addresses) > ADDRESSES_SHOWN:
        shown += f" (+{len(addresses) - ADDRESSES_SHOWN})"  # a number: no words to translate
    return Text.assemble(("  " + label + ": ", "dim"), (one_line(shown[:FIELD_CHARS], FIELD_CHARS), "dim"))


def header_renderable(
    ticket: Ticket, status_label: Callable[[str], str], sla_line: Text | None = None, presence: str = ""
) -> RenderableType:
    def field(text: str) -> str:
        return one_line(text[:FIELD_CHARS], FIELD_CHARS)

    customer = field(ticket.customer_email)
    if ticket.customer_name:
        customer = f"{field(ticket.customer_name)} <{customer}>"
    lines = [
        Text.assemble((f"#{ticket.id} ", "bold"), (field(ticket.subject), "bold")),
        Text.assemble(
            (_("Status") + ": ", "dim"),
            (status_label(ticket.status), "bold"),
            ("   " + _("Priority") + ": ", "dim"),
            priority_label(ticket.priority),
            ("   " + _("Assignee") + ": ", "dim"),
            one_line(ticket.assignee or "–"),
            ("   " + _("Department") + ": ", "dim"),
            one_line(ticket.department or "–"),
        ),
        Text.assemble((_("Customer") + ": ", "dim"), customer),
    ]
    if ticket.tags:
        lines.append(Text.assemble((_("Tags") + ": ", "dim"), field(", ".join(ticket.tags))))
    if ticket.postponed_until:
        lines.append(Text.assemble((_("Postponed until") + ": ", "dim"), local_time(ticket.postponed_until)))
    if ticket.merged_into is not None:
        lines.append(
            Text(_("Merged into #{id}: its thread and timeline are there").format(id=ticket.merged_into), style="bold")
        )
    if sla_line is not None and sla_line.plain:
        lines.append(Text.assemble((_("SLA") + ": ", "dim"), sla_line))
    if presence:  # "bob is replying": another agent is on this ticket now
        lines.append(Text("◉ " + presence, style="bold yellow"))
    return Padding(Group(*lines), (0, 0, 1, 0))


class ThreadView(TextPane):
    """Scrollable conversation; customer text is always shown literally."""

    BINDINGS = [
        ("j", "scroll_down", N_("Down")),
        ("k", "scroll_up", N_("Up")),
        ("g", "scroll_home", N_("Top")),
        ("G", "scroll_end", N_("Bottom")),
    ]

    DEFAULT_CSS = """
    ThreadView { padding: 0 1; background: $surface; }
    """

    def on_mount(self) -> None:
        self._header: tuple[Ticket, Callable[[str], str], Text | None] | None = None
        self.presence = ""
        self.unfold_key = "Z"  # the key named on fold lines; the screen sets the one bound
        self.unfolded_id: int | None = None  # the ticket whose quotes are unfolded, if any
        self.folded = 0  # folds in the thread shown
        self._messages: tuple[list[Message], int] = ([], 0)
        self.show(None, [], lambda key: key)

    def toggle_quotes(self) -> bool:
        """Unfold (or fold again) the quotes of the ticket shown; whether they are unfolded now."""
        if self._header is None:
            return False
        ticket_id = self._header[0].id
        self.unfolded_id = None if self.unfolded_id == ticket_id else ticket_id
        self.show_at_line(self._build_parts(*self._messages), round(self.scroll_offset.y))
        return self.unfolded_id == ticket_id

    def set_presence(self, presence: str) -> None:
        """Name who else is on the ticket shown (or nobody: ""), redrawing only its header."""
        if presence == self.presence:
            return
        self.presence = presence
        if self._header is not None and self._parts:
            parts = [header_renderable(*self._header, presence), *self._parts[1:]]
            self.keep_place(parts, self._keys)  # a line more or less above must not move the text read

    def show(
        self,
        ticket: Ticket | None,
        messages: list[Message],
        status_label: Callable[[str], str],
        hidden_earlier: int = 0,
        sla_line: Text | None = None,
        *,
        failed_id: int | None = None,
        presence: str = "",
    ) -> None:
        shown_id = self._header[0].id if self._header is not None else None
        self._header = None
        self.presence = presence
        self.folded = 0
        if failed_id is not None:
            # The app has said why; the pane must not go on showing another ticket.
            self.show_parts([Text(_("#{id} could not be read").format(id=failed_id), style="bold")], scroll_to_end=False)
            return
        if ticket is None:
            self.show_parts([Text(_("No ticket selected"), style="dim")], scroll_to_end=False)
            return
        self._header = (ticket, status_label, sla_line)
        if self.unfolded_id != ticket.id:  # another ticket starts folded; a reload keeps the choice
            self.unfolded_id = None
        earlier = self._messages[0]
        self._messages = (messages, hidden_earlier)
        parts = self._build_parts(messages, hidden_earlier)
        # The header and the "earlier messages" line are no anchors: they change, the messages stay.
        keys: list[Hashable | None] = [None] * (len(parts) - len(messages)) + [m.id for m in messages]
        if shown_id != ticket.id:
            self.show_parts(parts, keys=keys)  # another ticket opens at its latest message
            return
        # The same ticket again: a live refresh keeps the reader's place (the end if they were
        # there); `m` put earlier messages above what they read: they stay on it.
        first = earlier[0].id if earlier else None
        inserted = any(m.id == first for m in messages[1:])
        self.keep_place(parts, keys, edges=not inserted)

    def _build_parts(self, messages: list[Message], hidden_earlier: int) -> list[RenderableType]:
        assert self._header is not None
        ticket, status_label, sla_line = self._header
        fold = self.unfolded_id != ticket.id
        parts: list[RenderableType] = [header_renderable(ticket, status_label, sla_line, self.presence)]
        if hidden_earlier:
            parts.append(
                Text(
                    ngettext(
                        "{n} earlier message not shown; press m to show the whole thread",
                        "{n} earlier messages not shown; press m to show the whole thread",
                        hidden_earlier,
                    ).format(n=number(hidden_earlier)),
                    style="dim italic",
                )
            )
        budget = THREAD_CHARS
        drawn: list[RenderableType] = []
        self.folded = 0
        for message in reversed(messages):  # the latest first: they are what the agent answers
            share = min(MESSAGE_CHARS, budget)
            # Built when drawn: the pane draws what comes into view (docs/issue16/big-thread.md).
            drawn.append(Deferred(partial(message_renderable, message, share, fold, self.unfold_key)))
            self.folded += fold_count(message, share, fold)
            budget -= min(share, len(message.body))
        parts.extend(reversed(drawn))
        return parts
