import datetime

import factory

from consultations.models import Event, Organization, Participation, Person, Session


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    slug = factory.Sequence(lambda n: f"organization-{n}")
    name = factory.Sequence(lambda n: f"Migrant Rights Network {n}")
    kind = Organization.Kind.CIVIL_SOCIETY
    country = "MX"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    slug = factory.Sequence(lambda n: f"person-{n}")
    name = factory.Sequence(lambda n: f"Ana Pérez {n}")
    affiliation = "Coordinator, Migrant Rights Network"
    organization = factory.SubFactory(OrganizationFactory)
    email = factory.Sequence(lambda n: f"private{n}@example.org")


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    code = factory.Sequence(lambda n: f"EV{n}")
    title = factory.Sequence(lambda n: f"Regional consultation {n}")
    kind = Event.Kind.CONSULTATION
    start_date = datetime.date(2021, 4, 13)
    end_date = datetime.date(2021, 4, 15)
    city = "Panamá"
    country = "PA"


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    event = factory.SubFactory(EventFactory)
    order = factory.Sequence(lambda n: n)
    code = factory.Sequence(lambda n: f"T{n}")
    title = "Thematic round table"
    format = Session.Format.ROUND_TABLE


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participation

    session = factory.SubFactory(SessionFactory)
    person = factory.SubFactory(PersonFactory)
    role = Participation.Role.PANELIST
    notes = "Regularisation must come first."
