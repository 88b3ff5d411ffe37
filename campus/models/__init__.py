"""All models, importable from one place (Alembic and the app need every table)."""

from campus.models.audit import AuditAction, AuditEntry
from campus.models.base import Base, utcnow
from campus.models.device import Device, DeviceStatus, DeviceType, Room, new_token
from campus.models.feedback import Feedback
from campus.models.internship import DayPart, EntryKind, Internship, InternWork, PlanEntry
from campus.models.knowledge import (
    Article,
    ArticleStatus,
    ArticleUse,
    Audience,
    UseKind,
    article_tickets,
)
from campus.models.mail import InboundMail, Mail, MailPreference, MailStatus
from campus.models.org import Campus, School, campus_managers
from campus.models.privacy import PrivacySettings
from campus.models.report import ReportSettings, report_days
from campus.models.sso import SignInSettings, SsoLink
from campus.models.survey import Survey, SurveyQuestion, SurveySeen, SurveyTally
from campus.models.ticket import (
    OPEN_STATUSES,
    Category,
    CategorySetting,
    EventKind,
    FaultAnalysis,
    Impact,
    Ticket,
    TicketEvent,
    TicketPhoto,
    TicketStatus,
)
from campus.models.timetable import (
    Absence,
    AbsenceReason,
    ChangeKind,
    Holiday,
    SiteVisit,
    Visit,
    VisitChange,
)
from campus.models.user import (
    ApiToken,
    LoginSession,
    Role,
    User,
    is_plain_address,
    normalize_email,
)
from campus.models.webhook import DeliveryStatus, Webhook, WebhookDelivery

__all__ = [
    "OPEN_STATUSES",
    "Absence",
    "AbsenceReason",
    "ApiToken",
    "Article",
    "ArticleStatus",
    "ArticleUse",
    "Audience",
    "AuditAction",
    "AuditEntry",
    "Base",
    "Campus",
    "Category",
    "CategorySetting",
    "ChangeKind",
    "DayPart",
    "DeliveryStatus",
    "Device",
    "DeviceStatus",
    "DeviceType",
    "EntryKind",
    "EventKind",
    "FaultAnalysis",
    "Feedback",
    "Holiday",
    "Impact",
    "InboundMail",
    "InternWork",
    "Internship",
    "LoginSession",
    "Mail",
    "MailPreference",
    "MailStatus",
    "PlanEntry",
    "PrivacySettings",
    "ReportSettings",
    "Role",
    "Room",
    "School",
    "SignInSettings",
    "SiteVisit",
    "SsoLink",
    "Survey",
    "SurveyQuestion",
    "SurveySeen",
    "SurveyTally",
    "Ticket",
    "TicketEvent",
    "TicketPhoto",
    "TicketStatus",
    "UseKind",
    "User",
    "Visit",
    "VisitChange",
    "Webhook",
    "WebhookDelivery",
    "article_tickets",
    "campus_managers",
    "is_plain_address",
    "new_token",
    "normalize_email",
    "report_days",
    "utcnow",
]
