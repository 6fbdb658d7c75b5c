"""Helpers shared by the API tests."""

from rest_framework.test import APIClient

PROBLEM = "application/problem+json"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def problem(response, status: int) -> dict:
    """Every error answers RFC 9457 problem details."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["status"] == status and body["title"] and body["type"] and "detail" in body
    return body


def as_read(client, url: str) -> dict:
    """The precondition of a write to the record at `url`: If-Match with the ETag this client reads there now."""
    response = client.get(url)
    assert response.status_code == 200, response.content
    return {"HTTP_IF_MATCH": response["ETag"]}


def model_of(viewset):
    """The records an API resource serves; None for the search, which answers from every kind's own selectors."""
    if getattr(viewset, "queryset", None) is not None:
        return viewset.queryset.model
    serializer = getattr(viewset, "serializer_class", None)
    return serializer.Meta.model if serializer is not None else None
