"""Human names for the domain's codes, translated (German first)."""

from flask import g, has_request_context
from flask_babel import lazy_gettext as _l

from campus.models import (
    Category,
    DayPart,
    DeviceStatus,
    DeviceType,
    EntryKind,
    Impact,
    Role,
    TicketStatus,
)

ROLE_LABELS = {
    Role.TEACHER: _l("Teacher"),
    Role.CAMPUS_MANAGER: _l("Campus manager"),
    Role.SYSTEM_HOUSE: _l("System house"),
    Role.ADMIN: _l("Administrator"),
    Role.INTERN: _l("Intern"),
}

DEVICE_TYPE_LABELS = {
    DeviceType.TABLET: _l("Tablet"),
    DeviceType.NOTEBOOK: _l("Notebook"),
    DeviceType.DESKTOP: _l("Desktop PC"),
    DeviceType.DISPLAY_PROJECTOR: _l("Display / projector"),
    DeviceType.PRINTER: _l("Printer"),
    DeviceType.NETWORK: _l("Network"),
    DeviceType.OTHER: _l("Other"),
}

DEVICE_STATUS_LABELS = {
    DeviceStatus.IN_USE: _l("In use"),
    DeviceStatus.IN_REPAIR: _l("In repair"),
    DeviceStatus.RETIRED: _l("Retired"),
}

CATEGORY_LABELS = {
    Category.TABLET_NOTEBOOK: _l("Tablet / notebook"),
    Category.PROJECTOR_DISPLAY: _l("Projector / display"),
    Category.NETWORK_WIFI: _l("Network / Wi-Fi"),
    Category.PRINTER: _l("Printer"),
    Category.SOFTWARE_APP: _l("Software / app"),
    Category.ACCOUNT_LOGIN: _l("Account / login"),
    Category.OTHER: _l("Other"),
}

IMPACT_LABELS = {
    Impact.BLOCKING: _l("Lesson cannot go on"),
    Impact.IMPAIRED: _l("Lesson impaired"),
    Impact.MINOR: _l("Minor"),
}

LEVEL_LABELS = {
    1: _l("Level 1 (on site)"),
    2: _l("Level 2 (system house)"),
}

STATUS_LABELS = {
    TicketStatus.NEW: _l("New"),
    TicketStatus.IN_PROGRESS: _l("In progress"),
    TicketStatus.WAITING: _l("Waiting for the teacher"),
    TicketStatus.ESCALATED: _l("At the system house"),
    TicketStatus.RESOLVED: _l("Resolved"),
    TicketStatus.CLOSED: _l("Closed"),
    TicketStatus.CANCELLED: _l("Cancelled"),
}

ACTION_LABELS = {
    "claim": _l("Take on"),
    "assign": _l("Assign"),
    "reply": _l("Reply"),
    "note": _l("Internal note"),
    "wait": _l("Ask the teacher"),
    "resolve": _l("Resolve"),
    "escalate": _l("Escalate to the system house"),
    "return": _l("Return to level 1"),
    "confirm": _l("Confirm solution"),
    "reopen": _l("Reopen"),
    "cancel": _l("Cancel ticket"),
    "close": _l("Close"),
    "release": _l("Release"),
    "hand_over": _l("Hand over to the interns"),
    "take": _l("Take on as intern"),
    "propose": _l("Propose a solution"),
    "approve": _l("Approve the proposed solution"),
    "send_back": _l("Send the proposal back"),
}

# How each event reads in the ticket's history ("%(actor)s" is who did it).
EVENT_LABELS = {
    "created": _l("reported the problem"),
    "claimed": _l("took on the ticket"),
    "assigned": _l("assigned the ticket"),
    "replied": _l("replied"),
    "noted": _l("added an internal note"),
    "waiting": _l("asked a question"),
    "resolved": _l("resolved the ticket"),
    "escalated": _l("escalated the ticket to the system house"),
    "returned": _l("returned the ticket to the campus manager"),
    "confirmed": _l("confirmed the solution"),
    "reopened": _l("reopened the ticket"),
    "cancelled": _l("cancelled the ticket"),
    "closed": _l("closed the ticket"),
    "released": _l("put the ticket back into the queue; no longer responsible:"),
    "handed_over": _l("handed the ticket over to the interns"),
    "taken": _l("took on the ticket as intern"),
    "proposed": _l("proposed a solution (waits for the supervisor)"),
    "sent_back": _l("sent the proposed solution back"),
}

