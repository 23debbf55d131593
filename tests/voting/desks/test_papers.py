"""The desk's papers to print: the blank sign-in sheet and the procès-verbal (PDF)."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from participation.voting import services as voting
from participation.voting.desks import printing, services


def pdf_text(response) -> tuple[int, str]:
    """The number of pages and the text of a PDF response (spaces collapsed)."""
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "no-store"
    reader = PdfReader(io.BytesIO(response.data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return len(reader.pages), re.sub(r"\s+", " ", text)


def test_sign_in_sheet_is_prefilled_and_names_nobody(
    db, client, login_as, vote, desk, make_voter, relay
):
    online = make_voter(vote.here, pseudonym="Votante_en_ligne", real_name="Leïla Z.")
    voting.cast_ballot(online, vote.round, vote.ids(0))
    at_desk = make_voter(vote.here, pseudonym="Votant_papier", real_name="Omar K.")
    services.sign_in_at_desk(desk, at_desk, relay)
    db.session.commit()
    login_as(relay)

    pages, text = pdf_text(client.get(f"/desks/{desk.id}/sign-in-sheet.pdf"))

    assert pages == printing.DEFAULT_ROWS // printing.ROWS_PER_PAGE == 5
    assert "Sign-in sheet of the desk" in text
    assert vote.round.title in text
    assert vote.here.name in text
    assert desk.place in text
    assert "Page: 1 of 5" in text
    assert "Page: 5 of 5" in text
    assert "Address or proof checked" in text
    assert " 100 " in f"{text} "
    for name in ("Votante_en_ligne", "Leïla", "Votant_papier", "Omar"):
        assert name not in text


@pytest.mark.parametrize(
    ("asked", "pages"), [("30", 2), ("1", 1), ("abc", 5), ("-4", 5), ("99999", 50)]
)
def test_sign_in_sheet_prints_whole_pages_for_the_lines_asked(
    client, login_as, desk, relay, asked, pages
):
    login_as(relay)

    printed, _text = pdf_text(
        client.get(f"/desks/{desk.id}/sign-in-sheet.pdf", query_string={"rows": asked})
    )

    assert printed == pages


def test_minutes_pdf_carries_the_figures_of_the_desk(
    db, client, login_as, vote, signed_desk, make_batch, relay, relay2, key_batch
):
    desk = signed_desk(3)
    readings = [("", "blank"), ("", "void-too_many")]
    batch = make_batch(desk, 2)
    key_batch(batch, relay, readings)
    key_batch(batch, relay2, readings)
    services.deposit_batch(batch, relay)
    services.record_minutes(desk, relay, "Une votante est repartie sans voter.")
    db.session.commit()
    login_as(relay2)

    pages, text = pdf_text(client.get(f"/desks/{desk.id}/minutes.pdf"))

    assert pages >= 1
    assert "Minutes of the polling desk (procès-verbal)" in text
    assert desk.place in text
    assert vote.here.name in text
    assert "Opened by: relais_un" in text
    assert "Closed by: relais_un" in text
    assert "Paper sign-ins (émargements) 3" in text
    assert "Paper ballots in batches 2" in text
    assert "Blank 1" in text
    assert "Void 1" in text
    assert "In the ballot box 0" in text
    assert "1 sign-in without a paper ballot." in text
    assert "Une votante est repartie sans voter." in text
    assert "Batch n° 1" in text
    assert "0 / 1 / 1" in text
    assert "President of the desk" in text
    assert "Assessor" in text
    assert "provisional" not in text


def test_minutes_pdf_of_an_open_desk_says_it_is_provisional(
    client, login_as, desk, relay
):
    login_as(relay)

    _pages, text = pdf_text(client.get(f"/desks/{desk.id}/minutes.pdf"))

    assert "The desk is still open: these minutes are provisional." in text
    assert "No explanation is recorded in the minutes." in text
    assert "No batch is registered." in text
    assert "Paper sign-ins (émargements) 0" in text


def test_papers_follow_the_language_of_the_person(client, login_as, desk, relay):
    user = login_as(relay)
    with user.session_transaction() as session:
        session["lang"] = "ar"

    arabic = client.get(f"/desks/{desk.id}/minutes.pdf")
    sheet = client.get(f"/desks/{desk.id}/sign-in-sheet.pdf")
    with user.session_transaction() as session:
        session["lang"] = "fr"
    french = client.get(f"/desks/{desk.id}/minutes.pdf")

    assert b"/Lang (ar)" in arabic.data
    assert b"/Lang (ar)" in sheet.data
    assert b"/Lang" not in french.data
    _pages, text = pdf_text(french)
    assert "Procès-verbal du bureau de vote" in text


def test_desk_page_links_to_both_papers(client, login_as, signed_desk, relay):
    desk = signed_desk(1)
    login_as(relay)

    body = client.get(f"/desks/{desk.id}").get_data(as_text=True)

    assert f'href="/desks/{desk.id}/sign-in-sheet.pdf"' in body
    assert body.count(f'href="/desks/{desk.id}/minutes.pdf"') == 2


def test_papers_are_refused_to_visitors_and_residents(client, login_as, desk, resident):
    urls = [f"/desks/{desk.id}/sign-in-sheet.pdf", f"/desks/{desk.id}/minutes.pdf"]
    for url in urls:
        visitor = client.get(url)
        assert visitor.status_code == 302
        assert "/signin" in visitor.headers["Location"]
    login_as(resident)
    for url in urls:
        assert client.get(url).status_code == 403, url
    assert client.get("/desks/999999/minutes.pdf").status_code == 403
