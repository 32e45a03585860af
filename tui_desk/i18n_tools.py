"""Keep the translation catalogues in step with the code (a developer tool; needs Babel).

    python -m tui_desk.i18n_tools update    # extract → locale/tui_desk.pot, merge into every .po, compile .mo
    python -m tui_desk.i18n_tools check     # exit 1 when a catalogue is missing strings, stale or not compiled
    python -m tui_desk.i18n_tools translate F.json  # set translations {msgid: {lang: text}} after update, compile
    python -m tui_desk.i18n_tools compile   # .po → .mo only

Strings are found by Babel's Python extractor: calls of ``_()``, ``N_()`` and
``ngettext(singular, plural, n)``, ``pgettext(context, msgid)`` and
``npgettext(context, singular, plural, n)`` in ``tui_desk/**.py``. New strings arrive in every
``.po`` with an empty translation (shown in English until translated); strings
gone from the code are dropped (not kept as obsolete ``#~`` entries).
"""

from __future__ import annotations

import gettext
import io
import json
import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

PACKAGE_DIR = Path(__file__).parent
LOCALE_DIR = PACKAGE_DIR / "locale"
DOMAIN = "tui_desk"
POT_FILE = LOCALE_DIR / f"{DOMAIN}.pot"
LANGUAGES = ("en", "et", "ro", "lv", "hr", "tl")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2), "npgettext": ((1, "c"), 2, 3)}
# A string with a context (pgettext) is keyed "context\x04msgid", as gettext stores it in a .mo.
CONTEXT_SEPARATOR = "\x04"
# Fixed header dates and no line numbers: the files change only when the strings do.
FIXED_DATE = datetime(2026, 1, 1, tzinfo=UTC)
HEADER = "# Translations of tui-desk.\n# Regenerate with: python -m tui_desk.i18n_tools update\n#"
PLACEHOLDER = re.compile(r"(?<!\{)\{[^{}]*\}(?!\})")


def _catalog_modules():  # noqa: ANN202 - babel is imported only when the tool runs
    try:
        from babel.messages import catalog, extract, mofile, pofile
    except ImportError:  # pragma: no cover - a clear message instead of a traceback
        sys.exit("Babel is needed: pip install -e '.[test]'")
    return catalog, extract, mofile, pofile


def extract_messages() -> dict[str | tuple[str, str], list[tuple[str, int | None]]]:
    """Every translatable string of the code → where it is used (path relative to the package)."""
    _catalog, extract, _mofile, _pofile = _catalog_modules()
    found: dict[str | tuple[str, str], list[tuple[str, int | None]]] = {}
    method_map = [("**.py", "python")]
    for filename, _lineno, message, _comments, context in extract.extract_from_dir(
        str(PACKAGE_DIR), method_map=method_map, keywords=KEYWORDS, comment_tags=("Translators:",),
    ):
        if filename.startswith(("locale", "i18n_tools")):
            continue
        prefix = f"{context}{CONTEXT_SEPARATOR}" if context else ""
        key = prefix + message if isinstance(message, str) else (prefix + message[0], message[1])
        places = found.setdefault(key, [])
        if (f"tui_desk/{filename}", None) not in places:  # no line numbers: they churn on every edit
            places.append((f"tui_desk/{filename}", None))
    return found


def build_template():  # noqa: ANN201
    catalog_mod, _extract, _mofile, _pofile = _catalog_modules()
    template = catalog_mod.Catalog(
        project="tui-desk", version="0.1", domain=DOMAIN, fuzzy=False, charset="utf-8",
        header_comment=HEADER, creation_date=FIXED_DATE, revision_date=FIXED_DATE,
        msgid_bugs_address="", last_translator="tui-desk contributors", language_team="tui-desk",
    )
    for message, locations in sorted(extract_messages().items(), key=lambda item: str(item[0])):
        first = message if isinstance(message, str) else message[0]
        context, _sep, msgid = first.rpartition(CONTEXT_SEPARATOR)
        template.add(msgid if isinstance(message, str) else (msgid, message[1]), locations=locations, context=context or None)
    return template


def message_key(message) -> str:  # noqa: ANN001 - a babel Message
    """The key of a catalogue entry as `extract_messages` gives it (context joined, singular only)."""
    msgid = message.id if isinstance(message.id, str) else message.id[0]
    return f"{message.context}{CONTEXT_SEPARATOR}{msgid}" if message.context else msgid


def _po_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def _mo_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.mo"


def read_po(language: str):  # noqa: ANN201
    _catalog, _extract, _mofile, pofile = _catalog_modules()
    with _po_path(language).open("rb") as handle:
        return pofile.read_po(handle, locale=language, domain=DOMAIN)


