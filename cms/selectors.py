"""Reads for the cms pages: navigation, handbooks, lecturers. Each runs a fixed number of
queries whatever the number of rows, so page query counts stay flat."""

from __future__ import annotations

from django.db.models import Prefetch
from wagtail.models import Page, Site

from people.models import LecturerProfile

MENU_CACHE_ATTR = "_cms_menu_pages"


def menu_pages(request) -> list[Page]:
    """Live children of the site's home page marked "show in menus"; one query, cached on
    the request so the header and footer can both use it."""
    if request is None:
        return []
    cached = getattr(request, MENU_CACHE_ATTR, None)
    if cached is not None:
        return cached
    site = Site.find_for_request(request)
    pages: list[Page] = []
    if site is not None:
        # find_for_request selects the root page along with the site: no extra query.
        pages = list(
            site.root_page.get_children()
            .live()
            .in_menu()
            .only("id", "title", "url_path", "path", "depth", "slug")
        )
    setattr(request, MENU_CACHE_ATTR, pages)
    return pages


def page_breadcrumbs(page: Page) -> list[Page]:
    """Ancestors below the site root (the home page and the tree root are left out), in one
    query."""
    if page is None or page.depth <= 2:
        return []
    return list(
        page.get_ancestors().filter(depth__gt=2).only("id", "title", "url_path", "path", "depth")
    )


def page_attachments(page) -> list:
    return list(page.attachments.select_related("document").order_by("sort_order"))


# --- Handbooks ---------------------------------------------------------------------------


def handbook_chapters(handbook, *, with_body: bool):
    """A handbook's live chapters in tree order; bodies only when the caller shows them."""
    from cms.models import HandbookChapterPage

    chapters = HandbookChapterPage.objects.child_of(handbook).live().order_by("path")
    if not with_body:
        chapters = chapters.defer("body")
    return list(chapters)


def chapter_handbook(chapter):
    from cms.models import HandbookPage

    parent_path = chapter.path[: -Page.steplen]
    return HandbookPage.objects.filter(path=parent_path).first()


def chapter_navigation(chapter) -> dict:
    """Context for a chapter page: its handbook, the TOC, previous/next; two queries."""
    handbook = chapter_handbook(chapter)
    chapters = handbook_chapters(handbook, with_body=False) if handbook else []
    ids = [c.pk for c in chapters]
    index = ids.index(chapter.pk) if chapter.pk in ids else -1
    previous = chapters[index - 1] if index > 0 else None
    following = chapters[index + 1] if 0 <= index < len(chapters) - 1 else None
    return {
        "handbook": handbook,
        "chapters": chapters,
        "previous_chapter": previous,
        "next_chapter": following,
        "chapter_position": index + 1,
    }


def handbooks_live(*, limit: int | None = None):
    """Published handbooks in tree order, for the home page."""
    from cms.models import HandbookPage

    handbooks = HandbookPage.objects.live().public().order_by("path").select_related("cover_image")
    return list(handbooks[:limit] if limit else handbooks)


def lecturer_index_page():
    from cms.models import LecturerIndexPage

    return LecturerIndexPage.objects.live().first()


# --- 讲师团 -------------------------------------------------------------------------------


def _lecturer_queryset():
    from wagtail.images import get_image_model

    rendition_model = get_image_model().get_rendition_model()
    return (
        LecturerProfile.objects.filter(is_active=True)
        .select_related("photo")
        .prefetch_related(
            "expertise",
            Prefetch("photo__renditions", queryset=rendition_model.objects.all()),
        )
    )


def lecturer_profiles_active(*, limit: int | None = None) -> list[LecturerProfile]:
    """Active profiles in their sort order with tags and photo renditions prefetched."""
    profiles = _lecturer_queryset().order_by("sort_order", "full_name")
    return list(profiles[:limit] if limit else profiles)


def lecturer_profile_active(pk: int) -> LecturerProfile | None:
    return _lecturer_queryset().filter(pk=pk).first()
