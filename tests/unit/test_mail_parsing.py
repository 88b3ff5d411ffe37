"""Inbound mail as the teachers' mail programs write it (tests/fixtures/mail/*.eml, real
RFC 5322 messages): the exact new text of each reply with nothing quoted left in it, the
sender, the decoded subject, the attachments' types and bytes, and which mail is automatic.
Then the cutting rules one by one, the HTML conversion, and hostile input: parse() never
raises and no input makes it slow."""

import hashlib
import io
import time
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from campus.mail.parsing import Incoming, html_to_text, parse, reply_text

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "mail"
REPLY = "reply+123-7-k3xq9fz2@campus.example"
SUBJECT = "Re: [Campus #123] Beamer läuft nicht"


def fixture(name: str) -> Incoming:
    return parse((FIXTURES / name).read_bytes())


def html_part(name: str) -> str:
    message = message_from_bytes((FIXTURES / name).read_bytes(), policy=policy.default)
    return message.get_body(preferencelist=("html",)).get_content()


def assert_nothing_quoted(mail: Incoming, *quoted: str) -> None:
    assert not [line for line in mail.text.splitlines() if line.lstrip().startswith(">")]
    for phrase in quoted:
        assert phrase in mail.full_text  # it was there, before cutting
        assert phrase not in mail.text


def test_thunderbird_german_plain_text_quoted_printable_and_flowed():
    mail = fixture("thunderbird_de.eml")
    assert mail.text == (
        "Hallo Herr Krüger,\n\n"
        "der Beamer in Raum 204 läuft nach dem Neustart wieder, aber das Bild flackert noch. "
        "Können Sie morgen in der 3. Stunde vorbeischauen?\n\n"
        "Viele Grüße\nAnna Müller"
    )
    assert_nothing_quoted(mail, "Am 26.11.2026 um 10:15 schrieb Campus:", "Bitte starten Sie")
    assert mail.subject == SUBJECT
    assert (mail.sender, mail.sender_name) == ("anna.mueller@schule.example", "Anna Müller")
    assert mail.message_id == "8d1c4f0e-2b7a-4c55-9f1e-3a6b5c7d9e01@schule.example"
    assert mail.in_reply_to == ("campus.123.41@campus.example",)
    assert mail.recipients == (REPLY,)
    assert mail.attachments == ()
    assert not mail.automatic


def test_gmail_german_with_the_quote_header_wrapped_over_two_lines():
    mail = fixture("gmail_de.eml")
    expected = (
        "Guten Morgen,\n\n"
        "ja, das HDMI-Kabel war locker. Jetzt läuft alles, danke für die schnelle Hilfe!\n\n"
        "Anna"
    )
    assert mail.text == expected
    assert_nothing_quoted(mail, "Uhr schrieb Campus <", "Ist das HDMI-Kabel")
    assert mail.subject == SUBJECT
    assert mail.sender == "anna.beispiel@gmail.example"
    # To, Cc, Delivered-To, X-Original-To: lower-cased, each once, in order.
    assert mail.recipients == (REPLY, "joerg.krueger@stadt.example", "antwort@campus.example")
    assert mail.in_reply_to == ("campus.123.41@campus.example", "campus.123.40@campus.example")
    # The HTML alternative alone gives the same text: div.gmail_quote is left out.
    assert reply_text(html_to_text(html_part("gmail_de.eml"), drop_quotes=True)) == expected
    assert not mail.automatic


def test_outlook_german_html_only_with_its_header_block():
    mail = fixture("outlook_de.eml")
    expected = (
        "Guten Tag,\n\nder Beamer in Raum 204 läuft wieder – vielen Dank!\n\n"
        "Mit freundlichen Grüßen\nAnna Müller"
    )
    assert mail.text == expected
    assert_nothing_quoted(mail, "Gesendet: Donnerstag", "Bitte starten Sie den Beamer")
    assert "P {margin-top" not in mail.full_text  # <style> is no text
    assert reply_text(mail.full_text) == expected  # the "Von:/Gesendet:" block as text too
    assert mail.subject == "AW: [Campus #123] Beamer läuft nicht"
    assert (mail.sender, mail.sender_name) == ("anna.mueller@schule.example", "Müller, Anna")
    assert mail.message_id == (
        "DB9PR07MB1234A1B2C3D4E5F6A7B8C9D0E1F2@DB9PR07MB1234.eurprd07.prod.outlook.com"
    )
    assert not mail.automatic


