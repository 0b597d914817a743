"""flask commands: `seed` loads the strategy and consultations; `users` manages staff accounts;
`drafts purge` deletes expired unfinished responses; `schools import`, `panel import` and
`areas import` load schools, panel members and the postcode sectors' deprivation deciles;
`responses delete`, `responses recount` and `responses index` look after responses, their
running totals and the results index; `privacy` carries out retention and panel members'
rights."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from portal.accounts import passwords, signing_in, two_factor
from portal.accounts import service as accounts
from portal.accounts.models import Role
from portal.areas.service import import_areas
from portal.audit import add_audit_entry
from portal.clock import uk_today, utcnow
from portal.consultations.seed import seed_consultations
from portal.consultations.seed_translations import seed_translations
from portal.consultations.service import all_consultations
from portal.csv_import import CsvFileError, ImportReport
from portal.mail import MailUnavailable, mail_configured
from portal.panel import invitations
from portal.panel.service import import_members
from portal.privacy.commands import privacy
from portal.reporting import results_index_build
from portal.responses import tallies
from portal.responses.corrections import delete_response, find_response
from portal.responses.lookup import subject as response_subject
from portal.responses.resume import purge_expired_drafts
from portal.responses.service import parse_reference
from portal.schools.register import find_school
from portal.schools.service import import_schools, schools_in
from portal.strategy.seed import seed_strategy

DEMO_OFFICER_EMAIL = "demo.officer@warwickshire.example"

users = AppGroup("users", help="Create, list and disable staff accounts.")
drafts = AppGroup("drafts", help="Unfinished responses kept on the server.")
schools = AppGroup("schools", help="The schools that distribute consultations.")
panel = AppGroup("panel", help="The Warwickshire Panel and user groups.")
areas = AppGroup("areas", help="The council's lookup of postcode sectors to deprivation deciles.")
responses_group = AppGroup("responses", help="Submitted responses and their running totals.")


CSV_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
SKIP_INVALID_HELP = "Import the good rows even if some are bad."
DEMO_SCHOOLS = Path(__file__).resolve().parent / "data" / "schools-demo.csv"


def _run_import(
    csv_file: Path, importer: Callable[..., ImportReport], skip_invalid: bool, noun: str
) -> None:
    """Read the file, report each bad row with its line number, and say what was imported."""
    try:
        with csv_file.open(encoding="utf-8-sig", newline="") as handle:
            report = importer(handle, skip_invalid=skip_invalid)
    except (CsvFileError, UnicodeDecodeError) as error:
        raise click.ClickException(f"{csv_file}: {error}") from None
    for line, reason in report.problems:
        click.echo(f"{csv_file}, line {line}: {reason}", err=True)
    if not report.imported:
        rows = "row" if report.bad_rows == 1 else "rows"
        raise click.ClickException(
            f"Nothing imported: {report.bad_rows} bad {rows}. Correct them, or use --skip-invalid."
        )
    skipped = f", skipped {report.bad_rows} bad" if report.problems else ""
    click.echo(f"Imported {report.created} new and {report.updated} updated {noun}{skipped}.")


@panel.command("import")
@click.argument("csv_file", type=CSV_FILE)
@click.option("--skip-invalid", is_flag=True, help=SKIP_INVALID_HELP)
def import_panel_command(csv_file: Path, skip_invalid: bool) -> None:
    """Add or update panel members from a CSV file (columns: see the README).

    Every row is checked first. If any is bad, each is reported with its line number and
    nothing is imported, unless --skip-invalid is given.
    """

    def importer(handle: Any, skip_invalid: bool) -> ImportReport:
        return import_members(handle, skip_invalid, by="flask panel import")

    _run_import(csv_file, importer, skip_invalid, "members")


@schools.command("import")
@click.argument("csv_file", type=CSV_FILE)
@click.option("--skip-invalid", is_flag=True, help=SKIP_INVALID_HELP)
def import_schools_command(csv_file: Path, skip_invalid: bool) -> None:
    """Add or update schools from a CSV file with the columns name,number,phase,district,pupils.

    Every row is checked first. If any is bad, each is reported with its line number and
    nothing is imported, unless --skip-invalid is given. A town column is optional.
    """

    def importer(handle: Any, skip_invalid: bool) -> ImportReport:
        return import_schools(handle, skip_invalid, source=csv_file.name)

    _run_import(csv_file, importer, skip_invalid, "schools")


@areas.command("import")
@click.argument("csv_file", type=CSV_FILE)
@click.option("--skip-invalid", is_flag=True, help=SKIP_INVALID_HELP)
def import_areas_command(csv_file: Path, skip_invalid: bool) -> None:
    """Add or update postcode sectors' deprivation deciles from a CSV file with the columns
    postcode_sector,decile (CV34 4,3; decile 1 is the most deprived tenth of areas).

    Every row is checked first. If any is bad, each is reported with its line number and
    nothing is imported, unless --skip-invalid is given.
    """

    def importer(handle: Any, skip_invalid: bool) -> ImportReport:
        return import_areas(handle, skip_invalid, source=csv_file.name)

    _run_import(csv_file, importer, skip_invalid, "postcode sectors")


@drafts.command("purge")
def purge_drafts() -> None:
    """Delete every unfinished response past its expiry (run it daily, for example by cron)."""
    removed = purge_expired_drafts(utcnow())
    click.echo(
        f"Deleted {removed} expired unfinished {'response' if removed == 1 else 'responses'}."
    )


def _read_password() -> str:
    """From standard input when it is piped (scripts), otherwise a hidden prompt."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    password: str = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return password


