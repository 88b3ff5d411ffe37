"""The PDF's sections after the tickets (campus/privacy/export_pdf.py): photos, entries on
other tickets, fault analyses, tickets held, API tokens, logins, mail, feedback, surveys,
articles, the audit trail and the timetable. Sections that belong to one kind of work
(fault analyses, the timetable ...) appear only when they hold something; the others say
"None." when empty, so that the reader sees they were looked at."""

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from campus.formats import format_number
from campus.labels import (
    AUDIT_LABELS,
    EVENT_LABELS,
    INBOUND_LABELS,
    LEVEL_LABELS,
    MAIL_STATUS_LABELS,
    STATUS_LABELS,
)
from campus.mail.kinds import KINDS
from campus.privacy.pdf_document import Document, when

MODES = {"now": _l("At once"), "digest": _l("In the digest"), "off": _l("No mail")}
REASONS = {
    "illness": _l("Illness"),
    "training": _l("Training"),
    "leave": _l("Leave"),
    "other": _l("Other"),
}
CHANGES = {"cancelled": _l("The visit does not take place"), "extra": _l("An extra visit")}
ARTICLE_STATES = {"active": _l("active"), "retired": _l("Retired")}
ANALYSIS_PARTS = (
    ("symptoms", _l("Symptoms")),
    ("steps_tried", _l("What was already tried")),
    ("device_data", _l("Device data")),
    ("reproduce", _l("How to reproduce")),
)


def _name(labels: dict, code) -> str:
    return str(labels.get(code, code))


def _yes(value: bool) -> str:
    return _("yes") if value else _("no")


def write_all(pdf: Document, data: dict) -> None:
    _photos(pdf, data["photos"])
    _elsewhere(pdf, data["entries_on_other_tickets"], data["fault_analyses"])
    if data["tickets_assigned"]:
        pdf.heading(_("Tickets you hold or held"))
        pdf.grid(
            [_("Ticket"), _("Status"), _("Level")],
            [
                [
                    f"#{t['ticket']}",
                    _name(STATUS_LABELS, t["status"]),
                    _name(LEVEL_LABELS, t["level"]),
                ]
                for t in data["tickets_assigned"]
            ],
            (25, 70, 85),
        )
    _account(pdf, data)
    _mail(pdf, data)
    _feedback_and_surveys(pdf, data["feedback"], data["surveys"])
    if data["articles"]:
        pdf.heading(_("Articles you wrote"))
        pdf.grid(
            [_("Title"), _("Status"), _("Created")],
            [
                [a["title"], _name(ARTICLE_STATES, a["status"]), when(a["created_at"])]
                for a in data["articles"]
            ],
            (115, 30, 35),
        )
    _audit(pdf, data["audit_trail"])
    _timetable(pdf, data["timetable"])


def _photos(pdf: Document, photos: list[dict]) -> None:
    pdf.heading(_("Photos you attached"))
    pdf.paragraph(_("Only their names and sizes: the photos themselves are on the tickets."), 8.5)
    pdf.grid(
        [_("Ticket"), _("File name"), _("Size"), _("Uploaded")],
        [
            [
                f"#{p['ticket']}",
                p["file_name"] or "–",
                f"{format_number(max(1, round(p['size'] / 1024)))} KB",
                when(p["uploaded_at"]),
            ]
            for p in photos
        ],
        (20, 95, 25, 40),
    )


def _elsewhere(pdf: Document, entries: list[dict], analyses: list[dict]) -> None:
    if entries:
        pdf.heading(_("Your entries on tickets of others"))
        for entry in entries:
            what = _name(EVENT_LABELS, entry["kind"])
            line = f"#{entry['ticket']} · {when(entry['at'])} · {what}"
            pdf.entry(f"{line} ({_('internal')})" if entry["internal"] else line, entry["text"])
    if analyses:
        pdf.heading(_("Your fault analyses"))
        for analysis in analyses:
            text = "\n".join(
                f"{label}: {analysis[key]}" for key, label in ANALYSIS_PARTS if analysis[key]
            )
            pdf.entry(f"#{analysis['ticket']} · {when(analysis['at'])}", text)


def _account(pdf: Document, data: dict) -> None:
    pdf.heading(_("API tokens"))
    pdf.grid(
        [_("Name"), _("Begins with"), _("Created"), _("Last used"), _("Revoked")],
        [
            [
                t["name"],
                f"{t['prefix']}…",
                when(t["created_at"]),
                when(t["last_used_at"]),
                when(t["revoked_at"]),
            ]
            for t in data["api_tokens"]
        ],
        (50, 32, 33, 33, 32),
    )
    pdf.heading(_("Logins"))
    pdf.grid(
        [_("Logged in"), _("Logged out")],
        [[when(s["created_at"]), when(s["ended_at"])] for s in data["login_sessions"]],
        (90, 90),
    )
    if data["internship"]:
        found = data["internship"]
        pdf.heading(_("Internship"))
        pdf.paragraph(f"{found['starts_on']} – {found['ends_on']}")
        for entry in found["plan"]:
            lines = [entry["task"], entry["report"], entry["comment"]]
            pdf.entry(f"{entry['day']} · {entry['title']}", "\n".join(x for x in lines if x))
        if found["certificate_words"]:
            pdf.paragraph(found["certificate_words"])
    if data["school_accounts"]:
        pdf.heading(_("School account"))
        pdf.grid(
            [_("Provider"), _("Id at the provider"), _("Linked"), _("Last sign-in")],
            [
                [a["provider"], a["subject"], when(a["linked_at"]), when(a["last_login_at"])]
                for a in data["school_accounts"]
            ],
            (30, 70, 40, 40),
        )


