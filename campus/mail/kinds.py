"""The kinds of notice a person may get by mail: who can get each, what it says, and its
default (at once, in the digest, or not at all). Who reads a given change is
campus/mail/notifications.py's business."""

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from campus import events as e
from campus.models import User
from campus.permissions import is_intern, manages_a_campus, reports_problems, works_at_level_two

MODES = ("now", "digest", "off")


@dataclass(frozen=True)
class Kind:
    key: str
    reader: Callable[[User], bool]  # who can get it (and sees the choice for it)
    label: str  # on the notifications page
    subject: str  # "%(title)s" is the ticket's title
    lead: str  # the mail's first sentence
    default: str = "now"
    digest: bool = True  # may wait for the digest
    # The mail quotes the history entry even when it is internal: its readers are the
    # supervisor and the intern, who read that entry on the ticket page too.
    quotes_internal: bool = False


KINDS: dict[str, Kind] = {
    kind.key: kind
    for kind in (
        Kind(
            "asked",
            reports_problems,
            _l("A question about your report"),
            _l("Question about your report: %(title)s"),
            _l("%(actor)s has a question about your report."),
            digest=False,
        ),
        Kind(
            "replied",
            reports_problems,
            _l("A reply on your report"),
            _l("Reply on your report: %(title)s"),
            _l("%(actor)s has replied on your report."),
        ),
        Kind(
            "resolved",
            reports_problems,
            _l("Your report was solved"),
            _l("Solved: %(title)s"),
            _l(
                "%(actor)s has solved your report. Please tell us with one click whether "
                "the problem is gone."
            ),
            digest=False,
        ),
        Kind(
            "returned",
            reports_problems,
            _l("Your report is back with the campus manager"),
            _l("Back with your campus manager: %(title)s"),
            _l(
                "The system house has worked on your report and handed it back to your "
                "campus manager, who takes it on from here."
            ),
        ),
        Kind(
            "cancelled",
            reports_problems,
            _l("Your report was closed without a fix"),
            _l("Closed: %(title)s"),
            _l("%(actor)s has closed your report."),
        ),
        Kind(
            "new_blocking",
            manages_a_campus,
            _l("New report: lesson cannot go on"),
            _l("Lesson cannot go on: %(title)s"),
            _l("%(actor)s reports a fault that stops a lesson at %(school)s."),
            digest=False,
        ),
        Kind(
            "new_ticket",
            manages_a_campus,
            _l("Other new reports at your schools"),
            _l("New report: %(title)s"),
            _l("%(actor)s has reported a problem at %(school)s."),
            default="digest",
        ),
        Kind(
            "teacher_replied",
            lambda user: manages_a_campus(user) or is_intern(user),
            _l("The teacher's reply"),
            _l("The teacher replied: %(title)s"),
            _l("%(actor)s has replied."),
        ),
        Kind(
            "l2_result",
            manages_a_campus,
            _l("A result from the system house"),
            _l("System house: %(title)s"),
            _l("The system house has %(what)s on a ticket of yours."),
        ),
        Kind(
            "escalated",
            works_at_level_two,
            _l("A new escalation"),
            _l("Escalated: %(title)s"),
            _l(
                "%(actor)s has escalated a ticket from %(school)s to the system house, "
                "with a fault analysis on the ticket page."
            ),
        ),
        Kind(
            "manager_replied",
            works_at_level_two,
            _l("The campus manager's reply"),
            _l("Reply from the campus: %(title)s"),
            _l("%(actor)s has replied on an escalated ticket."),
        ),
        # Pupil interns (issue 19): the supervisor hears of a proposal to approve, the
        # intern of the supervisor's answer.
        Kind(
            "proposed",
            manages_a_campus,
            _l("A solution proposed by your intern, for your approval"),
            _l("Proposal to approve: %(title)s"),
            _l("%(actor)s proposes a solution; it takes effect when you approve it."),
            quotes_internal=True,
        ),
        Kind(
            "approved",
            is_intern,
            _l("Your supervisor approved your proposed solution"),
            _l("Approved: %(title)s"),
            _l("%(actor)s has approved your proposed solution: the teacher reads it now."),
        ),
        Kind(
            "sent_back",
            is_intern,
            _l("Your supervisor sent your proposal back"),
            _l("Sent back: %(title)s"),
            _l("%(actor)s has sent your proposed solution back with a comment."),
            quotes_internal=True,
        ),
    )
}

WHAT = {
    e.TicketReplied: _l("sent a reply"),
    e.TicketResolved: _l("solved the problem"),
    e.TicketReturned: _l("handed the ticket back to you"),
}
# Notices an answer by mail cannot follow (the ticket waits for a click, or is closed).
NO_REPLIES = ("resolved", "cancelled", "proposed", "approved", "sent_back")


def kinds_for(user: User) -> list[Kind]:
    return [kind for kind in KINDS.values() if kind.reader(user)]
