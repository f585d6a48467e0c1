import json
import time

import pytest
from django.core.management import call_command

from objectives.models import Objective
from recommendations.models import RecommendationObjective
from recommendations.seed import FIXTURES_DIR, SeedReport, load_objectives
from recommendations.suggestions import current_suggester, suggest_objectives
from tests.factories.consultations import EventFactory
from tests.factories.recommendations import RecommendationFactory


@pytest.fixture
def objectives(db):
    """The 23 objectives with their real titles and summaries in four languages."""
    data = json.loads((FIXTURES_DIR / "objectives.json").read_text(encoding="utf-8"))
    load_objectives(data, SeedReport())
    return Objective.objects.all()


def ranked(text: str, **kwargs) -> list[int]:
    return [s.number for s in suggest_objectives(text, **kwargs)]


def test_every_one_of_the_23_objectives_is_ranked_with_a_confidence_between_0_and_1(objectives):
    suggestions = suggest_objectives("Regularise migrants who have lived here for years.")

    assert sorted(s.number for s in suggestions) == list(range(1, 24))
    assert all(0 <= s.score <= 1 for s in suggestions)
    assert [s.score for s in suggestions] == sorted((s.score for s in suggestions), reverse=True)
    assert sum(s.score for s in suggestions) == pytest.approx(1, abs=0.01)


def test_a_spanish_text_on_detaining_migrant_children_puts_objective_13_in_the_top_three(
    objectives,
):
    assert 13 in ranked("Poner fin a la detención de niños migrantes.")[:3]
    assert 13 in ranked("detención de niños migrantes", language="es")[:3]


def test_an_english_text_about_remittances_puts_objective_20_first(objectives):
    assert ranked("Cut the cost of sending remittances home to migrants' families.")[0] == 20


def test_text_without_accents_is_understood_like_text_with_them(objectives):
    assert ranked("detencion de ninos migrantes")[:3] == ranked("detención de niños migrantes")[:3]


def test_objectives_named_outright_come_first(objectives):
    assert set(ranked("Link the work on Global Compact objectives 4 and 22.")[:2]) == {4, 22}


def test_curators_tags_teach_words_the_objective_texts_do_not_have(objectives):
    query = "A ventanilla única in every town."
    assert ranked(query)[0] != 15
    event = EventFactory()
    for place in ("Tapachula", "Necoclí", "Tumbes", "Arica"):
        RecommendationFactory(
            event=event,
            text=f"Open a ventanilla única in {place} so migrants reach clinics and schools.",
            objectives=[15],
        )

    assert ranked(query)[0] == 15


def test_the_model_is_trained_again_only_when_tags_change(objectives):
    recommendation = RecommendationFactory(objectives=[7])
    first = current_suggester()
    assert current_suggester() is first

    RecommendationObjective.objects.create(
        recommendation=recommendation, objective=objectives.get(number=5)
    )

    assert current_suggester() is not first


def test_one_text_is_answered_well_under_a_second(objectives):
    current_suggester()
    started = time.perf_counter()
    suggest_objectives("Ensure access to health care for migrants regardless of status.")
    assert time.perf_counter() - started < 0.5


def test_the_command_suggests_for_untagged_recommendations_only_and_tags_nothing(
    objectives, capsys
):
    RecommendationFactory(reference="EV1-T1-01", objectives=[7])
    RecommendationFactory(
        reference="EV1-T1-02",
        short_title="Cheaper remittances",
        text="Lower the fees migrants pay to send remittances to their families.",
    )
    tags_before = RecommendationObjective.objects.count()

    call_command("suggest_objectives", "--json")
    printed = json.loads(capsys.readouterr().out)

    assert [r["reference"] for r in printed] == ["EV1-T1-02"]
    assert printed[0]["suggestions"][0]["number"] == 20
    assert len(printed[0]["suggestions"]) == 3
    assert RecommendationObjective.objects.count() == tags_before

    call_command("suggest_objectives", "--top", "1")
    text = capsys.readouterr().out
    assert "EV1-T1-02: Cheaper remittances" in text
    assert "Remittances and financial inclusion" in text
    assert "EV1-T1-01" not in text
