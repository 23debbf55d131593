"""The publishing tests reuse the follow-up factories (a published vote, projects)."""

from tests.followup.conftest import (  # noqa: F401
    make_published,
    project,
    projects,
    published,
    resident,
    staff,
)
