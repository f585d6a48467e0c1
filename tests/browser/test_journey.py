"""A newcomer on a phone finds what was asked on an objective and what has happened since."""

import csv
import datetime
import io
from pathlib import Path

import pytest

from recommendations.models import Status
from recommendations.services import record_follow_up
from tests.factories.consultations import EventFactory
from tests.factories.objectives import ObjectiveFactory
from tests.factories.recommendations import RecommendationFactory
from tests.factories.site import dressed_recommendation

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def objective_4(transactional_db):
    for number in range(1, 24):
        ObjectiveFactory(number=number)
    review = EventFactory(
        code="LAC2021",
        title="Regional review 2021",
        start_date=datetime.date(2021, 4, 13),
        end_date=None,
    )
    forum = EventFactory(
        code="OAS2017", title="OAS forum", start_date=datetime.date(2017, 5, 1), end_date=None
    )
    moving = dressed_recommendation(
        event=review,
        reference="LAC2021-T1-01",
        short_title="Issue identity papers to every migrant",
        status=Status.IN_PROGRESS,
    )
    waiting = RecommendationFactory(
        published=True,
        objectives=[4],
        event=review,
        reference="LAC2021-T1-02",
        short_title="Register every birth",
    )
    RecommendationFactory(
        published=True,
        objectives=[4],
        event=forum,
        reference="OAS2017-P1-01",
        short_title="Consular documents for all",
    )
    record_follow_up(
        recommendation=waiting, status=Status.NOT_STARTED, date=datetime.date(2024, 1, 5)
    )
    return moving


def test_home_to_objective_filter_recommendation_spanish_and_csv(page, objective_4):
    page.goto("/")
    page.get_by_role("link", name="Objective 4:").click()
    page.wait_for_url("**/objectives/4/")
    assert page.get_by_role("heading", level=1).inner_text() == "Objective 4"

    page.get_by_text("Filter and sort").click()
    page.get_by_label("Follow-up status").select_option("in_progress")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**/objectives/4/?*status=in_progress*")
    cards = page.locator(".recommendation-card")
    assert cards.count() == 1
    assert "In progress" in cards.first.inner_text()

    page.get_by_role("link", name="LAC2021-T1-01 Issue identity papers to every migrant").click()
    page.wait_for_url("**/recommendations/LAC2021-T1-01/")
    assert page.get_by_role("heading", name="What has happened since").is_visible()

    page.get_by_role("link", name="Español").click()
    page.wait_for_url("**/es/recommendations/LAC2021-T1-01/")
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.get_by_role("heading", name="Qué ha pasado desde entonces").is_visible()
    assert "En curso" in page.locator(".status-line").inner_text()

    page.go_back()
    page.go_back()
    page.wait_for_url("**/objectives/4/?*")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV").click()
    download = download_info.value
    assert download.suggested_filename == "objective-4-recommendations.csv"
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["reference"] for row in rows] == ["LAC2021-T1-01"]
    assert rows[0]["current_status"] == "in_progress"


def test_in_spanish_objective_4_at_the_2021_review_is_three_taps_away(page, objective_4):
    page.goto("/es/")
    page.get_by_role("link", name="Objetivo 4:").click()
    page.get_by_role("link", name="Regional review 2021 (2021) (2)").click()
    page.wait_for_url("**/es/objectives/4/?event=LAC2021")

    cards = page.locator(".recommendation-card")
    assert cards.count() == 2
    statuses = sorted(card.locator(".status").inner_text() for card in cards.all())
    assert statuses == ["En curso", "No iniciada"]
    assert page.get_by_text("2 recomendaciones").first.is_visible()


def test_filters_and_focus_work_from_the_keyboard(page, objective_4):
    page.goto("/objectives/4/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert skip.evaluate("element => element === document.activeElement")
    assert skip.is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"

    page.locator(".filters summary").focus()
    page.keyboard.press("Enter")
    status = page.get_by_label("Follow-up status")
    assert status.is_visible()
    outline = status.evaluate(
        "element => { element.focus(); return getComputedStyle(element).outlineStyle; }"
    )
    assert outline == "solid"
