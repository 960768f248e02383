"""Public URLs of certification: each area's views module lists its own patterns."""

from .views import credits

app_name = "certification"

urlpatterns = [*credits.urlpatterns]
