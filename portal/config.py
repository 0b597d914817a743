"""Configuration, read from the environment.

Development generates its own secret into the instance folder (never committed); production refuses
to start without SECRET_KEY so that no default secret can ever reach a live server.
"""

from __future__ import annotations

import os
import secrets
import zlib
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


class ConfigurationError(RuntimeError):
    """Raised at start-up when the environment cannot run the portal safely."""


def normalise_database_url(url: str) -> str:
    """Accept the URL forms hosting platforms hand out and use psycopg 3 for PostgreSQL."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _development_secret(instance_path: Path) -> str:
    secret_file = instance_path / "secret_key"
    if not secret_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        secret_file.write_text(secrets.token_hex(32))
        secret_file.chmod(0o600)
    return secret_file.read_text().strip()


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be a whole number, not {raw!r}") from exc


def _date_env(name: str) -> date | None:
    raw = os.environ.get(name, "")
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be a date like 2026-11-16, not {raw!r}") from exc


# A production SECRET_KEY must carry at least this much randomness: 32 bytes, as
# `secrets.token_hex(32)` (64 hex characters) or `secrets.token_urlsafe(32)` give.
SECRET_KEY_BITS = 256
_HEX = set("0123456789abcdefABCDEF")
_URLSAFE = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=")


def secret_key_bits(secret: str) -> float:
    """An estimate of the randomness in `secret`, in bits: its length times what a character
    of its alphabet can carry (4 bits for hex, 6 for base64, 6.5 for any printable character);
    nothing for a key with the marks of one made by hand: few different characters, a pattern
    that repeats (it compresses well: _compressed_share), or a run like "abcdefgh" (8 in a
    row: about one random hex key in 2,000,000 has one)."""
    if len(set(secret)) < 10 or _compressed_share(secret) < 0.8:
        return 0.0
    if _longest_run(secret) >= 8:
        return 0.0
    characters = set(secret)
    per_character = 4.0 if characters <= _HEX else 6.0 if characters <= _URLSAFE else 6.5
    return per_character * len(secret)


def _compressed_share(text: str) -> float:
    """How much of its length `text` keeps when compressed for repeats alone: deflate with
    fixed codes, which cannot pack hex into 4 bits a character as adaptive codes do (which
    made long random hex keys look repetitive). Random keys keep 0.9 or more, measured over
    20,000 each of token_hex(32), token_hex(128) and token_urlsafe(32); "0123456789abcdef"
    four times keeps 0.33."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_FIXED)
    packed = packer.compress(text.encode()) + packer.flush()
    return len(packed) / len(text)


def _longest_run(text: str) -> int:
    """The most characters in a row, each the one after (or before) the last: "abcdef", "987"."""
    longest = run = 1
    step = 0
    for before, after in pairwise(text):
        difference = ord(after) - ord(before)
        if difference in (1, -1) and (run == 1 or difference == step):
            run, step = run + 1, difference
        else:
            run, step = (2, difference) if difference in (1, -1) else (1, 0)
        longest = max(longest, run)
    return longest


def site_address(raw: str) -> str:
    """PORTAL_BASE_URL checked: the scheme and host (and port) every emailed or printed link
    is built from, never the Host a request claims."""
    parts = urlsplit(raw)
    try:
        parts.port  # noqa: B018 (read to check: a port out of range raises)
    except ValueError:
        parts = parts._replace(scheme="")
    if (
        parts.scheme not in {"http", "https"}
        or not parts.hostname
        or parts.path not in {"", "/"}
        or parts.query
        or parts.fragment
        or "@" in parts.netloc
    ):
        raise ConfigurationError(
            f"PORTAL_BASE_URL must be the site's address, like "
            f"https://haveyoursay.warwickshire.gov.uk, not {raw!r}"
        )
    return f"{parts.scheme}://{parts.netloc}"


