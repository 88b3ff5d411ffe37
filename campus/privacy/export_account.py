"""A person's data, the parts about their account and work outside tickets: API tokens,
logins, mail choices and mails, survey rounds, articles, the audit trail, the timetable.
Put together with the ticket parts by `personal_data()` in campus/privacy/export.py,
whose rules hold here too: only the person's own, other people by role at most."""

from datetime import date, time

from sqlalchemy import and_, or_, select

from campus.extensions import db
from campus.models import (
    Absence,
    ApiToken,
    Article,
    AuditEntry,
    InboundMail,
    Internship,
    LoginSession,
    Mail,
    MailPreference,
    School,
    SiteVisit,
    SsoLink,
    Survey,
    SurveySeen,
    Ticket,
    User,
    Visit,
    VisitChange,
)


def iso(value: date | time | None) -> str | None:
    """A date or time as ISO 8601 (a time of day as "HH:MM"); None stays None."""
    if value is None:
        return None
    if isinstance(value, time):
        return value.isoformat(timespec="minutes")
    return value.isoformat()


def fetch(query) -> list:
    return list(db.session.execute(query))


def tokens(user: User) -> list[dict]:
    records = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id)
    )
    return [
        {
            "name": t.name,
            "prefix": t.prefix,
            "created_at": iso(t.created_at),
            "last_used_at": iso(t.last_used_at),
            "revoked_at": iso(t.revoked_at),
        }
        for t in records
    ]


def sessions(user: User) -> list[dict]:
    rows = fetch(
        select(LoginSession.created_at, LoginSession.ended_at)
        .where(LoginSession.user_id == user.id)
        .order_by(LoginSession.created_at, LoginSession.id)
    )
    return [{"created_at": iso(began), "ended_at": iso(ended)} for began, ended in rows]


def internship(user: User) -> dict | None:
    """An intern's internship: the period, her plan with her reports and the supervisor's
    comments about her work, the certificate's words (the supervisor by role only)."""
    found = db.session.scalar(select(Internship).where(Internship.intern_id == user.id))
    if found is None:
        return None
    return {
        "starts_on": iso(found.starts_on),
        "ends_on": iso(found.ends_on),
        "supervisor": "campus_manager",
        "plan": [
            {
                "day": iso(e.day),
                "part": str(e.part),
                "title": e.title,
                "task": e.task,
                "report": e.report,
                "comment": e.comment,
            }
            for e in found.entries
        ],
        "certificate_words": found.closing_note,
        "signed_off_at": iso(found.signed_off_at),
    }


def school_accounts(user: User) -> list[dict]:
    """Links with a school account: the provider and since when; the provider's id for
    the person (subject) too, as Campus stores it. The refresh token stays out."""
    records = db.session.scalars(
        select(SsoLink).where(SsoLink.user_id == user.id).order_by(SsoLink.id)
    )
    return [
        {
            "provider": link.provider,
            "subject": link.subject,
            "linked_at": iso(link.linked_at),
            "last_login_at": iso(link.last_login_at),
            "removed_at": iso(link.removed_at),
        }
        for link in records
    ]


def preferences(user: User) -> dict:
    rows = fetch(
        select(MailPreference.kind, MailPreference.mode)
        .where(MailPreference.user_id == user.id)
        .order_by(MailPreference.kind)
    )
    return {
        "digest_times": user.digest_times,
        "choices": [{"kind": kind, "mode": mode} for kind, mode in rows],
    }


def mails(user: User) -> list[dict]:
    rows = fetch(
        select(Mail.kind, Mail.subject, Mail.to_address, Mail.status, Mail.created_at)
        .add_columns(Mail.sent_at)
        .where(Mail.user_id == user.id)
        .order_by(Mail.id)
    )
    return [
        {
            "kind": kind,
            "subject": subject,
            "to": to,
            "status": str(status),
            "created_at": iso(created),
            "sent_at": iso(sent),
        }
        for kind, subject, to, status, created, sent in rows
    ]


