"""Validates an `.h5p` file before anything is extracted, after the official H5P validator
(h5p-php-library H5PValidator) but stricter where it is trusting: sizes and compression
ratios are measured on the bytes actually read, never taken from the ZIP's declarations.

SVG files (allowed only inside libraries) are refused when they contain scripts, event
handlers, `javascript:` links, entities or embedded HTML, rather than rewritten: a rewritten
library is no longer the one its author tested."""

import json
import lzma
import posixpath
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass, field

from django.conf import settings

from .errors import H5PError, human_size

CONTENT_EXTENSIONS = frozenset(
    "json png jpg jpeg gif bmp tif tiff eot ttf woff woff2 otf webm mp4 ogg mp3 m4a wav txt "
    "pdf rtf doc docx xls xlsx ppt pptx odt ods odp csv diff patch swf md textile vtt webvtt "
    "gltf glb".split()
)
LIBRARY_EXTENSIONS = CONTENT_EXTENSIONS | {"js", "css", "svg", "xml"}

# What zipfile raises on a damaged archive besides BadZipFile: a negative or past-the-end
# offset (ValueError), a corrupt deflate or LZMA stream, an unknown compression method or
# flag (NotImplementedError), a truncated stream (EOFError), a bad bzip2 stream (OSError).
ZIP_READ_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    OSError,
    EOFError,
    ValueError,
    NotImplementedError,
    zlib.error,
    lzma.LZMAError,
)

H5P_JSON = "h5p.json"
CONTENT_JSON = "content/content.json"
CHUNK = 64 * 1024
# JSON and SVG files are parsed in memory; nothing legitimate comes near this.
MAX_PARSED_SIZE = 16 * 1024 * 1024

LANGUAGE_RE = re.compile(r"^[-a-zA-Z]{1,10}$")
MACHINE_NAME_RE = re.compile(r"^[\w.-]{1,255}$")
MAIN_LIBRARY_RE = re.compile(r"^[$a-z_][0-9a-z_.$]{1,254}$", re.IGNORECASE)
VERSION_RE = re.compile(r"^[0-9]{1,5}$")
SVG_UNSAFE_RE = re.compile(
    rb"<\s*script|\bon[a-z]+\s*=|javascript\s*:|<\s*foreignObject|<!ENTITY|<\s*iframe"
    rb"|<\s*embed|<\s*object|data\s*:\s*text/html",
    re.IGNORECASE,
)


@dataclass
class H5PValidation:
    """What the validator found: `errors` (H5PError) and, when valid, what extraction and
    the package row need."""

    errors: list[H5PError] = field(default_factory=list)
    h5p_json: dict = field(default_factory=dict)
    main_library: str = ""
    files: list[str] = field(default_factory=list)
    libraries: dict[str, dict] = field(default_factory=dict)
    total_size: int = 0

    @property
    def is_valid(self) -> bool:
        return not self.errors

    def error(self, code: str, **params) -> None:
        self.errors.append(H5PError(code, params))

    @property
    def messages(self) -> list[str]:
        return [error.message for error in self.errors]


class _Abort(Exception):
    """Stop reading: the archive is hostile (bomb, oversize), further errors are noise."""


def entry_path_error(info: zipfile.ZipInfo) -> str | None:
    """The error code of an unsafe entry name or type, or None."""
    name = info.filename
    if "\\" in name:
        return "backslash"
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return "absolute_path"
    if ".." in name.split("/"):
        return "parent_path"
    if stat.S_ISLNK(info.external_attr >> 16):
        return "symlink"
    return None


def is_ignored(name: str) -> bool:
    """Like the official validator: any path component starting with "." or "_" (macOS
    metadata, VCS folders) is skipped, neither checked nor extracted."""
    return any(part.startswith((".", "_")) for part in name.split("/") if part)


def extension(name: str) -> str:
    base = posixpath.basename(name)
    return base.rsplit(".", 1)[1].lower() if "." in base else ""


def read_entry(archive, info, state: dict, result: H5PValidation, keep: bool) -> bytes | None:
    """Read one entry in chunks, counting real bytes against the per-file, total and
    compression-ratio limits; returns the bytes when `keep` (small files to parse)."""
    max_file = settings.H5P_MAX_FILE_SIZE
    max_total = settings.H5P_MAX_TOTAL_SIZE
    ratio = settings.H5P_MAX_COMPRESSION_RATIO
    floor = settings.H5P_COMPRESSION_RATIO_FLOOR
    packed = max(info.compress_size, 1)
    size = 0
    kept = []
    with archive.open(info) as stream:
        while chunk := stream.read(CHUNK):
            size += len(chunk)
            state["total"] += len(chunk)
            if size > max_file:
                result.error("file_too_large", file=info.filename, limit=human_size(max_file))
                raise _Abort
            if state["total"] > max_total:
                result.error("total_too_large", limit=human_size(max_total))
                raise _Abort
            if size > floor and size / packed > ratio:
                result.error("compression_ratio", file=info.filename, ratio=ratio)
                raise _Abort
            if keep:
                if size > MAX_PARSED_SIZE:
                    result.error(
                        "json_too_large", file=info.filename, limit=human_size(MAX_PARSED_SIZE)
                    )
                    keep = False
                    kept = []
                else:
                    kept.append(chunk)
    return b"".join(kept) if keep else None


