"""`python -m bench.asked`: what working out who was asked each question costs.

A fresh PostgreSQL database (portal_bench, as `make bench` uses) gets N synthetic responses to
the bullying consultation through the bench's bulk path, then times, in process and five times
each, `portal.reporting.routing.asked_counts` for every question, unfiltered (from the running
tallies, recounted after the load) and filtered (from the results index, built after it),
beside the GROUP BY of every answer's count. The synthetic responses answer every question,
routed or not, so the routed questions' source answers are more than a real journey leaves:
an upper bound. Reports; never fails on a time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from datetime import date

import sqlalchemy as sa

from bench.run import (
    SLUG,
    build_results_index,
    bulk_seed,
    consultation_shape,
    fresh_database,
    prepare,
    recount,
)


def timed(step: Callable[[], object], times: int = 5) -> list[float]:
    seconds = []
    for _ in range(times):
        started = time.perf_counter()
        step()
        seconds.append(time.perf_counter() - started)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--responses", type=int, default=100_000)
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    args = parser.parse_args()
    database_url = fresh_database("postgresql", args.postgres_url)
    prepare(database_url)
    print(
        f"{args.responses:,} responses added in {bulk_seed(database_url, consultation_shape(database_url), args.responses):.1f} s"
    )
    # As an operator would after a bulk load: the unfiltered counts read the running tallies,
    # filtered ones the results index.
    recount(database_url)
    build_results_index(database_url)

    from portal import create_app
    from portal.consultations.service import consultation_with_questions
    from portal.extensions import db
    from portal.reporting.filters import ResponseFilter
    from portal.reporting.routing import asked_counts
    from portal.responses.models import Answer, Response

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench"})
    with app.app_context():
        db.session.execute(sa.text("ANALYZE"))
        consultation = consultation_with_questions(SLUG)
        assert consultation is not None
        answer_counts = (
            sa.select(Answer.question_id, Answer.option_id, sa.func.count())
            .join(Response, Response.id == Answer.response_id)
            .where(Response.consultation_id == consultation.id)
            .group_by(Answer.question_id, Answer.option_id)
        )
        since_2000 = ResponseFilter(submitted_from=date(2000, 1, 1))  # every response
        for name, step in (
            ("asked_counts, every question", lambda: asked_counts(consultation, ResponseFilter())),
            ("asked_counts, filtered", lambda: asked_counts(consultation, since_2000)),
            ("GROUP BY of every answer's count", lambda: db.session.execute(answer_counts).all()),
        ):
            seconds = timed(step)
            print(
                f"{name:<36} median {statistics.median(seconds):.3f} s "
                f"(runs: {', '.join(f'{s:.3f}' for s in seconds)})"
            )
        db.engine.dispose()


if __name__ == "__main__":
    main()
