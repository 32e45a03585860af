"""Issue 12, items 3 and 4: one sanitiser for every shown string, one set of rules for names.

Item 3: strings from mail and names users typed reach the terminal only through
core.text.printable / one_line: escapes, bidi controls and invisible characters are
made visible. Item 4: custom statuses, saved replies and tags are checked by
core.names, the same in the CLI and the app; a refusal is one line and changes nothing.
"""

from __future__ import annotations

import io
import json
import sys
import unicodedata

import pytest
from support import dump, run_cli

from tui_desk.core import names
from tui_desk.core.lifecycle import STATUS_ACTIONS, TicketService
from tui_desk.core.templates import add_template
from tui_desk.domain.errors import InvalidInput
from tui_desk.domain.text import one_line, printable
from tui_desk.store import Store, queries

pytestmark = pytest.mark.both_backends

ESC = "\x1b"
RLO = "\u202e"
# Characters that must never reach a terminal as they are (ESC, C1 CSI, bidi, invisible).
UNSAFE = (ESC, "\x9b", RLO, "\u202d", "\u2066", "\u200b", "\u200e", "\u061c", "\ufeff", "\u00ad", "\u2060")


def assert_safe(text: str) -> None:
    for char in UNSAFE:
        assert char not in text, f"U+{ord(char):04X} reached the output: {text!r}"


@pytest.fixture
def run(db_path, capsys, monkeypatch):
    """run("show", "1") -> (exit code, stdout, stderr)."""
    monkeypatch.setattr("sys.stdin", io.StringIO(""))

    def invoke(*args: str) -> tuple[int, str, str]:
        return run_cli(capsys, ["--db", str(db_path), "--as", "alice", *args])

    return invoke


def assert_refused(result: tuple[int, str, str], *words: str) -> None:
    code, out, err = result
    assert (code, out) == (1, ""), result
    assert err.count("\n") == 1 and err.startswith("tui-desk: "), err
    assert_safe(err)
    for word in words:
        assert word in err, err


# -- item 3: the sanitiser -----------------------------------------------------------------------
def test_item3_bidi_and_invisible_characters_are_made_visible() -> None:
    assert printable("invoice\u202efdp.exe") == "invoice<U+202E>fdp.exe"
    assert one_line("pay\u200bpal\u00ad \ufeffx") == "pay<U+200B>pal<U+00AD> <U+FEFF>x"
    for char in ("\u202a", "\u202b", "\u202c", "\u202d", "\u2066", "\u2067", "\u2068", "\u2069",
                 "\u200e", "\u200f", "\u061c", "\u200b", "\u200c", "\u200d", "\u2060", "\u2064", "\U000e0041"):
        assert printable(f"a{char}b") == f"a<U+{ord(char):04X}>b"
    assert printable("line\u2028break") == "line<U+2028>break"  # no line break a list would not expect
    assert printable("\udc80") == "<U+DC80>"  # a lone surrogate cannot even be encoded for a terminal
    assert printable("\x1b[8mhidden") == "␛[8mhidden" and "\x9b" not in printable("\x9b2J")


def test_item3_joiners_that_text_needs_are_kept() -> None:
    for word in ("👩\u200d💻", "🏳️\u200d🌈", "👩🏽\u200d🚀", "می\u200cخواهم", "क्\u200dष"):
        assert printable(word) == word
    assert printable("ad\u200dmin") == "ad<U+200D>min"  # between Latin letters it only hides
    assert printable("\u200d💻") == "<U+200D>💻"


def test_item3_every_format_character_of_this_python_is_shown() -> None:
    """A newer Unicode (a newer Python) cannot slip a format character past the list in text.py."""
    missed = [
        f"U+{code:04X}"
        for code in range(sys.maxunicode + 1)
        if unicodedata.category(chr(code)) in ("Cc", "Cf", "Zl", "Zp", "Cs")
        and chr(code) not in "\n\t"
        and printable(chr(code)) == chr(code)
    ]
    assert missed == []


@pytest.fixture
def hostile(service: TicketService, store: Store) -> int:
    """A ticket whose every customer string hides something: ESC, RLO, zero-width."""
    ticket = service.create_ticket(
        email="mallory@example.com",
        name="Mal\u200blory \u202eyrolam",
        subject="Your invoice\u202efdp.exe is ready",
        body="Open invoice\u202efdp.exe \x1b[8mnow",
        attachments=[("invoice\u202efdp.exe", "application/x-\x1b[8m", b"MZ"), ("a\u200b.txt", "text/plain\u2066", b"x")],
    )
    return ticket


