"""The readable copy of a person's data (`personal_data()`, campus/privacy/export.py) as
PDF, in the person's language (German unless they chose another): a title, the profile,
the tickets they reported with their history, then the other sections
(campus/privacy/export_pdf_sections.py). The building blocks, and how letters outside
the PDF's built-in fonts are written, are in campus/privacy/pdf_document.py."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from campus.formats import in_language
from campus.labels import (
    CATEGORY_LABELS,
    EVENT_LABELS,
    IMPACT_LABELS,
    LEVEL_LABELS,
    ROLE_LABELS,
    STATUS_LABELS,
)
from campus.privacy import export_pdf_sections as sections
from campus.privacy.pdf_document import Document, plain, when

# Who wrote a history entry: the reader, or another person by role only.
AUTHORS = {
    "self": _l("You"),
    "teacher": ROLE_LABELS["teacher"],
    "campus_manager": _l("Campus management"),
    "system_house": ROLE_LABELS["system_house"],
    "admin": _l("Administration"),
    "system": _l("Campus (automatically)"),
}
LANGUAGES = {"de": "Deutsch", "en": "English"}


def personal_data_pdf(data: dict, locale: str | None) -> bytes:
    """The PDF of `data` in `locale` (the app's default language when None)."""
    with in_language(locale):
        profile = data["profile"]
        pdf = Document(_("Your data in Campus: %(name)s", name=profile["name"]))
        pdf.set_title(plain(_("Your data in Campus")))
        pdf.add_page()
        pdf.paragraph(_("Your data in Campus"), 18, "B")
        pdf.paragraph(f"{profile['name']} <{profile['email']}>", size=11)
        pdf.paragraph(_("As of %(when)s", when=when(data["generated_at"])), size=9.5)
        pdf.ln(2)
        pdf.paragraph(
            _(
                "This is everything Campus stores about you (GDPR Art. 15). Other people "
                "appear only by their role. The JSON download holds the same data in a "
                "machine-readable form (Art. 20)."
            ),
            size=9,
        )
        _profile(pdf, profile)
        _tickets(pdf, data["tickets"])
        sections.write_all(pdf, data)
        return bytes(pdf.output())


def _profile(pdf: Document, profile: dict) -> None:
    pdf.heading(_("Profile"))
    if profile["active"]:
        state = _("active")
    else:
        state = _("deactivated since %(when)s", when=when(profile["deactivated_at"]))
    items = [
        (_("Name"), profile["name"]),
        (_("Email"), profile["email"]),
        (_("Role"), str(ROLE_LABELS.get(profile["role"], profile["role"]))),
        (_("School"), profile["school"] or "–"),
        (_("Campuses"), ", ".join(profile["campuses"]) or "–"),
        (_("Language"), LANGUAGES.get(profile["language"] or "", _("not chosen"))),
        (_("Account created"), when(profile["created_at"])),
        (_("Last login"), when(profile["last_login_at"])),
        (_("Account"), state),
        (_("Digest times"), profile["digest_times"].replace(",", ", ")),
        (_("Calendar feed"), _("yes") if profile["calendar_feed"] else _("no")),
    ]
    if profile["pseudonymised_at"]:
        items.append((_("Pseudonymised"), when(profile["pseudonymised_at"])))
    pdf.pairs(items)


def author(code: str) -> str:
    return str(AUTHORS.get(code, code))


def event_line(event: dict) -> str:
    """A history entry's headline: when, who (by role), what; e.g. in German
    "05.03.26, 14:07 · Campusmanagement: hat geantwortet"."""
    what = str(EVENT_LABELS.get(event["kind"], event["kind"]))
    line = f"{when(event['at'])} · {author(event['by'])}: {what}"
    return f"{line} ({_('internal')})" if event["internal"] else line


def _tickets(pdf: Document, tickets: list[dict]) -> None:
    pdf.heading(_("Tickets you reported"))
    if not tickets:
        pdf.empty()
    for ticket in tickets:
        pdf.subheading(f"#{ticket['number']} {ticket['title']}")
        items = [
            (_("Status"), str(STATUS_LABELS.get(ticket["status"], ticket["status"]))),
            (_("Level"), str(LEVEL_LABELS.get(ticket["level"], ticket["level"]))),
            (_("Category"), str(CATEGORY_LABELS.get(ticket["category"], ticket["category"]))),
            (_("Impact"), str(IMPACT_LABELS.get(ticket["impact"], ticket["impact"]))),
            (_("School"), ticket["school"]),
            (_("Room"), ticket["room"] or "–"),
            (_("Device"), ticket["device"] or "–"),
            (_("Reported"), when(ticket["created_at"])),
            (_("First response"), when(ticket["first_response_at"])),
            (_("Resolved"), when(ticket["resolved_at"])),
            (_("Closed"), when(ticket["closed_at"])),
        ]
        if ticket["anonymised_at"]:
            items.append((_("Anonymised"), when(ticket["anonymised_at"])))
        pdf.pairs(items)
        pdf.paragraph(_("Description"), size=9, style="B")
        pdf.paragraph(ticket["description"] or "–", size=9, indent=4)
        pdf.ln(1)
        pdf.paragraph(_("History"), size=9, style="B")
        for event in ticket["events"]:
            pdf.entry(event_line(event), event["text"])
