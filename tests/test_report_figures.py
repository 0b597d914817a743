"""What officers and the committee read is what the report says.

Every figure of portal/data/strategy.yaml is looked for on the pages an officer reads (the
priority pages, the results pages and the committee report) and in the indicator downloads,
written the way the committee report prints figures; every direction of change shown is checked
against the figures shown beside it. The expected text is worked out here independently of the
portal's formatting code.
"""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from flask import url_for

from portal.strategy.seed import read_strategy
from tests.conftest import HtmlPage
from tests.factories import chose, submit_response

MINUS = "\u2212"
UNIT_WORDS = {"weeks": ("week", "weeks"), "hours": ("hour", "hours")}


def as_printed(value: Any, unit: str) -> str:
    """A figure as a printed report writes it: 1,800 hours, £1,706,510, 5.6 weeks, 60%."""
    number = Decimal(str(value))
    whole = number == number.to_integral_value()
    text = f"{abs(int(number)):,}" if whole else f"{abs(number):,}".rstrip("0")
    if number < 0:
        text = MINUS + text
    if unit == "percent":
        return text + "%"
    if unit == "pounds":
        return text.replace(MINUS, MINUS + "£") if number < 0 else "£" + text
    if unit in UNIT_WORDS:
        singular, plural = UNIT_WORDS[unit]
        return f"{text} {singular if abs(number) == 1 else plural}"
    return text


def report_indicators() -> list[tuple[int, dict[str, Any]]]:
    """(priority position, indicator) for every indicator in the data file."""
    return [
        (priority["position"], indicator)
        for priority in read_strategy()["priorities"]
        for indicator in priority.get("indicators", [])
    ]


def series_of(indicator: dict[str, Any]) -> list[dict[str, Any]]:
    return indicator.get("measures") or [{"name": "", "values": indicator.get("values", [])}]


def rows_of(block: Any) -> dict[str, list[str]]:
    """A figures table: the period (the row header's first line) to its value and target."""
    rows = {}
    for row in block.select("tbody tr"):
        header = row.select_one("th")
        note = header.select_one(".app-note")
        period = header.get_text(" ", strip=True)
        if note is not None:
            period = period[: -len(note.get_text(" ", strip=True))].strip()
        rows[period] = [cell.get_text(" ", strip=True) for cell in row.select("td")]
    return rows


def series_blocks(indicator_block: Any, indicator: dict[str, Any]) -> dict[str, Any]:
    """Each measure's part of an indicator on a page, by the measure's name."""
    if not indicator.get("measures"):
        return {"": indicator_block}
    found = {}
    for block in indicator_block.select(".app-measure"):
        name = block.select_one("h3, h4, h5, h6").get_text(strip=True)
        found[name] = block
    return found


def check_figures(page: HtmlPage, indicator: dict[str, Any]) -> None:
    block = page.soup.select_one(f"#indicator-{indicator['code']}")
    assert block is not None, indicator["code"]
    blocks = series_blocks(block, indicator)
    for series in series_of(indicator):
        shown = rows_of(blocks[series["name"]])
        for value in series["values"]:
            where = f"{indicator['code']} {series['name']} {value['period']}"
            expected_value = "Not reported"
            if value.get("value") is not None:
                expected_value = as_printed(value["value"], value["unit"])
                if value.get("inferred"):
                    expected_value += " (portal's reading)"
            expected_target = "No target given"
            if value.get("target") is not None:
                expected_target = as_printed(value["target"], value["unit"])
            assert shown[str(value["period"])] == [expected_value, expected_target], where


def figure_of(cell: str) -> Decimal | None:
    """The number a value cell shows, read back from its text."""
    found = re.search(r"[\u2212-]?£?[\d,]+(\.\d+)?", cell)
    if found is None:
        return None
    text = found.group(0).replace("£", "").replace(",", "").replace(MINUS, "-")
    return Decimal(text)


def expected_direction(
    figures: list[Decimal], better_when: str | None, running_total: bool = False
) -> str:
    if len(figures) < 2:
        return "Not enough data"
    if running_total:  # rises through the year whatever happens
        return "Not compared: a running total for the year"
    previous, latest = figures[-2], figures[-1]
    if latest == previous:
        return "No change"
    if better_when is None:
        return "Up" if latest > previous else "Down"
    return "Improving" if (latest > previous) == (better_when == "higher") else "Getting worse"


