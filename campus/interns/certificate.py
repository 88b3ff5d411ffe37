"""The internship certificate: signed off by the supervisor from the last day on, then a
printable PDF in German with the period, the schools, the kinds of work done and the
number of tickets co-solved."""

import json
from collections import Counter

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from campus.audit import audit, person
from campus.exceptions import Conflict, InvalidInput, NotAllowed
from campus.extensions import db
from campus.interns.plan import supervisor_schools
from campus.interns.work import tickets_for
from campus.labels import KIND_LABELS
from campus.models import AuditAction, Internship, User, utcnow
from campus.permissions import supervises
from campus.privacy.pdf_document import Document
from campus.reports.period import today_in_berlin

NOTE_MAX = 2000


def facts(internship: Internship) -> dict:
    """What the certificate says, from the plan and the tickets."""
    done = [e for e in internship.entries if e.day <= min(internship.ends_on, today_in_berlin())]
    schools = sorted({e.school.name for e in done if e.school is not None})
    if not schools:
        schools = [s.name for s in supervisor_schools(internship)]
    kinds = Counter(e.kind for e in done)
    tickets = tickets_for(internship)
    return {
        "schools": schools,
        "kinds": [(str(KIND_LABELS[k]), n) for k, n in kinds.most_common()],
        "co_solved": tickets.co_solved,
        "at_once": tickets.at_once,
    }


def sign_off(actor: User, internship: Internship, closing_note: str) -> None:
    """Sign the certificate: what it says is frozen now (a later plan or ticket changes
    nothing), and it is signed once."""
    if not supervises(actor, internship):
        raise NotAllowed(_l("Only the supervisor signs the certificate."))
    if internship.signed_off_at is not None:
        raise Conflict(_l("The certificate is already signed."))
    if today_in_berlin() < internship.ends_on:
        raise Conflict(_l("The certificate is signed on the last day of the internship or after."))
    note = (closing_note or "").strip()
    if len(note) > NOTE_MAX:
        raise InvalidInput(_l("The text is too long."), "closing_note")
    internship.closing_note = note
    internship.certificate = json.dumps(facts(internship), ensure_ascii=False)
    internship.signed_off_at = utcnow()
    internship.signed_off_by_id = actor.id
    db.session.flush()
    audit(AuditAction.USER_CHANGED, actor=actor, subject=person(internship.intern),
          detail="internship certificate signed")  # fmt: skip


def certificate_pdf(internship: Internship) -> bytes:
    """The signed certificate as an A4 PDF (German, or the reader's language), from what
    was frozen at the sign-off."""
    found = json.loads(internship.certificate) if internship.certificate else facts(internship)
    signer = db.session.get(User, internship.signed_off_by_id) or internship.supervisor
    pdf = Document(_("Campus, the IT support of the school campuses"))
    pdf.add_page()
    pdf.paragraph(_("Internship certificate"), 20, "B")
    pdf.y += 4
    pdf.paragraph(
        _(
            "%(name)s did an internship in first-level IT support at the schools of the "
            "campus from %(start)s to %(end)s, supervised by %(supervisor)s.",
            name=internship.intern.display_name,
            start=format_date(internship.starts_on, "long"),
            end=format_date(internship.ends_on, "long"),
            supervisor=internship.supervisor.display_name,
        ),
        11,
    )
    pdf.heading(_("Schools"))
    pdf.paragraph(", ".join(found["schools"]) or "–", 10)
    pdf.heading(_("Work done"))
    pdf.pairs([(label, str(count)) for label, count in found["kinds"]] or [("–", "")])
    pdf.heading(_("Tickets"))
    pdf.paragraph(
        _(
            "Tickets co-solved: %(n)s, of which approved at once: %(m)s.",
            n=found["co_solved"],
            m=found["at_once"],
        ),
        10,
    )
    if internship.closing_note:
        pdf.heading(_("The supervisor's words"))
        pdf.paragraph(internship.closing_note, 10)
    pdf.heading(_("Signed"))
    pdf.paragraph(
        _(
            "%(name)s, campus manager, on %(date)s",
            name=signer.display_name,
            date=format_date(internship.signed_off_at, "long"),
        ),
        10,
    )
    return bytes(pdf.output())
