"""Every staff page sits under one section of the menu, so the menu always says where the
officer is (a confirmation page, a preview or a password page included)."""

from __future__ import annotations

from portal.templating import STAFF_SECTIONS

# Pages that are not part of a section: signing in and choosing a password come before the
# menu, and downloads are files, not pages.
OUTSIDE_THE_MENU = {
    "auth.sign_in",
    "auth.two_factor_code",
    "auth.forgotten_password",
    "auth.reset_link_sent",
    "auth.password_link",
    "auth.choose_password",
    "officer.distribution_csv",
    "officer.qr",
    "officer.export_responses",
    "officer.export_summary",
    "officer.export_series_responses",
    "officer.export_series_change",
    "school.qr",
    "admin.export_audit_log",
}


def test_every_staff_page_is_under_one_menu_section(app):
    sections: dict[str, list[str]] = {}
    for _, text, covers in STAFF_SECTIONS:
        for endpoint in covers:
            sections.setdefault(endpoint, []).append(text)
    staff_pages = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.endpoint.split(".")[0] in {"officer", "admin", "school", "auth"}
        and "GET" in (rule.methods or ())
    }
    outside = sorted(staff_pages - set(sections) - OUTSIDE_THE_MENU)
    assert outside == [], f"staff pages under no menu section: {outside}"
    twice = {endpoint: texts for endpoint, texts in sections.items() if len(texts) > 1}
    assert twice == {}
    # Every endpoint named in the menu exists.
    assert set(sections) <= {rule.endpoint for rule in app.url_map.iter_rules()}
