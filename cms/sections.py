"""Home page sections contributed by apps through the `register_home_section` hook.

An app adds a section without cms importing it::

    @hooks.register("register_home_section")
    def next_lectures_section():
        return HomeSection(order=10, template_name="courses/home_section_lectures.html",
                           get_context=lambda request, page: {"lectures": ...})

The hook returns one `HomeSection` (or None to show nothing). Sections render in `order`;
each template receives its context plus `request` and `page`, and shows its own empty
state when it has nothing to list.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from wagtail import hooks

HOOK_NAME = "register_home_section"


@dataclass(frozen=True)
class HomeSection:
    order: int
    template_name: str
    get_context: Callable[..., dict] = field(default=lambda request, page: {})


def home_sections() -> list[HomeSection]:
    sections = [fn() for fn in hooks.get_hooks(HOOK_NAME)]
    return sorted((s for s in sections if s is not None), key=lambda s: s.order)


# --- Sections of the signed-in user's page (/me/) ------------------------------------------
#
# Same pattern for 我的学习 (/me/), whose view lives in courses: an app that courses must not
# import (certification) adds a section with the `register_me_section` hook::
#
#     @hooks.register("register_me_section")
#     def qualification_section():
#         return MeSection(order=10, template_name="certification/me/qualification.html",
#                          get_context=lambda request: {"qualification": ...})
#
# get_context(request) does the section's queries (a fixed number: /me/ pins its count);
# the template runs none.

ME_HOOK_NAME = "register_me_section"


@dataclass(frozen=True)
class MeSection:
    order: int
    template_name: str
    get_context: Callable[..., dict] = field(default=lambda request: {})


def me_sections() -> list[MeSection]:
    sections = [fn() for fn in hooks.get_hooks(ME_HOOK_NAME)]
    return sorted((s for s in sections if s is not None), key=lambda s: s.order)


def render_me_sections(request) -> list[str]:
    """Each registered /me/ section rendered with its context (safe HTML strings)."""
    from django.template.loader import render_to_string

    return [
        render_to_string(section.template_name, section.get_context(request) or {}, request=request)
        for section in me_sections()
    ]