def check_directions(page: HtmlPage) -> int:
    """Every direction of change on the page agrees with the figures shown with it."""
    indicators = {indicator["code"]: indicator for _, indicator in report_indicators()}
    checked = 0
    for block in page.soup.select(".app-indicator"):
        indicator = indicators[block["id"].removeprefix("indicator-")]
        if not any(series["values"] for series in series_of(indicator)):
            assert "No figures reported yet." in block.get_text(" ", strip=True)
            continue
        parts = series_blocks(block, indicator) if block.select(".app-measure") else {"": block}
        for name, part in parts.items():
            series = next(s for s in series_of(indicator) if s["name"] == name)
            shown = part.select_one(".app-trend").get_text(strip=True)
            figures = [
                figure
                for row in part.select("tbody tr")
                if (figure := figure_of(row.select("td")[0].get_text(" ", strip=True))) is not None
            ]
            expected = expected_direction(
                figures, indicator.get("better_when"), series.get("cumulative", False)
            )
            assert shown == expected, (indicator["code"], name, figures, shown)
            checked += 1
    return checked


def pages_an_officer_reads(client: Any) -> dict[str, HtmlPage]:
    urls = {"strategy": url_for("officer.strategy_index")}
    urls |= {f"priority {n}": url_for("officer.priority", position=n) for n in range(1, 8)}
    for slug in ("bullying-what-parents-think", "warwickshire-panel-liveability"):
        urls[f"results {slug}"] = url_for("officer.results", slug=slug)
    urls["committee report"] = url_for("officer.committee_report")
    pages = {name: client.get_page(url) for name, url in urls.items()}
    assert {name: page.status for name, page in pages.items()} == dict.fromkeys(urls, 200)
    return pages


@pytest.fixture
def answered(app: Any) -> None:
    """A response to each consultation, so the committee report draws on both."""
    submit_response("bullying-what-parents-think", {"bullied_last_year": chose("yes")})
    submit_response("warwickshire-panel-liveability", {"district": chose("rugby")})


@pytest.mark.parametrize(
    ("value", "unit", "printed"),
    [
        (90, "count", "90"),
        (780, "count", "780"),
        (1800, "hours", "1,800 hours"),
        (1706510, "pounds", "£1,706,510"),
        (60, "percent", "60%"),
        (32500000, "pounds", "£32,500,000"),
        ("0.12", "percent", "0.12%"),
        ("5.6", "weeks", "5.6 weeks"),
        (1, "weeks", "1 week"),
        (-55, "percent", "\u221255%"),
        ("100.00", "count", "100"),
        ("9.80", "weeks", "9.8 weeks"),
        (0, "count", "0"),
        (-250, "pounds", "\u2212£250"),
        (1, "hours", "1 hour"),
        (-1, "weeks", "\u22121 week"),
        ("1234.5", "count", "1,234.5"),
    ],
)
def test_figures_are_written_as_the_report_prints_them(value, unit, printed):
    from portal.strategy.figures import format_figure

    assert as_printed(value, unit) == printed
    assert format_figure(Decimal(str(value)).quantize(Decimal("0.01")), unit) == printed


def test_every_figure_of_the_report_reads_as_printed_on_every_page(officer_client, answered):
    pages = pages_an_officer_reads(officer_client)
    for name, page in pages.items():
        assert "E+" not in page.text and "e+" not in page.text, name
    shown_on_results = 0
    for position, indicator in report_indicators():
        check_figures(pages[f"priority {position}"], indicator)
        check_figures(pages["committee report"], indicator)
        for slug in ("bullying-what-parents-think", "warwickshire-panel-liveability"):
            page = pages[f"results {slug}"]
            if page.soup.select_one(f"#indicator-{indicator['code']}") is not None:
                check_figures(page, indicator)
                shown_on_results += 1
    # 2.2.2 (four figures) and 2.2.3 (two) beside the bullying survey, the five 3.5 measures
    assert shown_on_results == 11


