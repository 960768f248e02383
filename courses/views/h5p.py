"""URLs and views: the extracted files of H5P packages (only for users who may play them)
and the resume state (contentUserData) endpoint of the player."""

import mimetypes
import posixpath
import re

from django.core.exceptions import SuspiciousFileOperation, ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, JsonResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ..models import H5PPackage
from ..selectors.h5p import h5p_playable_folder, h5p_user_data_get
from ..services.h5p import h5p_user_data_save

# Explicit types: the platform's mimetypes table varies, and a wrong guess is an XSS risk.
CONTENT_TYPES = {
    "json": "application/json",
    "js": "text/javascript; charset=utf-8",
    "css": "text/css; charset=utf-8",
    "svg": "image/svg+xml",
    "xml": "application/xml",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "bmp": "image/bmp",
    "tif": "image/tiff",
    "tiff": "image/tiff",
    "eot": "application/vnd.ms-fontobject",
    "ttf": "font/ttf",
    "otf": "font/otf",
    "woff": "font/woff",
    "woff2": "font/woff2",
    "webm": "video/webm",
    "mp4": "video/mp4",
    "ogg": "audio/ogg",
    "mp3": "audio/mpeg",
    "m4a": "audio/mp4",
    "wav": "audio/wav",
    "vtt": "text/vtt; charset=utf-8",
    "webvtt": "text/vtt; charset=utf-8",
    "txt": "text/plain; charset=utf-8",
    "md": "text/plain; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
    "gltf": "model/gltf+json",
    "glb": "model/gltf-binary",
}
DATA_TYPE_RE = re.compile(r"^[\w-]{1,64}$")


def safe_relative_path(raw: str) -> str | None:
    """The normalised path inside a package, or None when it could leave the folder or
    names something the extraction never writes."""
    if not raw or "\\" in raw or "\x00" in raw or raw.startswith("/"):
        return None
    parts = raw.split("/")
    if any(part in ("", ".", "..") or part.startswith((".", "_")) for part in parts):
        return None
    normal = posixpath.normpath(raw)
    if normal != raw or normal.startswith(("../", "/")):
        return None
    return normal


def content_type_for(name: str) -> str:
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return CONTENT_TYPES.get(ext) or mimetypes.guess_type(name)[0] or "application/octet-stream"


@require_http_methods(["GET", "HEAD"])
def h5p_file(request, package_id: int, path: str):
    """One file of an extracted package. Everyone who may not play it gets the same 404, so
    the view does not reveal which packages exist."""
    if not request.user.is_authenticated:
        raise Http404
    relative = safe_relative_path(path)
    if relative is None:
        raise Http404
    folder = h5p_playable_folder(request.user, package_id)
    if not folder:
        raise Http404
    name = f"{folder}/{relative}"
    try:
        handle = default_storage.open(name, "rb")
    except (OSError, SuspiciousFileOperation) as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=content_type_for(relative))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    if relative.lower().endswith(".svg"):
        # An SVG opened on its own must not run anything, whatever slipped past the checks.
        response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


def _json_error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"success": False, "message": message}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def h5p_user_data(request, package_id: int, data_type: str, sub_content_id: str):
    """H5P core's contentUserData endpoint: GET answers `{success, data}`; POST (form field
    `data`, as H5P core sends it, with Django's CSRF header) saves or, with data 0, deletes."""
    if not request.user.is_authenticated:
        return _json_error(_("Please sign in again: your session has ended."), 401)
    if not DATA_TYPE_RE.match(data_type) or not DATA_TYPE_RE.match(sub_content_id):
        return _json_error(_("This saved state does not exist."), 404)
    if not h5p_playable_folder(request.user, package_id):
        return _json_error(_("This saved state does not exist."), 404)
    if request.method == "GET":
        data = h5p_user_data_get(request.user, package_id, data_type, sub_content_id)
        return JsonResponse({"success": True, "data": data if data is not None else False})
    if "data" not in request.POST:
        return _json_error(_("The request has no “data” field to save."), 400)
    try:
        h5p_user_data_save(
            user=request.user,
            package=H5PPackage(pk=package_id),
            data_type=data_type,
            sub_content_id=sub_content_id,
            data=request.POST["data"],
        )
    except ValidationError as exc:
        return _json_error(" ".join(exc.messages), 400)
    return JsonResponse({"success": True})


urlpatterns = [
    path("h5p/<int:package_id>/files/<path:path>", h5p_file, name="h5p_file"),
    path(
        "h5p/<int:package_id>/user-data/<str:data_type>/<str:sub_content_id>/",
        h5p_user_data,
        name="h5p_user_data",
    ),
]
