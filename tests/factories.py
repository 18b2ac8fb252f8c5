import json
from decimal import Decimal
from pathlib import Path

import factory
from django.contrib.auth import get_user_model

from agencies.models import Agency
from agencies.services import agency_create, agency_match
from reports import canonical, services
from reports.parsing import parse_document


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw")


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"测试乡{n}人民政府")
    short_name = factory.Sequence(lambda n: f"测试乡{n}")
    kind = Agency.Kind.TOWNSHIP


def make_report(agency=None, year=2023, **fields):
    """A report with all its rows, created the way the product creates them (through the service)."""
    return services.report_create(agency=agency or AgencyFactory(), year=year, **fields)


FIXTURES = Path(__file__).resolve().parent / "fixtures"


def label_values(name: str) -> dict:
    """The 200 values of a labelled fixture (e.g. "expected/002_cff4ace8f11033c3.json")."""
    record = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    values = canonical.flatten(record)
    fee = values[canonical.FEES_KEY]
    if isinstance(fee, float):
        values[canonical.FEES_KEY] = Decimal(repr(fee))
    return values


def import_file(path, *, agency=None, user=None, year=None):
    """Import a real fixture document through the same service the admin and the command use."""
    path = FIXTURES / path if not str(path).startswith("/") else path
    data = path.read_bytes()
    parsed = parse_document(data, path.name)
    if agency is None:
        agency = agency_match(parsed.agency).agency or agency_create(name=parsed.agency, kind="township")
    return services.report_import(parsed=parsed, data=data, agency=agency, year=year, user=user)


def make_user(username: str, role: str = "审核员", agency=None, **fields):
    """A user in one of the three roles (填报员 / 审核员 / 管理员), a 填报员 member of ``agency``."""
    from django.contrib.auth.models import Group

    user = UserFactory(username=username, is_staff=True, **fields)
    user.groups.add(Group.objects.get(name=role))
    if agency is not None:
        agency.members.add(user)
    return user
