import datetime
import json

import pytest
from django.core.management import CommandError, call_command

from recommendations.seed import FIXTURES_DIR, SeedReport, load_objectives
from recommendations.suggestions import evaluate_leaving_out_events
from tests.factories.consultations import EventFactory
from tests.factories.recommendations import RecommendationFactory

ASKS = {
    20: "Lower the fees banks charge migrants to send remittances to their families",
    10: "Prosecute traffickers in persons and protect the victims of trafficking",
    13: "End immigration detention and use alternatives to detention for families",
    1: "Collect migration data disaggregated by sex and age",
}


@pytest.fixture
def objectives(db):
    data = json.loads((FIXTURES_DIR / "objectives.json").read_text(encoding="utf-8"))
    load_objectives(data, SeedReport())


def tag_event(code: str, year: int, numbers=ASKS):
    day = datetime.date(year, 5, 1)
    event = EventFactory(code=code, start_date=day, end_date=day)
    for position, number in enumerate(numbers, start=1):
        RecommendationFactory(
            event=event,
            reference=f"{code}-T1-{position:02d}",
            short_title=ASKS[number].split(" and ")[0],
            text=f"{ASKS[number]} in the {code} region.",
            objectives=[number],
        )
    return event


def test_each_event_is_scored_by_a_model_that_never_saw_it(objectives):
    tag_event("EVA2019", 2019)
    tag_event("EVB2021", 2021)
    tag_event("EVC2023", 2023, numbers=[20, 10])

    scores = evaluate_leaving_out_events()

    assert [(s.event_code, s.count) for s in scores] == [
        ("EVA2019", 4),
        ("EVB2021", 4),
        ("EVC2023", 2),
    ]
    for s in scores:
        assert s.top1 == s.top3 == s.primary_top1 == s.primary_top3 == 1
        assert 0 < s.mean_confidence <= 1


def test_the_command_writes_a_table_per_held_out_event_to_the_docs(objectives, tmp_path):
    tag_event("EVA2019", 2019)
    tag_event("EVB2021", 2021)
    output = tmp_path / "suggestions.md"

    call_command("evaluate_suggestions", output=output)

    report = output.read_text(encoding="utf-8")
    assert "| EVA2019 | 4 | 100 % | 100 % | 100 % | 100 % |" in report
    assert "| EVB2021 | 4 | 100 % | 100 % | 100 % | 100 % |" in report
    assert "Top-3 accuracy over all of them: **100 %**" in report
    assert "objective texts alone" in report
    assert "## How it was measured" in report


def test_a_misplaced_tag_counts_as_a_miss(objectives, tmp_path):
    tag_event("EVA2019", 2019)
    event = tag_event("EVB2021", 2021, numbers=[20])
    RecommendationFactory(
        event=event,
        reference="EVB2021-T1-09",
        text="Lower the fees banks charge migrants to send remittances home.",
        objectives=[8],
    )

    held_out = {s.event_code: s for s in evaluate_leaving_out_events()}

    assert held_out["EVB2021"].top1 == 0.5
    assert held_out["EVB2021"].top3 == 0.5


def test_leaving_one_event_out_needs_at_least_two_tagged_events(objectives, tmp_path):
    tag_event("EVA2019", 2019)
    output = tmp_path / "suggestions.md"

    with pytest.raises(CommandError, match="at least two events"):
        call_command("evaluate_suggestions", output=output)
    assert not output.exists()
