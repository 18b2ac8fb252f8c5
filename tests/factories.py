import factory
from django.contrib.auth import get_user_model

from agencies.models import Agency
from reports import services


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "pw")


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"测试乡{n}人民政府")
    short_name = factory.Sequence(lambda n: f"测试乡{n}")
    kind = Agency.Kind.TOWNSHIP


def make_report(agency=None, year=2023, **fields):
    """A report with all its rows, created the way the product creates them (through the service)."""
    return services.report_create(agency=agency or AgencyFactory(), year=year, **fields)