def _mail(pdf: Document, data: dict) -> None:
    pdf.heading(_("Notifications by e-mail"))
    choices = data["mail_preferences"]["choices"]
    items = [(_("Digest times"), data["mail_preferences"]["digest_times"].replace(",", ", "))]
    items += [
        (str(KINDS[c["kind"]].label) if c["kind"] in KINDS else c["kind"], _name(MODES, c["mode"]))
        for c in choices
    ]
    pdf.pairs(items)
    if not choices:
        pdf.paragraph(_("Every other notification as preset."), 8.5)
    pdf.heading(_("Mails Campus wrote to you"))
    pdf.paragraph(_("Subjects only: the texts were about the tickets."), 8.5)
    pdf.grid(
        [_("Written"), _("Subject"), _("Status")],
        [
            [when(m["created_at"]), m["subject"], _name(MAIL_STATUS_LABELS, m["status"])]
            for m in data["mails_to_you"]
        ],
        (32, 113, 35),
    )
    if data["mails_from_you"]:
        pdf.heading(_("Mails you sent to Campus"))
        pdf.grid(
            [_("Received"), _("Ticket"), _("Outcome")],
            [
                [
                    when(m["received_at"]),
                    f"#{m['ticket']}" if m["ticket"] else "–",
                    _name(INBOUND_LABELS, m["outcome"]),
                ]
                for m in data["mails_from_you"]
            ],
            (40, 30, 110),
        )


def _feedback_and_surveys(pdf: Document, feedback: list[dict], surveys: list[dict]) -> None:
    pdf.heading(_("Your feedback on solutions"))
    pdf.grid(
        [_("Ticket"), _("Rating"), _("Comment"), _("Given")],
        [
            [
                f"#{f['ticket']}",
                _("Good") if f["rating"] == "up" else _("Not good"),
                f["comment"] or "–",
                when(f["given_at"]),
            ]
            for f in feedback
        ],
        (20, 25, 100, 35),
    )
    pdf.heading(_("Surveys"))
    pdf.paragraph(
        _(
            "You were asked in these survey rounds. Answers are only counted: nothing "
            "links them to you."
        ),
        8.5,
    )
    if not surveys:
        pdf.empty()
    for survey in surveys:
        pdf.paragraph(f"– {survey['title']}", 9, indent=2)


def _audit(pdf: Document, entries: list[dict]) -> None:
    pdf.heading(_("Audit trail"))
    pdf.paragraph(
        _(
            "What you did, and what was done to your account. The address is shown only "
            "where you acted yourself: otherwise it is another person's."
        ),
        8.5,
    )
    pdf.grid(
        [_("Time"), _("What"), _("By you"), _("IP address")],
        [
            [
                when(e["at"]),
                _name(AUDIT_LABELS, e["action"]),
                _yes(e["by_you"]),
                e["address"] or "–",
            ]
            for e in entries
        ],
        (35, 80, 25, 40),
    )


def _timetable(pdf: Document, timetable: dict) -> None:
    if not any(timetable.values()):
        return
    days = get_locale().days["format"]["wide"]
    pdf.heading(_("Visit timetable"))
    pdf.subheading(_("Visits"))
    pdf.grid(
        [_("Weekday"), _("Time"), _("School")],
        [
            [days[v["weekday"]], f"{v['starts']}–{v['ends']}", v["school"]]
            for v in timetable["visits"]
        ],
        (35, 35, 110),
    )
    pdf.subheading(_("Absences"))
    pdf.grid(
        [_("From"), _("To"), _("Reason"), _("Note"), _("Substitute")],
        [
            [
                when(a["first_day"]),
                when(a["last_day"]),
                _name(REASONS, a["reason"]),
                a["note"] or "–",
                _yes(a["substitute"]),
            ]
            for a in timetable["absences"]
        ],
        (28, 28, 30, 69, 25),
    )
    if timetable["substituting"]:
        pdf.subheading(_("You stood in for a colleague"))
        pdf.grid(
            [_("From"), _("To")],
            [[when(s["first_day"]), when(s["last_day"])] for s in timetable["substituting"]],
            (90, 90),
        )
    pdf.subheading(_("Changes to single days"))
    pdf.grid(
        [_("Day"), _("Change"), _("Time"), _("School"), _("Note")],
        [
            [
                when(c["day"]),
                _name(CHANGES, c["kind"]),
                f"{c['starts']}–{c['ends']}",
                c["school"],
                c["note"] or "–",
            ]
            for c in timetable["visit_changes"]
        ],
        (25, 45, 25, 45, 40),
    )
    pdf.subheading(_("On site"))
    pdf.grid(
        [_("Arrived"), _("School")],
        [[when(v["arrived_at"]), v["school"]] for v in timetable["on_site"]],
        (50, 130),
    )
