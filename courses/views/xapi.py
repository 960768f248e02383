"""URLs and views: xapi."""

urlpatterns: list = []
