"""Human names for the domain's codes, translated (German first)."""

from flask_babel import lazy_gettext as _l

from campus.models import Category, DeviceType, Impact, Role, TicketStatus

ROLE_LABELS = {
    Role.TEACHER: _l("Teacher"),
    Role.CAMPUS_MANAGER: _l("Campus manager"),
    Role.SYSTEM_HOUSE: _l("System house"),
    Role.ADMIN: _l("Administrator"),
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

STATUS_LABELS = {
    TicketStatus.NEW: _l("New"),
    TicketStatus.IN_PROGRESS: _l("In progress"),
    TicketStatus.WAITING: _l("Waiting for your answer"),
    TicketStatus.ESCALATED: _l("At the system house"),
    TicketStatus.RESOLVED: _l("Resolved"),
    TicketStatus.CLOSED: _l("Closed"),
    TicketStatus.CANCELLED: _l("Cancelled"),
}

ALL_LABELS = {
    "role": ROLE_LABELS,
    "device_type": DEVICE_TYPE_LABELS,
    "category": CATEGORY_LABELS,
    "impact": IMPACT_LABELS,
    "status": STATUS_LABELS,
}


def label(kind: str, code: str | None) -> str:
    """The translated name of a code, or the code itself if it has none."""
    if code is None:
        return ""
    return str(ALL_LABELS[kind].get(code, code))