@users.command("create")
@click.option("--email", required=True, help="The person's work email address.")
@click.option(
    "--role", required=True, type=click.Choice([r.value for r in Role]), help="What they may do."
)
@click.option("--school", "school_number", help="For a school account: the school's number.")
def create_user(email: str, role: str, school_number: str | None) -> None:
    """Create an account; the password is read from standard input or prompted for."""
    school_id = None
    if school_number:
        school = find_school(school_number)
        if school is None:
            raise click.ClickException(f"No school has the number {school_number}.")
        school_id = school.id
    try:
        user = accounts.create_user(email, _read_password(), role, school_id=school_id)
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Created {user.role.value} account {user.email}.")


@users.command("list")
def list_users() -> None:
    """List every account with its role and status."""
    for user in accounts.list_users():
        status = "disabled" if user.disabled else "active"
        click.echo(f"{user.email}\t{user.role.value}\t{status}")


@users.command("disable")
@click.option("--email", required=True)
def disable_user(email: str) -> None:
    """Stop an account signing in; it is signed out at its next request."""
    try:
        user = accounts.set_disabled(email, True)
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Disabled {user.email}.")


@users.command("set-password")
@click.option("--email", required=True)
@click.option(
    "--generate",
    is_flag=True,
    help="Make up a strong password and print it, instead of reading one.",
)
def set_password(email: str, generate: bool) -> None:
    """Give an account a new password (read from standard input or prompted for, or made up
    with --generate); every session signed in with the old one ends at once."""
    password = accounts.generate_password() if generate else _read_password()
    try:
        user = accounts.set_password(email, password)
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"New password set for {user.email}; every earlier session is signed out.")
    if generate:
        click.echo(f"  password: {password}")


@users.command("reset-password")
@click.argument("email")
@click.option(
    "--print-link",
    is_flag=True,
    help="Print the link instead of emailing it, to pass on another way.",
)
def reset_password(email: str, print_link: bool) -> None:
    """Send EMAIL the link to choose a new password that "Forgotten your password?" sends:
    it works once, for an hour (for an account never signed in, three days), and earlier
    links stop working. Without an SMTP server configured, or with --print-link, the link is
    printed instead."""
    user = accounts.find_user(email)
    if user is None:
        raise click.ClickException(f"There is no account for {email}.")
    if not current_app.config["BASE_URL"] and not current_app.config.get("SERVER_NAME"):
        raise click.ClickException(
            "PORTAL_BASE_URL is not set, so the link would have no address: set it to the "
            "site's address (for `make run`, PORTAL_BASE_URL=http://127.0.0.1:5000)."
        )
    try:
        message = passwords.send_again(user, by=None)
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from None
    if print_link or not mail_configured():
        why = "" if print_link else " (no SMTP server is configured, so nothing was emailed)"
        click.echo(f"Link for {user.email} to choose a password{why}, usable once:")
        click.echo(f"  {message.link}")
        return
    try:
        message.send()
    except MailUnavailable as error:
        raise click.ClickException(
            f"The email could not be sent ({error}). Run again with --print-link to pass the "
            "link on another way."
        ) from None
    click.echo(f"Emailed {user.email} a link to choose a new password.")


@users.command("unlock")
@click.option("--email", required=True)
def unlock_user(email: str) -> None:
    """Lift every sign-in lock on an account (wrong passwords from some network, or wrong
    two-factor codes), for an officer locked out by someone else's guessing."""
    try:
        user = signing_in.unlock(email)
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Sign-in locks lifted for {user.email}.")


@users.command("reset-two-factor")
@click.option("--email", required=True)
def reset_two_factor(email: str) -> None:
    """Turn off two-factor authentication for someone who has lost their phone and their
    recovery codes. They set it up again at their next sign-in if they are an admin."""
    user = accounts.find_user(email)
    if user is None:
        raise click.ClickException(f"There is no account for {email}.")
    two_factor.turn_off(user, by=None)
    click.echo(f"Two-factor authentication is off for {user.email}; recovery codes removed.")


