"""URLs and views: me."""

urlpatterns: list = []
