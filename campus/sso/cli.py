"""`flask campus sso-sync`: ask the providers whether each linked person still exists."""

import click
from flask.cli import with_appcontext

from campus.cli import campus_cli


@campus_cli.command("sso-sync")
@with_appcontext
def sso_sync_command():
    """Deactivate accounts whose person the school account's provider removed (the
    worker does it daily by itself)."""
    from campus.sso.providers import providers
    from campus.sso.sync import sync_accounts

    if not providers():
        click.echo("No sign-in provider is configured (CAMPUS_OIDC_PROVIDERS).")
        return
    done = sync_accounts()
    if done.busy:
        click.echo("Another sync is running; this one did nothing.")
        return
    click.echo(
        f"Checked {done.checked} linked account(s): {done.removed} removed at the provider "
        f"and deactivated, {done.held} refused but not deactivated (administrators, or too "
        f"many at once), {done.failed} not checked (provider unreachable or error), "
        f"{done.unreadable} skipped (token unreadable after a new secret key)."
    )
