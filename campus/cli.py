"""`flask campus ...`: demo data and user management from the command line."""

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import inspect

from campus.exceptions import DomainError
from campus.extensions import db
from campus.models import Campus, Role, School, User
from campus.unit_of_work import Attempt, work


@contextmanager
def command_work() -> Iterator[Attempt]:
    """A command's change as one unit of work: committed once at the end of the block,
    rolled back on any error; a refusal ends the command with its message (exit code 1)."""
    try:
        with work() as attempt:
            yield attempt
    except DomainError as error:
        raise click.ClickException(error.message) from error


@click.group("campus")
def campus_cli():
    """Campus administration commands."""


@campus_cli.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only seed when the database has no users at all.")
@with_appcontext
def seed_demo_command(if_empty: bool):
    """Load the demo (3 campuses, ~80 users, ~300 devices, a year of tickets) once."""
    from campus.demo import DEMO_PASSWORD, demo_present, seed_demo
    from campus.demo_data import DEMO_LOGINS

    if current_app.config["CAMPUS_ENV"] == "production":
        raise click.ClickException(
            "seed-demo refuses to run in production: the demo logins share a published "
            "password. Use `flask campus create-user` for real accounts."
        )
    if demo_present():
        click.echo("Demo data is already present; nothing changed.")
        return
    if if_empty and db.session.scalar(db.select(User.id).limit(1)) is not None:
        click.echo("The database already has users; demo data not loaded.")
        return
    from sqlalchemy import update

    from campus.models import TicketEvent

    current_app.config["JOBS"] = "off"  # a year of demo history is no news to mail about
    with command_work():
        counts = seed_demo()
        db.session.execute(update(TicketEvent).values(mailed=True))
    click.echo(
        f"Demo loaded: {counts.campuses} campuses, {counts.schools} schools, "
        f"{counts.users} users, {counts.devices} devices, {counts.tickets} tickets, "
        f"{counts.events} events."
    )
    click.echo(f"Logins (password {DEMO_PASSWORD}): {', '.join(DEMO_LOGINS)}")


@campus_cli.command("create-user")
@click.option("--email", prompt=True, help="Login email address.")
@click.option("--name", "display_name", prompt="Display name", help="Name shown to others.")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    default=Role.ADMIN.value,
    show_default=True,
    prompt=True,
)
@click.option("--school", "school_number", help="Teachers: the school number of their school.")
@click.option(
    "--campus", "campus_names", multiple=True, help="Campus managers: campus name (repeatable)."
)
@click.password_option(help="Asked for when not given (input hidden, asked twice).")
@with_appcontext
def create_user_command(email, display_name, role, school_number, campus_names, password):
    """Create a user (the first administrator, typically)."""
    from campus.admin.services import save_user, system_actor

    school_id = None
    if school_number:
        school = db.session.scalar(db.select(School).where(School.school_number == school_number))
        if school is None:
            raise click.BadParameter(
                f"no school with number {school_number}", param_hint="--school"
            )
        school_id = school.id
    campus_ids = []
    for name in campus_names:
        campus = db.session.scalar(db.select(Campus).where(Campus.name == name))
        if campus is None:
            raise click.BadParameter(f"no campus named {name!r}", param_hint="--campus")
        campus_ids.append(campus.id)
    with command_work():
        user = save_user(
            system_actor(),
            email=email,
            display_name=display_name,
            role=role,
            school_id=school_id,
            campus_ids=campus_ids,
            password=password,
        )
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")


@campus_cli.command("close-stale")
@with_appcontext
def close_stale_command():
    """Close tickets resolved 7+ days ago that the teacher neither confirmed nor reopened,
    and forget logins that ended or began more than 30 days ago.

    Safe to run from cron as often as you like (for example: daily at 02:00).
    """
    from campus.auth.sessions import forget_old_sessions
    from campus.tickets.housekeeping import close_stale

    with command_work():
        closed = close_stale()
        forgotten = forget_old_sessions()
    click.echo(f"Closed {closed} resolved ticket(s) left unconfirmed for 7 days.")
    click.echo(f"Forgot {forgotten} ended or month-old login(s).")


