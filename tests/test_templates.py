"""Saved replies: rendering placeholders (never a crash), the store functions, the defaults, the CLI."""

from __future__ import annotations

import io
import json
import sqlite3
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support import AGENT

from tui_desk import cli
from tui_desk.core.lifecycle import TicketService
from tui_desk.core.templates import (
    add_template,
    context_for_ticket,
    default_templates,
    first_name,
    get_template,
    list_templates,
    placeholder_names,
    remove_template,
    rename_template,
    render,
    render_for_ticket,
    ticket_context,
    update_template,
)
from tui_desk.domain.errors import InvalidInput, NotFound
from tui_desk.i18n import set_language
from tui_desk.store import Store, open_store, queries
from tui_desk.store.schema import MIGRATIONS

pytestmark = pytest.mark.both_backends

DEFAULT_NAMES = ["Acknowledge", "Need more info", "Refund policy", "Resolved"]
FULL = {
    "customer.first_name": "Ann",
    "customer.name": "Ann Tamm",
    "customer.email": "ann@example.com",
    "ticket.id": "42",
    "ticket.subject": "Invoice wrong",
    "agent.name": "Mia Kask",
}


# -- rendering -------------------------------------------------------------------------------
class TestRender:
    def test_fills_every_placeholder(self) -> None:
        body = "Hi {customer.first_name} ({customer.name}, {customer.email}): #{ticket.id} “{ticket.subject}”. {agent.name}"
        result = render(body, FULL)
        assert result.text == "Hi Ann (Ann Tamm, ann@example.com): #42 “Invoice wrong”. Mia Kask"
        assert result.problems == ()

    def test_a_placeholder_without_a_value_stays_visible_and_is_named(self) -> None:
        result = render("Hello {customer.first_name}, about #{ticket.id}", FULL | {"customer.first_name": None})
        assert result.text == "Hello {customer.first_name}, about #42"
        assert [(p.placeholder, p.kind) for p in result.problems] == [("{customer.first_name}", "empty")]
        assert result.summary() == "{customer.first_name} has no value for this ticket: it was left as it is"

    def test_a_placeholder_missing_from_the_context_is_empty_not_a_key_error(self) -> None:
        result = render("Dear {customer.name}, {ticket.department}", {})
        assert result.text == "Dear {customer.name}, {ticket.department}"
        assert [p.kind for p in result.problems] == ["empty", "empty"]
        assert "KeyError" not in result.summary()

    def test_an_unknown_placeholder_stays_and_a_close_name_is_suggested(self) -> None:
        result = render("Hi {customer.firstname} {foo}", FULL)
        assert result.text == "Hi {customer.firstname} {foo}"
        assert [p.message for p in result.problems] == [
            "Unknown placeholder {customer.firstname} (did you mean {customer.first_name}?): it was left as it is",
            "Unknown placeholder {foo}: it was left as it is",
        ]

    def test_each_problem_is_named_once(self) -> None:
        result = render("{x} {x} {customer.name} {customer.name}", {})
        assert [p.placeholder for p in result.problems] == ["{x}", "{customer.name}"]

    def test_doubled_braces_are_literal_braces(self) -> None:
        assert render("{{ticket.id}} is {ticket.id}; {{{ticket.id}}}; {{}}", FULL).text == "{ticket.id} is 42; {42}; {}"
        assert render("{{ticket.id}}", {}).problems == ()

    @pytest.mark.parametrize(
        "body", ["{", "}", "a } b { c", "{}", "{ }", "{not a name}", "{1abc}", "{customer.}", "{{{", "}}}", "{customer.name"]
    )
    def test_stray_braces_are_literal_text(self, body: str) -> None:
        result = render(body, FULL)
        assert result.problems == ()
        assert result.text == body.replace("{{", "{").replace("}}", "}")

    def test_names_are_case_insensitive_and_may_have_spaces_inside_the_braces(self) -> None:
        assert render("{ Customer.First_Name } #{TICKET.ID}", FULL).text == "Ann #42"

    def test_values_are_one_line_of_text(self) -> None:
        result = render("Re: {ticket.subject}", FULL | {"ticket.subject": "two\nlines\x1b[31m  here"})
        assert result.text == "Re: two lines [31m here"

    def test_markup_in_values_is_kept_as_text(self) -> None:
        assert render("{customer.name}", {"customer.name": "[bold]x[/]"}).text == "[bold]x[/]"

    @settings(max_examples=300, deadline=None)
    @given(
        st.text(alphabet=st.sampled_from("{}{}.ab_ \n\tx1") | st.characters()),
        st.dictionaries(st.sampled_from([*placeholder_names(), "x", "a.b"]), st.none() | st.text()),
    )
    def test_never_raises(self, body: str, context: dict[str, str | None]) -> None:
        result = render(body, context)
        assert isinstance(result.text, str)
        for problem in result.problems:
            assert problem.placeholder in result.text
            assert problem.message

    @settings(max_examples=200, deadline=None)
    @given(st.text())
    def test_escaping_every_brace_gives_the_text_back(self, text: str) -> None:
        escaped = text.replace("{", "{{").replace("}", "}}")
        assert render(escaped, FULL).text == text
        assert render(escaped, FULL).problems == ()

    @settings(max_examples=200, deadline=None)
    @given(st.text().filter(lambda t: "{" not in t and "}" not in t))
    def test_text_without_braces_is_unchanged(self, text: str) -> None:
        assert render(text, {}).text == text


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Ann Tamm", "Ann"),
        ("Tamm, Ann", "Ann"),
        ("Tamm, Ann Maria", "Ann"),
        ("de la Cruz, Juan", "Juan"),
        ("Juan dela Cruz", "Juan"),
        ("Dr. Jane Smith", "Jane"),
        ("Lee, Jr.", "Lee"),
        ("Ann Tamm, Acme Ltd", "Ann"),
        ('"Līga Ozola"', "Līga"),
        ("  Ivan   Novak ", "Ivan"),
        ("Cher", "Cher"),
        ("ann@example.com", None),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_first_name(name: str | None, expected: str | None) -> None:
    assert first_name(name) == expected


