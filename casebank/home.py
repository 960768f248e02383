"""案例库 on the home page (a `register_home_section` hook): the newest cases for signed-in
staff, a sign-in prompt for everyone else (cases are not public). Imported by
casebank.wagtail_hooks."""

from wagtail import hooks

from cms.fields import stage_labels
from cms.sections import HomeSection

from . import selectors

HOME_CASE_LIMIT = 3


def home_cases_context(request, page) -> dict:
    """Two queries for signed-in readers (the newest cases, the library page), one when there
    is no case yet (the empty state needs no link); none for anonymous visitors."""
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        return {"home_cases": [], "case_library": None, "cases_need_login": True}
    cases = selectors.cases_newest(limit=HOME_CASE_LIMIT)
    return {
        "home_cases": [
            {
                "case": case,
                "stage_labels": stage_labels(case.stages),
                "band_label": case.get_grade_band_display() if case.grade_band else "",
            }
            for case in cases
        ],
        "case_library": selectors.case_index_live() if cases else None,
        "cases_need_login": False,
    }


@hooks.register("register_home_section")
def cases_home_section():
    return HomeSection(
        order=30,
        template_name="casebank/home_sections/cases.html",
        get_context=home_cases_context,
    )