def test_apple_mail_english_with_a_signature_above_the_quote():
    mail = fixture("apple_mail_en.eml")
    expected = (
        "Hi Jörg,\n\n"
        "as I wrote yesterday, the projector in room 204 only fails after about\n"
        "20 minutes. On Monday it worked all day – so maybe it overheats?"
    )
    assert mail.text == expected  # "wrote" and "On Monday" in a sentence stay
    assert_nothing_quoted(mail, "Kate Smith\nGoethe-Gymnasium", "wrote:", "switch off")
    from_html = reply_text(html_to_text(html_part("apple_mail_en.eml"), drop_quotes=True))
    assert from_html == expected.replace("about\n", "about ")  # the HTML has no line break
    assert mail.sender == "k.smith@gymnasium.example"
    assert mail.subject == "Re: [Campus #123] Projector keeps switching off"


def test_iphone_signature_and_quote():
    mail = fixture("iphone_de.eml")
    assert mail.text == "Super, danke! Der Beamer läuft wieder."
    assert_nothing_quoted(mail, "Gesendet von meinem iPhone", "Lampe getauscht")
    assert mail.sender == "t.lehmann@schule.example"
    assert mail.subject == SUBJECT


def test_forwarded_mail_keeps_the_new_text_above_it():
    mail = fixture("forwarded_de.eml")
    assert mail.text == (
        "Bitte schauen Sie sich das auch an – in Raum 105 ist es dasselbe.\n\nViele Grüße\nAnna"
    )
    assert_nothing_quoted(mail, "Weitergeleitete Nachricht", "geht nach zehn Minuten aus")
    assert mail.subject == "WG: Beamer Raum 105 [Campus #123]"


def test_a_jpeg_and_a_png_come_with_their_type_name_and_bytes():
    mail = fixture("attachments_de.eml")
    assert mail.text == "Hier zwei Fotos vom Fehlerbild, das Foto vom Display ist leider unscharf."
    assert_nothing_quoted(mail, "Foto der Fehlermeldung schicken")
    png, jpeg = mail.attachments
    assert (png.filename, png.content_type) == ("Fehlermeldung Büro.png", "image/png")
    assert (jpeg.filename, jpeg.content_type) == ("beamer.jpg", "image/jpeg")
    assert hashlib.sha256(png.data).hexdigest() == (
        "8d8fbe276506f7eea307e44a5d8105db406dd723e7bcd86e281a7b193b1deed3"
    )
    assert hashlib.sha256(jpeg.data).hexdigest() == (
        "97e4b6436c905c5d790346efe50c9926b8d73fddc59ffc47d118a312d12e10d6"
    )
    for attachment, kind in ((png, "PNG"), (jpeg, "JPEG")):
        with Image.open(io.BytesIO(attachment.data)) as image:
            assert (image.format, image.size) == (kind, (1, 1))


def test_out_of_office_note_is_automatic():
    mail = fixture("autoreply_de.eml")
    assert mail.automatic
    assert mail.subject == "Abwesenheitsnotiz: [Campus #123] Beamer läuft nicht"
    assert mail.sender == "anna.mueller@schule.example"


def test_bounce_is_automatic_and_its_report_parts_are_attachments():
    mail = fixture("bounce.eml")
    assert mail.automatic
    assert mail.sender == "mailer-daemon@mx.schule.example"
    assert mail.text.startswith("This is the mail system at host mx.schule.example.")
    assert [a.content_type for a in mail.attachments] == [
        "message/delivery-status",
        "message/rfc822",
    ]
    assert b"Status: 5.1.1" in mail.attachments[0].data
    assert b"Message-ID: <campus.123.45@campus.example>" in mail.attachments[1].data