def load_config(instance_path: Path, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the Flask config for the environment named by PORTAL_ENV."""
    overrides = overrides or {}
    env = overrides.get("PORTAL_ENV") or os.environ.get("PORTAL_ENV", "development")
    if env not in {"development", "production", "testing"}:
        raise ConfigurationError(
            f"PORTAL_ENV must be development, production or testing, not {env!r}"
        )

    secret = overrides.get("SECRET_KEY") or os.environ.get("SECRET_KEY")
    if not secret:
        if env == "production":
            raise ConfigurationError(
                "SECRET_KEY is not set. In production (PORTAL_ENV=production) the portal needs a "
                "long random SECRET_KEY in its environment, for example from "
                "`python -c 'import secrets; print(secrets.token_hex(32))'`."
            )
        secret = _development_secret(instance_path)
    elif env == "production" and secret_key_bits(str(secret)) < SECRET_KEY_BITS:
        raise ConfigurationError(
            "SECRET_KEY is too short or not random enough: it signs every session and keys the "
            f"sign-in locks, so it needs at least {SECRET_KEY_BITS // 8} random bytes. Make one "
            "with `python -c 'import secrets; print(secrets.token_hex(32))'`."
        )

    raw_base_url = overrides.get("BASE_URL") or os.environ.get("PORTAL_BASE_URL", "")
    if not raw_base_url and env == "production":
        raise ConfigurationError(
            "PORTAL_BASE_URL is not set. In production every link the portal emails or prints "
            "is built from it (never from the Host a request gives), for example "
            "PORTAL_BASE_URL=https://haveyoursay.warwickshire.gov.uk."
        )
    base_url = site_address(raw_base_url) if raw_base_url else None
    # Requests naming any other host are refused (400). In production the site's own host is
    # always trusted; PORTAL_TRUSTED_HOSTS adds others (a health check on 127.0.0.1).
    extra_hosts = [h.strip() for h in os.environ.get("PORTAL_TRUSTED_HOSTS", "").split(",")]
    trusted_hosts = [h for h in extra_hosts if h]
    if base_url and env == "production":
        trusted_hosts.insert(0, urlsplit(base_url).hostname or "")

    default_db = f"sqlite:///{instance_path / 'portal.sqlite3'}"
    database_url = overrides.get("SQLALCHEMY_DATABASE_URI") or os.environ.get(
        "DATABASE_URL", default_db
    )

    config: dict[str, Any] = {
        "PORTAL_ENV": env,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        # The site's address, for every absolute link (portal/site_links.py); None outside
        # production means the address the request came to (development, tests).
        "BASE_URL": base_url,
        "TRUSTED_HOSTS": trusted_hosts or None,
        # No pre-ping: a PostgreSQL connection closed by the server is replaced at checkout
        # without a round trip (portal/__init__.py).
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        # The council's name and the service name, shown in the header of every page.
        "COUNCIL_NAME": os.environ.get("PORTAL_COUNCIL_NAME", "Warwickshire County Council"),
        "SERVICE_NAME": os.environ.get("PORTAL_SERVICE_NAME", "Have your say"),
        # The page description search engines show, where a page has none of its own.
        "SERVICE_DESCRIPTION": os.environ.get(
            "PORTAL_SERVICE_DESCRIPTION",
            "Answer Warwickshire County Council's consultations on keeping people safe, "
            "and see what the council did with the results.",
        ),
        # Named in the privacy notices and the accessibility statement.
        "DATA_PROTECTION_CONTACT": os.environ.get(
            "PORTAL_DATA_PROTECTION_CONTACT", "dpo@warwickshire.gov.uk"
        ),
        # Printed on every paper copy: where to post it.
        "PAPER_RETURN_ADDRESS": os.environ.get(
            "PORTAL_PAPER_RETURN_ADDRESS",
            "Have your say, Warwickshire County Council, Shire Hall, Warwick CV34 4RL",
        ),
        "ACCESSIBILITY_CONTACT": os.environ.get(
            "PORTAL_ACCESSIBILITY_CONTACT", "have-your-say@warwickshire.gov.uk"
        ),
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session: long surveys
        # Every message a form shows is the portal's own, through its catalogue: WTForms' own
        # translations would be asked for each field's default label on every form built.
        "WTF_I18N_ENABLED": False,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env == "production",
        "PREFERRED_URL_SCHEME": "https" if env == "production" else "http",
        # A whole survey page is a few kilobytes; refuse anything far larger outright.
        "MAX_CONTENT_LENGTH": _int_env("PORTAL_MAX_CONTENT_LENGTH", 256 * 1024),
        "MAX_FORM_MEMORY_SIZE": _int_env("PORTAL_MAX_CONTENT_LENGTH", 256 * 1024),
        # How long an unfinished response is kept on the server.
        "DRAFT_LIFETIME_HOURS": _int_env("PORTAL_DRAFT_LIFETIME_HOURS", 72),
        # Save and come back later: how long a saved, unfinished response is kept.
        "SAVED_DRAFT_LIFETIME_DAYS": _int_env("PORTAL_SAVED_DRAFT_LIFETIME_DAYS", 28),
        "RESUME_RATE_LIMIT": os.environ.get("PORTAL_RESUME_RATE_LIMIT", "10/minute"),
        # Emailing a resume link: per client address, and per saved response.
        "RESUME_EMAIL_RATE_LIMIT": os.environ.get("PORTAL_RESUME_EMAIL_RATE_LIMIT", "10/hour"),
        "RESUME_EMAILS_PER_DRAFT": os.environ.get("PORTAL_RESUME_EMAILS_PER_DRAFT", "3/hour"),
        "RESUME_EMAILS_PER_RECIPIENT": os.environ.get(
            "PORTAL_RESUME_EMAILS_PER_RECIPIENT", "5/day"
        ),
        # Outgoing email (resume links). No host: the portal offers no email.
        "SMTP_HOST": os.environ.get("PORTAL_SMTP_HOST", ""),
        "SMTP_PORT": _int_env("PORTAL_SMTP_PORT", 587),
        "SMTP_STARTTLS": os.environ.get("PORTAL_SMTP_STARTTLS", "1") != "0",
        "SMTP_USERNAME": os.environ.get("PORTAL_SMTP_USERNAME", ""),
        "SMTP_PASSWORD": os.environ.get("PORTAL_SMTP_PASSWORD", ""),
        "MAIL_FROM": os.environ.get("PORTAL_MAIL_FROM", "have-your-say@warwickshire.gov.uk"),
        # Staff are signed out after this long without a request, and after this long in all.
        "STAFF_IDLE_MINUTES": _int_env("PORTAL_STAFF_IDLE_MINUTES", 30),
        "STAFF_SESSION_HOURS": _int_env("PORTAL_STAFF_SESSION_HOURS", 12),
        # Shown after sending under "If you need help now" when a consultation has no help
        # text of its own.
        "DEFAULT_HELP_TEXT": os.environ.get(
            "PORTAL_DEFAULT_HELP_TEXT",
            "If you or someone else is in danger now, call 999. To report a crime or a concern "
            "that is not an emergency, call the police on 101.",
        ),
        # Seeded consultations planned for an occasion (the bullying one for Anti-Bullying
        # Week) open then; 1 opens them on the day of seeding instead (demos, tests).
        "SEED_OPEN_NOW": os.environ.get("PORTAL_SEED_OPEN_NOW", "0") == "1",
        # The Monday of the Anti-Bullying Week to open it in, where the Alliance's dates differ
        # from the usual (the first Monday on or after 10 November).
        "ANTI_BULLYING_WEEK": _date_env("PORTAL_ANTI_BULLYING_WEEK"),
        # Reminders to panel members who have not answered, at most this many per consultation.
        "PANEL_MAX_REMINDERS": _int_env("PORTAL_PANEL_MAX_REMINDERS", 2),
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI") or "memory://",
        # Sets this portal's counts apart where one Redis serves several (a test site too).
        "RATELIMIT_KEY_PREFIX": os.environ.get("RATELIMIT_KEY_PREFIX", ""),
        "RATELIMIT_ENABLED": os.environ.get("RATELIMIT_ENABLED", "1") != "0",
        # Redis unreachable: each process counts alone until it is back, rather than every
        # sign-in and every response sent failing with it.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_HEADERS_ENABLED": True,
        "SUBMISSION_RATE_LIMIT": os.environ.get("PORTAL_SUBMISSION_RATE_LIMIT", "20/minute"),
        "SIGN_IN_RATE_LIMIT": os.environ.get("PORTAL_SIGN_IN_RATE_LIMIT", "10/minute"),
        "TESTING": env == "testing",
        # JSON lines with request ids in production; plain text elsewhere.
        "LOG_FORMAT": os.environ.get(
            "PORTAL_LOG_FORMAT", "json" if env == "production" else "text"
        ),
        # Reverse proxies in front of the portal whose X-Forwarded-* headers to trust.
        "PROXY_HOPS": _int_env("PORTAL_PROXY_HOPS", 0),
        # Static assets are compressed (brotli, else gzip). HTML is not by default: pages
        # carry CSRF tokens next to text people typed, which compression can leak (BREACH).
        "COMPRESS_MIMETYPES": [
            "text/css",
            "text/javascript",
            "application/javascript",
            "image/svg+xml",
            "application/json",
            *(["text/html"] if os.environ.get("PORTAL_COMPRESS_HTML") == "1" else []),
        ],
        "COMPRESS_ALGORITHM": ["br", "gzip"],
        "COMPRESS_STREAMS": False,  # downloads stream as they are written
        "COMPRESS_MIN_SIZE": 500,
    }
    config.update(overrides)
    return config