@campus_cli.command("rebuild-report-facts")
@with_appcontext
def rebuild_report_facts_command():
    """Recompute the report figures from all tickets (after a bulk import or restore)."""
    from campus.reports.facts import rebuild_facts

    with command_work():
        read = rebuild_facts()
    click.echo(f"Report facts rebuilt from {read} ticket(s).")


@campus_cli.command("generate")
@click.option("--tickets", type=click.IntRange(0), default=100_000, show_default=True)
@click.option("--campuses", type=click.IntRange(1), default=50, show_default=True)
@click.option("--schools", type=click.IntRange(1), default=160, show_default=True)
@click.option("--managers", type=click.IntRange(1), help="Default: three per campus.")
@click.option("--days", type=click.IntRange(1), default=365, show_default=True)
@click.option("--seed", type=int, default=7, show_default=True)
@click.option("--password", help="Every generated user gets it; without it nobody can log in.")
@with_appcontext
def generate_command(tickets, campuses, schools, managers, days, seed, password):
    """Fill an empty database with a whole city's year of tickets (benchmarks, trials)."""
    from werkzeug.security import generate_password_hash

    from campus.demo_city import DOMAIN, Shape, generate, is_empty

    if schools < campuses:
        raise click.BadParameter("every campus needs a school: give at least as many schools")
    if not inspect(db.engine).get_table_names():
        from flask_migrate import upgrade

        upgrade()  # a brand-new database (a new SQLite file): give it the schema first
        click.echo("Database created (migrations applied).")
    elif not inspect(db.engine).has_table("users"):
        raise click.ClickException(
            "The database has tables but not Campus's; run `flask db upgrade` first."
        )
    if not is_empty():
        raise click.ClickException(
            "The database already has users; generate fills an empty one "
            "(a new SQLite file, or a new PostgreSQL database after `flask db upgrade`)."
        )
    shape = Shape(tickets, campuses, schools, managers or 3 * campuses, days=days, seed=seed)
    hashed = (
        generate_password_hash(password, method=User.password_method)
        if password
        else "pbkdf2:sha256:1000$generated$" + "0" * 64  # matches no password
    )
    with click.progressbar(length=tickets, label="Tickets", file=sys.stderr) as bar:
        counts = generate(shape, hashed, bar.update)
    click.echo(", ".join(f"{n:,} {what}" for what, n in counts.items()))
    if password:
        click.echo(f"Logins: admin@{DOMAIN}, manager-1@{DOMAIN}, lehrkraft-1-1@{DOMAIN}, ...")


@campus_cli.command("import-devices")
@click.argument("file", type=click.File("rb"))
@click.option(
    "--school",
    "school_ref",
    required=True,
    help="The school: its official school number (or its id in Campus).",
)
@click.option("--dry-run", is_flag=True, help="Only show what would happen.")
@click.option("--create-rooms", is_flag=True, help="Create rooms the school does not know yet.")
@click.option("--skip-refused", is_flag=True, help="Import the good rows even if others fail.")
@with_appcontext
def import_devices_command(file, school_ref, dry_run, create_rooms, skip_refused):
    """Import a school's inventory list (CSV, ';' or ',', UTF-8 or Windows-1252)."""
    from campus.admin.services import system_actor
    from campus.devices.importer import plan_import, run_import

    school = db.session.scalar(db.select(School).where(School.school_number == school_ref))
    if school is None and school_ref.isdigit():
        school = db.session.get(School, int(school_ref))
    if school is None:
        raise click.BadParameter(f"no school with number or id {school_ref}", param_hint="--school")
    data = file.read()
    with command_work():
        plan = plan_import(system_actor(), school, data, create_rooms)  # saves nothing
        for row in plan.refused:
            click.echo(f"line {row.line}: refused: {'; '.join(row.problems)}", err=True)
        summary = (
            f"{plan.count('create')} new, {plan.count('update')} updated, "
            f"{plan.count('refuse')} refused"
        )
        if not dry_run:
            with click.progressbar(length=len(plan.rows), label="Importing") as bar:
                run_import(
                    system_actor(), school, data, create_rooms, skip_refused, progress=bar.update
                )
    if dry_run:
        click.echo(f"Dry run for {school.name}: {summary}. Nothing saved.")
    else:
        click.echo(f"Imported into {school.name}: {summary}.")


