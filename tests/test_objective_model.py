import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests.factories.objectives import ObjectiveFactory

pytestmark = pytest.mark.django_db


def test_objective_numbers_are_unique():
    ObjectiveFactory(number=7)
    duplicate = ObjectiveFactory.build(number=7)
    with pytest.raises(ValidationError) as excinfo:
        duplicate.full_clean()
    assert "number" in excinfo.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


@pytest.mark.parametrize("number", [0, 24, 99])
def test_objective_number_outside_1_to_23_is_refused(number):
    objective = ObjectiveFactory.build(number=number)
    with pytest.raises(ValidationError) as excinfo:
        objective.full_clean()
    assert "number" in excinfo.value.message_dict
    # The database refuses it too, whatever path the write takes.
    with pytest.raises(IntegrityError), transaction.atomic():
        objective.save()


@pytest.mark.parametrize("number", [1, 23])
def test_objective_numbers_1_and_23_are_accepted(number):
    objective = ObjectiveFactory.build(number=number)
    objective.full_clean()
    objective.save()


def test_title_follows_the_active_language_and_falls_back_to_english():
    from django.utils import translation

    objective = ObjectiveFactory(number=4, title_fr="")
    with translation.override("es"):
        assert objective.title == "Título oficial del objetivo 4"
    with translation.override("fr"):
        assert objective.title == "Official title of objective 4"
