"""Small forms used by the site frame."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField


class LanguageForm(FlaskForm):
    """The language switcher: one button per language, works without JavaScript."""

    next = HiddenField()
