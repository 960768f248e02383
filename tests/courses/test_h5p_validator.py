"""The H5P validator against a corpus built in code: each broken package is rejected with
its own message naming the file; real-export-like packages are accepted."""

import io
import json
import zipfile

import pytest
from django.utils import translation

from courses.h5p.validator import validate_h5p
from tests.courses.h5p_builder import (
    DELETE,
    QUIZ_LIBRARY,
    build_h5p,
    package_files,
    real_export_like,
    zip_bytes,
)

LIB = QUIZ_LIBRARY


def check(data: bytes):
    with translation.override("en"):
        result = validate_h5p(io.BytesIO(data))
        return result, [error.code for error in result.errors], result.messages


def test_our_quiz_package_is_valid():
    result, codes, _ = check(build_h5p())
    assert codes == []
    assert result.is_valid
    assert result.main_library == LIB
    assert result.h5p_json["title"] == "青浦测验"
    assert set(result.files) == {
        "h5p.json",
        "content/content.json",
        f"{LIB}/library.json",
        f"{LIB}/quiz.js",
        f"{LIB}/quiz.css",
    }


def test_real_export_with_editor_library_and_notes_is_accepted():
    result, codes, _ = check(real_export_like())
    assert codes == []
    assert "H5P_CONTENT_HERE.txt" in result.files
    assert "H5PEditor.QingpuQuiz-1.1/library.json" in result.files
    # Dot and underscore entries are ignored: neither checked nor extracted.
    assert not any(name.startswith((".", "__MACOSX")) for name in result.files)
    assert "content/.hidden.js" not in result.files


def test_library_may_carry_js_css_svg_xml():
    extra = {f"{LIB}/icon.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>", f"{LIB}/a.xml": "<a/>"}
    assert check(build_h5p(extra_files=extra))[1] == []


CORPUS = {
    "not_zip": (b"this is not a zip file at all", "not_zip", "is not an H5P package"),
    "traversal": (
        zip_bytes({**package_files(), "content/../../evil.json": b"{}"}),
        "parent_path",
        "content/../../evil.json",
    ),
    "absolute": (
        zip_bytes({**package_files(), "/etc/cron.d/evil.txt": b"x"}),
        "absolute_path",
        "/etc/cron.d/evil.txt",
    ),
    "backslash": (
        zip_bytes({**package_files(), "content\\evil.json": b"{}"}),
        "backslash",
        "content\\evil.json",
    ),
    "symlink": (
        zip_bytes(package_files(), symlinks={"content/passwd.txt": "/etc/passwd"}),
        "symlink",
        "content/passwd.txt",
    ),
    "disallowed_extension": (
        build_h5p(extra_files={"content/tool.exe": b"MZ"}),
        "content_extension",
        "content/tool.exe",
    ),
    "js_in_content": (
        build_h5p(extra_files={"content/steal.js": "fetch('/admin/')"}),
        "content_extension",
        "content/steal.js",
    ),
    "svg_in_content": (
        build_h5p(extra_files={"content/x.svg": "<svg/>"}),
        "content_extension",
        "content/x.svg",
    ),
    "library_extension": (
        build_h5p(extra_files={f"{LIB}/run.php": "<?php ?>"}),
        "library_extension",
        f"{LIB}/run.php",
    ),
    "unsafe_svg": (
        build_h5p(extra_files={f"{LIB}/icon.svg": "<svg onload='alert(1)'/>"}),
        "svg_unsafe",
        f"{LIB}/icon.svg",
    ),
    "missing_h5p_field": (
        build_h5p(h5p_json_overrides={"mainLibrary": DELETE}),
        "field_missing",
        "mainLibrary",
    ),
    "missing_embed_types": (
        build_h5p(h5p_json_overrides={"embedTypes": DELETE}),
        "field_missing",
        "embedTypes",
    ),
    "bad_embed_types": (
        build_h5p(h5p_json_overrides={"embedTypes": ["div", "popup"]}),
        "embed_types",
        "embedTypes",
    ),
    "bad_language": (
        build_h5p(h5p_json_overrides={"language": "zh_CN!"}),
        "language",
        "zh_CN!",
    ),
    "missing_library": (
        build_h5p(
            h5p_json_overrides={
                "preloadedDependencies": [
                    {"machineName": "H5P.QingpuQuiz", "majorVersion": 1, "minorVersion": 1},
                    {"machineName": "H5P.JoubelUI", "majorVersion": 1, "minorVersion": 3},
                ]
            }
        ),
        "dependency_missing",
        "H5P.JoubelUI-1.3",
    ),
    "missing_preloaded_js": (
        build_h5p(omit=[f"{LIB}/quiz.js"]),
        "preloaded_missing",
        "quiz.js",
    ),
    "invalid_json": (
        build_h5p(extra_files={"content/content.json": '{"question": "缺少右括号"'}),
        "invalid_json",
        "content/content.json",
    ),
    "invalid_h5p_json": (
        build_h5p(extra_files={"h5p.json": "[1, 2"}),
        "invalid_json",
        "h5p.json",
    ),
    "missing_h5p_json": (build_h5p(omit=["h5p.json"]), "missing_file", "h5p.json"),
    "missing_content_json": (
        build_h5p(omit=["content/content.json"]),
        "missing_file",
        "content/content.json",
    ),
    "library_folder_name": (
        zip_bytes(
            {
                (k.replace(LIB, "H5P.QingpuQuiz-2.0") if k.startswith(LIB) else k): v
                for k, v in package_files().items()
            }
        ),
        "library_folder_name",
        "H5P.QingpuQuiz-1.1",
    ),
    "library_field_missing": (
        build_h5p(
            extra_files={
                f"{LIB}/library.json": json.dumps(
                    {
                        "machineName": "H5P.QingpuQuiz",
                        "majorVersion": 1,
                        "minorVersion": 1,
                        "preloadedJs": [{"path": "quiz.js"}],
                    }
                )
            }
        ),
        "field_missing",
        "patchVersion",
    ),
    "library_without_library_json": (
        build_h5p(extra_files={"H5P.Stray-1.0/x.js": "1"}),
        "library_json_missing",
        "H5P.Stray-1.0/library.json",
    ),
}


