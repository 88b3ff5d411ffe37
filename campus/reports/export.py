"""Report rows as plain data: for CSV (Excel-friendly) and JSON."""

import csv
import io
from collections.abc import Iterable, Iterator

from campus.models.report import COUNTS
from campus.reports.queries import TIME_FIGURES, ResolutionRow

COUNT_FIELDS = COUNTS
RATE_FIELDS = (
    "flr",
    "net_flr",
    "share_of_resolved",
    "escalation_rate",
    "l1_capable_share",
    "reopen_rate",
    "response_on_time_share",
    "resolution_on_time_share",
)


def row_to_dict(row: ResolutionRow) -> dict:
    """Counts, rates (0..1, None when undefined) and times in hours (None without data)."""
    data = {"key": row.key, "label": row.label}
    data.update({name: getattr(row, name) for name in COUNT_FIELDS})
    data.update({name: _round(getattr(row, name), 4) for name in RATE_FIELDS})
    for figure in TIME_FIGURES:
        stats = row.times.get(figure)
        data[f"{figure}_n"] = stats.n if stats else 0
        data[f"{figure}_median_hours"] = _hours(stats.median if stats else None)
        data[f"{figure}_p90_hours"] = _hours(stats.p90 if stats else None)
    return data


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _hours(seconds: float | None) -> float | None:
    """Hours, as the upper bound of the duration bucket; None without data or past a year."""
    if seconds is None or seconds == float("inf"):
        return None
    return round(seconds / 3600, 2)


def csv_lines(rows: Iterable[dict], separator: str = ",") -> Iterator[str]:
    """CSV line by line with a UTF-8 BOM so that Excel shows umlauts; ';' also switches to
    decimal commas, which is what German Excel expects. Streamed: the download holds one
    line in memory at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n")
    yield "\ufeff"
    header = False
    for row in rows:
        if not header:
            writer.writerow(row.keys())
            header = True
        writer.writerow(_cell(value, separator) for value in row.values())
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


# A text cell that begins with one of these is a formula to Excel and LibreOffice
# (OWASP, "CSV Injection"): a school or person named "=HYPERLINK(...)" must stay text.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value, separator: str) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        text = f"{value:.4f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
        return text.replace(".", ",") if separator == ";" else text
    if isinstance(value, int):
        return str(value)
    return neutralised(str(value))


def neutralised(text: str) -> str:
    """Text that a spreadsheet shows as text: a leading formula character gets a "'"."""
    return "'" + text if text.startswith(FORMULA_START) else text
