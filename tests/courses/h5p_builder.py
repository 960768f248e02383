"""Builds `.h5p` files in memory from our own library (courses/demo_content/h5p_library) for
tests: valid quizzes, real-export-like packages and deliberately broken variants."""

import io
import json
import stat
import zipfile
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

LIBRARY_ROOT = Path(__file__).resolve().parents[2] / "courses" / "demo_content" / "h5p_library"
QUIZ_LIBRARY = "H5P.QingpuQuiz-1.1"

DEFAULT_QUESTION = "导师与学生谈心时，首先应该做什么？"
DEFAULT_ANSWERS = [
    {"text": "认真倾听，理解学生的感受", "correct": True},
    {"text": "立即批评学生的错误", "correct": False},
    {"text": "马上通知家长", "correct": False},
]

# A value of DELETE in h5p_json_overrides removes that key from h5p.json.
DELETE = object()


def library_files(folder: str = QUIZ_LIBRARY) -> dict[str, bytes]:
    """The files of one library folder, keyed by their path inside the package."""
    root = LIBRARY_ROOT / folder
    return {
        f"{folder}/{path.relative_to(root).as_posix()}": path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def h5p_json(*, title: str = "青浦测验", **overrides) -> dict:
    data = {
        "title": title,
        "language": "zh",
        "mainLibrary": "H5P.QingpuQuiz",
        "embedTypes": ["div"],
        "license": "U",
        "preloadedDependencies": [
            {"machineName": "H5P.QingpuQuiz", "majorVersion": 1, "minorVersion": 1}
        ],
    }
    for key, value in overrides.items():
        if value is DELETE:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def content_json(
    *, question: str = DEFAULT_QUESTION, answers=None, pass_percentage: int = 100
) -> dict:
    return {
        "question": question,
        "answers": answers if answers is not None else DEFAULT_ANSWERS,
        "passPercentage": pass_percentage,
    }


def package_files(
    *,
    title: str = "青浦测验",
    question: str = DEFAULT_QUESTION,
    answers=None,
    pass_percentage: int = 100,
    h5p_json_overrides: dict | None = None,
    extra_files: dict | None = None,
    omit=(),
) -> dict[str, bytes]:
    """All files of a quiz package; `extra_files` add or replace (str or bytes values),
    `omit` removes paths."""
    files = {
        "h5p.json": _encode(h5p_json(title=title, **(h5p_json_overrides or {}))),
        "content/content.json": _encode(
            content_json(question=question, answers=answers, pass_percentage=pass_percentage)
        ),
        **library_files(),
    }
    for path, data in (extra_files or {}).items():
        files[path] = data.encode() if isinstance(data, str) else data
    for path in omit:
        files.pop(path, None)
    return files


def zip_bytes(
    files: dict[str, bytes],
    *,
    symlinks: dict[str, str] | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """A ZIP of `files`; `symlinks` maps entry names to link targets stored as Unix symlinks."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for path, data in files.items():
            archive.writestr(path, data)
        for path, target in (symlinks or {}).items():
            info = zipfile.ZipInfo(path)
            info.create_system = 3  # Unix, so external_attr carries the file mode
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, target)
    return buffer.getvalue()


def build_h5p(*, symlinks: dict[str, str] | None = None, **options) -> bytes:
    """A `.h5p` file's bytes; see `package_files` for the options."""
    return zip_bytes(package_files(**options), symlinks=symlinks)


def real_export_like(**options) -> bytes:
    """What h5p.org and Lumi exports look like: an editor library that the content does not
    use, top-level notes, and ignored dot/underscore entries."""
    editor = "H5PEditor.QingpuQuiz-1.1"
    extra = {
        f"{editor}/library.json": _encode(
            {
                "title": "Qingpu Quiz editor",
                "machineName": "H5PEditor.QingpuQuiz",
                "majorVersion": 1,
                "minorVersion": 1,
                "patchVersion": 0,
                "runnable": 0,
                "preloadedJs": [{"path": "editor.js"}],
                "preloadedCss": [{"path": "styles/editor.css"}],
            }
        ),
        f"{editor}/editor.js": "var H5PEditor = H5PEditor || {};\n",
        f"{editor}/styles/editor.css": ".h5peditor-qingpu {}\n",
        f"{editor}/icon.svg": '<svg xmlns="http://www.w3.org/2000/svg"><circle r="4"/></svg>',
        f"{QUIZ_LIBRARY}/semantics.json": "[]",
        f"{QUIZ_LIBRARY}/language/zh.json": '{"semantics": []}',
        "H5P_CONTENT_HERE.txt": "Content files go in the content folder.\n",
        "content/images/photo.png": b"\x89PNG\r\n\x1a\n" + b"\0" * 32,
        ".DS_Store": b"\0\0\0\1Bud1",
        "__MACOSX/._h5p.json": b"\0\5\x16\7",
        "content/.hidden.js": "alert(1)",
    }
    extra.update(options.pop("extra_files", None) or {})
    return build_h5p(extra_files=extra, **options)


def h5p_upload(data: bytes, name: str = "quiz.h5p") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/zip")


def quiz_package(*, title: str = "青浦测验", uploaded_by=None, **options):
    """A VALID, extracted H5PPackage made through the real upload service and task."""
    from courses.choices import H5PStatus
    from courses.services.h5p import h5p_package_upload
    from courses.tasks import h5p_package_process

    data = build_h5p(title=title, **options)
    package = h5p_package_upload(
        file=h5p_upload(data, name=f"{title}.h5p"), title=title, uploaded_by=uploaded_by
    )
    # Tests run inside a transaction, so the on_commit queueing never fires: process now.
    h5p_package_process(package.pk)
    package.refresh_from_db()
    assert package.status == H5PStatus.VALID, package.errors
    return package


def _encode(data) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode()
