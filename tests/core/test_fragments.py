"""Parts of the frame rendered once per language (``core.fragments``): each language
gets its own, links keep the address's language, and nothing personal is shared."""

from __future__ import annotations

from flask import render_template_string

from participation.core.fragments import EXTENSION


def _nav(page: str) -> str:
    return page.split('class="main-nav"')[1].split("</nav>")[0]


def test_each_language_gets_its_own_menu_and_footer(client):
    english = client.get("/").get_data(as_text=True)
    french = client.get("/?lang=fr").get_data(as_text=True)
    arabic = client.get("/?lang=ar").get_data(as_text=True)
    english_again = client.get("/ideas").get_data(as_text=True)

    assert '<a href="/ideas" id="nav-ideas">Ideas</a>' in _nav(english)
    assert '<a href="/ideas?lang=fr" id="nav-ideas">Idées</a>' in _nav(french)
    assert '<a href="/ideas?lang=ar" id="nav-ideas">الأفكار</a>' in _nav(arabic)
    assert '<a href="/ideas" id="nav-ideas">Ideas</a>' in _nav(english_again)
    assert "Se connecter" in _nav(french)
    assert "Sign in" not in _nav(french)
    assert "Legal notice" in english
    assert "Legal notice" not in french
    assert '<a class="skip-link" href="#main">Skip to main content</a>' in english


def test_a_signed_in_menu_is_never_a_visitor_s_and_the_other_way_round(
    client, login_as, make_user
):
    assert "Sign in" in _nav(client.get("/").get_data(as_text=True))
    login_as(make_user(pseudonym="amina"))

    signed_in = _nav(client.get("/").get_data(as_text=True))

    assert "(amina)" in signed_in
    assert "Sign out" in signed_in
    assert "Sign in" not in signed_in
    client.delete_cookie("session", domain="localhost")
    visitor = _nav(client.get("/").get_data(as_text=True))
    assert "Sign in" in visitor
    assert "amina" not in visitor


def test_a_fragment_is_rendered_once_per_language(app):
    calls: list[str] = []
    app.jinja_env.globals["note"] = lambda: calls.append("rendered") or ""
    source = (
        '{% call static_fragment("probe") %}{{ note() }}{{ _("Ideas") }}{% endcall %}'
    )

    with app.app_context(), app.test_request_context("/"):
        first = render_template_string(source)
        second = render_template_string(source)
    with app.app_context(), app.test_request_context("/?lang=fr"):
        french = render_template_string(source)

    assert (first, second, french) == ("Ideas", "Ideas", "Idées")
    assert calls == ["rendered", "rendered"]  # English once, French once
    languages = {key[1] for key in app.extensions[EXTENSION] if key[0] == "probe"}
    assert languages == {"en", "fr"}
