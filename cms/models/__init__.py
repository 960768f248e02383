"""Site-wide page types and settings, one module each; import them from here."""

from .handbook import HandbookChapterPage, HandbookPage
from .home import HomePage
from .lecturers import LecturerIndexPage
from .settings import SiteSettings
from .standard import StandardPage, StandardPageAttachment

__all__ = [
    "HandbookChapterPage",
    "HandbookPage",
    "HomePage",
    "LecturerIndexPage",
    "SiteSettings",
    "StandardPage",
    "StandardPageAttachment",
]
