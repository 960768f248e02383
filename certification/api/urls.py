"""URLs of /api/v1/ (included by cms.urls)."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from .views import MentorReadinessList

app_name = "api_v1"


class SchemaView(SpectacularAPIView):
    # The schema is public: it describes the API, it holds no teacher data.
    authentication_classes = []
    permission_classes = []
    throttle_classes = []


urlpatterns = [
    path("mentor-readiness/", MentorReadinessList.as_view(), name="mentor_readiness"),
    path("schema/", SchemaView.as_view(), name="schema"),
]