@pytest.mark.parametrize("case", sorted(CORPUS))
def test_corpus_each_rejected_with_its_own_message(case):
    data, code, needle = CORPUS[case]
    result, codes, messages = check(data)
    assert not result.is_valid
    assert code in codes, (case, codes)
    assert any(needle in message for message in messages), (case, messages)


def test_corpus_messages_are_distinct():
    first = {case: check(data)[2][0] for case, (data, _, _) in CORPUS.items()}
    assert len(set(first.values())) == len(first)


def test_zip_bomb_is_stopped_by_the_bytes_read(settings):
    settings.H5P_COMPRESSION_RATIO_FLOOR = 64 * 1024
    settings.H5P_MAX_COMPRESSION_RATIO = 50
    bomb = build_h5p(extra_files={"content/zeros.txt": b"\0" * (8 * 1024 * 1024)})
    result, codes, messages = check(bomb)
    assert codes == ["compression_ratio"]
    assert "content/zeros.txt" in messages[0]
    # Stopped early: far fewer bytes counted than the file holds.
    assert result.total_size < 1024 * 1024


def test_declared_sizes_are_not_trusted(settings):
    """An entry that declares itself small but unpacks large is measured, not believed."""
    settings.H5P_MAX_FILE_SIZE = 100 * 1024
    settings.H5P_COMPRESSION_RATIO_FLOOR = 10**9
    data = build_h5p(extra_files={"content/big.txt": b"a" * (300 * 1024)})
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo("content/big.txt")
        declared = info.file_size
    # Rewrite the central directory's uncompressed size of that entry to 10 bytes.
    patched = bytearray(data)
    marker = b"content/big.txt"
    index = patched.rfind(marker)
    header = index - 46
    assert patched[header : header + 4] == b"PK\x01\x02"
    assert int.from_bytes(patched[header + 24 : header + 28], "little") == declared
    patched[header + 24 : header + 28] = (10).to_bytes(4, "little")
    result, codes, _ = check(bytes(patched))
    assert not result.is_valid
    # Either our byte count stops it, or zipfile's own CRC/length check does; never valid.
    assert set(codes) & {"file_too_large", "not_zip", "unreadable"}


def test_oversize_file(settings):
    settings.H5P_MAX_FILE_SIZE = 64 * 1024
    settings.H5P_COMPRESSION_RATIO_FLOOR = 10**9
    _result, codes, messages = check(
        build_h5p(extra_files={"content/video.mp4": bytes(range(256)) * 1024})
    )
    assert codes == ["file_too_large"]
    assert "content/video.mp4" in messages[0] and "64.0 KB" in messages[0]


def test_oversize_total(settings):
    settings.H5P_MAX_TOTAL_SIZE = 100 * 1024
    settings.H5P_COMPRESSION_RATIO_FLOOR = 10**9
    extra = {f"content/part{i}.mp3": bytes(range(256)) * 200 for i in range(3)}
    _result, codes, _ = check(build_h5p(extra_files=extra))
    assert codes == ["total_too_large"]


def test_messages_translate_when_shown():
    result = check(build_h5p(h5p_json_overrides={"language": "zh_CN!"}))[0]
    error = result.errors[0]
    with translation.override("zh-hans"):
        chinese = error.message
    with translation.override("en"):
        english = error.message
    assert "zh_CN!" in chinese and "zh_CN!" in english