def test_ticket_context(service: TicketService, store: Store) -> None:
    ticket_id = service.create_ticket(
        email="ann@example.com", name="Tamm, Ann", subject="[bold]Invoice[/] wrong", body="x", department="Billing"
    )
    context = ticket_context(queries.get_ticket(store, ticket_id), "mia")
    assert context == {
        "customer.first_name": "Ann",
        "customer.name": "Tamm, Ann",
        "customer.email": "ann@example.com",
        "ticket.id": str(ticket_id),
        "ticket.subject": "[bold]Invoice[/] wrong",
        "ticket.status": "New",
        "ticket.priority": "normal",
        "ticket.department": "Billing",
        "agent.name": "mia",
        "agent.first_name": "mia",
    }
    store.conn.execute("INSERT INTO agents(name, full_name) VALUES ('mia', 'Mia Kask')")
    context = context_for_ticket(store, ticket_id, "mia")
    assert (context["agent.name"], context["agent.first_name"]) == ("Mia Kask", "Mia")


def test_a_customer_without_a_name_renders_clearly(service: TicketService, store: Store) -> None:
    ticket_id = service.create_ticket(email="anon@example.com", subject="Help", body="x")
    result = render_for_ticket(store, "acknowledge", ticket_id, AGENT)
    assert result.text.startswith("Hello {customer.first_name},\n")
    assert f"(ticket #{ticket_id})" in result.text
    assert result.text.endswith(f"Best regards,\n{AGENT}\n")
    assert [p.placeholder for p in result.problems] == ["{customer.first_name}"]


