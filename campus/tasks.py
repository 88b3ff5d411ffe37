"""Every job that runs outside a request, declared once (campus/jobs.py runs them).

Each is a unit of work of its own (or several), takes plain ids and may run twice
without harm: the outbox rows it works on carry their own state and lease.
"""

from campus.jobs import job
from campus.unit_of_work import work


@job("mail.send")
def send_mail(mail_id: int) -> None:
    from campus.mail.sending import attempt

    attempt(mail_id)


@job("mail.notify")
def notify(event_id: int) -> None:
    from campus.mail.notices import notify as write_mails

    write_mails(event_id)


@job("mail.send_due")
def send_due_mails() -> None:
    """The sweep: notices whose job was lost, then mails whose attempt is due."""
    from campus.mail.notices import notify_due
    from campus.mail.sending import send_due

    notify_due()
    send_due()


@job("mail.digests")
def send_digests() -> None:
    from campus.mail.digest import send_digests as run

    run()


@job("webhooks.send")
def send_webhooks(delivery_ids: list[int]) -> None:
    from campus.webhooks.delivery import send_each

    send_each(delivery_ids)


@job("webhooks.deliver_due")
def deliver_due_webhooks() -> None:
    from campus.webhooks.delivery import deliver_due

    deliver_due()


@job("tickets.housekeeping")
def housekeeping() -> tuple[int, int]:
    """Close resolved tickets left unconfirmed for 7 days; forget old logins."""
    from campus.auth.sessions import forget_old_sessions
    from campus.tickets.housekeeping import close_stale

    with work():
        closed = close_stale()
        forgotten = forget_old_sessions()
    return closed, forgotten


@job("timetable.refresh")
def refresh_visit_plans() -> int:
    """Each school's kept plan moves on with the calendar (campus/timetable/plans.py)."""
    from campus.timetable.plans import refresh_plans

    with work():
        return refresh_plans()


@job("reports.rebuild")
def rebuild_report_facts() -> int:
    from campus.reports.facts import rebuild_facts

    with work():
        return rebuild_facts()


@job("privacy.retention")
def retention() -> None:
    """The privacy settings' retention periods (campus/privacy/retention.py)."""
    from flask import current_app

    from campus.privacy.retention import run_retention

    run_retention(current_app.config["UPLOAD_FOLDER"])


@job("sso.sync")
def sso_sync() -> None:
    """Deactivate accounts whose person the provider removed (campus/sso/sync.py)."""
    from campus.sso.sync import sync_accounts

    sync_accounts()
