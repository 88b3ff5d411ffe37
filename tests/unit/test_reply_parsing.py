"""Inbound mail as real mail programs write it (tests/fixtures/replies/*.eml): the new
text without the quote, the sender, the subject with its umlauts, attachments, and which
mail is automatic."""

import time
from email.message import EmailMessage
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from campus.mail.parsing import html_to_text, parse, reply_text
from tests.tickets_helpers import jpeg_with_gps, png_bytes

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "replies"


def fixture(name: str):
    return parse((FIXTURES / name).read_bytes())


def test_outlook_html_only_in_german():
    mail = fixture("outlook_de.eml")
    assert (
        mail.text == "Die Lampe leuchtet grün, aber das Bild bleibt schwarz.\nGrüße\nJürgen Müller"
    )
    assert mail.sender == "juergen.mueller@schule.example"
    assert mail.sender_name == "Müller, Jürgen"
    assert mail.subject == (
        "AW: Rückfrage zu Ihrer Meldung: Beamer zeigt kein Bild [Campus #1 7qwrj7wf]"
    )
    assert "antwort+1-2-abcdefghijklmnopqrst@campus.stadt.example" in mail.recipients
    assert "Marco Brandt hat eine Rückfrage" in mail.full_text  # the quote, before cutting
    assert mail.message_id == "AM0PR07MB4321A1B2C3D4E5F6@AM0PR07MB4321.eurprd07.prod.outlook.com"
    assert mail.in_reply_to == ("3f2a9c@stadt.example",)
    assert not mail.automatic


def test_gmail_with_the_quote_header_wrapped_over_two_lines():
    mail = fixture("gmail_de.eml")
    assert mail.text == "Raum B 113, der große Beamer über der Tafel."
    assert mail.subject.endswith("[Campus #1 7qwrj7wf]")
    assert mail.sender == "anna.beispiel@gmail.example"


def test_apple_mail_in_english_with_a_signature():
    mail = fixture("apple_en.eml")
    assert mail.text == "Thanks, it prints again.\nTray 2 still squeaks a little."


def test_iphone_signature_and_quote():
    assert fixture("iphone_de.eml").text == "Ja, im Lehrerzimmer geht es wieder. Danke!"


def test_a_forwarded_mail_keeps_the_new_text_above_it():
    mail = fixture("forwarded_de.eml")
    assert mail.text == "Zur Info: Der Hausmeister hat das Kabel schon getauscht."
    assert "Kabel getauscht, bitte testen." in mail.full_text


def test_latin1_body_and_subject():
    mail = fixture("latin1.eml")
    assert mail.text == "Grüße aus dem Büro: der Drucker läuft."
    assert mail.subject == "Re: Gelöst: Drucker [Campus #4 zxcvbnmq]"
    assert mail.sender_name == "Björn Groß"


def test_out_of_office_and_bounces_are_automatic():
    assert fixture("auto_reply_de.eml").automatic
    bounce = fixture("bounce.eml")
    assert bounce.automatic
    assert bounce.attachments == () or all(a.content_type for a in bounce.attachments)


def test_a_broken_message_does_not_raise():
    mail = fixture("malformed.eml")
    assert mail.sender == "" and mail.message_id == ""
    assert "Text mit" in mail.text


def test_attachments_come_with_their_type_and_bytes():
    message = EmailMessage()
    message["From"] = "Tina Lehmann <t@schule.example>"
    message["To"] = "antwort@campus.stadt.example"
    message["Subject"] = "Fotos"
    message.set_content("Zwei Fotos anbei.\n\nAm 27.11.2026 um 09:00 schrieb Campus:\n> x\n")
    png, jpeg = png_bytes(8, 6), jpeg_with_gps()
    message.add_attachment(png, maintype="image", subtype="png", filename="tafel.png")
    message.add_attachment(jpeg, maintype="image", subtype="jpeg", filename="beamer.jpg")
    mail = parse(bytes(message))
    assert mail.text == "Zwei Fotos anbei."
    assert [(a.filename, a.content_type, a.data) for a in mail.attachments] == [
        ("tafel.png", "image/png", png),
        ("beamer.jpg", "image/jpeg", jpeg),
    ]


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        (
            "Er schrieb mir gestern: geht nicht.\nDanke",
            "Er schrieb mir gestern: geht nicht.\nDanke",
        ),
        ("Neu.\n\nOn Thu, Nov 26, 2026 at 10:15 AM Campus <x@y> wrote:\n> alt", "Neu."),
        ("Neu.\n-----Original Message-----\nFrom: a", "Neu."),
        ("Neu.\n________________________________\nVon: Campus\nGesendet: heute", "Neu."),
        ("Neu.\nVon: Campus <c@x>\nGesendet: Freitag\nAn: mich\nBetreff: x", "Neu."),
        ("Von: Anna\nbis morgen", "Von: Anna\nbis morgen"),  # no header block follows
        ("Neu.\n--\nSignatur", "Neu."),
        ("Neu.\nVon meinem iPad gesendet", "Neu."),
        ("Neu.\nGet Outlook for iOS", "Neu."),
        ("> nur Zitat", ""),
    ],
)
def test_reply_text_rules(text, kept):
    assert reply_text(text) == kept


def test_html_drops_scripts_styles_and_quotes():
    html = (
        "<html><head><title>x</title><style>p{}</style></head><body>"
        "<p>Neu &amp; wichtig</p><script>alert(1)</script>"
        "<blockquote>alt</blockquote><div class='moz-cite-prefix'>Am ... schrieb:</div>"
        "</body></html>"
    )
    assert html_to_text(html, drop_quotes=True) == "Neu & wichtig"
    assert "alt" in html_to_text(html)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_parse_never_raises(raw):
    parse(raw)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=2000))
def test_reply_text_never_raises(text):
    assert isinstance(reply_text(text), str)


def test_long_hostile_lines_take_no_time():
    started = time.perf_counter()
    reply_text(("Am " + " " * 200_000 + "schrieb") + "\n" + ">" * 200_000)
    html_to_text("<div>" * 20_000 + "x", drop_quotes=True)
    parse(b"Subject: " + b"a" * 200_000 + b"\n\n" + b"Am x" * 50_000)
    assert time.perf_counter() - started < 2


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        # Text that only looks like a quote header stays.
        (
            "Am Montag schrieb ich Ihnen:\nBitte prüfen.",
            "Am Montag schrieb ich Ihnen:\nBitte prüfen.",
        ),
        # Thunderbird's older header, and its English one.
        ("Neu.\n\nAnna Beispiel schrieb am 26.11.2026 10:15:\n> x", "Neu."),
        ("New.\n\nOn 26.11.2026 10:15, Anna Beispiel wrote:\n> x", "New."),
        # An answer below the quote.
        (
            "Am 26.11.2026 um 10:15 schrieb Campus <c@x>:\n> Frage?\n\nAntwort unten.\n\n-- \nSig",
            "Antwort unten.",
        ),
    ],
)
def test_more_reply_shapes(text, kept):
    assert reply_text(text) == kept
