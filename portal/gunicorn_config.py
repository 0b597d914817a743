"""gunicorn settings for production: `gunicorn -c python:portal.gunicorn_config wsgi:app`
(what `make serve` runs). Every setting can be overridden by the environment variable named.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import re
from typing import Any

from gunicorn.glogging import Logger

# 127.0.0.1 by default: the reverse proxy (docs/nginx.conf) faces the internet, not gunicorn.
bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
# Threads overlap the waits on the database; processes use the cores.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))


def refuse_unshared_rate_limits(environ: dict[str, str], worker_count: int) -> None:
    """In production, rate limits counted in each worker's memory are no limits: with 5
    workers, 60 sign-in attempts in 5 s met 16 refusals (the limit is 10 a minute) and 45
    submissions in 9 s none. Refuse to start, saying why, unless the counts are shared."""
    storage = environ.get("RATELIMIT_STORAGE_URI") or "memory://"
    if (
        environ.get("PORTAL_ENV") == "production"
        and worker_count > 1
        and storage.startswith("memory://")
        and environ.get("RATELIMIT_ENABLED", "1") != "0"
    ):
        raise SystemExit(
            f"Refusing to start: {worker_count} workers would each keep their own rate-limit "
            "counts (RATELIMIT_STORAGE_URI is memory://), so each limit would be multiplied by "
            "the number of workers. Set RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0 (shared "
            "by every worker and server), or run one worker (WEB_CONCURRENCY=1)."
        )


def on_starting(server: Any) -> None:
    """gunicorn's hook before it starts workers: the number it will start (WEB_CONCURRENCY,
    or -w on the command line) is known here, and not when this file is read."""
    refuse_unshared_rate_limits(dict(os.environ), server.cfg.workers)


worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# A request taking longer than this is stuck: the worker is replaced. Large exports stream,
# so they keep sending within it.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so no slow leak can build up.
max_requests = 5000
max_requests_jitter = 500
# Load the app once before forking: faster starts and shared memory.
preload_app = True
control_socket_disable = True
# Trust X-Forwarded-* only from the proxy on this machine (the app's ProxyFix, set by
# PORTAL_PROXY_HOPS, does the same inside Flask).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# One JSON object per request. Not the path but its route (`/i/<code>`), which the app puts
# in the WSGI environment (portal.ops.logged_path): paths carry invitation codes and leave
# tokens, query strings resume codes. No client address either: it is not needed to run the
# service, and the portal stores none with responses.
access_log_format = json.dumps(
    {
        "time": "%(t)s",
        "method": "%(m)s",
        "path": "%({portal.route}e)s",
        "status": "%(s)s",
        "bytes": "%(B)s",
        "duration_ms": "%(M)s",
        "request_id": "%({x-request-id}o)s",
    }
)


_QUERY_STRING = re.compile(r"(/[^\s\"'?]*)\?[^\s\"']*")
# The paths that carry a personal code: an invitation, a leave token, a school's link, a link
# to choose a staff password.
_CODE_IN_PATH = re.compile(r"(/i/|/panel/leave/|/c/|/staff/password-link/)[^\s\"'?/]+")


class WithoutCodes(logging.Filter):
    """gunicorn's own error lines ("Error handling request /i/CODE?x=...") name the request
    by its path and query string: take out the query string and any code in the path before
    the line is written, as the access log never has them."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = _CODE_IN_PATH.sub(r"\1<code>", _QUERY_STRING.sub(r"\1", message))
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


class PortalLogger(Logger):
    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        self.error_log.addFilter(WithoutCodes())


logger_class = PortalLogger
