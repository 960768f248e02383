"""GET /api/v1/mentor-readiness/ — who is ready to serve as a mentor and what the others miss.
Token only, read-only; a school token sees only its school. Three queries a page (token,
count, rows), plus one to find a school named by code."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import exceptions, generics, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import JSONRenderer

from people.models import School

from .authentication import ApiTokenAuthentication, HasApiToken
from .selectors import readiness_statuses
from .serializers import MentorReadinessQuerySerializer, MentorReadinessSerializer
from .throttling import ApiTokenRateThrottle

MAX_PAGE_SIZE = 200

# Every answer the view gives is in the schema, so a client generated from it (and the
# schemathesis test) knows the refusals too: DRF's {"detail": …} or {field: [messages]}.
_DETAIL = inline_serializer("ErrorDetail", fields={"detail": serializers.CharField()})
ERROR_RESPONSES = {
    400: OpenApiResponse(
        inline_serializer(
            "QueryErrors",
            fields={
                "school": serializers.ListField(child=serializers.CharField(), required=False),
                "stage": serializers.ListField(child=serializers.CharField(), required=False),
                "state": serializers.ListField(child=serializers.CharField(), required=False),
                "changed_since": serializers.ListField(
                    child=serializers.CharField(), required=False
                ),
            },
        ),
        description="A filter value is invalid: the messages by parameter.",
    ),
    401: OpenApiResponse(_DETAIL, description="No token, or a wrong or revoked one."),
    403: OpenApiResponse(_DETAIL, description="A school token asked for another school."),
    404: OpenApiResponse(_DETAIL, description="No such page."),
    429: OpenApiResponse(_DETAIL, description="Too many requests with this token."),
}


class ReadinessPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE


class MentorReadinessList(generics.ListAPIView):
    # Token only: a signed-in browser session never reads the API, and there is no
    # browsable HTML page.
    authentication_classes = [ApiTokenAuthentication]
    permission_classes = [HasApiToken]
    throttle_classes = [ApiTokenRateThrottle]
    renderer_classes = [JSONRenderer]
    serializer_class = MentorReadinessSerializer
    pagination_class = ReadinessPagination

    def permission_denied(self, request, message=None, code=None):
        # No (valid) token: 401 with the message of HasApiToken, not DRF's generic one.
        if request.authenticators and not request.successful_authenticator:
            raise exceptions.NotAuthenticated(detail=message)
        super().permission_denied(request, message=message, code=code)

    def _school_filter(self, code: str | None) -> School | None:
        token = self.request.auth
        if token.school is not None:
            if code and code != token.school.code:
                raise exceptions.PermissionDenied(
                    _("This token reads only school %(code)s.") % {"code": token.school.code}
                )
            return token.school
        if not code:
            return None
        school = School.objects.filter(code=code).first()
        if school is None:
            raise exceptions.ValidationError({"school": [_("No school has this code.")]})
        return school

    def get_queryset(self):
        query = MentorReadinessQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        return readiness_statuses(
            school=self._school_filter(params.get("school")),
            stage=params.get("stage"),
            state=params.get("state"),
            changed_since=params.get("changed_since"),
        )

    @extend_schema(
        parameters=[MentorReadinessQuerySerializer],
        responses={200: MentorReadinessSerializer(many=True), **ERROR_RESPONSES},
        summary="Mentor readiness of teachers",
        description=(
            "Each teacher's mentor qualification (导师上岗资格) state and missing items. "
            "A school-scoped token sees only its school."
        ),
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)
