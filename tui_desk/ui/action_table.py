"""Every action of the main screen, said once: its key, label, help line and palette entry.

The key bindings (with ids, so `[keys]` in the config file can rebind them), the
footer (the bindings shown), the help screen and the command palette are all made
from `ACTIONS`; adding an action is one entry here and its `action_` method. Texts
are English source strings (``N_``), translated where they are shown.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from textual.binding import Binding, BindingType
from textual.keys import Keys, _normalize_key_list, format_key, key_to_character

from ..i18n import N_, _


@dataclass(frozen=True)
class Action:
    id: str  # the binding id, and the name under [keys] in the config file
    keys: str  # the default key(s), Textual names, comma-separated; "" for palette-only actions
    label: str  # the binding's (footer's) description
    group: str  # the help section
    help: str | None = None  # the help line; None: the key joins the row above (`] / [`)
    call: str | None = None  # the Textual action when not `id`, e.g. "view('all')" or "app.quit"
    palette: str | None = None  # the palette title when not `label`
    palette_help: str | None = None  # the palette's line when not `help`
    in_palette: bool = True
    footer: int | None = None  # place in the footer; None: not shown there
    tooltip: str | None = None
    help_keys: str | None = None  # shown in the help instead of the key (palette-only actions)
    needs_ticket: bool = False  # refuses, said, without a selected ticket whose thread could be read
    takes_marked: bool = False  # acts on every marked ticket when some are marked

    @property
    def action(self) -> str:
        return self.call or self.id


@dataclass(frozen=True)
class HelpNote:
    """A help row for keys bound elsewhere (the inbox list, the editor), not an action of the screen."""

    keys: str
    text: str
    group: str
    translate_keys: bool = False


MOVE, ACT, MARKED, VIEWS, LAYOUT, SAVED_REPLIES, APP = (
    N_("Move"), N_("Act on the ticket"), N_("Marked tickets"), N_("Views"), N_("Layout"), N_("Saved replies"), N_("App"),
)

ACTIONS: list[Action | HelpNote] = [
    HelpNote("j / ↓, k / ↑", N_("Next / previous ticket"), MOVE),
    HelpNote("g / G", N_("First / last ticket"), MOVE),
    HelpNote("PgDn / PgUp", N_("Page down / up"), MOVE),
    Action("next_ticket", "right_square_bracket", N_("Next ticket"), MOVE, N_("Next / previous ticket from any pane"),
           palette_help=N_("Open the next ticket")),
    Action("previous_ticket", "left_square_bracket", N_("Previous ticket"), MOVE,
           palette_help=N_("Open the previous ticket")),
    HelpNote("Enter", N_("Read the thread"), MOVE),
    HelpNote("Tab / Shift+Tab", N_("Next / previous pane"), MOVE),
    Action("back_to_inbox", "escape", N_("Back"), MOVE, N_("Back to the inbox; clear search and filters")),
    Action("to_solve", "s", N_("To solve"), MOVE, N_("To solve: jump to the ticket that most needs an answer"),
           palette_help=N_("Jump to the ticket that most needs an answer"), footer=5,
           tooltip=N_("Jump to the ticket that most needs an answer")),
    Action("customer_tickets", "C", N_("Customer's tickets"), MOVE, N_("The customer's other tickets: pick one to go to it"),
           palette=N_("Customer's other tickets…"), needs_ticket=True),
    Action("go_to", "number_sign", N_("Go to ticket"), MOVE, N_("Go to a ticket by its number"), palette=N_("Go to ticket…")),

    Action("reply", "r", N_("Reply"), ACT, N_("Reply to the customer (Ctrl+S sends, Esc cancels)"),
           palette_help=N_("Answer the customer"), footer=1, tooltip=N_("Answer the customer"), needs_ticket=True),
    Action("note", "n", N_("Note"), ACT, N_("Internal note"), palette=N_("Internal note"),
           palette_help=N_("Add a note only agents see"), footer=2, tooltip=N_("Internal note, never sent"), needs_ticket=True),
    Action("resolve", "e", N_("Resolve"), ACT, N_("Resolve"), palette_help=N_("Mark the ticket resolved"), footer=3, needs_ticket=True, takes_marked=True),
    Action("postpone", "p", N_("Postpone"), ACT, N_("Postpone (1 hour, tomorrow, next week or a typed time)"),
           palette_help=N_("Hide the ticket until a time"), footer=4, needs_ticket=True, takes_marked=True),
    Action("reopen", "o", N_("Reopen"), ACT, N_("Reopen"), palette_help=N_("Reopen a resolved ticket"), needs_ticket=True, takes_marked=True),
    Action("spam", "exclamation_mark", N_("Spam"), ACT, N_("Mark as spam"), palette=N_("Mark as spam"),
           palette_help=N_("Move the ticket to Spam"), needs_ticket=True, takes_marked=True),
    Action("delete", "d", N_("Delete"), ACT, N_("Delete (asks first)"), palette_help=N_("Move the ticket to Deleted"), needs_ticket=True, takes_marked=True),
    Action("restore", "R", N_("Restore"), ACT, N_("Restore from Spam or Deleted"),
           palette_help=N_("Bring back from Spam or Deleted"), needs_ticket=True, takes_marked=True),
    Action("assign", "a", N_("Assign"), ACT, N_("Assign"), palette_help=N_("Give the ticket to an agent"), needs_ticket=True, takes_marked=True),
    Action("priority", "P", N_("Priority"), ACT, N_("Set priority"), palette=N_("Set priority"),
           palette_help=N_("Urgent, high, normal or low"), needs_ticket=True, takes_marked=True),
    Action("tags", "t", N_("Tags"), ACT, N_("Edit tags"), palette=N_("Edit tags"), palette_help=N_("Add or remove tags"), needs_ticket=True, takes_marked=True),
    Action("custom_status", "c", N_("Custom status"), ACT, N_("Set a custom status"), palette=N_("Set custom status"),
           palette_help=N_("One of the team's own statuses"), needs_ticket=True, takes_marked=True),
    Action("department", "D", N_("Department"), ACT, N_("Set department"), palette=N_("Set department"),
           palette_help=N_("Move the ticket to a department"), needs_ticket=True, takes_marked=True),
    Action("merge", "M", N_("Merge"), ACT, N_("Merge: the marked tickets into this one, or this one into another"),
           palette_help=N_("Merge the marked tickets into this one, or this one into another"), needs_ticket=True, takes_marked=True),
    Action("split", "S", N_("Split"), ACT, N_("Split one of the customer's messages off into a new ticket"),
           palette_help=N_("Split a customer's message off into a new ticket"), needs_ticket=True),
    # Not in the footer: at 80 columns the eight there leave no room (English included).
    Action("forward", "F", N_("Forward"), ACT, N_("Forward a message with its files to a third party (Ctrl+S sends)"),
           palette=N_("Forward a message…"), palette_help=N_("To a supplier or colleague; the customer gets nothing"),
           needs_ticket=True),
    Action("save_attachments", "A", N_("Attachments"), ACT,
           N_("The ticket's attachments: save one (or all) to your downloads folder, or open one"),
           palette=N_("Attachments…"), palette_help=N_("Save to your downloads folder or open with the system's program"),
           needs_ticket=True),
    # Not in the footer (no room at 80 columns in every language): each bulk notice names it.
    Action("undo", "u", N_("Undo"), ACT, N_("Undo your last action (bulk ones too)"),
           palette_help=N_("Take back your last action"), tooltip=N_("Take back your last action")),

    HelpNote("Space", N_("Mark / unmark the ticket and move down"), MARKED, translate_keys=True),
    Action("mark_all", "asterisk", N_("Mark all"), MARKED, N_("Mark every ticket of the view or search (again: unmark)"),
           palette_help=N_("Mark every ticket of the view or search")),
    HelpNote("Esc", N_("Clear the marks"), MARKED),
    HelpNote("e p a t …", N_("Act on all the marked tickets; each is changed or named as refused"), MARKED),

    # The palette lists every view, custom statuses too, as "View: NAME" (Panes.views).
    *(
        Action(f"view_{key}", str(number), label, VIEWS,
               N_("Needs attention, All, Answered, Postponed, Resolved, Spam, Deleted") if number == 1 else None,
               call=f"view('{key}')", in_palette=False)
        for number, (key, label) in enumerate(
            [("attention", N_("Needs attention")), ("all", N_("All")), ("answered", N_("Answered")),
             ("postponed", N_("Postponed")), ("resolved", N_("Resolved")), ("spam", N_("Spam")), ("deleted", N_("Deleted"))],
            start=1,
        )
    ),
    Action("pick_view", "v", N_("View"), VIEWS, N_("Pick a view (custom statuses and saved views too)")),
    Action("save_view", "V", N_("Save view"), VIEWS, N_("Save the view, filter, search and sort under a name"),
           palette=N_("Save view as…"), tooltip=N_("Save the view, filter, search and sort under a name")),
    Action("previous_saved_view", "left_curly_bracket", N_("Previous saved view"), VIEWS,
           N_("Previous / next saved view (the tabs above the inbox)"), call="saved_view(-1)"),
    Action("next_saved_view", "right_curly_bracket", N_("Next saved view"), VIEWS, call="saved_view(1)",
           palette_help=N_("Previous / next saved view (the tabs above the inbox)")),
    Action("search", "slash", N_("Search"), VIEWS, N_("Search subjects and messages"), footer=6),
    Action("filter", "f", N_("Filter"), VIEWS, N_("Filter by assignee, department, tag, status or priority"),
           palette_help=N_("By assignee, department, tag, status or priority")),
    # Reads the thread again, so it is the one key that may follow a failed load.
    Action("whole_thread", "m", N_("Whole thread"), VIEWS, N_("Show the whole thread of a long ticket")),
    Action("full_text", "w", N_("Full text"), VIEWS, N_("Read long messages whole (the thread shows the start of each)"),
           palette_help=N_("Read long messages whole"), tooltip=N_("Read long messages whole"), needs_ticket=True),
    # Not in the footer (no room at 80 columns): every fold line names its key.
    Action("toggle_quotes", "Z", N_("Quoted text"), VIEWS, N_("Unfold / fold the quoted mail and signatures in the customer's messages"),
           palette=N_("Show / hide quoted text"), palette_help=N_("Unfold or fold what the customer's mail repeats"),
           needs_ticket=True),
    Action("toggle_order", "O", N_("Sort: priority / SLA"), VIEWS, N_("Sort by priority and waiting time, or by SLA due time"),
           palette=N_("Sort by SLA due / by priority"), palette_help=N_("Switch the inbox order")),

    Action("toggle_timeline", "T", N_("Timeline on/off"), LAYOUT, N_("Show / hide the timeline"),
           palette=N_("Toggle timeline"), palette_help=N_("Show or hide the timeline pane")),
    Action("zoom", "z", N_("Zoom pane"), LAYOUT, N_("Zoom the focused pane (Esc restores)")),
    Action("toggle_history", "H", N_("History on/off"), LAYOUT,
           N_("Show / hide the customer's other tickets under the thread (Enter opens one)"),
           palette=N_("Toggle customer history"), palette_help=N_("The customer's other tickets under the thread")),
    Action("inbox_smaller", "less_than_sign", N_("Inbox smaller"), LAYOUT, N_("Inbox smaller / larger"),
           call="resize_inbox(-3)"),
    Action("inbox_larger", "greater_than_sign", N_("Inbox larger"), LAYOUT, call="resize_inbox(3)",
           palette_help=N_("Inbox smaller / larger")),

    HelpNote("Ctrl+T", N_("In the reply or note editor: insert a saved reply (type to filter, Enter inserts)"), SAVED_REPLIES),
    HelpNote("Ctrl+O", N_("In the reply or note editor: attach a file (Delete in the list under the text removes one)"), SAVED_REPLIES),
    HelpNote("Shift+Tab", N_("In the reply editor: to the Cc field (changing it sets this reply's and the ticket's Cc)"), SAVED_REPLIES),
    Action("saved_replies", "", N_("Saved replies"), SAVED_REPLIES, N_("“Saved replies”: add, edit, rename or delete them"),
           palette_help=N_("Add, edit, rename or delete reply templates"), help_keys="Ctrl+P"),

    Action("reports", "x", N_("Reports"), APP, N_("Reports: backlog, response times, SLAs, tags (7 / 3 / 9 days, b groups)"),
           palette_help=N_("Backlog, response and resolution times, SLA compliance, tags"), footer=7,
           tooltip=N_("Backlog, response times, SLAs, tags")),
    # Textual's own palette key, here so its label is translated and the help names it.
    Action("command_palette", "ctrl+p", N_("palette"), APP, N_("Command palette: every action by name"),
           call="app.command_palette", in_palette=False, tooltip=N_("Open the command palette")),
    Action("help", "question_mark", N_("Help"), APP, N_("This help"), palette_help=N_("All keys"), footer=8),
    # Textual's palette has its own Quit.
    Action("quit", "q", N_("Quit"), APP, N_("Quit"), call="app.quit", in_palette=False),
]

ACTION_BY_ID: dict[str, Action] = {a.id: a for a in ACTIONS if isinstance(a, Action)}


def actions() -> list[Action]:
    return [a for a in ACTIONS if isinstance(a, Action)]


def bindings() -> list[BindingType]:
    """The main screen's BINDINGS: the footer's keys first, in the footer's order."""
    bound = [a for a in actions() if a.keys]
    ordered = sorted((a for a in bound if a.footer is not None), key=lambda a: a.footer or 0)
    ordered += [a for a in bound if a.footer is None]
    return [
        Binding(
            a.keys,
            a.action,
            a.label,
            show=a.footer is not None,
            tooltip=a.tooltip or "",
            id=a.id,
            priority=a.id == "command_palette",  # over any focused widget, as Textual's own
        )
        for a in ordered
    ]