def test_a_broken_message_does_not_raise():
    mail = fixture("malformed.eml")
    assert (mail.sender, mail.sender_name, mail.message_id) == ("", "", "")
    assert mail.text == "Der Beamer läuft wieder \ufffd nur der Ton fehlt."  # x-unknown: UTF-8
    assert "Beamer" in mail.subject and "über Kabel" in mail.subject
    assert mail.recipients == (REPLY,)
    assert [a.content_type for a in mail.attachments] == ["image/png", "text/plain"]
    assert not mail.automatic


def test_latin1_body_outlook_plain_text():
    mail = fixture("latin1_de.eml")
    assert mail.text == (
        "Hallo Herr Krüger,\n\n"
        "der Drucker im Lehrerzimmer druckt wieder. Grüße aus dem Büro!\n\n"
        "Björn Groß"
    )
    assert_nothing_quoted(mail, "Ursprüngliche Nachricht", "Papier im Fach 2")
    assert mail.subject == "AW: [Campus #124] Drucker im Büro druckt nicht"
    assert (mail.sender, mail.sender_name) == ("bjoern.gross@schule.example", "Groß, Björn")


def test_every_reply_fixture_is_a_person_not_a_machine():
    for name in ("thunderbird_de", "gmail_de", "outlook_de", "apple_mail_en", "iphone_de"):
        assert not fixture(f"{name}.eml").automatic, name


def message(**headers: str) -> bytes:
    mail = EmailMessage()
    mail["From"] = headers.pop("From", "Anna <anna@schule.example>")
    mail["To"] = REPLY
    mail["Subject"] = headers.pop("Subject", SUBJECT)
    for name, value in headers.items():
        mail[name.replace("_", "-")] = value
    mail.set_content("Danke!\n")
    return bytes(mail)


@pytest.mark.parametrize(
    ("headers", "automatic"),
    [
        ({}, False),
        ({"Auto_Submitted": "no"}, False),
        ({"Auto_Submitted": "auto-generated"}, True),
        ({"Precedence": "bulk"}, True),
        ({"Precedence": "junk"}, True),
        ({"List_Id": "<lehrer.schule.example>"}, True),
        ({"X_Autorespond": "yes"}, True),
        ({"From": "Postmaster <postmaster@schule.example>"}, True),
        ({"From": "no-reply@verlag.example"}, True),
        ({"From": "Schulportal <noreply@portal.example>"}, True),
        ({"Subject": "Automatische Antwort: Beamer"}, True),
    ],
)
def test_automatic_mail(headers, automatic):
    assert parse(message(**headers)).automatic is automatic


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Neu.\n\nAm 26.11.2026 um 10:15 schrieb Anna Beispiel <a@b.de>:\n> alt", "Neu."),
        (
            "Neu.\n\nAm Do., 26. Nov. 2026 um 10:15 Uhr schrieb Campus <\n"
            "reply+123@campus.example>:\n\n> alt",
            "Neu.",
        ),
        ("New.\n\nOn Thu, Nov 26, 2026 at 10:15 AM Campus <x@y> wrote:\n> old", "New."),
        ("New.\n\nOn 26.11.2026 10:15, Anna Beispiel wrote:\nold, unquoted", "New."),
        ("Neu.\n\nAnna Beispiel schrieb am 26.11.2026 10:15:\n> alt", "Neu."),
        ("Neu.\n\n-----Ursprüngliche Nachricht-----\nVon: Campus\nalt", "Neu."),
        ("New.\n\n-----Original Message-----\nFrom: Campus\nold", "New."),
        (
            "Neu.\n\n________________________________\nVon: Campus <c@x.de>\n"
            "Gesendet: Donnerstag, 26. November 2026 10:15\nAn: Anna\nBetreff: Re: x\n\nalt",
            "Neu.",
        ),
        ("Neu.\nVon: Campus <c@x>\nGesendet: Freitag\nAn: mich\nBetreff: x\nalt", "Neu."),
        ("New.\nFrom: Campus <c@x> Sent: Thursday To: Anna Subject: Re: x\nold", "New."),
        ("New.\n\n________________________________\nFrom: Campus\nSent: today\nold", "New."),
        ("Siehe unten.\n\n---------- Forwarded message ---------\nFrom: X\nalt", "Siehe unten."),
        ("Siehe unten.\n---------- Weitergeleitete Nachricht ----------\nalt", "Siehe unten."),
        ("Siehe unten.\n\nAnfang der weitergeleiteten Nachricht:\n\nVon: X\nalt", "Siehe unten."),
        ("See below.\n\nBegin forwarded message:\n\nFrom: X\nold", "See below."),
        ("Text.\n\n-- \nAnna Beispiel\nSchule", "Text."),
        ("Text.\n--\nAnna", "Text."),
        ("Geht.\n\nGesendet von meinem iPhone", "Geht."),
        ("Geht.\n\nVon meinem iPad gesendet", "Geht."),
        ("Works.\n\nSent from my iPhone", "Works."),
        ("Geht.\n\nGesendet von Outlook für iOS", "Geht."),
        ("Works.\n\nGet Outlook for iOS<https://aka.ms/o0ukef>", "Works."),
        # Sentences with "schrieb", "wrote", "Von:" and lists stay, line breaks too.
        (
            "Frau Müller schrieb gestern, dass es geht.\nOn Monday he wrote: nothing.\n"
            "Am Montag schrieb ich Ihnen:\nVon: Raum 204\nAn: Raum 105",
            "Frau Müller schrieb gestern, dass es geht.\nOn Monday he wrote: nothing.\n"
            "Am Montag schrieb ich Ihnen:\nVon: Raum 204\nAn: Raum 105",
        ),
        (
            "Es fehlen:\n- Kabel\n- Fernbedienung\n\n\n\nDanke",
            "Es fehlen:\n- Kabel\n- Fernbedienung\n\nDanke",
        ),
        # Answers between quoted lines stay; an answer under the quote (bottom-posting) too.
        ("Hallo\n> Frage 1\nAntwort 1\n> Frage 2\nAntwort 2", "Hallo\nAntwort 1\nAntwort 2"),
        ("Am 26.11.2026 um 10:15 schrieb Campus <c@x>:\n> Frage?\n\nUnten.\n-- \nA", "Unten."),
        ("> nur Zitat\n>> mehr", ""),
        ("Windows\r\nZeilen\r\n\r\nOn 1.2.2026, X <x@y> wrote:\r\n> alt", "Windows\nZeilen"),
        ("", ""),
    ],
)
def test_reply_text_cuts(text, kept):
    assert reply_text(text) == kept