@campus_cli.command("create-token")
@click.argument("email")
@click.option("--name", default="command line", show_default=True, help="What it is for.")
@with_appcontext
def create_token_command(email, name):
    """Print a new API token for the user with this email (shown only this once)."""
    from campus.auth.tokens import create_token

    user = db.session.scalar(db.select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active:
        raise click.BadParameter(f"no active user {email}", param_hint="EMAIL")
    with command_work():
        _record, token = create_token(user, user, name)
    click.echo(token)


@campus_cli.command("deliver-webhooks")
@with_appcontext
def deliver_webhooks_command():
    """Send the webhook deliveries that are due (retries with backoff). Run it from cron."""
    from campus.webhooks.delivery import deliver_due

    sent, waiting = deliver_due()  # each attempt commits on its own
    click.echo(f"Delivered {sent} webhook message(s); {waiting} will be retried later.")


@campus_cli.command("worker")
@click.option("--burst", is_flag=True, help="Do what is due and queued now, then stop.")
@with_appcontext
def worker_command(burst):
    """Run the jobs: mails, webhooks, digests, closing stale tickets, rebuilding figures.

    With CAMPUS_REDIS_URL it takes the jobs the app servers put on the Redis queue
    (RQ, with its scheduler for retries) and starts the periodic ones; run one or more
    beside the app servers. Without Redis it runs the periodic ones itself.
    """
    from campus.jobs import mode, work_forever

    app = current_app._get_current_object()
    if not burst and mode(app) == "redis":
        click.echo("Campus worker: jobs from the Redis queue and the periodic sweeps.")
    elif not burst:
        click.echo(
            "Campus worker: no Redis queue (CAMPUS_REDIS_URL), so it runs the periodic sweeps "
            "(mails, webhooks, digests, housekeeping); stop with Ctrl+C."
        )
    work_forever(app, burst=burst)


@campus_cli.command("send-mails")
@with_appcontext
def send_mails_command():
    """Send the mails that are due now (retries with backoff); the worker does this
    every minute by itself."""
    from campus.mail.digest import send_digests
    from campus.mail.notices import notify_due
    from campus.mail.sending import send_due

    notify_due()
    digests = send_digests()
    sent, waiting = send_due()
    click.echo(f"Sent {sent} mail(s) ({digests} digest(s)); {waiting} will be retried later.")


@campus_cli.command("mail-gateway")
@click.option("--host", help="Address to listen on (default: MAIL_GATEWAY_HOST, 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), help="Default: MAIL_GATEWAY_PORT, 8025.")
@click.option("--lmtp", is_flag=True, help="Speak LMTP instead of SMTP (Postfix lmtp: transport).")
@with_appcontext
def mail_gateway_command(host, port, lmtp):
    """Receive replies by e-mail and add them to their tickets.

    The school's mail server forwards the reply address's domain here (see the README).
    """
    from campus.mail.gateway import serve

    app = current_app._get_current_object()
    host = host or app.config.get("MAIL_GATEWAY_HOST", "127.0.0.1")
    port = port or int(app.config.get("MAIL_GATEWAY_PORT", 8025))
    click.echo(f"Campus mail gateway: {'LMTP' if lmtp else 'SMTP'} on {host}:{port}.")
    serve(app, host, port, lmtp=lmtp)