_KEY_NAMES = {
    "escape": "Esc", "enter": "Enter", "tab": "Tab", "space": N_("Space"), "pageup": "PgUp", "pagedown": "PgDn",
    "up": "↑", "down": "↓", "left": "←", "right": "→", "home": "Home", "end": "End", "delete": "Del",
    "backspace": "Backspace", "insert": "Ins",
}


def key_label(key: str) -> str:
    """A Textual key name as the help writes it: "question_mark" is ?, "ctrl+p" is Ctrl+P."""
    *modifiers, base = key.split("+")
    if base in _KEY_NAMES:
        shown = _(_KEY_NAMES[base])
    else:
        character = key_to_character(base) or format_key(base)
        shown = character if len(character) == 1 and character.isprintable() else base.capitalize()
        if modifiers and len(shown) == 1:
            shown = shown.upper()
    return "+".join([m.capitalize() for m in modifiers] + [shown])


def keys_label(keys: str) -> str:
    return ", ".join(key_label(k.strip()) for k in keys.split(",") if k.strip())


def _bound_keys(action: Action, keymap: Mapping[str, str]) -> str:
    return keymap.get(action.id) or action.keys


def help_sections(keymap: Mapping[str, str] | None = None) -> list[tuple[str, list[tuple[str, str]]]]:
    """The help screen: every action and note, by group, with the keys bound now."""
    keymap = keymap or {}
    sections: dict[str, list[tuple[str, str]]] = {}
    shared: list[str] = []  # the keys of the last row, when the next actions join it
    for entry in ACTIONS:
        rows = sections.setdefault(_(entry.group), [])
        if isinstance(entry, HelpNote):
            rows.append((_(entry.keys) if entry.translate_keys else entry.keys, _(entry.text)))
            continue
        shown = entry.help_keys or keys_label(_bound_keys(entry, keymap))
        if entry.help is None and rows:  # `] / [`, `1 … 7`: one row for a pair or a run
            shared.append(shown)
            label = " / ".join(shared) if len(shared) == 2 else f"{shared[0]} … {shared[-1]}"
            rows[-1] = (label, rows[-1][1])
        else:
            shared = [shown]
            rows.append((shown, _(entry.help or entry.label)))
    return list(sections.items())


