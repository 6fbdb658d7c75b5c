"""Open Contracting Data Standard (OCDS 1.1) under /api/v1/ocds/ (SPEC §6): published data, open to everyone.

Releases are served from the publication store (`ocds.models.PublishedRelease`), each one byte
for byte as it was stored when it was published; records are compiled from the stored
releases with OCP's merge library (ocdsmerge, with the bundled 1.1.5 schema's merge rules).
Published data is open: no token is needed (requests without one are rate-limited by
address, like any caller), and what is served is the same for every reader. The notices are
the Procurement Act 2023 notices as published. Errors are problem details.
"""

import datetime
import json
from functools import cache

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.reverse import reverse

from competitions.models import Competition
from core.api.exceptions import problem_responses
from core.api.pagination import Pagination
from core.api.views import LOOKUP_VALUE_REGEX
from ethical_walls import audit
from ocds import schema, selectors
from ocds.releases import LICENSE, OCDS_VERSION, PUBLISHER

RELEASE_PACKAGE = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="An OCDS 1.1 release package (https://standard.open-contracting.org/1.1/en/schema/release_package/).",
)
RECORD_PACKAGE = OpenApiResponse(
    OpenApiTypes.OBJECT,
    description="An OCDS 1.1 record package, one record with its releases and compiled release "
    "(https://standard.open-contracting.org/1.1/en/schema/record_package/).",
)


class ReleaseFilterSerializer(serializers.Serializer):
    ocid = serializers.CharField(required=False, max_length=80, help_text="Only this contracting process (a competition's OCID).")


class OcdsNoticeSerializer(serializers.Serializer):
    """A Central Digital Platform notice as published: its type, version, date and content."""

    noticeType = serializers.CharField(source="notice_type", help_text="UK4, UK6, UK7, UK9, UK10, UK11 or UK12.")  # noqa: N815  (OCDS names)
    title = serializers.CharField()
    version = serializers.IntegerField()
    publishedDate = serializers.DateTimeField(source="published_at")  # noqa: N815
    ocid = serializers.CharField()
    content = serializers.JSONField()


@cache
def _merger():
    import ocdsmerge

    return ocdsmerge.Merger(schema=schema.load(schema.RELEASE_SCHEMA))


def _package_head(request, *, published: str) -> str:
    """The package's metadata as JSON members (without braces): the same for a release and a record package."""
    metadata = {
        "uri": request.build_absolute_uri(), "version": OCDS_VERSION, "publishedDate": published, "publisher": PUBLISHER,
        "license": LICENSE, "publicationPolicy": request.build_absolute_uri(reverse("api-docs")),
    }
    return json.dumps(metadata, ensure_ascii=False)[1:-1]


def _latest(rows) -> str:
    return max(row.date for row in rows).astimezone(datetime.timezone.utc).isoformat(timespec="seconds")


def _json(text: str) -> HttpResponse:
    return HttpResponse(text, content_type="application/json")


class OpenData:
    """Published data: anyone may read it, a token or none (the rate limit applies either way)."""

    permission_classes = [permissions.AllowAny]
    pagination_class = None


class OcdsReleaseViewSet(OpenData, viewsets.GenericViewSet):
    """Every published release, oldest first, as OCDS release packages a page of releases at a time."""

    queryset = Competition.objects.none()  # names the model for the schema; reads go through ocds.selectors

    @extend_schema(
        auth=[{}, {"tokenAuth": []}, {"cookieAuth": []}],
        parameters=[
            ReleaseFilterSerializer,
            OpenApiParameter("page", OpenApiTypes.INT, description="A page of releases."),
            OpenApiParameter("page_size", OpenApiTypes.INT, description=f"Releases a page, at most {Pagination.max_page_size}."),
            OpenApiParameter("paging", OpenApiTypes.STR, enum=["page", "cursor"],
                             description='"cursor": to harvest every release, in publication order at the same cost per page; follow `links.next`.'),
            OpenApiParameter("cursor", OpenApiTypes.STR, description="Where a page by cursor starts: given in `links`, not made by hand."),
        ],
        responses={200: RELEASE_PACKAGE, **problem_responses(400, 404)},
    )
    def list(self, request):
        """Releases in the order they were published, each exactly as stored then.

        An OCDS package holds at least one release: when none match (nothing published yet, an
        unknown `ocid`, a page past the end) the answer is 404.
        """
        params = ReleaseFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        paginator = Pagination()
        rows = paginator.paginate_queryset(selectors.release_rows(ocid=params.validated_data.get("ocid", "")), request, view=self)
        if not rows:
            raise audit.refuse(actor=request.user, channel=audit.Channel.EXPORT, object_type="ocds.publishedrelease",
                               object_id=params.validated_data.get("ocid", ""), path=request.path, detail="No published releases")
        links = {name: link for name, link in (("next", paginator.get_next_link()), ("prev", paginator.get_previous_link())) if link}
        text = "{" + _package_head(request, published=_latest(rows))
        text += ',"releases":[' + ",".join(row.body for row in rows) + "]"
        text += (',"links":' + json.dumps(links) if links else "") + "}"
        return _json(text)


class OcdsCompetitionViewSet(OpenData, viewsets.GenericViewSet):
    """One competition's OCDS releases, record and Procurement Act 2023 notices.

    404 for a competition that has published nothing (not launched, or none at all), logged
    as a refused attempt as everywhere in the API.
    """

    queryset = Competition.objects.none()
    lookup_value_regex = LOOKUP_VALUE_REGEX  # any id reaches the view: a wrong one is a 404 in problem details

    def stored(self) -> list:
        pk = selectors.published_competition_pk(user=self.request.user, pk=self.kwargs["pk"], path=self.request.path)
        return list(selectors.release_rows(competition_id=pk))

    @extend_schema(auth=[{}, {"tokenAuth": []}, {"cookieAuth": []}], responses={200: RELEASE_PACKAGE, **problem_responses(404)})
    @action(detail=True, methods=["get"])
    def releases(self, request, pk=None):
        """The competition's releases, in the order they were published, as an OCDS release package."""
        rows = self.stored()
        return _json("{" + _package_head(request, published=_latest(rows)) + ',"releases":[' + ",".join(row.body for row in rows) + "]}")

    @extend_schema(auth=[{}, {"tokenAuth": []}, {"cookieAuth": []}], responses={200: RECORD_PACKAGE, **problem_responses(404)})
    @action(detail=True, methods=["get"])
    def record(self, request, pk=None):
        """The competition's OCDS record: its stored releases and the release compiled from them."""
        rows = self.stored()
        compiled = _merger().create_compiled_release([json.loads(row.body) for row in rows])
        record = '{"ocid":' + json.dumps(rows[0].ocid) + ',"releases":[' + ",".join(row.body for row in rows) + "]"
        record += ',"compiledRelease":' + json.dumps(compiled, ensure_ascii=False) + "}"
        return _json("{" + _package_head(request, published=_latest(rows)) + ',"records":[' + record + "]}")

    @extend_schema(auth=[{}, {"tokenAuth": []}, {"cookieAuth": []}], responses={200: OcdsNoticeSerializer(many=True), **problem_responses(404)})
    @action(detail=True, methods=["get"])
    def notices(self, request, pk=None):
        """The competition's Central Digital Platform notices (Procurement Act 2023), every version, oldest first."""
        competition = selectors.published_competition_get(user=request.user, pk=self.kwargs["pk"], path=request.path)
        return Response(OcdsNoticeSerializer(competition.notices, many=True).data)
