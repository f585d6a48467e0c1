import factory

from objectives.models import GuidingPrinciple, Objective


class ObjectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Objective
        django_get_or_create = ("number",)

    number = factory.Sequence(lambda n: n % 23 + 1)
    paragraph = factory.LazyAttribute(lambda o: o.number + 16)
    short_title_en = factory.LazyAttribute(lambda o: f"Objective {o.number}")
    short_title_es = factory.LazyAttribute(lambda o: f"Objetivo {o.number}")
    title_en = factory.LazyAttribute(lambda o: f"Official title of objective {o.number}")
    title_es = factory.LazyAttribute(lambda o: f"Título oficial del objetivo {o.number}")
    summary_en = "What states commit to."


class GuidingPrincipleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GuidingPrinciple
        django_get_or_create = ("number",)

    number = factory.Sequence(lambda n: n % 10 + 1)
    slug = factory.LazyAttribute(lambda o: f"principle-{o.number}")
    name_en = factory.LazyAttribute(lambda o: f"Principle {o.number}")
    description_en = "A cross-cutting principle."
