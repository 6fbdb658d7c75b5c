"""Open Contracting Data Standard (OCDS 1.1) under /api/v1/ocds/ (SPEC §6).

Published competition data as release packages and record packages, and the
Procurement Act 2023 notices. Reads go through `ocds.selectors`, which reads
through the competitions selectors and takes published facts only, so the
output is the same whoever asks and never carries wall-protected material.
Authenticated like the rest of the API; errors are problem details.
"""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.reverse import reverse

from competitions.models import Competition
from core.api.exceptions import problem_responses
from core.api.pagination import Pagination
from core.api.views import LOOKUP_VALUE_REGEX
from ocds import selectors
from ocds.releases import competition_record, competition_releases, record_package, release_package

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


def _policy_uri(request) -> str:
    return request.build_absolute_uri(reverse("api-docs"))


def _notices_url(request, competition) -> str:
    return reverse("ocds-competition-notices", args=[competition.pk], request=request)


class OcdsReleaseViewSet(viewsets.GenericViewSet):
    """Every published competition's releases as one OCDS release package, a page of competitions at a time."""

    queryset = Competition.objects.none()  # names the model for the schema; reads go through ocds.selectors
    pagination_class = None  # the page is a release package, with OCDS `links`, not DRF's envelope

    @extend_schema(
        parameters=[
            ReleaseFilterSerializer,
            OpenApiParameter("page", OpenApiTypes.INT, description="A page of competitions (their releases)."),
            OpenApiParameter("page_size", OpenApiTypes.INT, description=f"Competitions a page, at most {Pagination.max_page_size}."),
        ],
        responses={200: RELEASE_PACKAGE, **problem_responses(400, 404)},
    )
    def list(self, request):
        """The releases of published competitions, oldest first within each competition.

        An OCDS package holds at least one release: when none match (no published
        competition, an unknown `ocid`, a page past the end) the answer is 404.
        """
        params = ReleaseFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        paginator = Pagination()
        competitions = paginator.paginate_queryset(
            selectors.published_competition_list(user=request.user, ocid=params.validated_data.get("ocid", "")), request, view=self,
        )
        facts = selectors.published_facts(user=request.user, competitions=competitions)
        published = [
            release for competition in facts
            for release in competition_releases(competition, notices_url=_notices_url(request, competition))
        ]
        if not published:
            raise Http404("No published releases")
        package = release_package(published, uri=request.build_absolute_uri(), policy_uri=_policy_uri(request))
        links = {"next": paginator.get_next_link(), "prev": paginator.get_previous_link()}
        links = {name: link for name, link in links.items() if link}
        if links:
            package["links"] = links
        return Response(package)


class OcdsCompetitionViewSet(viewsets.GenericViewSet):
    """One competition's OCDS releases, record and Procurement Act 2023 notices.

    404 for a competition the user may not see (and a refused attempt in the
    audit log, as everywhere in the API), and for one not yet published.
    """

    queryset = Competition.objects.none()
    pagination_class = None
    lookup_value_regex = LOOKUP_VALUE_REGEX  # any id reaches the view: a wrong one is a 404 in problem details

    def published(self):
        return selectors.published_competition_get(user=self.request.user, pk=self.kwargs["pk"], path=self.request.path)

    @extend_schema(responses={200: RELEASE_PACKAGE, **problem_responses(404)})
    @action(detail=True, methods=["get"])
    def releases(self, request, pk=None):
        """The competition's releases, oldest first, as an OCDS release package."""
        competition = self.published()
        published = competition_releases(competition, notices_url=_notices_url(request, competition))
        return Response(release_package(published, uri=request.build_absolute_uri(), policy_uri=_policy_uri(request)))

    @extend_schema(responses={200: RECORD_PACKAGE, **problem_responses(404)})
    @action(detail=True, methods=["get"])
    def record(self, request, pk=None):
        """The competition's OCDS record (its releases and the compiled release), in a record package."""
        competition = self.published()
        record = competition_record(competition, notices_url=_notices_url(request, competition))
        return Response(record_package([record], uri=request.build_absolute_uri(), policy_uri=_policy_uri(request)))

    @extend_schema(responses={200: OcdsNoticeSerializer(many=True), **problem_responses(404)})
    @action(detail=True, methods=["get"])
    def notices(self, request, pk=None):
        """The competition's Central Digital Platform notices (Procurement Act 2023), every version, oldest first."""
        competition = self.published()
        return Response(OcdsNoticeSerializer(competition.notices, many=True).data)
