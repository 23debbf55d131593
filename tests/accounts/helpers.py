"""Helpers shared by the accounts tests."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

#: A password that satisfies the policy, typed in the registration tests.
GOOD_PASSWORD = "une phrase facile a retenir"


def link_path(body: str, marker: str) -> str:
    """The path of the first link in *body* whose path contains *marker*."""
    for url in re.findall(r"https?://\S+", body):
        path = urlsplit(url).path
        if marker in path:
            return path
    raise AssertionError(f"no link containing {marker!r} in:\n{body}")
