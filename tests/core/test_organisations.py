import pytest

from core.models import Organisation, Sector
from tests.core.factories import OrganisationFactory
from tests.core.queries import inbox_queries

pytestmark = pytest.mark.django_db


def test_organisation_list_filters_by_sector_with_a_fixed_number_of_queries(client, commissioner, django_assert_num_queries):
    parent = OrganisationFactory(name="Consortium Lead Ltd")
    OrganisationFactory.create_batch(5, parent=parent)
    OrganisationFactory(name="Nacro", sector=Sector.VCSE)
    client.force_login(commissioner)
    # session, user, groups (navigation), organisations with parents; and the navigation's inbox count (its own, fixed)
    expected = 4 + inbox_queries(commissioner)
    with django_assert_num_queries(expected):
        response = client.get("/organisations/", {"sector": Sector.VCSE})
    html = response.content.decode()
    assert "Nacro" in html and "Consortium Lead Ltd" not in html
    with django_assert_num_queries(expected):
        response = client.get("/organisations/")
    assert response.content.decode().count("Consortium Lead Ltd") == 6  # itself and five members


def test_a_crown_body_must_be_public_sector():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(name="Odd", sector=Sector.PRIVATE, organisation_type="company", is_crown_body=True)


def test_organisations_api_lists_and_filters(client, commissioner):
    OrganisationFactory(name="Nacro", sector=Sector.VCSE)
    OrganisationFactory(name="Serco")
    client.force_login(commissioner)
    body = client.get("/api/v1/organisations/", {"sector": "vcse"}).json()
    assert [o["name"] for o in body["results"]] == ["Nacro"]