def test_every_direction_of_change_agrees_with_its_own_figures(officer_client, answered):
    checked = sum(
        check_directions(page) for page in pages_an_officer_reads(officer_client).values()
    )
    assert checked > 100


def test_what_the_trial_found_now_reads_as_the_report(officer_client):
    young_people = officer_client.get_page(url_for("officer.priority", position=4))
    for code, printed in [
        ("permanent-exclusions", "90"),
        ("yjs-new-entrants", "780"),
        ("community-reparation-hours", "1,800 hours"),
    ]:
        assert printed in young_people.soup.select_one(f"#indicator-{code}").get_text(" ")
    drugs = officer_client.get_page(url_for("officer.priority", position=7))
    assert "£1,706,510" in drugs.soup.select_one("#indicator-funding-pooled-treatment").text
    assert "60%" in drugs.soup.select_one("#indicator-retained-12-weeks-rate").text
    prescribing = drugs.soup.select_one("#indicator-wait-specialist-prescribing")
    directions = {
        part.select_one("h5").get_text(strip=True): part.select_one(".app-trend").get_text()
        for part in prescribing.select(".app-measure")
    }
    assert directions == {
        "Longest wait": "Getting worse",  # 12 weeks, then 21
        "Average wait": "Getting worse",  # 5 weeks, then 5.6
        "Wait at 31 March 2005": "Not enough data",
    }
    report = officer_client.get_page(url_for("officer.committee_report"))
    for printed in ["90", "780", "1,800 hours", "£1,706,510", "60%", "Getting worse"]:
        assert printed in report.text
    assert "Improving" not in report.soup.select_one(
        "#indicator-wait-specialist-prescribing"
    ).get_text(" ")


def test_what_is_the_portals_reading_says_so_on_the_page(officer_client):
    liveability = officer_client.get_page(url_for("officer.priority", position=5))
    caption = liveability.soup.select_one(".govuk-caption-l").get_text(" ", strip=True)
    assert caption == "Priority 5 (portal's numbering) , report section 3"
    assert '"all these aspects of a place' in liveability.text
    heading = liveability.soup.select_one("#outcome-3\\.3c-heading").get_text(" ", strip=True)
    assert heading.startswith("3.3c (portal's label)")
    street = liveability.soup.select_one("#indicator-street-environment-quality").text
    assert "(Linked to 3.3b by the portal.)" in street
    # The 3.5 measures show the consultation questions that inform them.
    assert (
        "Warwickshire Panel: liveability survey: How clean are the streets near where you live?"
        in street
    )
    drugs = officer_client.get_page(url_for("officer.priority", position=7))
    september = rows_of(drugs.soup.select_one("#indicator-drug-related-incidents"))
    assert september["September 2005"] == ["90 (portal's reading)", "No target given"]
    driven = drugs.soup.select_one("#indicator-drug-driven-crime").get_text(" ", strip=True)
    assert "increased by 22% since May 2005" in driven and "a rise of 27.6%" in driven
    young_people = officer_client.get_page(url_for("officer.priority", position=4))
    restorative = young_people.soup.select_one("#outcome-2\\.2\\.4")
    assert restorative.select_one("#indicator-restorative-justice-offered") is not None
    # Figures from the report itself are said to be so once a page; others say their source.
    note = young_people.soup.select_one(".app-report-source").get_text(" ", strip=True)
    assert note.startswith(
        "Figures without a source of their own come from the Crime and Safety Overview and "
        "Scrutiny Committee, 15 December 2005:"
    )
    # The key names both kinds of marker the strategy's pages use.
    key = young_people.soup.select_one(".app-report-source").get_text()
    assert "Marked (portal's …) or (linked by the portal): what the portal supplied" in key
    assert young_people.soup.select_one("#indicator-yjs-offences .app-sources") is None
    drugs_sources = drugs.soup.select_one("#indicator-drug-driven-crime .app-sources").text
    assert "May 2005; October 2005: source Warwickshire Police: Strategic Picture" in drugs_sources


