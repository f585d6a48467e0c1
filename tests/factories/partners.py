import factory

from partners.models import PartnerToken
from partners.services import issue_token


class PartnerTokenFactory(factory.django.DjangoModelFactory):
    """A token issued as a curator issues it; the raw secret is on `.raw`, as shown once."""

    class Meta:
        model = PartnerToken

    name = factory.Sequence(lambda n: f"Observatory sync {n}")
    partner = "Observatorio de Migraciones"
    contact = factory.Sequence(lambda n: f"contact{n}@observatorio.example")
    scope = PartnerToken.Scope.READ

    @classmethod
    def _create(cls, model_class, *args, created_by=None, **kwargs):
        token, raw = issue_token(token=model_class(**kwargs), created_by=created_by)
        token.raw = raw
        return token
