import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from portal import create_app
from portal.config import ConfigurationError, load_config, normalise_database_url


def test_production_without_secret_key_refuses_to_start(monkeypatch, tmp_path: Path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("PORTAL_ENV", "production")
    with pytest.raises(ConfigurationError, match="SECRET_KEY is not set"):
        load_config(tmp_path)


def test_create_app_in_production_without_secret_fails(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("PORTAL_ENV", "production")
    with pytest.raises(ConfigurationError):
        create_app()


def test_development_generates_a_private_secret_once(monkeypatch, tmp_path: Path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("PORTAL_ENV", "development")
    first = load_config(tmp_path)["SECRET_KEY"]
    second = load_config(tmp_path)["SECRET_KEY"]
    assert first == second and len(first) == 64
    secret_file = tmp_path / "secret_key"
    assert secret_file.stat().st_mode & 0o777 == 0o600


def test_production_cookies_are_secure(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", secrets.token_hex(32))
    monkeypatch.setenv("PORTAL_BASE_URL", "https://haveyoursay.warwickshire.gov.uk")
    config = load_config(tmp_path)
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["SESSION_COOKIE_HTTPONLY"] is True
    assert config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_database_url_from_environment(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.example/portal")
    assert (
        load_config(tmp_path)["SQLALCHEMY_DATABASE_URI"]
        == "postgresql+psycopg://u:p@db.example/portal"
    )
    monkeypatch.delenv("DATABASE_URL")
    assert (
        load_config(tmp_path)["SQLALCHEMY_DATABASE_URI"]
        == f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    )


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://a@h/d", "postgresql+psycopg://a@h/d"),
        ("postgresql://a@h/d", "postgresql+psycopg://a@h/d"),
        ("postgresql+psycopg://a@h/d", "postgresql+psycopg://a@h/d"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_normalise_database_url(given, expected):
    assert normalise_database_url(given) == expected


def test_unknown_environment_is_refused(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("PORTAL_ENV", "staging")
    with pytest.raises(ConfigurationError, match="PORTAL_ENV"):
        load_config(tmp_path)


def test_every_environment_variable_the_code_reads_is_documented(project_root):
    # The process's environment (os.environ), not a request's WSGI environ.
    reads = re.compile(r'(?:os\.environ\.get|_int_env|os\.environ\[)\(?\s*"([A-Z][A-Z0-9_]+)"')
    names = {
        name
        for path in (project_root / "portal").rglob("*.py")
        for name in reads.findall(path.read_text(encoding="utf-8"))
    }
    assert {"SECRET_KEY", "DATABASE_URL", "PORTAL_LOG_FORMAT", "WEB_CONCURRENCY"} <= names
    documented = (project_root / "docs" / "configuration.md").read_text(encoding="utf-8")
    missing = sorted(name for name in names if f"`{name}`" not in documented)
    assert not missing, f"not in docs/configuration.md: {missing}"


def test_a_sqlite_database_is_written_ahead_and_keeps_its_foreign_keys(tmp_path: Path):
    """Write-ahead logging, so pages are read while a response is written; foreign keys, which
    SQLite ignores unless asked; temporary data in memory, so a submission's answers create no
    temporary file."""

    from portal.extensions import db

    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'wal.sqlite3'}", "SECRET_KEY": "t"}
    )
    with app.app_context():
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
            assert connection.exec_driver_sql("PRAGMA temp_store").scalar() == 2  # MEMORY
        db.engine.dispose()


# Keys made by `secrets` once, kept here so that the test is the same every run.
GOOD_KEYS = {
    "token_hex(32)": "caa862a8b340aa4ab4f67f5e426a8daf84d43aa91cff0d31ab0e96ec5e40c1a9",
    "token_urlsafe(32)": "L4J-EQ0Gcp3i92mK4fVJexx0RFI-xOVDGB21bOpU9Z4",
    # Stronger than asked: `openssl rand -hex 64`, `token_urlsafe(96)`.
    "token_hex(64)": (
        "3f1d8a6c9b2e47f0a5d3c8e1b6f4a9d27c0e5b8a3f6d1c9e4b7a2f5d8c0e3b6a"
        "91c4e7f2a5d8b0e3c6f9a1d4b7e0c3f6a9d2b5e8c1f4a7d0b3e6c9f2a5d8b1e4"
    ),
    "token_urlsafe(96)": (
        "kH3vX9pQ2mT7wZ4rB8nL1yF6sD0gJ5cA-eU_iO3tK7hV2xM9qW4zP8bN1rG6fS0dY5jC3uE7aL2oI9vT4kX8"
        "pR1mW6zQ3nB7yH0sF5gD9cJ2eU4tA8iO1kV6xM3qP7wZ0rN5bL9yG2fS4dC8jE1uT6aH3oK7iV0xM5pQ9w"
    ),
}


@pytest.mark.parametrize(
    "secret",
    [
        "a",
        "a" * 64,  # long, but one character
        "change-me-change-me-change-me-change-me-change-me",  # words, repeated
        "0123456789abcdef" * 4,  # every hex digit, in a pattern
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",  # the alphabet
        "qwertyuiopasdfghjklzxcvbnm" * 2,  # a keyboard, twice
        "5d41402abc4b2a76b9719d911017c592",  # random, but 16 bytes
    ],
    ids=[
        "one letter",
        "one letter 64 times",
        "words",
        "hex pattern",
        "alphabet",
        "keyboard",
        "16 bytes",
    ],
)
def test_production_refuses_a_secret_key_with_less_than_32_random_bytes(
    monkeypatch, tmp_path: Path, secret: str
):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("PORTAL_BASE_URL", "https://haveyoursay.warwickshire.gov.uk")
    monkeypatch.setenv("SECRET_KEY", secret)
    with pytest.raises(ConfigurationError, match="at least 32 random bytes"):
        load_config(tmp_path)


@pytest.mark.parametrize("name", GOOD_KEYS)
def test_production_accepts_the_secret_keys_the_docs_suggest(monkeypatch, tmp_path: Path, name):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("PORTAL_BASE_URL", "https://haveyoursay.warwickshire.gov.uk")
    monkeypatch.setenv("SECRET_KEY", GOOD_KEYS[name])
    assert load_config(tmp_path)["SECRET_KEY"] == GOOD_KEYS[name]


def test_production_needs_the_site_address(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("PORTAL_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", secrets.token_hex(32))
    monkeypatch.delenv("PORTAL_BASE_URL", raising=False)
    with pytest.raises(ConfigurationError, match="PORTAL_BASE_URL is not set"):
        load_config(tmp_path)
    for bad in (
        "haveyoursay.warwickshire.gov.uk",
        "ftp://x.example",
        "https://x.example/?a=1",
        "https://:pw@x.example",
        "https://x.example:99999",
    ):
        monkeypatch.setenv("PORTAL_BASE_URL", bad)
        with pytest.raises(ConfigurationError, match="must be the site's address"):
            load_config(tmp_path)
    monkeypatch.setenv("PORTAL_BASE_URL", "https://haveyoursay.warwickshire.gov.uk/")
    config = load_config(tmp_path)
    assert config["BASE_URL"] == "https://haveyoursay.warwickshire.gov.uk"
    assert config["TRUSTED_HOSTS"] == ["haveyoursay.warwickshire.gov.uk"]


def _start(tmp_path: Path, **settings: str) -> subprocess.CompletedProcess[str]:
    """Load the app as gunicorn does (`wsgi:app`) in production, with these settings."""
    env = {
        **os.environ,
        "PORTAL_ENV": "production",
        "PORTAL_BASE_URL": "https://haveyoursay.warwickshire.gov.uk",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'start.sqlite3'}",
        "PORTAL_PROXY_HOPS": "0",
        **settings,
    }
    return subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_refused_setting_is_said_in_one_line_not_a_traceback(tmp_path: Path):
    started = _start(tmp_path, SECRET_KEY="a")
    assert started.returncode == 1
    assert started.stderr.startswith("The portal cannot start: SECRET_KEY is too short")
    assert "Traceback" not in started.stderr


def test_production_without_proxy_hops_warns_that_everyone_shares_the_proxys_limits(
    tmp_path: Path,
):
    started = _start(tmp_path, SECRET_KEY=GOOD_KEYS["token_hex(32)"])
    assert started.returncode == 0, started.stderr
    assert "PORTAL_PROXY_HOPS is 0" in started.stderr
    behind_nginx = _start(tmp_path, SECRET_KEY=GOOD_KEYS["token_hex(32)"], PORTAL_PROXY_HOPS="1")
    assert behind_nginx.returncode == 0, behind_nginx.stderr
    assert "PORTAL_PROXY_HOPS" not in behind_nginx.stderr
