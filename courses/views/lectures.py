"""URLs and views: lectures."""

urlpatterns: list = []
