"""Translations: catalogues complete and current, language choice, placeholders, CLI in another language."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("babel")

from tui_desk import i18n_tools  # noqa: E402
from tui_desk.cli import main  # noqa: E402
from tui_desk.domain.models import status_label  # noqa: E402
from tui_desk.i18n import (  # noqa: E402
    _,
    choose_language,
    current_language,
    day_abbreviation,
    format_date,
    language_from_environment,
    normalize_language,
    set_language,
)
from tui_desk.store import open_store  # noqa: E402

LANGUAGES = ["et", "ro", "lv", "hr", "tl"]
# docs/lifecycle.md, "Status names in each language": the names the help desks use.
STATUS_NAMES = {
    "et": ["Uus", "Avatud", "Vastatud", "Lahendatud", "Edasilükatud"],
    "ro": ["Nou", "Deschis", "Răspuns", "Rezolvat", "Amânat"],
    "lv": ["Jauns", "Atvērts", "Atbildēts", "Atrisināts", "Atlikts"],
    "tl": ["New", "Open", "Answered", "Resolved", "Postponed"],
    "hr": ["Novi", "Otvoren", "Odgovoren", "Riješen", "Odložen"],
}
KEYS = ["new", "open", "answered", "resolved", "postponed"]


@pytest.fixture(autouse=True)
def _english_after() -> None:
    yield
    set_language(None)


class TestCatalogues:
    def test_every_string_of_the_code_is_in_every_catalogue_and_nothing_stale(self) -> None:
        problems = i18n_tools.problems()
        assert problems == [], "run: python -m tui_desk.i18n_tools update\n" + "\n".join(problems[:40])

    def test_the_check_notices_a_new_string(self, monkeypatch: pytest.MonkeyPatch) -> None:
        real = i18n_tools.extract_messages

        def with_new_text():  # noqa: ANN202
            found = real()
            found["A brand new text nobody translated"] = [("tui_desk/x.py", None)]
            return found

        monkeypatch.setattr(i18n_tools, "extract_messages", with_new_text)
        assert any("missing 'A brand new text" in p for p in i18n_tools.problems(["et"]))

    @pytest.mark.parametrize("language", LANGUAGES)
    def test_every_entry_is_translated_with_the_same_placeholders(self, language: str) -> None:
        catalog = i18n_tools.read_po(language)
        for message in catalog:
            if not message.id:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            assert all(strings), f"{language}: untranslated {ids[0]!r}"
            wanted = sorted(set(i18n_tools.PLACEHOLDER.findall(ids[-1])))
            for text in strings:
                got = sorted(set(i18n_tools.PLACEHOLDER.findall(text)))
                if len(ids) == 2 and "{n}" not in text:
                    wanted_here = [p for p in wanted if p != "{n}"]  # "one ticket" may spell the number out
                    got = [p for p in got if p != "{n}"]
                else:
                    wanted_here = wanted
                assert got == wanted_here, f"{language}: {ids[0]!r} → {text!r}"

    @pytest.mark.parametrize("language", LANGUAGES)
    def test_keyboard_hints_are_kept(self, language: str) -> None:
        for message in i18n_tools.read_po(language):
            if isinstance(message.id, str) and message.id:
                for hint in re.findall(r"Ctrl[+-]\w|\$\w+|--[a-z-]+", message.id):
                    assert hint in message.string, f"{language}: {hint} lost in {message.string!r}"

    @pytest.mark.parametrize("language", LANGUAGES)
    def test_status_names_are_the_ones_of_domain_md(self, language: str) -> None:
        assert set_language(language)
        assert [status_label(k) for k in KEYS] == STATUS_NAMES[language]

    def test_mo_files_are_in_the_package_data(self) -> None:
        import tomllib
        from pathlib import Path

        pyproject = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())
        assert "locale/*/LC_MESSAGES/*.mo" in pyproject["tool"]["setuptools"]["package-data"]["tui_desk"]
        for language in LANGUAGES:
            assert (i18n_tools.LOCALE_DIR / language / "LC_MESSAGES" / "tui_desk.mo").is_file()


class TestLanguageChoice:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [("et_EE.UTF-8", "et_EE"), ("C", "en"), ("POSIX", "en"), ("hr-HR", "hr_HR"), ("", None), ("sr@latin", "sr")],
    )
    def test_normalize(self, value: str, expected: str | None) -> None:
        assert normalize_language(value) == expected

    @pytest.mark.parametrize(
        ("environ", "expected"),
        [
            ({"LANG": "et_EE.UTF-8"}, "et"),
            ({"LANGUAGE": "de:hr:en", "LANG": "et_EE.UTF-8"}, "hr"),
            ({"LANGUAGE": "hr:en"}, "hr"),
            ({"LC_ALL": "ro_RO.UTF-8", "LANG": "lv_LV.UTF-8"}, "ro"),
            ({"LC_MESSAGES": "lv_LV.UTF-8", "LANG": "et_EE"}, "lv"),
            ({"LANG": "C.UTF-8"}, "en"),
            ({"LANG": "POSIX"}, "en"),
            ({"LANG": "de_DE.UTF-8"}, None),
            ({}, None),
        ],
    )
    def test_environment(self, environ: dict[str, str], expected: str | None) -> None:
        assert language_from_environment(environ) == expected

    def test_order_cli_then_config_then_environment(self) -> None:
        env = {"LANG": "ro_RO.UTF-8"}
        assert choose_language("hr", "et", env) == ("hr", None)
        assert choose_language(None, "et", env) == ("et", None)
        assert choose_language(None, None, env) == ("ro", None)
        assert choose_language(None, None, {}) == ("en", None)

    def test_unknown_language_is_english_with_a_notice(self) -> None:
        assert choose_language("xx", None, {"LANG": "et_EE"}) == ("en", "xx")
        assert not set_language("xx")
        assert current_language() == "en"
        assert _("Open") == "Open"


class TestCommandLine:
    def _env(self, monkeypatch: pytest.MonkeyPatch, tmp_path, **env: str) -> None:  # noqa: ANN001
        for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
            monkeypatch.delenv(name, raising=False)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("TUI_DESK_DB", str(tmp_path / "desk.db"))
        open_store(tmp_path / "desk.db").close()  # read commands refuse a store that does not exist

    def test_lang_for_one_run(self, monkeypatch, tmp_path, capsys) -> None:  # noqa: ANN001
        self._env(monkeypatch, tmp_path)
        assert main(["--lang", "hr", "statuses"]) == 0
        out = capsys.readouterr().out
        assert "Novi" in out and "Odložen" in out

    def test_language_from_config(self, monkeypatch, tmp_path, capsys) -> None:  # noqa: ANN001
        self._env(monkeypatch, tmp_path, LANG="ro_RO.UTF-8")
        config = tmp_path / "config.toml"
        config.write_text('language = "lv"\n', encoding="utf-8")
        monkeypatch.setenv("TUI_DESK_CONFIG", str(config))
        assert main(["statuses"]) == 0
        assert "Atrisināts" in capsys.readouterr().out

    def test_language_from_environment(self, monkeypatch, tmp_path, capsys) -> None:  # noqa: ANN001
        self._env(monkeypatch, tmp_path, LANG="et_EE.UTF-8")
        assert main(["statuses"]) == 0
        assert "Edasilükatud" in capsys.readouterr().out

    def test_help_texts_are_translated(self, monkeypatch, tmp_path, capsys) -> None:  # noqa: ANN001
        self._env(monkeypatch, tmp_path)
        with pytest.raises(SystemExit):
            main(["--lang", "et", "--help"])
        assert "Klaviatuuriga kasutatav kasutajatugi" in capsys.readouterr().out
        with pytest.raises(SystemExit):
            main(["--lang", "et", "list", "--help"])
        assert "masinloetav väljund" in capsys.readouterr().out

    def test_unknown_language_one_notice_never_an_error(self, monkeypatch, tmp_path, capsys) -> None:  # noqa: ANN001
        self._env(monkeypatch, tmp_path)
        assert main(["--lang", "xx", "statuses"]) == 0
        captured = capsys.readouterr()
        assert captured.err.count("No translation for 'xx'; using English") == 1
        assert "Resolved" in captured.out

    def test_json_stays_neutral(self, monkeypatch, tmp_path, capsys) -> None:  # noqa: ANN001
        import json

        self._env(monkeypatch, tmp_path)
        assert main(["--lang", "hr", "statuses", "--json"]) == 0
        data = json.loads(capsys.readouterr().out)
        assert {d["key"] for d in data} >= set(KEYS)
        assert {d["meaning"] for d in data} >= {"attention", "waiting", "done", "hold"}


class TestDates:
    def test_english_keeps_iso_dates(self) -> None:
        from datetime import date

        assert format_date(date(2026, 11, 23)) == "2026-11-23"
        assert day_abbreviation(0) == "mon"

    def test_locale_dates_and_day_names(self) -> None:
        from datetime import date

        set_language("hr")
        assert format_date(date(2026, 11, 23)) != "2026-11-23"
        assert "23" in format_date(date(2026, 11, 23))
        assert day_abbreviation(0).lower().startswith("pon")
        set_language("et")
        assert day_abbreviation(4) == "R"


# -- issue 17, item 13: the English source must not block good translations -----------------
# Key labels that are verbs (docs/issue17/languages.md): the same English word as a heading or
# a noun must carry a context (pgettext), or the thread reads "Reply!" over every agent message.
VERB_KEY_LABELS = ("Reply", "Note", "Resolve", "Postpone", "Reopen", "Delete", "Restore", "Assign", "Merge", "Split",
                   "Forward", "Undo", "Search", "Filter", "Quit")
# Where a verb key label may be used without a context: the action table and buttons/bindings that do it.
VERB_PLACES = {"tui_desk/ui/action_table.py", "tui_desk/ui/layout.py", "tui_desk/ui/screens/forward.py", "tui_desk/ui/screens/templates.py"}
# A number placeholder that is not a count of a noun: a unit, a "label: value" pair, or a phrase
# built from two translated pieces ("12 resolved": the participle agrees in the done label).
NOT_COUNTS = {"{n}d", "{n}h", "{n}m", "{n}min", "{n}s", "{n}w", "Tickets: {n}", "Other tickets of {customer}: {n}",
              "The config file {path} is larger than {n} MB: is it the right file?",
              "The text is larger than {n} MB: too big to store"}
HEADINGS = {"et": "Vastus", "ro": "Răspuns", "lv": "Atbilde", "hr": "Odgovor", "tl": "Sagot", "en": "Reply"}


class TestSourceStrings:
    def test_verb_key_labels_are_not_used_as_headings_without_a_context(self) -> None:
        from tui_desk.ui.action_table import ACTIONS

        labels = {getattr(a, "label", None) for a in ACTIONS}
        found = i18n_tools.extract_messages()
        for label in VERB_KEY_LABELS:
            assert label in labels, f"{label!r} is no longer a key label: update VERB_KEY_LABELS"
            elsewhere = {path for path, _line in found[label]} - VERB_PLACES
            assert not elsewhere, f"{label!r} (the key's verb) is used in {sorted(elsewhere)}: use pgettext"

    @pytest.mark.parametrize("language", ["en", *LANGUAGES])
    def test_the_thread_heads_a_reply_with_a_noun_and_the_key_stays_a_verb(self, language: str) -> None:
        from tui_desk.domain.models import MessageKind
        from tui_desk.ui.widgets.thread import kind_label

        assert set_language(language)
        assert kind_label(MessageKind.REPLY) == HEADINGS[language]
        if language != "en":
            assert _("Reply") != HEADINGS[language]

    def test_every_count_goes_through_plural_forms(self) -> None:
        # "{n}"/"{count}", or a named count before the noun it counts ("{rows} rows", "{days} days").
        counted = re.compile(r"\{(n|count)\}|\{(\w+)\} \2\b")
        singular_only = [
            m for m in i18n_tools.extract_messages()
            if isinstance(m, str) and counted.search(m) and m not in NOT_COUNTS
        ]
        assert singular_only == [], "a number next to a noun needs ngettext:\n" + "\n".join(singular_only)

    @pytest.mark.parametrize("language", LANGUAGES)
    def test_plural_entries_have_every_form_of_the_language(self, language: str) -> None:
        catalog = i18n_tools.read_po(language)
        for message in catalog:
            if isinstance(message.id, tuple):
                assert len(message.string) == catalog.num_plurals and all(message.string), message.id[0]

    @pytest.mark.parametrize(
        ("language", "forms"),
        [
            ("hr", ["1 označeni tiket", "3 označena tiketa", "5 označenih tiketa", "21 označeni tiket"]),
            ("lv", ["1 atzīmēts pieteikums", "3 atzīmēti pieteikumi", "0 atzīmētu pieteikumu", "21 atzīmēts pieteikums"]),
            ("ro", ["1 tichet marcat", "3 tichete marcate", "5 tichete marcate", "20 de tichete marcate"]),
            ("et", ["1 märgitud pilet", "3 märgitud piletit", "5 märgitud piletit", "21 märgitud piletit"]),
        ],
    )
    def test_counts_take_the_form_the_number_asks_for(self, language: str, forms: list[str]) -> None:
        from tui_desk.i18n import ngettext, number

        assert set_language(language)
        numbers = [int(f.split()[0]) for f in forms]
        shown = [ngettext("{n} marked ticket", "{n} marked tickets", n).format(n=number(n)) for n in numbers]
        assert shown == forms

    @pytest.mark.parametrize(
        ("language", "words"),
        [
            ("et", ("Pileti #", "seda ei saa lahendada")),
            ("ro", ("Tichetul #", "nu poate fi rezolvat")),
            ("lv", ("Pieteikumam #", "to nevar atrisināt")),
            ("hr", ("Tiket #", "ne može se riješiti")),
            ("tl", ("ticket #", "hindi ito malulutas")),
        ],
    )
    def test_a_refusal_is_one_whole_sentence(self, language: str, words: tuple[str, str], service, make_ticket) -> None:  # noqa: ANN001
        from tui_desk.domain.errors import TransitionRefused

        ticket_id = make_ticket("spam")
        assert set_language(language)
        with pytest.raises(TransitionRefused) as refused:
            service.resolve(ticket_id)
        text = str(refused.value)
        assert all(w in text for w in words), text
        assert "{" not in text


class TestNumbers:
    @pytest.mark.parametrize(
        ("language", "thousand", "share"),
        [
            ("en", "1,000", "87.5%"),
            ("et", "1\xa0000", "87,5%"),
            ("lv", "1\xa0000", "87,5%"),
            ("hr", "1.000", "87,5\xa0%"),
            ("ro", "1.000", "87,5\xa0%"),
            ("tl", "1,000", "87.5%"),
        ],
    )
    def test_numbers_and_percentages_in_the_language(self, language: str, thousand: str, share: str) -> None:
        from tui_desk.core.report_model import percent_text
        from tui_desk.i18n import number, percent

        assert set_language(language)
        assert number(1000) == thousand
        assert percent_text(87.5) == share
        assert percent(99.6) == share.replace("87,5", "99").replace("87.5", "99")  # floored: never 100

    def test_babel_is_a_runtime_dependency(self) -> None:
        import tomllib
        from pathlib import Path

        pyproject = tomllib.loads((Path(__file__).parent.parent / "pyproject.toml").read_text())
        assert any(d.startswith("babel") for d in pyproject["project"]["dependencies"])

    def test_the_cli_prints_counts_in_the_language(self, monkeypatch, tmp_path, capsys) -> None:  # noqa: ANN001
        for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("TUI_DESK_DB", str(tmp_path / "desk.db"))
        assert main(["--lang", "hr", "demo", "--tickets", "1001"]) == 0
        assert "Dodan 1.001 demo tiket u" in capsys.readouterr().out  # 1001: the form of 1


@pytest.mark.parametrize(
    ("language", "shown"),
    [
        ("en", "16% met · 21 breached · 5 pending (30 tickets)"),
        ("hr", "16\u00a0% ispunjeno · 21 prekršen · 5 na čekanju (30 tiketa)"),
        ("lv", "16% izpildīts · 21 pārkāpts · 5 gaida (30 pieteikumi)"),
        ("ro", "16\u00a0% respectat · 21 de încălcate · 5 în curs (30 de tichete)"),
    ],
)
def test_the_reports_sla_counts_agree_each_with_its_number(language: str, shown: str) -> None:
    """Once one sentence with three named counts; now one plural-aware part per count (docs/issue17/rest.md)."""
    from tui_desk.core.report_model import Compliance
    from tui_desk.core.report_text import compliance_text

    assert set_language(language)
    assert compliance_text(Compliance(tickets=30, met=4, breached=21)) == shown
