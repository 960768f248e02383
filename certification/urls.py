"""Public URLs of certification: each area's views module lists its own patterns."""

from .views import credits, verify

app_name = "certification"

urlpatterns = [*credits.urlpatterns, *verify.urlpatterns]