def parse_json(name: str, data: bytes | None, result: H5PValidation) -> dict | None:
    if data is None:
        return None
    try:
        value = json.loads(data.decode("utf-8-sig"))
    # RecursionError: "[[[[…" nested deeper than the parser's stack, well within 16 MB.
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        result.error("invalid_json", file=name, detail=str(exc)[:120])
        return None
    if not isinstance(value, dict):
        result.error("not_object", file=name)
        return None
    return value


def validate_h5p(source) -> H5PValidation:
    """Validate an `.h5p` given as a path or a seekable binary file object."""
    result = H5PValidation()
    display = getattr(source, "name", None) or str(source)
    display = posixpath.basename(str(display).replace("\\", "/")) or "file"
    try:
        archive = zipfile.ZipFile(source)
    except ZIP_READ_ERRORS:
        result.error("not_zip", file=display)
        return result
    with archive:
        try:
            parsed = _scan(archive, result)
        except _Abort:
            return result
        except ZIP_READ_ERRORS as exc:
            result.error("not_zip", file=display)
            result.error("unreadable", file=display, detail=str(exc)[:120])
            return result
    _check_h5p_json(parsed.get(H5P_JSON), result)
    if CONTENT_JSON in result.files:
        parse_json(CONTENT_JSON, parsed.get(CONTENT_JSON), result)
    else:
        result.error("missing_file", file=CONTENT_JSON)
    _check_libraries(parsed, result)
    return result


def _scan(archive: zipfile.ZipFile, result: H5PValidation) -> dict[str, bytes]:
    """First pass over the entries: names, types, extensions and sizes; returns the bytes of
    the files to parse (JSON descriptors and library SVGs)."""
    infos = archive.infolist()
    if len(infos) > settings.H5P_MAX_FILES:
        result.error("too_many_files", limit=settings.H5P_MAX_FILES)
        raise _Abort
    seen = set()
    state = {"total": 0}
    parsed = {}
    for info in infos:
        name = info.filename
        path_error = entry_path_error(info)
        if path_error:
            result.error(path_error, file=name)
            continue
        if info.is_dir() or is_ignored(name):
            continue
        if name in seen:
            result.error("duplicate", file=name)
            continue
        seen.add(name)
        if info.flag_bits & 0x1:
            result.error("encrypted", file=name)
            continue
        if info.file_size > settings.H5P_MAX_FILE_SIZE:
            # Declared sizes may lie downwards, never harmfully upwards: refuse early.
            result.error("file_too_large", file=name, limit=human_size(settings.H5P_MAX_FILE_SIZE))
            raise _Abort
        top = name.split("/", 1)[0]
        ext = extension(name)
        if "/" not in name or top == "content":
            if ext not in CONTENT_EXTENSIONS:
                result.error("content_extension", file=name, ext=f".{ext}" if ext else name)
                continue
        elif ext not in LIBRARY_EXTENSIONS:
            result.error("library_extension", file=name, ext=f".{ext}" if ext else name)
            continue
        keep = name in (H5P_JSON, CONTENT_JSON) or (
            top != "content" and (name == f"{top}/library.json" or ext == "svg")
        )
        data = read_entry(archive, info, state, result, keep)
        if data is not None:
            parsed[name] = data
        if ext == "svg" and data is not None and SVG_UNSAFE_RE.search(data):
            result.error("svg_unsafe", file=name)
            continue
        result.files.append(name)
    result.total_size = state["total"]
    return parsed


def _dependency_errors(name: str, dependencies, result: H5PValidation) -> list[str]:
    """Folder names (machineName-major.minor) of valid dependencies; errors for the rest."""
    if not isinstance(dependencies, list):
        result.error("field_invalid", file=name, field="preloadedDependencies", detail="list")
        return []
    folders = []
    for dependency in dependencies:
        if not (
            isinstance(dependency, dict)
            and isinstance(dependency.get("machineName"), str)
            and MACHINE_NAME_RE.match(dependency["machineName"])
            and VERSION_RE.match(str(dependency.get("majorVersion", "")))
            and VERSION_RE.match(str(dependency.get("minorVersion", "")))
        ):
            result.error("dependency_invalid", file=name)
            continue
        folders.append(
            f"{dependency['machineName']}-{dependency['majorVersion']}.{dependency['minorVersion']}"
        )
    return folders


