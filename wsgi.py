"""Entry point for `flask --app wsgi` and for WSGI servers such as gunicorn."""

import gc

from portal import create_app
from portal.config import ConfigurationError

try:
    app = create_app()
except ConfigurationError as error:
    # What to change, in one line, rather than at the foot of a traceback.
    raise SystemExit(f"The portal cannot start: {error}") from None
# What the app holds from here on (routes, templates, SQLAlchemy's mappers) lives as long as
# the process: moved out of the collector's reach, it is not walked again by every full
# collection a request's allocations trigger (about 4% of a submission's CPU, bench/results.md).
gc.freeze()