def test_item3_show_prints_no_escape_or_bidi_control(run, hostile: int) -> None:
    code, out, err = run("show", str(hostile))
    assert (code, err) == (0, "")
    assert_safe(out)
    assert "📎 invoice<U+202E>fdp.exe (application/x-␛[8m, 2 B)" in out
    assert "Your invoice<U+202E>fdp.exe is ready" in out
    assert "Mal<U+200B>lory <U+202E>yrolam" in out


def test_item3_list_prints_no_escape_or_bidi_control(run, hostile: int) -> None:
    code, out, err = run("list")
    assert (code, err) == (0, "")
    assert_safe(out)
    assert "invoice<U+202E>fdp.exe" in out


def test_item3_statuses_and_template_list_print_old_hostile_names_safely(run, store: Store) -> None:
    """Names stored before item 4 checked them (or written by another tool) still print safely."""
    with store.transaction() as conn:
        conn.execute(
            "INSERT INTO statuses(key, name, meaning, builtin, position) VALUES (?, ?, 'hold', 0, 50)",
            ["\x1b[31mred", "\x1b[31mRED\u202e"],
        )
        conn.execute(
            "INSERT INTO templates(name, body, created_at, updated_at) VALUES (?, ?, '2026-01-01', '2026-01-01')",
            ["Thanks\u202e\x1b[8m", "Hi \x1b[2J"],
        )
    for args in (("statuses",), ("template", "list"), ("template", "show", "Thanks\u202e\x1b[8m")):
        code, out, err = run(*args)
        assert (code, err) == (0, ""), args
        assert_safe(out)
    assert "␛[31mRED<U+202E>" in run("statuses")[1]
    assert "Thanks<U+202E>␛[8m" in run("template", "list")[1]


def test_item3_errors_that_quote_a_name_are_sanitised(run, hostile: int) -> None:
    """The last line of defence: whatever an error quotes, stderr gets it through the sanitiser."""
    assert_refused(run("list", "--view", "x\u202e\x1b[8m"))
    assert_refused(run("status", str(hostile), "x\u202e\x1b[8m"))
    assert_refused(run("template", "show", "x\u202e\x1b[8m"))


# -- item 4: names users define -----------------------------------------------------------------
BAD_NAMES = {
    "empty": "   ",
    "escape": "\x1b[31mRED",
    "C1": "x\x9by",
    "newline": "two\nlines",
    "tab": "a\tb",
    "right-to-left override": "invoice\u202efdp",
    "zero-width space": "pay\u200bpal",
    "soft hyphen": "soft\u00adhyphen",
    "too long": "x" * 81,
    "no letter or digit": "!!!",
}


