"""`tui-desk views` and `tui-desk list --view NAME`: saved views of the config file on the command line."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tui_desk import cli
from tui_desk.store import open_store

pytestmark = pytest.mark.both_backends

CONFIG = """\
[views."my urgent"]
status = "attention"
assignee = "me"
order = "sla"

[views."billing"]
status = "all"
department = "Billing"

[views."[bold]x"]
status = "answered"

[views.broken]
order = "soon"
"""

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(db_path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Run:
    config = tmp_path / "config.toml"
    config.write_text(CONFIG, encoding="utf-8")
    monkeypatch.setenv("TUI_DESK_CONFIG", str(config))
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    open_store(db_path).close()  # read commands refuse a store that does not exist

    def invoke(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        try:
            code = cli.main(["--db", str(db_path), "--as", "alice", *args])
        except SystemExit as exit_:
            code = exit_.code
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


@pytest.fixture
def tickets(run: Run) -> dict[str, int]:
    """Four tickets: an urgent and a low one assigned to alice, one of Billing, one of bob's."""
    ids = {}
    for key, subject, priority, department in (
        ("low", "Low one", "low", None),
        ("urgent", "Urgent one", "urgent", None),
        ("billing", "Invoice wrong", "normal", "Billing"),
        ("bobs", "Bob's ticket", "high", None),
    ):
        args = ["new", "--email", "c@example.com", "--subject", subject, "--priority", priority, "--body", "x"]
        code, out, err = run(*args, *(["--department", department] if department else []))
        assert (code, err) == (0, "")
        ids[key] = int(out)
    for key, agent in (("low", "alice"), ("urgent", "alice"), ("bobs", "bob")):
        assert run("assign", str(ids[key]), agent)[0] == 0
    return ids


def test_views_lists_the_saved_views_and_names_the_broken_one(run: Run) -> None:
    code, out, err = run("views")
    assert code == 0
    assert out.splitlines() == [
        "my urgent  Needs attention · assignee me · by SLA due",
        "billing    All · department Billing",
        "[bold]x    Answered",
    ]
    assert err.count("\n") == 1
    assert "Saved view “broken”: order must be inbox or sla, not “soon”; skipped" in err


def test_views_json(run: Run) -> None:
    code, out, _err = run("views", "--json")
    assert code == 0
    assert json.loads(out)[0] == {
        "name": "my urgent",
        "status": "attention",
        "assignee": "me",
        "order": "sla",
        "description": "Needs attention · assignee me · by SLA due",
    }


def test_list_a_saved_view(run: Run, tickets: dict[str, int]) -> None:
    code, out, err = run("list", "--view", "my urgent", "--json")
    assert (code, err) == (0, "")
    assert [row["id"] for row in json.loads(out)] == [tickets["urgent"], tickets["low"]]  # alice's, "me"
    code, out, _err = run("--as", "bob", "list", "--view", "my urgent", "--json")
    assert [row["id"] for row in json.loads(out)] == [tickets["bobs"]]  # in bob's hands, bob's
    code, out, _err = run("list", "--view", "billing", "--json")
    assert [row["id"] for row in json.loads(out)] == [tickets["billing"]]


def test_options_narrow_a_saved_view(run: Run, tickets: dict[str, int]) -> None:
    code, out, _err = run("list", "--view", "my urgent", "--assignee", "bob", "--json")
    assert code == 0
    assert [row["id"] for row in json.loads(out)] == [tickets["bobs"]]
    code, out, _err = run("list", "--view", "billing", "--status", "answered", "--json")
    assert (code, json.loads(out)) == (0, [])


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("nope", "tui-desk: No saved view “nope” (saved views: my urgent, billing, [bold]x)\n"),
        ("broken", "tui-desk: Saved view “broken”: order must be inbox or sla, not “soon”\n"),
    ],
)
def test_a_bad_name_is_one_line_and_exit_1(run: Run, name: str, message: str) -> None:
    assert run("list", "--view", name) == (1, "", message)


def test_no_saved_views(run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TUI_DESK_CONFIG", str(tmp_path / "none.toml"))
    code, out, err = run("views")
    assert (code, err) == (0, "")
    assert out.startswith("No saved views: press V in the app")
    assert run("list", "--view", "x") == (1, "", "tui-desk: No saved view “x”: there are no saved views yet\n")