def inbound(user: User) -> list[dict]:
    """Mails the person sent to Campus (replies by mail): when, to which ticket, outcome."""
    rows = fetch(
        select(InboundMail.created_at, InboundMail.outcome, Ticket.number)
        .outerjoin(Ticket, Ticket.id == InboundMail.ticket_id)
        .where(InboundMail.user_id == user.id)
        .order_by(InboundMail.id)
    )
    return [{"received_at": iso(at), "ticket": n, "outcome": out} for at, out, n in rows]


def surveys(user: User) -> list[dict]:
    """Only that the person was asked: answers are counts, linked to nobody."""
    titles = db.session.scalars(
        select(Survey.title)
        .join(SurveySeen, SurveySeen.survey_id == Survey.id)
        .where(SurveySeen.user_id == user.id)
        .order_by(Survey.opens_on, Survey.id)
    )
    return [{"title": title} for title in titles]


def articles(user: User) -> list[dict]:
    rows = fetch(
        select(Article.title, Article.status, Article.created_at)
        .where(Article.created_by_id == user.id)
        .order_by(Article.id)
    )
    return [{"title": t, "status": str(s), "created_at": iso(at)} for t, s, at in rows]


def audit(user: User) -> list[dict]:
    """Entries the person made, and entries about them (their account, their tokens, an
    export of their data). The address only where they acted themselves: of the others
    it is the actor's."""
    about = or_(
        AuditEntry.subject == f"#{user.id}",
        AuditEntry.subject.like(f"%(#{user.id})"),  # campus.audit.person() ends so
        and_(AuditEntry.actor_id.is_(None), AuditEntry.actor_label == user.email),
    )
    rows = fetch(
        select(AuditEntry.action, AuditEntry.at, AuditEntry.actor_id, AuditEntry.address)
        .where(or_(AuditEntry.actor_id == user.id, about))
        .order_by(AuditEntry.id)
    )
    return [
        {
            "action": str(action),
            "at": iso(at),
            "by_you": actor_id == user.id,
            "address": address if actor_id == user.id else None,
        }
        for action, at, actor_id, address in rows
    ]


def timetable(user: User) -> dict:
    """A campus manager's week, absences and check-ins (empty for everyone else). Of an
    absence they stand in for, only the days: the reason is the colleague's."""
    visits = fetch(
        select(Visit, School.name)
        .join(School, School.id == Visit.school_id)
        .where(Visit.manager_id == user.id)
        .order_by(Visit.weekday, Visit.starts)
    )
    absences = db.session.scalars(
        select(Absence).where(Absence.manager_id == user.id).order_by(Absence.first_day)
    )
    standing_in = fetch(
        select(Absence.first_day, Absence.last_day)
        .where(Absence.substitute_id == user.id)
        .order_by(Absence.first_day)
    )
    changes = fetch(
        select(VisitChange, School.name)
        .join(School, School.id == VisitChange.school_id)
        .where(VisitChange.manager_id == user.id)
        .order_by(VisitChange.day, VisitChange.starts)
    )
    on_site = fetch(
        select(SiteVisit.arrived_at, School.name)
        .join(School, School.id == SiteVisit.school_id)
        .where(SiteVisit.manager_id == user.id)
        .order_by(SiteVisit.arrived_at)
    )
    return {
        "visits": [
            {"weekday": v.weekday, "starts": iso(v.starts), "ends": iso(v.ends), "school": s}
            for v, s in visits
        ],
        "absences": [
            {
                "first_day": iso(a.first_day),
                "last_day": iso(a.last_day),
                "reason": str(a.reason),
                "note": a.note,
                "substitute": a.substitute_id is not None,
            }
            for a in absences
        ],
        "substituting": [{"first_day": iso(f), "last_day": iso(t)} for f, t in standing_in],
        "visit_changes": [
            {
                "day": iso(c.day),
                "kind": str(c.kind),
                "starts": iso(c.starts),
                "ends": iso(c.ends),
                "school": s,
                "note": c.note,
            }
            for c, s in changes
        ],
        "on_site": [{"arrived_at": iso(at), "school": s} for at, s in on_site],
    }
