"""H5P validation errors: stored as codes and parameters, translated when shown, so the
admin shows them in the reader's language even if the worker ran in another."""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

MESSAGES = {
    "upload_too_large": _(
        "The file is %(size)s, larger than the %(limit)s allowed for an H5P package."
    ),
    "not_zip": _("%(file)s is not an H5P package: an .h5p file must be a ZIP archive."),
    "unreadable": _("%(file)s could not be read from the package (%(detail)s)."),
    "encrypted": _("%(file)s is encrypted; H5P packages must not contain encrypted files."),
    "duplicate": _("%(file)s appears more than once in the package."),
    "too_many_files": _("The package has more than %(limit)s files."),
    "file_too_large": _("%(file)s is larger than the %(limit)s allowed for one file."),
    "total_too_large": _("The unpacked package is larger than the %(limit)s allowed in total."),
    "compression_ratio": _(
        "%(file)s unpacks to more than %(ratio)s times its packed size; "
        "the package looks like a ZIP bomb."
    ),
    "absolute_path": _("%(file)s has an absolute path; paths must be relative."),
    "parent_path": _("%(file)s points outside the package (it contains “..”)."),
    "backslash": _("%(file)s contains a backslash; paths in a package must use “/”."),
    "symlink": _("%(file)s is a symbolic link; links are not allowed in a package."),
    "content_extension": _(
        "%(file)s: files of type “%(ext)s” are not allowed in an H5P package's content."
    ),
    "library_extension": _("%(file)s: files of type “%(ext)s” are not allowed in an H5P library."),
    "missing_file": _("%(file)s is missing from the package."),
    "json_too_large": _("%(file)s is too large to be checked (over %(limit)s)."),
    "invalid_json": _("%(file)s is not valid JSON (%(detail)s)."),
    "not_object": _("%(file)s must contain a JSON object."),
    "field_missing": _("%(file)s: the required field “%(field)s” is missing."),
    "field_invalid": _("%(file)s: the field “%(field)s” is invalid: %(detail)s."),
    "language": _(
        "%(file)s: the language “%(value)s” is not a language code such as “zh” or “en-US”."
    ),
    "embed_types": _("%(file)s: embedTypes may contain only “div” and “iframe”."),
    "dependency_invalid": _(
        "%(file)s: each dependency needs machineName, majorVersion and minorVersion."
    ),
    "library_json_missing": _("%(file)s is missing: every library folder needs a library.json."),
    "library_folder_name": _(
        "%(file)s: the library folder must be named “%(expected)s” after its machineName "
        "and version."
    ),
    "preloaded_missing": _("%(file)s lists “%(path)s”, which is not in the package."),
    "dependency_missing": _("%(file)s needs the library %(library)s, which is not in the package."),
    "main_library_not_loaded": _(
        "%(file)s: the main library %(library)s is not among the preloadedDependencies."
    ),
    "svg_unsafe": _(
        "%(file)s is an SVG image with scripts, event handlers, links to JavaScript or "
        "embedded HTML; such SVG files are refused."
    ),
}


@dataclass(frozen=True)
class H5PError:
    code: str
    params: dict = field(default_factory=dict)

    @property
    def message(self) -> str:
        return error_message(self.as_dict())

    def as_dict(self) -> dict:
        return {"code": self.code, "params": self.params}


def error_message(error) -> str:
    """The message of a stored error ({"code", "params"}) in the active language; a plain
    string (older rows) is returned as it is."""
    if isinstance(error, str):
        return error
    template = MESSAGES.get(error.get("code"))
    if template is None:
        return str(error)
    try:
        return str(template) % error.get("params", {})
    except (KeyError, TypeError, ValueError):
        return str(template)


def human_size(size: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size} B"
