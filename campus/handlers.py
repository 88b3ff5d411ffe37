"""What follows from each domain event: every consequence of a change, in one place.

*In the transaction* handlers run as the event is recorded and are saved (or rolled
back) with the change itself: report facts, the webhook outbox, releasing tickets.
*After a successful commit* handlers send what the outboxes hold; one that fails is
logged and retried later, and never undoes the change.

A new consequence is one more line here, with no edit to any service.
"""

from campus import events as e
from campus import jobs
from campus.mail import notices, sending
from campus.reports import facts
from campus.tickets.housekeeping import release_after_move, release_tickets
from campus.tickets.intern_work import drop_stale_proposal
from campus.timetable import due, plans
from campus.timetable.people import follow_person
from campus.unit_of_work import Handlers
from campus.webhooks import delivery


def _release(event: e.UserDeactivated | e.UserPlacementChanged) -> None:
    release_tickets(event.user, event.at)


def _release_after_move(event: e.SchoolMoved) -> None:
    release_after_move(event.school.id, event.at)


def _rebuild_report_facts(_event: e.ReportSettingsChanged) -> None:
    jobs.enqueue("reports.rebuild")


def _leave_timetable(event: e.UserDeactivated | e.UserPlacementChanged) -> None:
    follow_person(event.user)


def _follow_timetable(event: e.TimetableChanged) -> None:
    """The schools' kept plans, and the first responses their open tickets wait for."""
    ids = None if event.school_ids is None else list(event.school_ids)
    plans.refresh_plans(ids, event.at)
    due.move_first_responses(ids)


def handlers() -> Handlers:
    return Handlers(
        in_transaction={
            e.TicketChanged: [facts.on_ticket_changed],
            e.DeviceChanged: [facts.on_device_changed],
            e.SchoolMoved: [facts.on_school_moved, _release_after_move],
            e.TicketEscalated: [delivery.queue_for, drop_stale_proposal],
            e.TicketReturned: [delivery.queue_for, drop_stale_proposal],
            e.TicketResolved: [drop_stale_proposal],
            e.TicketCancelled: [drop_stale_proposal],
            e.TicketReopened: [drop_stale_proposal],
            e.UserDeactivated: [_release, _leave_timetable],
            e.UserPlacementChanged: [_release, _leave_timetable],
            e.TimetableChanged: [_follow_timetable],
        },
        after_commit={
            e.TicketChanged: [notices.notify_soon],
            e.MailWritten: [sending.send_soon],
            e.ReportSettingsChanged: [_rebuild_report_facts],
            e.TicketEscalated: [delivery.send_queued],
            e.TicketReturned: [delivery.send_queued],
        },
    )
