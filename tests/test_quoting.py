"""Which lines of a customer's mail the thread folds (issue 15 item 9): quotes, Outlook's block,
signatures; never a short quote inside an answer, never the whole mail."""

from __future__ import annotations

from tui_desk.domain.quoting import QUOTE, SIGNATURE, Fold, folds


def folded_text(text: str) -> list[str]:
    """Each fold as the text it hides."""
    lines = text.split("\n")
    return ["\n".join(lines[f.start : f.end]) for f in folds(text)]


def shown(text: str) -> str:
    lines = text.split("\n")
    hidden = {n for f in folds(text) for n in range(f.start, f.end)}
    return "\n".join(line for n, line in enumerate(lines) if n not in hidden)


GMAIL = """Thanks, that worked!

Ann

On Tue, 3 Dec 2026 at 10:00, Desk <support@example.com> wrote:
> Please try the new link.
>
> Regards,
> Support"""


def test_gmail_reply_folds_the_attribution_and_the_quote_to_the_end() -> None:
    assert folds(GMAIL) == [Fold(4, 9, QUOTE)]
    assert shown(GMAIL).strip() == "Thanks, that worked!\n\nAnn"


def test_attribution_wrapped_over_two_lines_is_folded_with_the_quote() -> None:
    text = "Still broken.\n\nOn Tue, 3 Dec 2026 at 10:00, Support Desk\n<support@example.com> wrote:\n\n> Try again.\n> Bye"
    assert shown(text).strip() == "Still broken."


def test_localized_attributions() -> None:
    for line in (
        "Am 03.12.2026 um 10:00 schrieb Max Muster <max@example.de>:",
        "Le 3 déc. 2026 à 10:00, Jean Dupont <jean@example.fr> a écrit :",
        "El mar, 3 dic 2026 a las 10:00, Ana (<ana@example.es>) escribió:",
        "Il giorno mar 3 dic 2026, Luca <luca@example.it> ha scritto:",
    ):
        text = f"Neue Frage.\n\n{line}\n> alt\n> älter"
        assert folded_text(text) == [f"{line}\n> alt\n> älter"], line


def test_nested_quotes_are_one_run() -> None:
    text = "Yes.\n\n> No?\n>> Maybe.\n> > > Deep\n>\n>> end"
    assert folds(text) == [Fold(2, 7, QUOTE)]


def test_interleaved_answers_keep_short_quotes_and_fold_long_ones() -> None:
    text = "\n".join([
        "> Which version?",  # one line of context for the answer under it
        "2.4",
        "",
        "> Does it crash on start?",
        "> Or after login?",  # two lines: still context
        "After login.",
        "",
        "> Here is the long",
        "> explanation you",
        "> sent last week.",
        "Thanks.",
    ])
    assert folds(text) == [Fold(7, 10, QUOTE)]
    assert "> Which version?" in shown(text) and "> Or after login?" in shown(text)


def test_a_one_line_quote_at_the_end_stays() -> None:
    assert folds("Done.\n> ok") == []


def test_outlook_original_message_to_the_end_unquoted() -> None:
    text = "Please see below.\n\n-----Original Message-----\nFrom: Desk\nSent: Tuesday\nTo: Ann\nSubject: Re: x\n\nOld text"
    assert folds(text) == [Fold(2, 9, QUOTE)]


def test_outlook_header_block_with_its_rule_and_german_headers() -> None:
    text = "Danke.\n\n________________________________\nVon: Desk <s@example.com>\nGesendet: Dienstag\nAn: Max\nBetreff: x\n\nalt"
    assert shown(text).strip() == "Danke."


def test_signature_to_the_end() -> None:
    text = "The printer is fixed.\n\n-- \nAnn Lee\nACME Ltd.\n+1 555 0100"
    assert folds(text) == [Fold(2, 6, SIGNATURE)]


def test_signature_followed_by_the_quote_is_one_fold() -> None:
    text = "New question.\n-- \nAnn\n\nOn Mon, Bob wrote:\n> old\n> older\n> oldest"
    assert folds(text) == [Fold(1, 8, SIGNATURE)]


def test_quote_running_into_the_signature_is_one_fold() -> None:
    text = "Answer.\n> a\n> b\n-- \nAnn"
    assert folds(text) == [Fold(1, 5, QUOTE)]


def test_never_the_whole_message() -> None:
    assert folds("> all\n> of it\n> quoted") == []
    assert folds("On Mon, Bob wrote:\n> a\n> b\n\n") == []
    assert folds("-- \nAnn Lee\nACME") == []


def test_text_that_only_looks_like_a_quote_start() -> None:
    # "wrote:" without quoted lines after it is the customer's own sentence.
    text = "My colleague wrote:\nthe server is down\nagain and again"
    assert folds(text) == []
    # An arrow inside a line is not a quote.
    assert folds("a -> b\nc -> d\ne -> f\ng") == []


def test_crlf_and_indented_quote_markers() -> None:
    text = "Hi\r\n\r\n  > one\r\n  > two\r\n  > three\r\nBye"
    assert folds(text) == [Fold(2, 5, QUOTE)]


def test_hostile_text_is_returned_as_line_numbers_only() -> None:
    text = "\x1b[2J\u202eevil\n> \x1b]8;;http://x\x07a\n> b\n> c"
    assert folds(text) == [Fold(1, 4, QUOTE)]
