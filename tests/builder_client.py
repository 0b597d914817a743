"""An officer driving the consultation builder's pages with the test client, CSRF token and all."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import url_for

from portal.consultations.models import Consultation, Question, QuestionType
from portal.extensions import db
from tests.factories import create_user, sign_in

DETAILS = {
    "title": "Bus shelters: what users think",
    "summary": "Tell us about the bus shelters you use.",
    "audience": "Bus User groups",
    "who_for": "",
    "what_happens": "",
    "privacy_notice": "Warwickshire County Council holds the answers for two years.",
    "estimated_minutes": "5",
    "retention_months": "24",
    "opens_on-day": "",
    "opens_on-month": "",
    "opens_on-year": "",
    "closes_on-day": "31",
    "closes_on-month": "12",
    "closes_on-year": "2099",
}


class Builder:
    """An officer driving the builder with the test client, CSRF token and all."""

    def __init__(self, client: Any) -> None:
        self.client = client
        sign_in(client, create_user())
        self.token = client.get_page(url_for("officer.new_consultation")).csrf_token()
        self.slug = ""

    def post(self, endpoint: str, data: dict[str, Any] | None = None, **values: Any) -> Any:
        values.setdefault("slug", self.slug)
        return self.client.post(
            url_for(endpoint, **values), data={"csrf_token": self.token, **(data or {})}
        )

    def create(self, **overrides: Any) -> Consultation:
        response = self.client.post(
            url_for("officer.new_consultation"),
            data={"csrf_token": self.token, **DETAILS, **overrides},
        )
        assert response.status_code == 303, response.get_data(as_text=True)[:2000]
        consultation = db.session.scalars(
            sa.select(Consultation).order_by(Consultation.id.desc())
        ).first()
        assert consultation is not None
        self.slug = consultation.slug
        return consultation

    def add_question(self, position: int, question_type: QuestionType, text: str) -> Question:
        response = self.post(
            "officer.add_question", {"type": question_type.value, "text": text}, position=position
        )
        assert response.status_code == 303, response.get_data(as_text=True)[:2000]
        return db.session.scalars(sa.select(Question).order_by(Question.id.desc())).first()

    def question_form(self, key: str, **args: Any) -> dict[str, Any]:
        """What a browser would send from the question's edit page as it stands."""
        page = self.page("officer.edit_question", key=key, **args)
        return form_values(page.soup.select_one("main form[action$='/questions/" + key + "']"))

    def edit_question(
        self, key: str, changes: dict[str, Any] | None = None, button: tuple[str, str] | None = None
    ) -> Any:
        """Change what is typed on the question's page, then press a button (Save question)."""
        data = {**self.question_form(key), **(changes or {})}
        if button:
            data[button[0]] = button[1]
        return self.client.post(
            url_for("officer.edit_question", slug=self.slug, key=key), data=data
        )

    def row(self, key: str, value: str) -> str:
        """The name prefix ("choices-2") of the row holding the saved option `value`."""
        data = self.question_form(key)
        return next(k for k, v in data.items() if k.endswith("-value") and v == value)[:-6]

    def add_option(self, question: Question, label: str, kind: str = "choice") -> None:
        """Type into the first empty row of the list and press Add another."""
        name = f"{kind}s"
        data = self.question_form(question.key)
        row = next(
            k for k, v in data.items() if k.startswith(name) and k.endswith("-value") and not v
        )
        data[row.replace("-value", "-label")] = label
        data["add_another"] = name
        response = self.client.post(
            url_for("officer.edit_question", slug=self.slug, key=question.key), data=data
        )
        assert response.status_code == 303, response.get_data(as_text=True)[:3000]

    def page(self, endpoint: str, **values: Any) -> Any:
        values.setdefault("slug", self.slug)
        return self.client.get_page(url_for(endpoint, **values))


def form_values(form: Any) -> dict[str, Any]:
    """A form's fields as a browser submits them without pressing a named button."""
    data: dict[str, Any] = {}
    for field in form.select("input[name], textarea[name], select[name]"):
        name = field["name"]
        if field.name == "textarea":
            value: Any = field.get_text()
        elif field.name == "select":
            chosen = field.select_one("option[selected]") or field.select_one("option")
            value = chosen.get("value", "") if chosen else ""
        elif field.get("type") in ("checkbox", "radio"):
            if not field.has_attr("checked"):
                continue
            value = field.get("value", "on")
        else:
            value = field.get("value", "")
        if name in data:
            data[name] = [*(data[name] if isinstance(data[name], list) else [data[name]]), value]
        else:
            data[name] = value
    return data


def saved_question(key: str) -> Question:
    """The question as saved, read afresh."""
    db.session.expire_all()
    return db.session.scalars(sa.select(Question).where(Question.key == key)).one()


def saved_consultation(slug: str) -> Consultation:
    """The consultation as saved, read afresh."""
    db.session.expire_all()
    return db.session.scalars(sa.select(Consultation).where(Consultation.slug == slug)).one()
