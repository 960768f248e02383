"""Home page section of courses: 推荐课程, the latest live courses with hours and credit."""

from wagtail import hooks

from cms.sections import HomeSection

from .models import CourseIndexPage, CoursePage

HOME_COURSE_LIMIT = 4


def home_courses_context(request, page) -> dict:
    """Two queries: the latest live courses (with their topic) and the catalog page."""
    courses = list(
        CoursePage.objects.live()
        .select_related("topic")
        .only(
            "id",
            "title",
            "path",
            "depth",
            "url_path",
            "summary",
            "hours",
            "credit_points",
            "stages",
            "topic__name",
        )
        .order_by("-first_published_at", "-pk")[:HOME_COURSE_LIMIT]
    )
    catalog = CourseIndexPage.objects.live().only("id", "path", "depth", "url_path").first()
    return {"home_courses": courses, "course_catalog": catalog}


@hooks.register("register_home_section")
def courses_home_section():
    return HomeSection(
        order=20,
        template_name="courses/home_sections/courses.html",
        get_context=home_courses_context,
    )
