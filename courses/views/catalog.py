"""Catalog page context (CourseIndexPage.get_context) and the login wall of course pages."""

from urllib.parse import urlencode

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cms.fields import stage_labels
from people.models import Stage

from ..choices import Delivery, Level
from ..models import CourseIndexPage, CoursePage, TopicCategory
from ..selectors.catalog import CatalogFilters, catalog_courses, user_course_statuses
from ..selectors.enrolment import course_enrolment_open


def course_pages_require_login(page, request, serve_args, serve_kwargs):
    """`before_serve_page` hook: the catalog and course overviews are for logged-in users;
    anonymous readers go to the login page and come back. (Lessons check in their serve.)"""
    if isinstance(page, CourseIndexPage | CoursePage) and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return None


class CatalogFilterForm(forms.Form):
    q = forms.CharField(label=_("Keywords"), required=False, max_length=100)
    topic = forms.ChoiceField(label=_("Topic"), required=False)
    stage = forms.ChoiceField(
        label=_("Stage"), required=False, choices=[("", _("All stages")), *Stage.choices]
    )
    level = forms.ChoiceField(
        label=_("Level"), required=False, choices=[("", _("All levels")), *Level.choices]
    )
    delivery = forms.ChoiceField(
        label=_("Delivery"),
        required=False,
        choices=[("", _("All kinds")), *Delivery.choices],
    )
    window = forms.ChoiceField(
        label=_("Enrolment"),
        required=False,
        choices=[
            ("", _("Open or closed")),
            ("open", _("Open for enrolment now")),
            ("closed", _("Not open for enrolment")),
        ],
    )

    def __init__(self, *args, topics, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].choices = [("", _("All topics"))] + [
            (topic.slug, topic.name) for topic in topics
        ]

    def filters(self) -> CatalogFilters:
        """The valid filters; a tampered value is dropped rather than shown as an error."""
        self.is_valid()
        data = {name: self.cleaned_data.get(name) or "" for name in self.fields}
        data["q"] = data["q"].strip()
        return CatalogFilters(**data)


def catalog_context(page, request) -> dict:
    topics = list(TopicCategory.objects.only("id", "name", "slug"))
    form = CatalogFilterForm(request.GET or None, topics=topics)
    filters = form.filters() if form.is_bound else CatalogFilters()
    now = timezone.now()
    paginator = Paginator(catalog_courses(page, filters, now=now), page.page_size)
    courses_page = paginator.get_page(request.GET.get("page"))
    courses = list(courses_page.object_list)
    statuses = user_course_statuses(request.user, [course.pk for course in courses])
    cards = [
        {
            "course": course,
            "topic": course.topic,
            "stage_labels": stage_labels(course.stages),
            "status": statuses.get(course.pk),
            "is_open": course_enrolment_open(course, now=now),
        }
        for course in courses
    ]
    active = {name: value for name, value in vars(filters).items() if value}
    return {
        "filter_form": form,
        "filtered": bool(active),
        "cards": cards,
        "paginator": paginator,
        "courses_page": courses_page,
        "querystring": urlencode(active),
    }
