"""Entry point for `flask --app wsgi` and for WSGI servers such as gunicorn."""

import gc

from portal import create_app

app = create_app()
# What the app holds from here on (routes, templates, SQLAlchemy's mappers) lives as long as
# the process: moved out of the collector's reach, it is not walked again by every full
# collection a request's allocations trigger (about 4% of a submission's CPU, bench/results.md).
gc.freeze()
