"""URLs and views: h5p."""

urlpatterns: list = []
