"""Postcode areas and their deprivation (report 3.3c: "especially for pedestrians in the more
economically deprived communities"): only a sector is kept, the council's lookup is loaded
from a CSV, and liveability results are read by decile.

The lookup used here, tests/data/deprivation-deciles-made-up.csv, is made up for the tests.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import url_for

from portal.areas.models import AreaDeprivation
from portal.areas.sectors import sector_of
from portal.extensions import db
from portal.reporting import crosstab
from portal.reporting.filter_form import filter_choices, parse_filter
from portal.responses.models import Answer
from tests.factories import chose, submit_response
from tests.journeys import LIVEABILITY_ANSWERS, Respondent, consultation, only_draft

LIVEABILITY = "warwickshire-panel-liveability"
MADE_UP_LOOKUP = Path(__file__).parent / "data" / "deprivation-deciles-made-up.csv"


@pytest.mark.parametrize(
    ("typed", "sector"),
    [
        ("CV34 4RL", "CV34 4"),
        ("cv344rl", "CV34 4"),
        ("  b46  1aa ", "B46 1"),
        ("CV34 4", "CV34 4"),
        ("cv21 2", "CV21 2"),
        ("W1A 1AA", "W1A 1"),
        ("CV34", None),  # an outward code, not the sector "CV3 4"
        ("CV344", None),
        ("CV34 4R", None),
        ("not a postcode", None),
        ("", None),
    ],
)
def test_only_the_sector_of_a_postcode_is_read(typed, sector):
    assert sector_of(typed) == sector


def load_made_up_lookup(app) -> None:
    result = app.test_cli_runner().invoke(args=["areas", "import", str(MADE_UP_LOOKUP)])
    assert result.exit_code == 0, result.output
    assert "Imported 5 new and 0 updated postcode sectors." in result.output


def test_the_lookup_is_imported_and_checked_row_by_row(app, tmp_path):
    load_made_up_lookup(app)
    assert db.session.get(AreaDeprivation, "CV34 4").decile == 2
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "postcode_sector,decile\nCV34 4,3\nCV34 4RL,11\nnowhere,x\nCV21 2,1\nCV21 2,4\n",
        encoding="utf-8",
    )
    result = app.test_cli_runner().invoke(args=["areas", "import", str(bad)])
    assert result.exit_code == 1
    # Every problem of a row at once, each row with its line number.
    assert (
        f"{bad}, line 3: postcode sector 'CV34 4RL' is not a sector: give the first part of "
        "the postcode, a space and the next number, like CV34 4; decile '11' must be a whole "
        "number from 1 to 10"
    ) in result.output
    assert f"{bad}, line 4:" in result.output
    assert f"{bad}, line 6: postcode sector CV21 2 appears twice in the file" in result.output
    assert "Nothing imported: 3 bad rows." in result.output
    assert db.session.get(AreaDeprivation, "CV34 4").decile == 2  # nothing changed
    result = app.test_cli_runner().invoke(args=["areas", "import", str(bad), "--skip-invalid"])
    assert result.exit_code == 0
    assert "Imported 0 new and 2 updated postcode sectors, skipped 3 bad." in result.output
    db.session.expire_all()
    assert db.session.get(AreaDeprivation, "CV34 4").decile == 3


def test_a_postcode_is_kept_as_its_sector_only(client, officer_client):
    respondent = Respondent(client, LIVEABILITY)
    respondent.start()
    respondent.answer_all(LIVEABILITY_ANSWERS[:-1])
    last = len(LIVEABILITY_ANSWERS)
    refused = client.post_page(
        url_for("public.question_page", slug=LIVEABILITY, number=last),
        data={"csrf_token": respondent.token, **LIVEABILITY_ANSWERS[-1], "postcode_area": "CV34"},
    )
    assert (
        "Enter a postcode, like CV34 4RL, or its first part and the next number, like CV34 4, "
        "or leave it blank" in refused.error_summary()
    )
    full = {**LIVEABILITY_ANSWERS[-1], "postcode_area": "cv34 4rl"}
    assert respondent.answer(last, full).status_code == 303
    # The full postcode is not in the unfinished answers, nor shown back, nor stored.
    assert "4RL" not in json.dumps(only_draft().answers).upper()
    check = client.get_page(url_for("public.check_answers", slug=LIVEABILITY))
    assert "CV34 4 (only this part of your postcode is kept)" in check.text
    assert "4RL" not in check.text.upper()
    respondent.submit()
    texts = db.session.scalars(sa.select(Answer.text).where(Answer.text.is_not(None))).all()
    assert "CV34 4" in texts and not any("4RL" in text.upper() for text in texts)
    export = officer_client.get(
        url_for("officer.export_responses", slug=LIVEABILITY, export_format="csv")
    ).get_data(as_text=True)
    assert "CV34 4" in export and "4RL" not in export.upper()


@pytest.fixture
def areas_answered(app):
    """Eight respondents: four in made-up decile 2 (three find street lighting poor), two in
    decile 9, one in a sector the lookup lacks, one who gave no postcode."""
    answers = [
        ("CV34 4", "poor"),
        ("CV34 4", "poor"),
        ("CV21 2", "poor"),
        ("CV21 2", "good"),
        ("CV37 6", "good"),
        ("CV37 6", "very_good"),
        ("CV47 1", "good"),
        (None, "good"),
    ]
    for sector, lighting in answers:
        given = {"street_lighting": chose(lighting)}
        if sector:
            given["postcode_area"] = {"text": sector}
        submit_response(LIVEABILITY, given)
    load_made_up_lookup(app)
    return consultation(LIVEABILITY)


def test_results_read_by_decile_after_the_lookup_is_loaded(areas_answered, officer_client):
    page = officer_client.get_page(url_for("officer.results", slug=LIVEABILITY))
    table = page.soup.select_one("[id$='-postcode_area'] table")
    rows = {
        tr.th.get_text(" ", strip=True): [td.get_text(strip=True) for td in tr.select("td")]
        for tr in table.select("tbody tr")
    }
    assert rows["1 (most deprived 10% of areas)"] == ["0", "0.0%"]
    assert rows["2"] == ["4", "57.1%"]  # of the 7 who gave an area
    assert rows["9"] == ["2", "28.6%"]
    assert rows["An area not in the council's lookup"] == ["1", "14.3%"]
    answered = page.soup.select_one("[id$='-postcode_area'] p.app-muted").get_text(" ", strip=True)
    assert answered.startswith("7 answered, 1 skipped.")


@pytest.mark.usefixtures("counted")
def test_every_figure_filters_by_decile(areas_answered, officer_client):
    page = officer_client.get_page(url_for("officer.results", slug=LIVEABILITY, decile=["1", "2"]))
    assert "4 of 8 responses match these filters" in page.text
    assert "Deprivation decile of the area given: 1 (most deprived 10% of areas)" in page.text
    lighting = page.soup.select_one("[id$='-street_lighting'] table")
    poor = next(tr for tr in lighting.select("tbody tr") if tr.th.get_text(strip=True) == "Poor")
    assert [td.get_text(strip=True) for td in poor.select("td")][:2] == ["3", "75.0%"]
    bad = officer_client.get_page(url_for("officer.results", slug=LIVEABILITY, decile="11"))
    assert "There is no decile “11” to filter by" in bad.text


def test_the_bullying_consultation_asks_no_postcode_so_offers_no_decile(app):
    bullying = consultation("bullying-what-parents-think")
    assert not filter_choices(bullying).by_area
    choices = filter_choices(bullying)
    from werkzeug.datastructures import MultiDict

    assert parse_filter(MultiDict({"decile": "2"}), choices).deciles == ()


def test_a_cross_tab_by_decile(areas_answered, officer_client):
    lighting = next(q for q in areas_answered.questions if q.key == "street_lighting")
    table = crosstab.cross_tab_by_decile(lighting)
    assert table.base == 6  # the areas in the lookup
    by_decile = {row.category.label: row for row in table.rows}
    labels = [c.option.value for c in table.columns if c.option]
    second = dict(zip(labels, by_decile["2"].cells, strict=False))
    assert by_decile["2"].base == 4 and (second["poor"].count, second["poor"].row_percent) == (
        3,
        75.0,
    )
    page = officer_client.get_page(
        url_for(
            "officer.cross_tab",
            slug=LIVEABILITY,
            rows="deprivation_decile",
            columns="street_lighting",
        )
    )
    assert page.status == 200
    caption = page.soup.select_one("caption").get_text(" ", strip=True)
    assert caption.startswith("“Deprivation decile of the area given” (rows)")
    assert caption.endswith("6 people answered both")
