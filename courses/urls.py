"""Public URLs of courses: each area's views module lists its own patterns."""

from .views import checkin, enrolment, h5p, lectures, me, xapi

app_name = "courses"

urlpatterns = [
    *enrolment.urlpatterns,
    *h5p.urlpatterns,
    *xapi.urlpatterns,
    *me.urlpatterns,
    *lectures.urlpatterns,
    *checkin.urlpatterns,
]
