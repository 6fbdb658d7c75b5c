"""Every CSV export goes through one writer that neutralises formulas (OWASP CSV injection)."""

from decimal import Decimal

import pytest

from competitions import services
from core.csv_export import cell
from core.models import ServiceArea
from tests.core.factories import UserFactory
from core.roles import Role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value,written", [
    ("=HYPERLINK(\"http://evil\",\"x\")", "'=HYPERLINK(\"http://evil\",\"x\")"),
    ("+1+1", "'+1+1"), ("-2+3", "'-2+3"), ("@SUM(A1)", "'@SUM(A1)"), ("\tcmd", "'\tcmd"), ("\rcmd", "'\rcmd"),
    ("HMP Birmingham", "HMP Birmingham"), (None, ""), (Decimal("-5.00"), Decimal("-5.00")), (7, 7),
])
def test_a_cell_a_spreadsheet_would_run_is_written_as_text(value, written):
    assert cell(value) == written


def test_the_competition_export_neutralises_a_hostile_title(client):
    commissioner = UserFactory(roles=[Role.COMMISSIONER])
    area = ServiceArea.objects.create(name="Resettlement")
    services.competition_create(actor=commissioner, title='=HYPERLINK("http://evil.example","Click")', service_area=area, estimated_value=Decimal(5))
    client.force_login(commissioner)
    response = client.get("/competitions/export.csv")
    text = response.content.decode()
    assert "'=HYPERLINK(" in text and ",=HYPERLINK(" not in text
    assert response["Cache-Control"].startswith("max-age=0") and "no-store" in response["Cache-Control"]
