"""The PDF building blocks of a person's data (campus/privacy/export_pdf.py): an A4
document with a footer, headings, paragraphs, label-value pairs, tables and list entries.

It writes with the PDF's built-in fonts, as the device labels do (campus/devices/
labels.py): no font file to ship, and German is complete in their Windows-1252 letters.
A letter they lack (Polish ł, Turkish ş, an emoji) is written without its accent or as
"?"; the JSON download keeps every text exactly. Long texts are paragraphs, never table
cells, so that no text is too long for a page."""

import unicodedata
from datetime import date, datetime

from flask_babel import format_date
from flask_babel import gettext as _
from fpdf import FPDF

from campus.formats import format_datetime

FONT = "Helvetica"
ENCODING = "windows-1252"  # the built-in fonts' WinAnsiEncoding: umlauts, ß, €, quotes
LOOKALIKES = str.maketrans({"ł": "l", "Ł": "L", "ı": "i", "đ": "d", "Đ": "D", "→": "->"})
HEADING_FILL = (235, 238, 242)
# Table cells: font size (pt), line height and padding (mm), most lines in one cell.
CELL_SIZE, CELL_LINE, CELL_PAD, CELL_LINES = 8.5, 4.2, 0.8, 55


def plain(text) -> str:
    """`text` in the built-in fonts' letters (see the module's docstring)."""
    text = (
        str(text if text is not None else "")
        .replace("\r\n", "\n")
        .replace("\r", "\n")
        .replace("\t", "    ")
    )
    try:
        text.encode(ENCODING)
        return text
    except UnicodeEncodeError:
        pass
    letters = []
    for char in text.translate(LOOKALIKES):
        if not _writable(char):
            char = "".join(
                c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
            )
            char = char if char and _writable(char) else "?"
        letters.append(char)
    return "".join(letters)


def _writable(text: str) -> bool:
    try:
        text.encode(ENCODING)
    except UnicodeEncodeError:
        return False
    return True


def when(value: str | None) -> str:
    """An ISO time of the export as the reader writes it ("05.03.26, 14:07"); a dash for
    none."""
    if not value:
        return "–"
    if "T" not in value:
        return format_date(date.fromisoformat(value), "medium")
    return format_datetime(datetime.fromisoformat(value))