AUDIT_LABELS = {
    "login": _l("Logged in"),
    "login_failed": _l("Failed login"),
    "locked_out": _l("Login locked"),
    "logout": _l("Logged out"),
    "password_changed": _l("Changed own password"),
    "user_created": _l("User created"),
    "user_changed": _l("Role or placement changed"),
    "password_reset": _l("Password reset"),
    "user_deactivated": _l("User deactivated"),
    "user_reactivated": _l("User reactivated"),
    "token_created": _l("API token created"),
    "token_revoked": _l("API token revoked"),
    "webhook_added": _l("Webhook added"),
    "webhook_switched": _l("Webhook switched on or off"),
    "webhook_secret_rotated": _l("Webhook secret replaced"),
    "webhook_deleted": _l("Webhook deleted"),
    "export": _l("Figures downloaded"),
    "user_invited": _l("Invitation sent"),
    "invitation_accepted": _l("Invitation accepted"),
    "data_exported": _l("Personal data downloaded"),
    "privacy_changed": _l("Privacy settings changed"),
    "person_erased": _l("Person erased on request"),
    "sso_linked": _l("School account linked"),
    "sso_unlinked": _l("School account unlinked"),
    "sign_in_changed": _l("Sign-in settings changed"),
}

MAIL_STATUS_LABELS = {
    "pending": _l("to be sent"),
    "held": _l("waits for the digest"),
    "bundled": _l("sent in a digest"),
    "sent": _l("sent"),
    "failed": _l("failed"),
}

INBOUND_LABELS = {
    "added": _l("added to the ticket"),
    "refused": _l("refused, answered"),
    "ignored": _l("ignored (automatic mail)"),
}

ALL_LABELS = {
    "role": ROLE_LABELS,
    "device_type": DEVICE_TYPE_LABELS,
    "device_status": DEVICE_STATUS_LABELS,
    "category": CATEGORY_LABELS,
    "impact": IMPACT_LABELS,
    "status": STATUS_LABELS,
    "level": LEVEL_LABELS,
    "action": ACTION_LABELS,
    "event": EVENT_LABELS,
    "audit": AUDIT_LABELS,
    "mail_status": MAIL_STATUS_LABELS,
    "inbound_outcome": INBOUND_LABELS,
}


def label(kind: str, code: str | int | None) -> str:
    """The translated name of a code, or the code itself if it has none (looked up once
    per request: a list of 25 tickets asks for the same few names a hundred times)."""
    if code is None:
        return ""
    if not has_request_context():
        return str(ALL_LABELS[kind].get(code, code))
    cache = g.setdefault("_labels", {})
    key = (kind, code)
    if key not in cache:
        cache[key] = str(ALL_LABELS[kind].get(code, code))
    return cache[key]


# The internship plan (campus/interns/): parts of the day and the entries' templates.
PART_LABELS = {
    DayPart.MORNING: _l("Morning"),
    DayPart.MIDDAY: _l("Midday"),
    DayPart.AFTERNOON: _l("Afternoon"),
}
KIND_LABELS = {
    EntryKind.ON_SITE: _l("On site at a school"),
    EntryKind.TICKETS: _l("Tickets under supervision"),
    EntryKind.LABELLING: _l("Labelling devices"),
    EntryKind.TABLETS: _l("Setting up tablets"),
    EntryKind.INTERVIEW: _l("Interview"),
    EntryKind.REFLECTION: _l("Looking back"),
    EntryKind.OTHER: _l("Other task"),
}
