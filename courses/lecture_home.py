"""近期讲座 on the home page (a `register_home_section` hook), and the login wall of the lecture
series and lecture pages (a `before_serve_page` hook). Imported by courses.wagtail_hooks."""

from django.utils import timezone
from wagtail import hooks

from cms.sections import HomeSection

from .models import LectureSeriesPage
from .selectors.lectures import lectures_next
from .views.lecture_pages import lecture_pages_require_login

HOME_LECTURE_LIMIT = 3


def home_lectures_context(request, page) -> dict:
    """Two queries: the next live lectures (with their topic) and the series page; one when
    nothing is coming up (the empty state needs no link)."""
    lectures = lectures_next(now=timezone.now(), limit=HOME_LECTURE_LIMIT)
    series = (
        LectureSeriesPage.objects.live().only("id", "path", "depth", "url_path").first()
        if lectures
        else None
    )
    return {"home_lectures": lectures, "lecture_series": series}


@hooks.register("register_home_section")
def lectures_home_section():
    return HomeSection(
        order=10,
        template_name="courses/includes/lecture_home_section.html",
        get_context=home_lectures_context,
    )


hooks.register("before_serve_page", lecture_pages_require_login)
