"""Parts of the site frame rendered once per language instead of on every page.

The public links of the main menu and the footer are the same on every page for
everyone who reads in one language: two dozen ``url_for`` and ``gettext`` calls,
about a third of the frame's cost (issue 14). A template wraps such a part in
``{% call static_fragment("footer") %}…{% endcall %}``; the first page rendered in
each language (and under each script root, for a site served below a prefix)
renders it, the others reuse that markup.

Only for markup that depends on nothing else: no data from the database, no
person, no query string other than the language (which links carry, see
:func:`.i18n.keep_language`). The configuration a fragment shows is read when
the app starts and not changed afterwards.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app, has_request_context, request
from flask_babel import get_locale
from markupsafe import Markup

from .i18n import url_language

#: ``app.extensions`` key of the rendered fragments.
EXTENSION = "participation.static_fragments"


def static_fragment(name: str, caller: Callable[[], Markup]) -> Markup:
    """The markup of fragment *name* in this page's language, rendered once.

    *caller* is the body of the template's ``{% call %}`` block (escaped markup).
    """
    if not has_request_context():
        return caller()
    key = (name, str(get_locale()), url_language(), request.script_root)
    rendered: dict[tuple[str, str, str | None, str], Markup]
    rendered = current_app.extensions.setdefault(EXTENSION, {})
    found = rendered.get(key)
    if found is None:
        found = rendered[key] = caller()
    return found
