"""`flask campus seed-demo` and `flask campus create-user`."""

from sqlalchemy import func

from campus.auth.services import authenticate
from campus.demo import DEMO_PASSWORD, current_counts
from campus.demo_data import DEMO_LOGINS
from campus.extensions import db
from campus.models import Role, Ticket, TicketStatus, User


def run(app, *args, **kwargs):
    return app.test_cli_runner().invoke(args=["campus", *args], **kwargs)


def test_the_demo(app):
    """Seeded once (it takes a while, on PostgreSQL most of a minute), then read through;
    seeded again, nothing changes."""
    first = run(app, "seed-demo")
    assert first.exit_code == 0, first.output
    counts = current_counts()
    a_realistic_year(counts)
    the_logins_work_with_the_documented_password()
    a_growing_knowledge_base_ratings_and_survey_rounds()
    an_intern_with_a_plan_for_this_week_and_two_tickets()
    second = run(app, "seed-demo")
    assert second.exit_code == 0
    assert "already present" in second.output
    assert current_counts() == counts


def a_realistic_year(counts):
    assert counts.campuses == 3
    assert 12 <= counts.schools <= 18
    assert 300 <= counts.devices <= 320
    assert 300 <= counts.tickets <= 1000

    def users(role):
        return db.session.scalar(db.select(func.count(User.id)).where(User.role == role))

    assert 55 <= users(Role.TEACHER) <= 65
    assert users(Role.CAMPUS_MANAGER) == 3
    assert users(Role.SYSTEM_HOUSE) == 2
    assert users(Role.ADMIN) == 1

    statuses = set(db.session.scalars(db.select(Ticket.status).distinct()))
    assert statuses == set(TicketStatus)
    first_level = db.session.scalar(
        db.select(func.count(Ticket.id)).where(
            Ticket.resolved_level == 1, Ticket.escalated_at.is_(None)
        )
    )
    assert 0.50 <= first_level / counts.tickets <= 0.60

    # Every ticket's trail starts with its creation and ends in its current status.
    for ticket in db.session.scalars(db.select(Ticket).limit(50)):
        assert ticket.events[0].kind == "created"
        assert ticket.events[-1].new_status == ticket.status
        times = [e.created_at for e in ticket.events]
        assert times == sorted(times)


def the_logins_work_with_the_documented_password():
    for email in DEMO_LOGINS:
        assert authenticate(email, DEMO_PASSWORD) is not None, email
    teacher = db.session.scalar(db.select(User).where(User.email == "teacher@demo.test"))
    manager = db.session.scalar(db.select(User).where(User.email == "manager@demo.test"))
    assert teacher.school.campus_id in manager.campus_ids


def test_seed_demo_if_empty_leaves_a_real_database_alone(app, make_user):
    make_user(Role.ADMIN)
    result = run(app, "seed-demo", "--if-empty")
    assert result.exit_code == 0
    assert "not loaded" in result.output
    assert current_counts().tickets == 0


def test_create_user_asks_for_the_password_twice_without_echo(app):
    result = run(
        app,
        "create-user",
        "--email",
        "Chefin@Stadt-Dortmund.de",
        "--name",
        "Die Chefin",
        "--role",
        "admin",
        input="ein-sicheres-passwort\nein-sicheres-passwort\n",
    )
    assert result.exit_code == 0, result.output
    assert "ein-sicheres-passwort" not in result.output
    user = authenticate("chefin@stadt-dortmund.de", "ein-sicheres-passwort")
    assert user is not None and user.role == Role.ADMIN


def test_create_user_refuses_bad_input_with_a_message(app, make_user):
    make_user(Role.ADMIN, email="taken@example.org")
    result = run(
        app,
        "create-user",
        "--email",
        "taken@example.org",
        "--name",
        "X",
        "--role",
        "admin",
        "--password",
        "ein-sicheres-passwort",
    )
    assert result.exit_code == 1
    assert "existiert bereits" in result.output
    result = run(
        app,
        "create-user",
        "--email",
        "new@example.org",
        "--name",
        "X",
        "--role",
        "teacher",
        "--school",
        "000000",
        "--password",
        "ein-sicheres-passwort",
    )
    assert result.exit_code == 2
    assert "no school with number 000000" in result.output


