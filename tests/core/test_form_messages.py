"""WTForms' own messages come in the page's language, from a catalogue read once."""

from __future__ import annotations

import pytest
from flask import Flask, request
from flask_wtf import FlaskForm
from wtforms import IntegerField

from participation.core.requests import wtforms_catalogue


class _Count(FlaskForm):
    class Meta:
        csrf = False

    count = IntegerField("count")


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        ("fr", "N'est pas un entier valide."),
        ("en", "Not a valid integer value."),
        ("ar", "قيمة العدد الحقيقي غير صالحة."),
    ],
)
def test_a_builtin_message_is_in_the_page_language(
    app: Flask, lang: str, message: str
) -> None:
    for _attempt in range(2):  # the second request answers from the same catalogue
        with app.test_request_context(
            f"/?lang={lang}", method="POST", data={"count": "douze"}
        ):
            form = _Count()
            assert not form.validate()
            assert form.count.errors == [message]
            assert request.wtforms_translations is wtforms_catalogue(lang)
