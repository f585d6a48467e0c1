"""A rapporteur accepts a suggested objective in a real browser."""

import pytest
from django.conf import settings
from django.test import Client

from tests.factories.objectives import ObjectiveFactory
from tests.factories.recommendations import RecommendationFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_accepting_a_suggestion_adds_a_reviewed_tag_row(page, live_server, rapporteur):
    for number in range(1, 24):
        ObjectiveFactory(number=number)
    RecommendationFactory(published=True, objectives=[20], text="Lower the cost of remittances.")
    client = Client()
    client.force_login(rapporteur)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto("/admin/recommendations/recommendation/add/")
    page.fill("#id_text", "Reduce the cost of sending remittances home for migrant families.")
    first = page.locator("#objective-suggestions li").first
    first.wait_for(timeout=15000)
    assert first.inner_text().startswith("20.")

    first.get_by_role("button").click()

    row = page.locator("#objective_links-group tr.form-row.dynamic-objective_links").first
    assert row.locator("select[name$='-objective']").input_value() == str(
        ObjectiveFactory(number=20).pk
    )
    assert row.locator("select[name$='-source']").input_value() == "suggestion_reviewed"
    assert row.locator("input[name$='-is_primary']").is_checked()
    assert first.get_by_role("button").inner_text() == "Accepted"