def test_a_refused_command_says_why_and_saves_nothing(app, make_user):
    from campus.models import ApiToken

    user = make_user(Role.TEACHER)
    result = run(app, "create-token", user.email, "--name", "   ")
    assert result.exit_code == 1
    assert result.output.startswith("Error: ")
    assert db.session.scalar(db.select(func.count(ApiToken.id))) == 0
    result = run(app, "create-token", user.email, "--name", "Skript")
    assert result.exit_code == 0, result.output
    assert result.output.strip().startswith("cmp_")
    assert db.session.scalar(db.select(func.count(ApiToken.id))) == 1


def a_growing_knowledge_base_ratings_and_survey_rounds():
    from campus.models import Article, ArticleUse, Feedback, Survey, SurveyTally, UseKind

    articles = db.session.scalars(db.select(Article).order_by(Article.created_at)).all()
    assert len(articles) >= 5 and all(article.tickets for article in articles)
    # written through the year, not all at once
    assert (articles[-1].created_at - articles[0].created_at).days > 180
    kinds = {
        (kind, level)
        for kind, level in db.session.execute(db.select(ArticleUse.kind, ArticleUse.level))
    }
    assert kinds == {(UseKind.SELF_HELP, 0), (UseKind.APPLIED, 1), (UseKind.APPLIED, 2)}
    assert db.session.scalar(db.select(func.count(Feedback.id))) > 50
    finished, running = db.session.scalars(db.select(Survey).order_by(Survey.opens_on)).all()
    answers = db.session.scalar(
        db.select(func.sum(SurveyTally.count)).where(
            SurveyTally.question_id == finished.questions[0].id
        )
    )
    assert answers >= 30  # enough for figures per campus
    teacher = db.session.scalar(db.select(User).where(User.email == "teacher@demo.test"))
    from campus.reports.period import today_in_berlin
    from campus.surveys.services import survey_for

    assert survey_for(teacher, today_in_berlin()) == running  # she has not answered yet


def an_intern_with_a_plan_for_this_week_and_two_tickets():
    from datetime import timedelta

    from campus.models import InternWork
    from campus.reports.period import today_in_berlin

    intern = db.session.scalar(db.select(User).where(User.email == "intern@demo.test"))
    internship = intern.internship
    today = today_in_berlin()
    monday = today - timedelta(days=today.weekday())
    assert internship.starts_on <= today <= internship.ends_on and intern.is_active
    assert internship.supervisor.email == "manager@demo.test"
    friday = monday + timedelta(days=4)
    week = {entry.day for entry in internship.entries if monday <= entry.day <= friday}
    assert len(week) == 5  # every day from Monday to Friday of this week is planned
    taken = db.session.scalars(db.select(InternWork).where(InternWork.intern_id == intern.id)).all()
    assert len([w for w in taken if w.ticket.status == TicketStatus.IN_PROGRESS]) == 2
    assert len([w for w in taken if w.proposal]) == 1  # one waits for the supervisor


def test_rebuild_search_index_refills_the_article_search(app, world):
    from campus.knowledge.search import search_articles
    from campus.models import Audience
    from tests.knowledge_corpus import load_corpus

    active = sum(article.is_active for article in load_corpus(world.manager).values())
    if db.session.get_bind().dialect.name == "postgresql":
        result = run(app, "rebuild-search-index")
        assert result.exit_code == 0 and "nothing to do" in result.output
        assert search_articles("Tablets starten", audiences=list(Audience))
        return
    db.session.execute(db.text("DELETE FROM article_search"))
    db.session.commit()
    assert search_articles("Tablets starten", audiences=list(Audience)) == []
    result = run(app, "rebuild-search-index")
    assert result.exit_code == 0, result.output
    assert f"{active} active article(s)" in result.output
    found = search_articles("Tablets starten", audiences=list(Audience))
    assert found and found[0][0].title.startswith("Tablet startet nicht")
