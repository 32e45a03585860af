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