def test_an_officers_new_value_reads_as_typed(officer_client):
    form = officer_client.get_page(url_for("officer.add_indicator_value", code="yjs-new-entrants"))
    assert form.soup.select_one("select#measure") is None  # one series: nothing to choose
    response = officer_client.post(
        url_for("officer.add_indicator_value", code="yjs-new-entrants"),
        data={
            "csrf_token": form.csrf_token(),
            "measure": form.soup.select_one("input[name=measure]")["value"],
            "period": "2005",
            "value": "100",
            "unit": "count",
            "source": "Youth Offending Team",
        },
    )
    assert response.status_code == 303
    page = officer_client.get_page(url_for("officer.priority", position=4))
    block = page.soup.select_one("#indicator-yjs-new-entrants")
    assert rows_of(block)["2005"] == ["100", "No target given"]
    assert block.select_one(".app-trend").get_text() == "Improving"  # 780 -> 100, lower is better
    assert "Recorded by" in block.select_one(".app-sources").text


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_the_indicator_download_says_what_the_pages_say(officer_client, export_format):
    response = officer_client.get(url_for("officer.export_indicators", export_format=export_format))
    assert response.status_code == 200
    body = response.get_data()
    if export_format == "csv":
        table = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(body), read_only=True)["Indicators"]
        table = [
            ["" if c is None else str(c) for c in row] for row in sheet.iter_rows(values_only=True)
        ]
    header, rows = table[0], table[1:]
    assert "E+" not in "".join("".join(row) for row in table)
    position = {name: header.index(name) for name in header}
    by_key = {
        (row[position["Indicator"]], row[position["Measure"]], row[position["Period"]]): row
        for row in rows
    }
    for _, indicator in report_indicators():
        for series in series_of(indicator):
            for value in series["values"]:
                row = by_key[(indicator["name"], series["name"], str(value["period"]))]
                if value.get("value") is not None:
                    expected = as_printed(value["value"], value["unit"])
                    expected += " (portal's reading)" if value.get("inferred") else ""
                    assert row[position["Value"]] == expected, row
    prescribing = [
        row for key, row in by_key.items() if key[0] == "Waiting time for specialist prescribing"
    ]
    directions = {row[position["Direction of change"]] for row in prescribing}
    assert directions == {
        "",  # said once a measure, on its latest figure
        "Getting worse (2005/6 Q1 to 2005/6 Q2)",
        "Not enough data",
    }


@pytest.mark.parametrize(
    ("position", "code", "measure", "direction"),
    [
        # What the report's own figures say, read from the report, not worked out again.
        (4, "permanent-exclusions", "", "Getting worse (2002/3 to 2003/4)"),  # 65, then 90
        (4, "yjs-offences", "", "Improving (2001 to 2004)"),  # 2,169, then 1,819
        (7, "wait-gp-prescribing", "Longest wait", "Getting worse (2005/6 Q1 to 2005/6 Q2)"),
        (
            7,
            "wait-structured-counselling",
            "Average wait",
            "Getting worse (2005/6 Q1 to 2005/6 Q2)",
        ),
        (7, "wait-inpatient", "Longest wait", "No change (2005/6 Q1 to 2005/6 Q2)"),
        (7, "wait-structured-day-care", "Longest wait", "Not enough data"),  # Q2 "TBC"
        (7, "retained-12-weeks-rate", "Year to date", "Getting worse (2005/6 Q1 to 2005/6 Q2)"),
        (7, "people-in-treatment", "Year to date", "Not compared: a running total for the year"),
        (7, "drug-driven-crime", "", "Getting worse (May 2005 to October 2005)"),
        (
            7,
            "drug-related-incidents",
            "Incidents in the month",
            "Up (September 2005 to October 2005)",
        ),
    ],
)
def test_each_direction_reads_as_the_report_describes_the_change(
    officer_client, position, code, measure, direction
):
    page = officer_client.get_page(url_for("officer.priority", position=position))
    block = page.soup.select_one(f"#indicator-{code}")
    if measure:
        block = next(
            part
            for part in block.select(".app-measure")
            if part.select_one("h5").get_text(strip=True) == measure
        )
    line = block.select_one(".app-trend").find_parent("p").get_text(" ", strip=True)
    line = line.replace("( ", "(").replace(" )", ")").replace(" .", ".")
    assert line.startswith(f"Direction of change: {direction}.")
