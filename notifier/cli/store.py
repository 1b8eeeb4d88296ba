"""`notifier db`: the database schema."""

from __future__ import annotations

import typer

from notifier.cli.common import globals_of, say

db_app = typer.Typer(help="Manage the database schema.", no_args_is_help=True)


@db_app.command("upgrade")
def upgrade(ctx: typer.Context) -> None:
    """Create or upgrade the database schema to the newest migration.

    Example: NOTIFIER_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/nt notifier db upgrade
    """
    g = globals_of(ctx)
    where = g.notifier().upgrade_database()
    say(g, f"database at {where} is up to date")
