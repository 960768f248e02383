"""URLs and views: enrolment."""

urlpatterns: list = []