def test_html_to_text_drops_script_style_head_and_with_drop_quotes_the_quotes():
    html = (
        "<html><head><title>Re: x</title><style>p{color:red}</style></head><body>"
        "<p>Neu &amp; wichtig:</p><ul><li>Kabel</li><li>Beamer</li></ul>"
        "<script>alert(1)</script><table><tr><td>Raum</td><td>204</td></tr></table>"
        "<div class='moz-cite-prefix'>Am 26.11.2026 um 10:15 schrieb Campus:<br></div>"
        "<blockquote type='cite'>alt <blockquote>älter</blockquote> alt</blockquote>"
        "<div class='gmail_quote'><div>gmail</div></div>"
        "<p>Grüße</p></body></html>"
    )
    assert html_to_text(html, drop_quotes=True) == (
        "Neu & wichtig:\n- Kabel\n- Beamer\nRaum 204\n\nGrüße"
    )
    kept = html_to_text(html)
    assert "alt" in kept and "älter" in kept and "gmail" in kept and "schrieb Campus" in kept
    assert "alert" not in kept and "color" not in kept and "Re: x" not in kept


def test_html_to_text_drops_everything_from_outlooks_markers_on():
    html = (
        '<div>Neu</div><div id="appendonsend"></div><hr><div id="divRplyFwdMsg">'
        "<b>Von:</b> Campus</div><div>alter Text</div>"
    )
    assert html_to_text(html, drop_quotes=True) == "Neu"
    assert "alter Text" in html_to_text(html)
    assert html_to_text('<p>Neu</p><div id="divRplyFwdMsg">Von: x</div>', True) == "Neu"


def test_html_to_text_survives_sloppy_html():
    assert html_to_text("<head><title>x</title><body>Text &lt;3&nbsp;ok") == "Text <3 ok"
    assert html_to_text("a < b and c > d <!-- hidden --> e") == "a < b and c > d e"
    assert html_to_text("<pre>  eingerückt\n  bleibt</pre>") == "eingerückt\nbleibt"


