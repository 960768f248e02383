"""Template tags for the site frame: menu, breadcrumbs, home sections, avatars."""

from django import template
from django.template.loader import render_to_string
from django.utils.html import format_html_join

from cms import selectors
from cms.sections import home_sections as registered_home_sections

register = template.Library()


@register.inclusion_tag("cms/includes/menu.html", takes_context=True)
def main_menu(context):
    request = context.get("request")
    current = context.get("page")
    current_path = getattr(current, "path", "")
    items = [
        {"page": item, "active": bool(current_path) and current_path.startswith(item.path)}
        for item in selectors.menu_pages(request)
    ]
    return {"items": items, "request": request}


@register.inclusion_tag("cms/includes/breadcrumbs.html", takes_context=True)
def breadcrumbs(context, page=None, extra=None):
    page = page or context.get("page")
    crumbs = selectors.page_breadcrumbs(page) if page is not None else []
    return {
        "crumbs": crumbs,
        "page": page,
        "extra": extra,
        "request": context.get("request"),
        "is_home": page is None or page.depth <= 2,
    }


@register.simple_tag(takes_context=True)
def home_sections(context):
    request = context.get("request")
    page = context.get("page")
    rendered = []
    for section in registered_home_sections():
        section_context = {"page": page}
        section_context.update(section.get_context(request, page) or {})
        rendered.append(render_to_string(section.template_name, section_context, request=request))
    # Each item is a rendered template (already safe); nothing is marked safe by hand.
    return format_html_join("\n", "{}", ((html,) for html in rendered))
