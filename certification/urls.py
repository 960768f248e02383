"""Public URLs of certification: each area's views module lists its own patterns."""

from .views import certificates as certificate_views
from .views import credits, verify
from .views import transcripts as transcript_views

app_name = "certification"

urlpatterns = [*credits.urlpatterns, *verify.urlpatterns]
urlpatterns += transcript_views.urlpatterns
urlpatterns += certificate_views.urlpatterns
