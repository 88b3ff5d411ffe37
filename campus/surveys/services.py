"""Open a survey, ask each teacher once, count the answers without keeping them.

An answer becomes +1 on a counter per question, school and value, in the same unit of
work that marks the teacher as asked; nothing stores which teacher gave which value."""

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, exists, false, or_, select, update
from sqlalchemy.exc import IntegrityError

from campus.exceptions import Conflict, FieldErrors, NotAllowed
from campus.extensions import db
from campus.models import School, Survey, SurveyQuestion, SurveySeen, SurveyTally, User
from campus.models.survey import SCALE
from campus.permissions import can_administer, takes_surveys

# The Dortmund evaluation's second question, as the wording an admin starts from.
DEFAULT_QUESTIONS = (
    (
        _l("How often did you use tablets or notebooks in your lessons in the last four weeks?"),
        _l("never"),
        _l("in almost every lesson"),
    ),
    (
        _l("How confident are you that help comes when a device fails?"),
        _l("not at all"),
        _l("completely"),
    ),
)
MAX_DAYS = 92


def open_survey(
    actor: User, title: str, opens_on: date, closes_on: date, questions: list[tuple[str, str, str]]
) -> Survey:
    if not can_administer(actor):
        raise NotAllowed(_l("Only administrators open surveys."))
    errors = {}
    if not title.strip():
        errors["title"] = str(_l("Please give the survey a title."))
    if closes_on < opens_on:
        errors["closes_on"] = str(_l("The last day cannot be before the first."))
    elif (closes_on - opens_on).days >= MAX_DAYS:
        errors["closes_on"] = str(_l("A survey runs for at most 92 days."))
    asked = [(text.strip(), low.strip(), high.strip()) for text, low, high in questions]
    if not any(text for text, _low, _high in asked):
        errors["questions"] = str(_l("Please ask at least one question."))
    if errors:
        raise FieldErrors(errors)
    survey = Survey(title=title.strip(), opens_on=opens_on, closes_on=closes_on)
    survey.questions = [
        SurveyQuestion(position=n, text=text, low=low, high=high)
        for n, (text, low, high) in enumerate(q for q in asked if q[0])
    ]
    db.session.add(survey)
    db.session.flush()
    # Every counter exists from the start, at 0: an answer only ever adds 1 to a row, so
    # the order in which rows were made tells nothing about the order of the answers.
    schools = db.session.execute(select(School.id, School.campus_id)).all()
    db.session.add_all(
        SurveyTally(question_id=q.id, campus_id=campus_id, school_id=school_id, value=v, count=0)
        for q in survey.questions
        for school_id, campus_id in schools
        for v in SCALE
    )
    db.session.flush()
    return survey


def survey_for(user: User, today: date) -> Survey | None:
    """The open survey this teacher has not been asked yet (the oldest first), or None."""
    if not takes_surveys(user):
        return None
    seen = exists().where(SurveySeen.survey_id == Survey.id, SurveySeen.user_id == user.id)
    return db.session.scalar(
        select(Survey)
        .where(Survey.opens_on <= today, Survey.closes_on >= today, ~seen)
        .order_by(Survey.opens_on, Survey.id)
        .limit(1)
    )


def answer_survey(user: User, survey: Survey, values: dict[int, int | None], today: date) -> None:
    """Count her answers (questions left out count nothing) and never ask her again."""
    _mark_seen(user, survey, today)
    known = {q.id for q in survey.questions}
    answers = {}
    for question_id, value in values.items():
        if value is None:
            continue
        if question_id not in known or value not in SCALE:
            raise Conflict(_l("That answer does not belong to this survey."))
        answers[question_id] = value
    _count(survey, user, answers)


def skip_survey(user: User, survey: Survey, today: date) -> None:
    _mark_seen(user, survey, today)
    _count(survey, user, {})  # touches the same rows as an answer: see _count


def _mark_seen(user: User, survey: Survey, today: date) -> None:
    if not takes_surveys(user):
        raise NotAllowed(_l("Only teachers take part in the survey."))
    if not survey.opens_on <= today <= survey.closes_on:
        raise Conflict(_l("This survey is closed."))
    try:
        with db.session.begin_nested():
            db.session.add(SurveySeen(survey_id=survey.id, user_id=user.id))
    except IntegrityError as error:
        raise Conflict(_l("You have already answered this survey. Thank you!")) from error


def _count(survey: Survey, user: User, answers: dict[int, int]) -> None:
    """Add 1 to each answer's counter at her school, in one statement that rewrites every
    counter of the round at her school (+0 for the rest), for an answer and a skip alike:
    the rows a transaction wrote (PostgreSQL keeps its id on each row version) then tell
    no more than the row of survey_seen written with them, that she was asked."""
    school = user.school
    question_ids = [q.id for q in survey.questions]
    _make_missing_counters(question_ids, school)
    hit = or_(
        false(),
        *(
            and_(SurveyTally.question_id == question, SurveyTally.value == value)
            for question, value in answers.items()
        ),
    )
    db.session.execute(
        update(SurveyTally)
        .where(SurveyTally.question_id.in_(question_ids), SurveyTally.school_id == school.id)
        .values(count=SurveyTally.count + case((hit, 1), else_=0))
    )


def _make_missing_counters(question_ids: list[int], school: School) -> None:
    """The counters of a school made after the round opened (open_survey makes the rest)."""
    rows = db.session.execute(
        select(SurveyTally.question_id, SurveyTally.value).where(
            SurveyTally.question_id.in_(question_ids), SurveyTally.school_id == school.id
        )
    )
    have = {(question_id, value) for question_id, value in rows}
    for question_id in question_ids:
        for value in SCALE:
            if (question_id, value) in have:
                continue
            row = SurveyTally(
                question_id=question_id,
                campus_id=school.campus_id,
                school_id=school.id,
                value=value,
                count=0,
            )
            try:
                with db.session.begin_nested():
                    db.session.add(row)
            except IntegrityError:  # made by another answer at the same moment
                pass