@pytest.mark.parametrize("case", list(BAD_NAMES))
def test_item4_status_and_saved_reply_names_refuse_bad_names(case: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        names.status_name(BAD_NAMES[case])
    assert_safe(str(refused.value))
    with pytest.raises(InvalidInput):
        names.saved_reply_name(BAD_NAMES[case])


@pytest.mark.parametrize(
    "word", ["purge", "attention", "all", "Open", "open", "NEW", "resolved", "Deleted", "restore", "reopen", "spam", "merged"]
)
def test_item4_status_names_refuse_reserved_words(word: str) -> None:
    with pytest.raises(InvalidInput, match="reserved word"):
        names.status_name(word)


def test_item4_every_status_command_word_is_reserved() -> None:
    assert set(STATUS_ACTIONS) <= names.reserved_status_words()


def test_item4_good_names_pass_tidied() -> None:
    assert names.status_name("  Waiting   on supplier ") == "Waiting on supplier"
    assert names.status_name("Ootel tarnija 🚚") == "Ootel tarnija 🚚"
    assert names.saved_reply_name("Resolved") == "Resolved"  # a saved reply is never read as a command
    assert names.saved_reply_name("x" * 80) == "x" * 80


def test_item4_statuses_add_refuses_escapes_and_reserved_words(run, store: Store) -> None:
    before = dump(store)
    assert_refused(run("statuses", "--add", "\x1b[31mRED", "--meaning", "hold"), "control or invisible", "U+001B")
    assert_refused(run("statuses", "--add", "purge", "--meaning", "hold"), "reserved word")
    assert_refused(run("statuses", "--add", "attention", "--meaning", "attention"), "reserved word")
    assert_refused(run("statuses", "--add", "a\u202eb", "--meaning", "hold"), "U+202E")
    assert_refused(run("statuses", "--add", "y" * 81, "--meaning", "hold"), "80")
    assert_refused(run("statuses", "--add", "a,b", "--meaning", "hold"), "comma")
    assert dump(store) == before
    code, out, err = run("statuses", "--add", "Waiting on supplier", "--meaning", "hold")
    assert (code, out, err) == (0, "Added status Waiting on supplier (waiting-on-supplier)\n", "")


def test_item4_template_names_refuse_control_and_invisible_characters(run, store: Store) -> None:
    before = dump(store)
    assert_refused(run("template", "add", "Thanks\x1b[8m", "--body", "Hi"), "U+001B")
    assert_refused(run("template", "add", "Thanks\u200b", "--body", "Hi"), "U+200B")
    assert_refused(run("template", "rename", "Resolved", "Done\u202e"), "U+202E")
    assert dump(store) == before
    with pytest.raises(InvalidInput):
        add_template(store, "a\u2066b", "Hi")


def test_item4_tag_parser_strips_quotes_and_treats_a_bare_word_as_add() -> None:
    edit = names.parse_tag_words(['+"vip customer"', "billing", "-old", "+'late'", "+“curly”"])
    assert edit.add == ("vip-customer", "billing", "late", "curly")
    assert edit.remove == ("old",)
    typed = names.parse_tag_text("+\"vip customer\" billing -old o'brien 'late night' +“curly one”")
    assert typed.add == ("vip-customer", "billing", "o'brien", "late-night", "curly-one")
    assert typed.remove == ("old",)


@pytest.mark.parametrize(
    "words, why",
    [
        (["+a,b"], "comma"),
        (["+\x1b[31mred"], "U+001B"),
        (["+in\u202evoice"], "U+202E"),
        (["+zero\u200bwidth"], "U+200B"),
        (["+!!!"], "letter or a digit"),
        (["+'\"'"], "Name at least one tag"),
        (["+"], "Name at least one tag"),
        (["+" + "t" * 81], "80"),
    ],
)
def test_item4_tag_parser_refuses_bad_tags(words: list[str], why: str) -> None:
    with pytest.raises(InvalidInput, match=why.replace("+", r"\+")):
        names.parse_tag_words(words)


def test_item4_cli_tag_stores_clean_tags_and_refuses_bad_ones(run, service: TicketService, store: Store) -> None:
    ticket = service.create_ticket(email="carol@example.com", subject="Hi", body="x")
    code, out, err = run("tag", str(ticket), '+"vip customer"', "billing")
    assert (code, err) == (0, ""), err
    assert queries.get_ticket(store, ticket).tags == ("billing", "vip-customer")
    before = dump(store)
    assert_refused(run("tag", str(ticket), "+ok", "+a,b"), "comma")
    assert_refused(run("tag", str(ticket), "+\x1b[31mred"), "U+001B")
    assert_refused(run("tag", str(ticket), "+!!!"), "letter or a digit")
    assert dump(store) == before
    code, out, err = run("tag", str(ticket), '-"vip customer"')
    assert (code, err) == (0, "")
    assert queries.get_ticket(store, ticket).tags == ("billing",)


def test_a_tag_stored_with_quotes_before_item4_can_still_be_removed(service: TicketService, store: Store) -> None:
    ticket = service.create_ticket(email="carol@example.com", subject="Hi", body="x")
    with store.transaction() as conn:
        conn.execute("INSERT INTO tags(name) VALUES ('\"vip-customer\"')")
        conn.execute("INSERT INTO ticket_tags(ticket_id, tag_id) SELECT ?, id FROM tags", [ticket])
    service.tag(ticket, remove=['"vip customer"'])
    assert queries.get_ticket(store, ticket).tags == ()


def test_item3_json_output_escapes_what_json_dumps_leaves_raw(run, hostile: int, store: Store) -> None:
    """`--json` keeps the data exact but spells C1, bidi and invisible characters as \\uXXXX."""
    service_body = queries.ticket_messages(store, hostile)[0].body
    with store.transaction() as conn:
        conn.execute("UPDATE messages SET body = body || ? WHERE ticket_id = ?", [" \x9b2J \U000e0041", hostile])
    for args in (("show", str(hostile), "--json"), ("list", "--json"), ("statuses", "--json"), ("template", "list", "--json")):
        code, out, err = run(*args)
        assert (code, err) == (0, ""), args
        assert_safe(out)
        assert "\U000e0041" not in out
        json.loads(out)
    data = json.loads(run("show", str(hostile), "--json")[1])
    assert data["subject"] == "Your invoice\u202efdp.exe is ready"
    assert data["messages"][0]["body"] == service_body + " \x9b2J \U000e0041"
    assert data["messages"][0]["attachments"][0]["content_type"] == "application/x-\x1b[8m"
