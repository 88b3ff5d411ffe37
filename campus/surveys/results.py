"""Survey results per campus and school: each question's answers on the five-point scale,
shown only where at least 5 answers stand behind a figure."""

from dataclasses import dataclass, field

from sqlalchemy import func, select

from campus.extensions import db
from campus.models import Campus, School, Survey, SurveyQuestion, SurveyTally
from campus.models.survey import SCALE

MIN_ANSWERS = 5


@dataclass
class Place:
    key: int
    label: str
    counts: dict[int, int] = field(default_factory=dict)  # value -> answers

    @property
    def answers(self) -> int:
        return sum(self.counts.values())

    @property
    def shown(self) -> bool:
        return self.answers >= MIN_ANSWERS

    @property
    def mean(self) -> float | None:
        if not self.shown:
            return None
        return sum(value * n for value, n in self.counts.items()) / self.answers

    def share(self, value: int) -> float | None:
        return self.counts.get(value, 0) / self.answers if self.shown else None


@dataclass
class QuestionResult:
    question: SurveyQuestion
    campuses: list[Place]
    schools: list[Place]
    total: Place

    def __post_init__(self) -> None:
        # A breakdown shows only when every place in it has enough answers: otherwise the
        # whole minus the places shown would give away the small one (one answer, say).
        self.campuses = self.campuses if all(p.shown for p in self.campuses) else []
        self.schools = self.schools if all(p.shown for p in self.schools) else []
        self.cut = not (self.campuses and self.schools) and self.total.shown


def survey_results(survey: Survey, campus_ids: list[int] | None = None) -> list[QuestionResult]:
    """Per question, the answers per campus and per school (one query)."""
    query = (
        select(
            SurveyTally.question_id,
            SurveyTally.campus_id,
            Campus.name,
            SurveyTally.school_id,
            School.name,
            SurveyTally.value,
            func.sum(SurveyTally.count),
        )
        .join(Campus, Campus.id == SurveyTally.campus_id)
        .join(School, School.id == SurveyTally.school_id)
        .join(SurveyQuestion, SurveyQuestion.id == SurveyTally.question_id)
        .where(SurveyQuestion.survey_id == survey.id)
        .group_by(
            SurveyTally.question_id,
            SurveyTally.campus_id,
            Campus.name,
            SurveyTally.school_id,
            School.name,
            SurveyTally.value,
        )
    )
    if campus_ids is not None:
        query = query.where(SurveyTally.campus_id.in_(campus_ids))
    per_question: dict[int, tuple[dict, dict, Place]] = {
        q.id: ({}, {}, Place(0, "")) for q in survey.questions
    }
    for question_id, campus_id, campus, school_id, school, value, n in db.session.execute(query):
        if question_id not in per_question or value not in SCALE or not n:
            continue
        campuses, schools, total = per_question[question_id]
        for places, key, label in ((campuses, campus_id, campus), (schools, school_id, school)):
            place = places.setdefault(key, Place(key, label))
            place.counts[value] = place.counts.get(value, 0) + int(n)
        total.counts[value] = total.counts.get(value, 0) + int(n)
    by_name = lambda place: place.label.lower()  # noqa: E731
    return [
        QuestionResult(
            question=q,
            campuses=sorted(per_question[q.id][0].values(), key=by_name),
            schools=sorted(per_question[q.id][1].values(), key=by_name),
            total=per_question[q.id][2],
        )
        for q in survey.questions
    ]
