"""The period chooser (a GET form: bookmarkable, no CSRF needed for reading)."""

from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectChoice, SelectField
from wtforms.validators import Optional

from campus.reports.period import PRESETS, Period, preset_period

MAX_DAYS = 5 * 366
FIRST_YEAR, LAST_YEAR = 2000, 2100

PRESET_LABELS = {
    "last_30_days": _l("Last 30 days"),
    "school_year": _l("This school year"),
    "last_12_months": _l("Last 12 months"),
    "custom": _l("Custom"),
}


class PeriodForm(FlaskForm):
    class Meta:
        csrf = False

    preset = SelectField(
        _l("Period"),
        choices=[SelectChoice(p, PRESET_LABELS[p]) for p in PRESETS],
        default="last_12_months",
        validate_choice=False,
    )
    start = DateField(_l("From"), validators=[Optional()], render_kw={"type": "date"})
    end = DateField(_l("To"), validators=[Optional()], render_kw={"type": "date"})

    def period(self, today: date, dates_given: bool = False) -> Period | None:
        """The chosen period, or None with messages next to the fields.

        A preset wins over the date fields, unless it is "custom" or the address gives
        dates without a preset (a bookmarked custom period).
        """
        if not self.validate():
            for field in (self.start, self.end):
                if field.errors:
                    field.errors = [_l("Please enter a date as DD.MM.YYYY.")]
            return None
        preset = self.preset.data if self.preset.data in PRESETS else "last_12_months"
        if preset != "custom" and not dates_given:
            period = preset_period(preset, today)
            self.start.data, self.end.data = period.first, period.last
            return period
        self.preset.data = "custom"
        first, last = self.start.data, self.end.data
        if first is None:
            self.start.errors = [_l("Please enter the first day.")]
        if last is None:
            self.end.errors = [_l("Please enter the last day.")]
        if first is None or last is None:
            return None
        for field, day in ((self.start, first), (self.end, last)):
            if not FIRST_YEAR <= day.year <= LAST_YEAR:
                field.errors = [
                    _l(
                        "Please choose a date between %(first)d and %(last)d.",
                        first=FIRST_YEAR,
                        last=LAST_YEAR,
                    )
                ]
        if self.start.errors or self.end.errors:
            return None
        if last < first:
            self.end.errors = [_l("The last day must not be before the first day.")]
            return None
        if (last - first) > timedelta(days=MAX_DAYS):
            self.end.errors = [_l("Please choose at most five years.")]
            return None
        return Period(first, last)
