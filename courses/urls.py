"""Public URLs of courses: each area's views module lists its own patterns."""

from .views import enrolment, h5p, me, xapi

app_name = "courses"

urlpatterns = [*enrolment.urlpatterns, *h5p.urlpatterns, *xapi.urlpatterns, *me.urlpatterns]
