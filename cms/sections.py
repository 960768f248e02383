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
