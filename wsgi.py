"""Entry point for `flask --app wsgi` and for WSGI servers such as gunicorn."""

from portal import create_app

app = create_app()
