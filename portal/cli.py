"""flask commands: `flask --app wsgi seed` loads the strategy and the consultations."""

from __future__ import annotations

import click
from flask import Flask

from portal.consultations.seed import seed_consultations
from portal.responses.service import uk_today
from portal.strategy.seed import seed_strategy


def register_commands(app: Flask) -> None:
    @app.cli.command("seed")
    def seed() -> None:
        """Load the strategy and the demo consultations, adding only what is missing."""
        if seed_strategy():
            click.echo("Loaded the strategy: seven priorities with their outcomes and indicators.")
        else:
            click.echo("The strategy is already loaded; left as it is.")
        created = seed_consultations(uk_today())
        for slug in created:
            click.echo(f"Added consultation {slug}.")
        if not created:
            click.echo("The consultations are already loaded; left as they are.")
