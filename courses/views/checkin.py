"""URLs and views: checkin."""

urlpatterns: list = []
