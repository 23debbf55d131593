"""The table macro of _macros.html: a captioned table in a focusable scroller."""

from __future__ import annotations

import re

from flask import render_template_string

TEMPLATE = """{% from "_macros.html" import table %}
{% set foot %}{% if with_foot %}
  <tr><th scope="row">Total</th><td class="number">3</td></tr>
{% endif %}{% endset %}
{% call table("towns", "Towns & people", ["Town", ("Residents", "number")],
              caption_hidden=hidden, class_="towns", foot=foot) %}
  {% for name, count in rows %}
  <tr><th scope="row">{{ name }}</th><td class="number">{{ count }}</td></tr>
  {% endfor %}
{% endcall %}"""
ROWS = [("Alzonne", 1), ("Bram", 2)]


def _render(app, **context):
    context = {"rows": ROWS, "hidden": False, "with_foot": False} | context
    with app.test_request_context():
        html = render_template_string(TEMPLATE, **context)
    # White space folded, and none left between tags, so the tests read the markup.
    return re.sub(r">\s+<", "><", " ".join(html.split()))


def test_the_scroller_is_focusable_and_named_by_the_caption(app):
    html = _render(app)

    wrapper = re.search(r'<div class="table-scroll"([^>]*)>', html)
    assert wrapper is not None
    assert (
        wrapper.group(1)
        == ' tabindex="0" role="region" aria-labelledby="towns-caption"'
    )
    assert '<table id="towns" class="towns">' in html
    assert '<caption id="towns-caption">Towns &amp; people</caption>' in html


def test_headers_are_column_headers_and_a_pair_gives_a_class(app):
    html = _render(app)

    head = re.search(r"<thead>(.*)</thead>", html)
    assert head is not None
    assert head.group(1) == (
        '<tr><th scope="col">Town</th>'
        '<th scope="col" class="number">Residents</th></tr>'
    )


def test_the_caller_gives_the_rows_of_the_body(app):
    html = _render(app)

    body = re.search(r"<tbody>(.*)</tbody>", html)
    assert body is not None
    assert body.group(1).count("<tr>") == 2
    assert "Alzonne" in body.group(1)
    assert "Bram" in body.group(1)
    assert "<tfoot>" not in html


def test_a_hidden_caption_stays_for_screen_readers_and_a_foot_is_shown(app):
    html = _render(app, hidden=True, with_foot=True)

    assert '<caption id="towns-caption" class="visually-hidden">' in html
    foot = re.search(r"<tfoot>(.*)</tfoot>", html)
    assert foot is not None
    assert (
        foot.group(1) == '<tr><th scope="row">Total</th><td class="number">3</td></tr>'
    )