def _check_h5p_json(data: bytes | None, result: H5PValidation) -> None:
    if data is None:
        if not any(
            e.code == "json_too_large" and e.params["file"] == H5P_JSON for e in result.errors
        ):
            result.error("missing_file", file=H5P_JSON)
        return
    h5p = parse_json(H5P_JSON, data, result)
    if h5p is None:
        return
    result.h5p_json = h5p
    for required in ("title", "language", "mainLibrary", "preloadedDependencies", "embedTypes"):
        if required not in h5p:
            result.error("field_missing", file=H5P_JSON, field=required)
    title = h5p.get("title")
    if "title" in h5p and not (isinstance(title, str) and 0 < len(title) <= 255):
        result.error("field_invalid", file=H5P_JSON, field="title", detail="1–255")
    language = h5p.get("language")
    if "language" in h5p and not (isinstance(language, str) and LANGUAGE_RE.match(language)):
        result.error("language", file=H5P_JSON, value=str(language)[:40])
    main = h5p.get("mainLibrary")
    if "mainLibrary" in h5p and not (isinstance(main, str) and MAIN_LIBRARY_RE.match(main)):
        result.error("field_invalid", file=H5P_JSON, field="mainLibrary", detail=str(main)[:60])
        main = None
    embed = h5p.get("embedTypes")
    if "embedTypes" in h5p and not (
        isinstance(embed, list)
        and embed
        and all(isinstance(kind, str) and kind in {"div", "iframe"} for kind in embed)
    ):
        result.error("embed_types", file=H5P_JSON)
    if "preloadedDependencies" in h5p:
        dependencies = h5p["preloadedDependencies"]
        folders = _dependency_errors(H5P_JSON, dependencies, result)
        result.libraries["__h5p__"] = {"preloaded": folders}
        if isinstance(main, str) and isinstance(dependencies, list):
            # A machineName of any JSON shape (a list is unhashable) is simply not a match.
            names = {
                d.get("machineName")
                for d in dependencies
                if isinstance(d, dict) and isinstance(d.get("machineName"), str)
            }
            if main not in names:
                result.error("main_library_not_loaded", file=H5P_JSON, library=main)
            result.main_library = next((f for f in folders if f.rsplit("-", 1)[0] == main), main)


def _check_libraries(parsed: dict[str, bytes], result: H5PValidation) -> None:
    folders = sorted({n.split("/", 1)[0] for n in result.files if "/" in n} - {"content"})
    files = set(result.files)
    present = {}
    for folder in folders:
        name = f"{folder}/library.json"
        if name not in files:
            result.error("library_json_missing", file=name)
            continue
        library = parse_json(name, parsed.get(name), result)
        if library is None:
            continue
        for required in (
            "title",
            "machineName",
            "majorVersion",
            "minorVersion",
            "patchVersion",
            "runnable",
        ):
            if required not in library:
                result.error("field_missing", file=name, field=required)
        machine = library.get("machineName")
        versions = [library.get(k) for k in ("majorVersion", "minorVersion", "patchVersion")]
        if "machineName" in library and not (
            isinstance(machine, str) and MACHINE_NAME_RE.match(machine)
        ):
            result.error("field_invalid", file=name, field="machineName", detail=str(machine)[:60])
            continue
        for key, value in zip(
            ("majorVersion", "minorVersion", "patchVersion"), versions, strict=True
        ):
            if key in library and not VERSION_RE.match(str(value)):
                result.error("field_invalid", file=name, field=key, detail=str(value)[:20])
        if "runnable" in library and str(library.get("runnable")) not in (
            "0",
            "1",
            "True",
            "False",
        ):
            result.error("field_invalid", file=name, field="runnable", detail="0/1")
        if "machineName" in library and "majorVersion" in library and "minorVersion" in library:
            expected = f"{machine}-{library['majorVersion']}.{library['minorVersion']}"
            if folder != expected:
                result.error("library_folder_name", file=name, expected=expected)
        for key in ("preloadedJs", "preloadedCss"):
            entries = library.get(key, [])
            if not isinstance(entries, list):
                result.error("field_invalid", file=name, field=key, detail="list")
                continue
            for entry in entries:
                path = entry.get("path") if isinstance(entry, dict) else None
                if not isinstance(path, str) or f"{folder}/{path}" not in files:
                    result.error("preloaded_missing", file=name, path=str(path)[:120])
        present[folder] = library
        needs = []
        for key in ("preloadedDependencies", "dynamicDependencies"):
            if key in library:
                needs += _dependency_errors(name, library[key], result)
        result.libraries[folder] = {"preloaded": needs}
    wanted = [(H5P_JSON, f) for f in result.libraries.get("__h5p__", {}).get("preloaded", [])]
    for folder, info in result.libraries.items():
        if folder != "__h5p__":
            wanted += [(f"{folder}/library.json", f) for f in info["preloaded"]]
    for name, needed in wanted:
        if needed not in present and needed not in folders:
            result.error("dependency_missing", file=name, library=needed)
    result.libraries.pop("__h5p__", None)
