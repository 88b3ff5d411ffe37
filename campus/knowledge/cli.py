"""`flask campus rebuild-search-index`: the knowledge base's search anew from its articles."""

import click
from flask.cli import with_appcontext

from campus.cli import campus_cli, command_work


@campus_cli.command("rebuild-search-index")
@with_appcontext
def rebuild_search_index_command():
    """Fill SQLite's article search anew from the articles (after a bulk import, a restore
    or a change of the word stemming). PostgreSQL keeps its search column by itself."""
    from campus.extensions import db
    from campus.knowledge.search import rebuild_index

    if db.session.get_bind().dialect.name != "sqlite":
        click.echo("PostgreSQL keeps the article search up to date itself: nothing to do.")
        return
    with command_work():
        count = rebuild_index()
    click.echo(f"Article search rebuilt: {count} active article(s).")