def _write_po(catalog, path: Path) -> None:  # noqa: ANN001
    _catalog, _extract, _mofile, pofile = _catalog_modules()
    buffer = io.BytesIO()
    pofile.write_po(buffer, catalog, width=100, omit_header=False, ignore_obsolete=True, include_previous=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_bytes() != buffer.getvalue():
        path.write_bytes(buffer.getvalue())


def mo_bytes(catalog) -> bytes:  # noqa: ANN001
    _catalog, _extract, mofile, _pofile = _catalog_modules()
    buffer = io.BytesIO()
    mofile.write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def _mo_contents(data: bytes) -> dict[object, str]:
    """A compiled catalogue's messages, without the header line that names the Babel version."""
    contents = dict(gettext.GNUTranslations(io.BytesIO(data))._catalog)  # type: ignore[attr-defined]
    contents[""] = re.sub(r"(?m)^Generated-By:.*\n?", "", contents.get("", ""))
    return contents


def _same_mo(existing: bytes, compiled: bytes) -> bool:
    # Byte equality would fail whenever another Babel release compiles the same catalogue.
    return existing == compiled or _mo_contents(existing) == _mo_contents(compiled)


def compile_all(languages: Iterable[str] = LANGUAGES) -> None:
    for language in languages:
        data = mo_bytes(read_po(language))
        path = _mo_path(language)
        if not path.exists() or not _same_mo(path.read_bytes(), data):
            path.write_bytes(data)


def update(languages: Iterable[str] = LANGUAGES) -> list[str]:
    """Re-extract, merge into every catalogue, compile; returns the msgids still untranslated."""
    catalog_mod, _extract, _mofile, _pofile = _catalog_modules()
    template = build_template()
    _write_po(template, POT_FILE)
    untranslated: set[str] = set()
    for language in languages:
        path = _po_path(language)
        if path.exists():
            catalog = read_po(language)
        else:
            catalog = catalog_mod.Catalog(locale=language, domain=DOMAIN, fuzzy=False)
        catalog.update(template, no_fuzzy_matching=True, update_header_comment=True)
        catalog.obsolete.clear()
        catalog.project, catalog.version, catalog.fuzzy = "tui-desk", "0.1", False
        catalog.creation_date = catalog.revision_date = FIXED_DATE
        catalog.msgid_bugs_address, catalog.last_translator = "", "tui-desk contributors"
        catalog.language_team = "tui-desk"
        _write_po(catalog, path)
        if language != "en":
            untranslated.update(
                str(m.id) for m in catalog if m.id and not (all(m.string) if isinstance(m.string, tuple) else m.string)
            )
    compile_all(languages)
    return sorted(untranslated)


def translate(translations: dict[str, dict[str, str | list[str]]]) -> int:
    """Fill in translations {msgid: {language: text or [plural forms]}}, then compile; returns how many were set.

    A msgid with a context is written "context\\u0004msgid"; English plural entries need their forms given.
    """
    count = 0
    for language in LANGUAGES:
        catalog = read_po(language)
        changed = False
        for msgid, texts in translations.items():
            context, _sep, bare = msgid.rpartition(CONTEXT_SEPARATOR)
            given = texts.get(language) or (bare if language == "en" else None)
            # A list gives the plural forms, as many as the language's Plural-Forms.
            text = tuple(given) if isinstance(given, list) else given
            message = catalog.get(bare, context=context or None)
            if text and message is not None and message.string != text:
                message.string = text
                changed = True
                count += 1
        if changed:
            _write_po(catalog, _po_path(language))
    compile_all()
    return count


def problems(languages: Iterable[str] = LANGUAGES) -> list[str]:
    """What is wrong with the catalogues: missing, stale, fuzzy, placeholders, out-of-date .mo."""
    wanted = set(extract_messages())
    wanted_ids = {m if isinstance(m, str) else m[0] for m in wanted}
    found: list[str] = []
    for language in languages:
        if not _po_path(language).exists():
            found.append(f"{language}: no catalogue {_po_path(language)}")
            continue
        catalog = read_po(language)
        ids = {message_key(m) for m in catalog if m.id}
        found += [f"{language}: missing {m!r}" for m in sorted(wanted_ids - ids)]
        found += [f"{language}: stale {m!r}" for m in sorted(ids - wanted_ids)]
        for message in catalog:
            if not message.id:
                continue
            sources = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if message.fuzzy:
                # Babel flags an entry fuzzy when its msgid turns plural; the .mo leaves it out,
                # so the user would read it in English.
                found.append(f"{language}: fuzzy, left out of the .mo: {sources[0]!r}")
            expected = set(PLACEHOLDER.findall(sources[-1])) | set(PLACEHOLDER.findall(sources[0]))
            for text in strings:
                if text and set(PLACEHOLDER.findall(text)) - expected:
                    found.append(f"{language}: placeholders differ in {sources[0]!r}: {text!r}")
                if text and not set(PLACEHOLDER.findall(sources[0])) <= set(PLACEHOLDER.findall(text)) | {"{n}"}:
                    found.append(f"{language}: placeholders lost in {sources[0]!r}: {text!r}")
        if not _mo_path(language).exists() or not _same_mo(_mo_path(language).read_bytes(), mo_bytes(catalog)):
            found.append(f"{language}: {_mo_path(language)} is not compiled from the .po (run update)")
    return found


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    command = args[0] if args else "update"
    if command == "update":
        missing = update()
        print(f"catalogues updated in {LOCALE_DIR}")
        if missing:
            print(f"{len(missing)} strings still need a translation in some language:")
            for message in missing:
                print(f"  {message!r}")
        return 0
    if command == "translate" and len(args) == 2:
        # A JSON file {msgid: {"et": ..., "ro": ..., "lv": ..., "hr": ..., "tl": ...}}, after `update`.
        source = sys.stdin if args[1] == "-" else open(args[1], encoding="utf-8")  # noqa: SIM115
        print(f"{translate(json.load(source))} translations set")
        return 0
    if command == "compile":
        compile_all()
        return 0
    if command == "check":
        found = problems()
        for line in found:
            print(line)
        return 1 if found else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