@responses_group.command("delete")
@click.argument("reference")
def delete_response_command(reference: str) -> None:
    """Delete one response by its reference (a duplicate keyed in twice, a test), taking it
    off every running total."""
    stored_as = parse_reference(reference)
    found = find_response(stored_as) if stored_as else None
    if found is None:
        raise click.ClickException(f"No response has the reference {reference}.")
    add_audit_entry("flask responses delete", "deleted response", response_subject(found))
    # As a withdrawal from the officer's page does: the member's invitation stops counting
    # them as responded (and its code stays spent), in the same transaction.
    invitations.withdraw_response(found.id, utcnow())
    delete_response(found)  # commits, with the audit entry
    click.echo(f"Deleted response {reference}.")


@responses_group.command("recount")
def recount_command() -> None:
    """Recount the running totals from the stored answers (after a bulk load or a restore)."""
    rows = tallies.rebuild()
    click.echo("Recounted: " + ", ".join(f"{name} {count:,} rows" for name, count in rows.items()))


@responses_group.command("index")
@click.option(
    "--rebuild", is_flag=True, help="Drop the whole index first (after a bulk load or restore)."
)
def index_command(rebuild: bool) -> None:
    """Bring the results index up to date: build the ranges of response ids that are new,
    grown or marked stale. Run every minute by a timer; filtered results are right without it,
    only slower for the responses it has not covered yet."""
    started = time.perf_counter()
    if rebuild:
        results_index_build.drop()
    refreshed = results_index_build.refresh()
    built = sum(r.ranges_built for r in refreshed)
    kept = sum(r.ranges_kept for r in refreshed)
    click.echo(
        f"Results index: {built} ranges built, {kept} up to date, "
        f"{len(refreshed)} consultations, {time.perf_counter() - started:.1f} s."
    )


def register_commands(app: Flask) -> None:
    app.cli.add_command(users)
    app.cli.add_command(drafts)
    app.cli.add_command(schools)
    app.cli.add_command(panel)
    app.cli.add_command(areas)
    app.cli.add_command(responses_group)
    app.cli.add_command(privacy)

    @app.cli.command("seed")
    @click.option(
        "--demo-officer",
        is_flag=True,
        help="Also create a demo officer account (not in production) and print its password once.",
    )
    def seed(demo_officer: bool) -> None:
        """Load the strategy and the demo consultations, adding only what is missing."""
        if seed_strategy():
            click.echo("Loaded the strategy: seven priorities with their outcomes and indicators.")
        else:
            click.echo("The strategy is already loaded; left as it is.")
        if not schools_in() and app.config["PORTAL_ENV"] != "production":
            with DEMO_SCHOOLS.open(encoding="utf-8", newline="") as handle:
                report = import_schools(handle, source=DEMO_SCHOOLS.name)
            click.echo(f"Loaded {report.created} demo schools (fictional, Warwickshire-style).")
        created = seed_consultations(
            uk_today(),
            open_now=app.config["SEED_OPEN_NOW"],
            anti_bullying_monday=app.config["ANTI_BULLYING_WEEK"],
        )
        for slug in created:
            click.echo(f"Added consultation {slug}.")
        for consultation in all_consultations():
            if consultation.opens_on and consultation.opens_on > uk_today():
                click.echo(
                    f"{consultation.title} opens on {consultation.opens_on.day} "
                    f"{consultation.opens_on:%B %Y}. "
                    "To try it today, seed a new database with PORTAL_SEED_OPEN_NOW=1."
                )
        if not created:
            click.echo("The consultations are already loaded; left as they are.")
        for added in seed_translations():
            click.echo(
                f"Added the demonstration translation of {added}: not offered to respondents "
                "until a qualified translator has checked it and an officer marks it checked."
            )
        if demo_officer:
            _demo_officer(app)


def _demo_officer(app: Flask) -> None:
    """The demo officer account: made (and its password printed) once; on every later run,
    which account it is and how to give it a new password, since that one is not shown again."""
    if app.config["PORTAL_ENV"] == "production":
        raise click.ClickException("No demo accounts in production.")
    click.echo("")
    if accounts.find_user(DEMO_OFFICER_EMAIL) is None:
        password = accounts.generate_password()
        accounts.create_user(DEMO_OFFICER_EMAIL, password, Role.OFFICER)
        click.echo("A demo officer account was created. Its password is shown only this once:")
        click.echo(f"  email:    {DEMO_OFFICER_EMAIL}")
        click.echo(f"  password: {password}")
    else:
        click.echo(f"Demo officer account: {DEMO_OFFICER_EMAIL}")
        click.echo("  Its password was printed when it was created and is not shown again.")
    click.echo(
        "  To give it a new password, run make demo-password "
        f"(or: flask users set-password --email {DEMO_OFFICER_EMAIL} --generate)"
    )
    click.echo("")