def test_the_limits_hold():
    mail = EmailMessage()
    mail["From"] = "anna@schule.example"
    mail.set_content("x" * 150_000)
    for number in range(12):
        mail.add_attachment(
            b"%d" % number, maintype="image", subtype="png", filename=f"{number}.png"
        )
    parsed = parse(bytes(mail))
    assert len(parsed.full_text) == 100_000 and len(parsed.text) == 100_000
    assert [a.filename for a in parsed.attachments] == [f"{n}.png" for n in range(10)]


def test_parse_survives_what_the_parser_chokes_on():
    assert parse(b"") == Incoming("", "", "", (), "", "", "", (), False, ())
    assert parse(b"From: \x00\xff@@<<>>\r\nSubject: =?utf-8?b?w?=\r\n\r\n\x00ok").text == "ok"
    deep = b"".join(
        b"Content-Type: multipart/mixed; boundary=b%d\n\n--b%d\n" % (n, n) for n in range(2000)
    )
    assert isinstance(parse(b"From: a@b.example\n" + deep + b"\nText"), Incoming)


MAIL_PIECES = st.sampled_from(
    [
        b"From: Anna <anna@schule.example>\r\n",
        b"From: =?x-unknown?q?=FF?= <@>\r\n",
        b'To: a@b, <c@d>, "x, y" <e@f>\r\n',
        b"Subject: =?utf-8?Q?l=C3=A4uft?= =?utf-8?B?w6Q=?=\r\n",
        b"Message-ID: <x@y>\r\n",
        b"References: <a@b> <c@d\r\n",
        b'Content-Type: multipart/mixed; boundary="b"\r\n',
        b"Content-Type: multipart/alternative; boundary=b\r\n",
        b"Content-Type: text/plain; charset=x-unknown; format=flowed; delsp=yes\r\n",
        b"Content-Type: text/html; charset=utf-16\r\n",
        b"Content-Type: message/rfc822\r\n",
        b"Content-Transfer-Encoding: base64\r\n",
        b"Content-Transfer-Encoding: quoted-printable\r\n",
        b"Content-Disposition: attachment; filename*=utf-8''%FF%C3.png\r\n",
        b"\r\n",
        b"--b\r\n",
        b"--b--\r\n",
        b"<div class=gmail_quote><blockquote>\r\n",
        b"> Am 1.1.2026 schrieb x <\r\n",
        b"iVBORw0KGgo=\r\n",
        b"=C3=A4=\r\n",
        b"\xff\xfe\x00\x00",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.binary(max_size=2000), st.lists(MAIL_PIECES, max_size=40).map(b"".join)))
def test_parse_never_raises(raw):
    assert isinstance(parse(raw), Incoming)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=2000))
def test_reply_text_and_html_to_text_never_raise(text):
    assert isinstance(reply_text(text), str)
    assert isinstance(html_to_text(text, drop_quotes=True), str)


@pytest.mark.parametrize(
    "hostile",
    [
        ">" * 200_000,
        " " * 200_000,
        "Am " * 70_000 + ":",
        ("Am 1 " + "schrieb " * 40 + "<\n") * 3_000,
        "Von: x\n" * 30_000,
        "\n" * 50_000 + "Am 1.1.2026 schrieb a@b:\n> x\n" * 5_000,
    ],
)
def test_hostile_text_takes_no_time(hostile):
    started = time.perf_counter()
    reply_text(hostile)
    parse(b"From: a@b.example\r\nContent-Type: text/plain\r\n\r\n" + hostile.encode())
    assert time.perf_counter() - started < 2


@pytest.mark.parametrize(
    "hostile", ["<a " * 60_000, "<" * 200_000, "</" * 100_000, "<!--" * 50_000, "<p>" * 60_000]
)
def test_hostile_html_takes_no_time(hostile):
    # html.parser alone needs minutes for 60,000 unclosed "<a ".
    started = time.perf_counter()
    html_to_text(hostile, drop_quotes=True)
    assert time.perf_counter() - started < 2
