"""flask privacy: retention and panel members' rights, for the data protection officer."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click
from flask.cli import AppGroup

from portal.accounts import signing_in
from portal.clock import uk_today, utcnow
from portal.panel.service import find_member
from portal.privacy import service

privacy = AppGroup("privacy", help="Retention periods, and panel members' access and erasure.")


@privacy.command("retention")
@click.option("--dry-run", is_flag=True, help="Only report what would be erased.")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Act as if it were this day (YYYY-MM-DD), to see what a later run will erase.",
)
def retention(dry_run: bool, today: object) -> None:
    """Erase the personal details of every consultation past its retention period: links to
    panel members, who was invited, answers to questions marked personal, saved answers, and
    comments on the service.
    Run it daily (cron); it reports what it removed."""
    day: date = today.date() if today else uk_today()  # type: ignore[attr-defined]
    erased = service.apply_retention(day, dry_run=dry_run, by="flask privacy retention")
    if not erased:
        click.echo(f"Nothing is past its retention period on {day:%d %B %Y}.")
    for erasure in erased:
        verb = "Would erase" if dry_run else "Erased"
        click.echo(f"{verb} from {erasure.consultation}: {erasure.summary()}.")
    if not dry_run:
        # Counts of wrong passwords are kept by a hash of the address they came from.
        forgotten = signing_in.forget_old_failures(utcnow())
        days = signing_in.FAILURES_KEPT.days
        click.echo(f"Deleted {forgotten} counts of wrong passwords older than {days} days.")


@privacy.command("member-export")
@click.argument("reference")
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write to this file instead of standard output.",
)
def member_export(reference: str, output: Path | None) -> None:
    """Everything held about one panel member, as JSON (a subject access request)."""
    member = find_member(reference)
    if member is None:
        raise click.ClickException(f"No panel member has the reference {reference}.")
    text = json.dumps(service.member_record(member), indent=2, ensure_ascii=False)
    if output is None:
        click.echo(text)
    else:
        output.write_text(text + "\n", encoding="utf-8")
        click.echo(f"Wrote everything held about {reference} to {output}.")


@privacy.command("member-erase")
@click.argument("reference")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def member_erase(reference: str, yes: bool) -> None:
    """Erase one panel member at their request. Their anonymous answers stay in the results."""
    member = find_member(reference)
    if member is None:
        raise click.ClickException(f"No panel member has the reference {reference}.")
    if not yes:
        click.confirm(
            f"Erase {reference} and everything that links them to a response?", abort=True
        )
    result = service.erase_member(member, by="flask privacy member-erase")
    click.echo(
        f"Erased {result.reference}: {result.invitations} invitations, "
        f"{result.responses_unlinked} responses unlinked, "
        f"{result.personal_answers} personal answers erased."
    )