def palette_entries(keymap: Mapping[str, str] | None = None) -> Iterator[tuple[Action, str, str]]:
    """(action, title, help) of each action the palette lists, translated; the help starts with its keys."""
    for action in actions():
        if action.in_palette:
            text = _(action.palette_help or action.help or action.label)
            keys = keys_label(_bound_keys(action, keymap or {}))
            yield action, _(action.palette or action.label), f"{keys} · {text}" if keys else text


def check_keymap(config: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """The `[keys]` of the config file as a Textual keymap, and what was wrong in it."""
    keymap: dict[str, str] = {}
    problems: list[str] = []
    for action_id, keys in config.items():
        action = ACTION_BY_ID.get(action_id)
        if action is None or not action.keys:
            problems.append(_("[keys] {name}: no such action").format(name=action_id))
            continue
        names = [k.strip() for k in keys.split(",")]
        bad = [k for k in names if not _valid_key(k)]
        if bad or not names:
            problems.append(_("[keys] {name}: not a key: {key}").format(name=action_id, key=", ".join(bad) or keys))
            continue
        keymap[action_id] = ",".join(names)
    # Textual gives a key to the action rebound to it and takes it from the one that had it.
    bound: dict[str, list[str]] = {}
    for action in actions():
        for key in _normalize_key_list(keymap.get(action.id) or action.keys).split(","):
            if key:
                bound.setdefault(key, []).append(action.id)
    for action_id, keys in keymap.items():
        for key in _normalize_key_list(keys).split(","):
            others = [other for other in bound.get(key, []) if other != action_id]
            if others:
                problems.append(
                    _("[keys] {name}: {key} is the key of {other} too").format(
                        name=action_id, key=key, other=", ".join(others)
                    )
                )
    return keymap, problems


_MODIFIERS = {"ctrl", "shift", "alt", "meta", "super", "hyper"}
_KEY_VALUES = {k.value for k in Keys}


def _valid_key(key: str) -> bool:
    if len(key) == 1:
        return key.isprintable()
    *modifiers, base = key.split("+")
    if not base or any(m not in _MODIFIERS for m in modifiers):
        return False
    if len(base) == 1 or base in _KEY_NAMES or base in _KEY_VALUES or f"ctrl+{base}" in _KEY_VALUES:
        return True
    try:
        unicodedata.lookup(base.replace("_", " "))
    except KeyError:
        return False
    return True

