"""The publishing tests reuse the follow-up factories (a published vote, projects)
and the council ones (councils, members, meetings)."""

from tests.council.conftest import (  # noqa: F401
    convene,
    make_council,
    make_meeting,
    make_member,
    members,
    open_meeting,
)
from tests.followup.conftest import (  # noqa: F401
    make_published,
    project,
    projects,
    published,
    resident,
    staff,
)