# -- the store ---------------------------------------------------------------------------------
class TestStore:
    def test_a_new_store_has_the_defaults(self, store: Store) -> None:
        templates = list_templates(store)
        assert [t.name for t in templates] == DEFAULT_NAMES
        for template in templates:
            assert "{customer.first_name}" in template.body and "{agent.name}" in template.body
            assert render(template.body, FULL).problems == ()

    def test_the_defaults_follow_the_language_of_the_moment(self, another_db) -> None:  # noqa: ANN001
        pytest.importorskip("babel")
        set_language("et")
        names = [name for name, _body in default_templates()]
        store = open_store(another_db("et.db"))
        set_language(None)
        try:
            assert sorted(t.name for t in list_templates(store)) == sorted(names)
            assert "Acknowledge" not in names
        finally:
            store.close()

    def test_upgrading_a_v3_store_adds_the_defaults(self, tmp_path) -> None:  # noqa: ANN001
        import sqlite_utils

        path = tmp_path / "v3.db"
        conn = sqlite3.connect(path, isolation_level=None)
        database = sqlite_utils.Database(conn)
        for migrate in MIGRATIONS[:3]:
            migrate(database)
        conn.execute("PRAGMA user_version = 3")
        conn.close()
        store = open_store(path)
        try:
            assert [t.name for t in list_templates(store)] == DEFAULT_NAMES
        finally:
            store.close()

    def test_a_new_store_gets_the_defaults_without_the_core(self, tmp_path) -> None:  # noqa: ANN001
        # The store is below the core: making one (defaults included) must not need it.
        code = (
            "import sys; from tui_desk.store import open_store; "
            f"store = open_store({str(tmp_path / 'fresh.db')!r}); "
            "print(store.scalar('SELECT count(*) FROM templates'), "
            "sorted(m for m in sys.modules if m.startswith(('tui_desk.core', 'tui_desk.mail'))))"
        )
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
        assert done.stdout.split() == [str(len(DEFAULT_NAMES)), "[]"], done.stderr

    def test_add_get_update_rename_remove(self, store: Store, clock) -> None:  # noqa: ANN001
        added = add_template(store, "  Password   reset ", "Hi {customer.first_name}, here is a link.", clock=clock)
        assert added.name == "Password reset"
        assert get_template(store, "PASSWORD RESET") == added
        clock.advance(minutes=5)
        updated = update_template(store, "password reset", "New text", clock=clock)
        assert (updated.body, updated.created_at) == ("New text", added.created_at)
        assert updated.updated_at > added.updated_at
        assert update_template(store, "password reset", "New text", clock=clock) == updated  # no change, no new time
        renamed = rename_template(store, "password reset", "Reset link", clock=clock)
        assert (renamed.id, renamed.name, renamed.body) == (added.id, "Reset link", "New text")
        assert rename_template(store, "reset link", "Reset Link", clock=clock).name == "Reset Link"  # case only
        assert remove_template(store, "RESET LINK").id == added.id
        assert [t.name for t in list_templates(store)] == DEFAULT_NAMES

    def test_clear_errors(self, store: Store) -> None:
        with pytest.raises(InvalidInput, match="needs a name"):
            add_template(store, "  \n ", "x")
        with pytest.raises(InvalidInput, match="needs some text"):
            add_template(store, "Empty", " \n ")
        with pytest.raises(InvalidInput, match="at most 80 characters"):
            add_template(store, "x" * 81, "x")
        with pytest.raises(InvalidInput, match="A saved reply named 'Acknowledge' already exists"):
            add_template(store, "ACKNOWLEDGE", "x")
        with pytest.raises(InvalidInput, match="already exists"):
            rename_template(store, "resolved", "acknowledge")
        with pytest.raises(NotFound, match=r"No saved reply named 'ack' \(did you mean 'Acknowledge'\?\)"):
            get_template(store, "ack")
        for call in (
            lambda: update_template(store, "nope", "x"),
            lambda: rename_template(store, "nope", "other"),
            lambda: remove_template(store, "nope"),
        ):
            with pytest.raises(NotFound, match="No saved reply named 'nope'"):
                call()
        assert [t.name for t in list_templates(store)] == DEFAULT_NAMES