class Document(FPDF):
    """A4 with a footer (whose data, the page) and a small layout of its own: lines are
    broken here, word widths measured once, and written with `text()`. fpdf2's
    multi_cell() and table() measure every line again for each letter added to it: 5,000
    history entries and 3,000 audit rows took 50-90 s with them, 2 s this way."""

    def __init__(self, footer: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.core_fonts_encoding = ENCODING
        self.footer_text = plain(footer)
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(False, margin=18)
        self.set_creator("Campus")
        self._widths: dict[tuple, float] = {}

    @property
    def bottom(self) -> float:
        return self.h - 18

    @property
    def body_width(self) -> float:
        return self.w - self.l_margin - self.r_margin

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, "", 8)
        self.set_text_color(90)
        self.cell(0, 5, f"{self.footer_text} · {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(0)

    # --- measuring and breaking lines ---------------------------------------------------

    def _width(self, text: str) -> float:
        key = (self.font_style, self.font_size_pt, text)
        width = self._widths.get(key)
        if width is None:
            width = self._widths[key] = self.get_string_width(text)
        return width

    def wrap(self, text: str, width: float) -> list[str]:
        """`text` (already plain) in lines no wider than `width` mm in the current font;
        a word longer than a line (an address, a file name) is cut."""
        lines = []
        space = self._width(" ")
        for paragraph in text.split("\n"):
            words, used = [], 0.0
            for word in paragraph.split(" "):
                size = self._width(word)
                if size > width:
                    if words:
                        lines.append(" ".join(words))
                    *whole, word = self._cut(word, width)
                    lines.extend(whole)
                    words, used = [word], self._width(word)
                elif not words or used + space + size <= width:
                    used += (space if words else 0) + size
                    words.append(word)
                else:
                    lines.append(" ".join(words))
                    words, used = [word], size
            lines.append(" ".join(words))
        return lines

    def _cut(self, word: str, width: float) -> list[str]:
        pieces, piece, used = [], "", 0.0
        for char in word:
            size = self._width(char)
            if piece and used + size > width:
                pieces.append(piece)
                piece, used = "", 0.0
            piece += char
            used += size
        return [*pieces, piece]

    def _room(self, height: float) -> bool:
        """Begin a new page unless `height` mm fit on this one; True if a page began."""
        if self.y + height <= self.bottom:
            return False
        self.add_page()
        return True

    def _write(self, lines: list[str], line_height: float, x: float) -> None:
        for line in lines:
            self._room(line_height)
            self.text(x, self.y + line_height * 0.75, line)
            self.y += line_height

    # --- building blocks ------------------------------------------------------------------

    def paragraph(self, text: str, size: float = 9.5, style: str = "", indent: float = 0) -> None:
        self.set_font(FONT, style, size)
        lines = self.wrap(plain(text), self.body_width - indent)
        self._write(lines, size * 0.5, self.l_margin + indent)

    def heading(self, text: str) -> None:
        self._room(30)  # with the first lines of what it heads
        self.y += 4
        self.paragraph(text, 13, "B")
        self.y += 1.5

    def subheading(self, text: str) -> None:
        self._room(22)
        self.y += 2
        self.paragraph(text, 10.5, "B")
        self.y += 0.5

    def empty(self) -> None:
        self.paragraph(_("None."), style="I")

    def _measure(self, cells: list[str], widths: tuple, styles: str | tuple) -> tuple:
        """A table row's cells broken into lines within their columns (`widths` in mm,
        scaled down to the page's width), and the row's height."""
        scale = min(1.0, self.body_width / sum(widths))
        widths = tuple(w * scale for w in widths)
        styles = styles if isinstance(styles, tuple) else (styles,) * len(cells)
        broken = []
        for text, width, style in zip(cells, widths, styles, strict=True):
            self.set_font(FONT, style, CELL_SIZE)
            lines = self.wrap(plain(text), width - 2 * CELL_PAD)
            if len(lines) > CELL_LINES:  # no row taller than a page
                lines = [*lines[: CELL_LINES - 1], "…"]
            broken.append(lines)
        height = max(len(lines) for lines in broken) * CELL_LINE + 2 * CELL_PAD
        return broken, widths, styles, height

    def _draw(self, measured: tuple, fill: bool = False, rule: bool = False) -> None:
        broken, widths, styles, height = measured
        top = self.y
        if fill:
            self.set_fill_color(*HEADING_FILL)
            self.rect(self.l_margin, top, sum(widths), height, style="F")
        x = self.l_margin
        for lines, width, style in zip(broken, widths, styles, strict=True):
            self.set_font(FONT, style, CELL_SIZE)
            self.y = top + CELL_PAD
            self._write(lines, CELL_LINE, x + CELL_PAD)
            x += width
        self.y = top + height
        if rule:
            self.set_draw_color(190)
            self.line(self.l_margin, self.y, self.l_margin + sum(widths), self.y)
            self.set_draw_color(0)

    def pairs(self, items: list[tuple[str, str]]) -> None:
        """Label and value, one per line."""
        for name, value in items:
            measured = self._measure([name, value], (50, 130), ("B", ""))
            self._room(measured[-1])
            self._draw(measured)

    def grid(self, headings: list[str], lines: list[list[str]], widths: tuple) -> None:
        """A table with a heading row, repeated on each page; "None." when empty."""
        if not lines:
            self.empty()
            return
        heading = self._measure(headings, widths, "B")
        self._room(heading[-1] + 2 * CELL_LINE)
        self._draw(heading, fill=True, rule=True)
        for line in lines:
            measured = self._measure(line, widths, "")
            if self._room(measured[-1]):
                self._draw(heading, fill=True, rule=True)
            self._draw(measured, rule=True)
        self.y += 1

    def entry(self, headline: str, text: str) -> None:
        """A list entry: a small headline, then its text (any length) indented."""
        self._room(9)
        self.paragraph(headline, size=8.5, style="B")
        if text:
            self.paragraph(text, size=9, indent=4)
        self.y += 1
