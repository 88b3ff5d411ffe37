"""`flask campus retention [--dry-run]`: apply the privacy settings' retention periods."""

import click
from flask import current_app
from flask.cli import with_appcontext

from campus.cli import campus_cli


@campus_cli.command("retention")
@click.option("--dry-run", is_flag=True, help="Only count what would change.")
@with_appcontext
def retention_command(dry_run: bool):
    """Anonymise closed tickets, delete photos and old histories, and pseudonymise
    deactivated accounts whose time is up (the worker does it daily by itself)."""
    from campus.privacy.retention import run_retention

    done = run_retention(current_app.config["UPLOAD_FOLDER"], dry_run=dry_run)
    verb = "Would change" if dry_run else "Changed"
    click.echo(
        f"{verb}: {done.tickets} ticket(s) anonymised, {done.photos} photo(s) deleted, "
        f"{done.users} account(s) pseudonymised, {done.logins} login record(s) and "
        f"{done.messages} mail/webhook record(s) and {done.absences} absence(s) or "
        f"check-in(s) deleted, {done.addresses} address(es) removed."
    )