# -- the command line -----------------------------------------------------------------------------
@pytest.fixture
def run(db_path, capsys, monkeypatch):  # noqa: ANN001, ANN201
    """run("template", "list") -> (exit code, stdout, stderr)."""
    monkeypatch.setattr("sys.stdin", io.StringIO(""))

    def invoke(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
        if stdin is not None:
            monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        capsys.readouterr()
        try:
            code = cli.main(["--db", str(db_path), "--as", AGENT, *args])
        except SystemExit as exit_:
            code = exit_.code
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


def one_line_error(result: tuple[int, str, str], *words: str) -> None:
    code, out, err = result
    assert (code, out) == (1, "")
    assert err.startswith("tui-desk") and err.count("\n") == 1 and "Traceback" not in err, err
    for word in words:
        assert word in err, err


class TestCommandLine:
    def test_list_and_show(self, run, store: Store) -> None:  # noqa: ANN001 - store: read commands need one
        code, out, err = run("template", "list")
        assert (code, err) == (0, "")
        assert [line.split("  ")[0] for line in out.splitlines()] == DEFAULT_NAMES
        code, out, _err = run("template", "list", "--json")
        assert [t["name"] for t in json.loads(out)] == DEFAULT_NAMES
        code, out, _err = run("template", "show", "need MORE info")
        assert code == 0 and out.startswith("Hello {customer.first_name},\n") and out.endswith("{agent.name}\n")

    def test_add_from_body_file_and_stdin(self, run, store: Store, tmp_path) -> None:  # noqa: ANN001
        assert run("template", "add", "One", "--body", "Hi {customer.name}") == (0, "Added saved reply 'One'\n", "")
        text_file = tmp_path / "two.txt"
        text_file.write_text("From a file\n", encoding="utf-8")
        assert run("template", "add", "Two", "--file", str(text_file))[0] == 0
        assert run("template", "add", "Three", "-", stdin="From stdin\n")[0] == 0
        assert run("template", "add", "Four", stdin="Stdin by default\n")[0] == 0
        bodies = {t.name: t.body for t in list_templates(store)}
        assert (bodies["One"], bodies["Two"], bodies["Three"], bodies["Four"]) == (
            "Hi {customer.name}", "From a file\n", "From stdin\n", "Stdin by default\n",
        )

    def test_edit_rename_remove(self, run, store: Store) -> None:  # noqa: ANN001
        assert run("template", "edit", "resolved", "--body", "Done, {customer.first_name}!") == (
            0, "Saved reply 'Resolved' updated\n", "",
        )
        assert run("template", "edit", "Resolved", "-", stdin="Done, {customer.first_name}!") == (
            0, "Saved reply 'Resolved' is unchanged\n", "",
        )
        assert run("template", "rename", "resolved", "Solved") == (0, "Renamed saved reply 'Resolved' to 'Solved'\n", "")
        assert get_template(store, "solved").body == "Done, {customer.first_name}!"
        assert run("template", "remove", "SOLVED") == (0, "Removed saved reply 'Solved'\n", "")
        assert [t.name for t in list_templates(store)] == DEFAULT_NAMES[:3]

    def test_edit_opens_the_editor(self, run, store: Store, tmp_path, monkeypatch) -> None:  # noqa: ANN001
        script = tmp_path / "editor.py"
        script.write_text(
            "import sys\np = sys.argv[1]\ntext = open(p).read()\nopen(p, 'w').write(text.upper())\n", encoding="utf-8"
        )
        monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
        before = get_template(store, "Resolved").body
        assert run("template", "edit", "resolved")[0] == 0
        assert get_template(store, "Resolved").body == before.upper()

        monkeypatch.setenv("EDITOR", f"{sys.executable} -c 'import sys; sys.exit(3)'")
        one_line_error(run("template", "edit", "resolved"), "exited with status 3", "unchanged")
        monkeypatch.delenv("EDITOR")
        one_line_error(run("template", "edit", "resolved"), "Set $EDITOR")
        assert get_template(store, "Resolved").body == before.upper()

    def test_render_for_a_ticket(self, run, store: Store) -> None:  # noqa: ANN001
        service = TicketService(store, actor=AGENT)
        named = service.create_ticket(email="ann@example.com", name="Tamm, Ann", subject="Invoice", body="x")
        code, out, err = run("template", "render", "acknowledge", f"#{named}")
        assert (code, err) == (0, "")
        assert out.startswith("Hello Ann,\n") and f"(ticket #{named})" in out and out.endswith(f"{AGENT}\n")

        nameless = service.create_ticket(email="anon@example.com", subject="Help", body="x")
        code, out, err = run("template", "render", "acknowledge", str(nameless))
        assert code == 0 and out.startswith("Hello {customer.first_name},\n")
        assert err == "tui-desk: warning: {customer.first_name} has no value for this ticket: it was left as it is\n"
        one_line_error(run("template", "render", "acknowledge", str(nameless), "--strict"), "{customer.first_name}")

    def test_one_line_errors(self, run, store: Store, tmp_path) -> None:  # noqa: ANN001
        one_line_error(run("template", "show", "nope"), "No saved reply named 'nope'")
        one_line_error(run("template", "add", "acknowledge", "--body", "x"), "already exists")
        one_line_error(run("template", "add", "", "--body", "x"), "needs a name")
        one_line_error(run("template", "add", "Blank", "--body", "  "), "needs some text")
        one_line_error(run("template", "add", "Missing", "--file", str(tmp_path / "none.txt")), "Cannot read")
        one_line_error(run("template", "add", "Both", "--body", "x", "--file", "y"), "not allowed with")
        one_line_error(run("template", "rename", "nope", "x"), "No saved reply named 'nope'")
        one_line_error(run("template", "rename", "resolved", "Acknowledge"), "already exists")
        one_line_error(run("template", "remove", "nope"), "No saved reply named 'nope'")
        one_line_error(run("template", "render", "resolved", "999"), "No ticket #999")
        one_line_error(run("template", "render", "resolved", "abc"), "Not a ticket id")
        one_line_error(run("template"), "required")
        binary = tmp_path / "binary.txt"
        binary.write_bytes(b"\xff\xfe\x00bad")
        one_line_error(run("template", "add", "Binary", "--file", str(binary)), "not UTF-8")
        assert [t.name for t in list_templates(store)] == DEFAULT_NAMES

    def test_names_and_texts_print_as_data(self, run, store: Store) -> None:  # noqa: ANN001
        add_template(store, "[bold]x[/]", "esc \x1b[31m red")
        code, out, _err = run("template", "show", "[bold]x[/]")
        assert out == "esc ␛[31m red\n"
        assert "[bold]x[/]" in run("template", "list")[1]

