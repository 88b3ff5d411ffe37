"""Printable QR labels (A4 sheets of stickers) and room signs, as PDF."""

from dataclasses import dataclass

import qrcode
from fpdf import FPDF


@dataclass(frozen=True)
class Layout:
    """A sticker sheet: columns x rows of labels on A4, in millimetres."""

    columns: int
    rows: int
    width: float
    height: float
    left: float
    top: float


# Common A4 sheets: 3 x 8 (70 x 36 mm, e.g. Avery Zweckform 3475) and 3 x 7 (70 x 42.3 mm).
LAYOUTS = {
    "3x8": Layout(3, 8, 70.0, 36.0, 0.0, 4.5),
    "3x7": Layout(3, 7, 70.0, 42.3, 0.0, 0.0),
}


@dataclass(frozen=True)
class Label:
    url: str
    title: str  # the inventory number, large
    subtitle: str  # school short name and room


def _latin1(text: str) -> str:
    """The PDF core fonts speak Latin-1: umlauts are fine, a few typographic marks are not."""
    return (
        text.replace("–", "-")
        .replace("“", '"')
        .replace("”", '"')
        .encode("latin-1", "replace")
        .decode("latin-1")
    )


def _qr_image(url: str):
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=10, border=2)
    code.add_data(url)
    code.make(fit=True)
    return code.make_image(fill_color="black", back_color="white").get_image()


def _document(title: str) -> FPDF:
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_title(_latin1(title))
    pdf.set_creator("Campus")
    return pdf


def label_sheet(labels: list[Label], layout: Layout, title: str) -> bytes:
    """One QR label per device, filling sheets row by row."""
    pdf = _document(title)
    per_page = layout.columns * layout.rows
    for index, label in enumerate(labels):
        if index % per_page == 0:
            pdf.add_page()
        slot = index % per_page
        x = layout.left + (slot % layout.columns) * layout.width
        y = layout.top + (slot // layout.columns) * layout.height
        size = min(layout.height - 6, layout.width / 2)
        pdf.image(_qr_image(label.url), x=x + 3, y=y + (layout.height - size) / 2, w=size, h=size)
        text_x = x + size + 5
        pdf.set_font("Helvetica", "B", 11)
        pdf.text(text_x, y + layout.height / 2 - 2, _latin1(label.title))
        pdf.set_font("Helvetica", "", 8)
        pdf.text(text_x, y + layout.height / 2 + 3, _latin1(label.subtitle))
        pdf.text(text_x, y + layout.height / 2 + 7, _latin1("IT-Support: scannen"))
    if not labels:
        pdf.add_page()
    return bytes(pdf.output())


def room_sign(url: str, room: str, school: str, hint: str) -> bytes:
    """An A4 sign for a room: one large QR code to report a problem there."""
    pdf = _document(f"{school} {room}")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 40)
    pdf.set_xy(10, 20)
    pdf.cell(190, 18, _latin1(room), align="C")
    pdf.set_font("Helvetica", "", 16)
    pdf.set_xy(10, 42)
    pdf.cell(190, 10, _latin1(school), align="C")
    pdf.image(_qr_image(url), x=45, y=62, w=120, h=120)
    pdf.set_font("Helvetica", "B", 20)
    pdf.set_xy(10, 190)
    pdf.cell(190, 12, _latin1(hint), align="C")
    pdf.set_font("Helvetica", "", 10)
    pdf.set_xy(10, 205)
    pdf.cell(190, 8, _latin1(url), align="C")
    return bytes(pdf.output())
