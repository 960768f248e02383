"""PDF rendering of certificates and transcripts: an HTML template through WeasyPrint with
an embedded Noto CJK font, and QR codes (segno) as inline SVG.

WeasyPrint embeds (subsets) the fonts it finds through fontconfig. Without a CJK font it would
silently draw empty boxes, so rendering first checks that Noto CJK is installed and raises
`CJKFontMissing` with the fix instead.
"""

import functools
import io
import shutil
import subprocess

import segno
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

CJK_FONT_FAMILIES = ("Noto Serif CJK SC", "Noto Sans CJK SC")


class CJKFontMissing(RuntimeError):
    """No Chinese font is installed: a PDF would show empty boxes instead of text."""


@functools.cache
def _installed_cjk_family() -> str | None:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        listed = subprocess.run(
            [fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=10
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    families = {name.strip() for line in listed.splitlines() for name in line.split(",")}
    return next((family for family in CJK_FONT_FAMILIES if family in families), None)


def cjk_font_family() -> str:
    """The installed Noto CJK family, or CJKFontMissing naming the package to install."""
    family = _installed_cjk_family()
    if family is None:
        raise CJKFontMissing(
            _(
                "No Chinese font (Noto CJK) is installed, so the PDF cannot be rendered. "
                "Install it with: apt-get install fonts-noto-cjk"
            )
        )
    return family


def qr_svg(url: str, *, scale: int = 4) -> str:
    """The URL as an inline SVG QR code (error correction M: survives a worn print)."""
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(
        buffer, kind="svg", scale=scale, border=2, xmldecl=False, svgns=True
    )
    return buffer.getvalue().decode()


def render_pdf(template_name: str, context: dict) -> bytes:
    """Render `template_name` with `context` (plus `font_family`) to PDF bytes."""
    from weasyprint import HTML  # imported late: loading Pango takes a moment

    family = cjk_font_family()
    html = render_to_string(template_name, {**context, "font_family": family})
    return HTML(string=html).write_pdf()
