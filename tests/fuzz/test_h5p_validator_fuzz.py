"""Fuzzing the H5P validator (issue 10 item 8): random bytes, a valid package mutated byte by
byte, and well-formed ZIPs of hostile names, compression methods and JSON shapes. The
validator may reject anything, but it reports through H5PValidation.errors (each with a
message that renders) and never raises: an exception here is a 500 on upload or a crashed
h5p_check.

Deterministic (derandomize, no example database), so CI sees the same inputs every run."""

import io
import json
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from courses.h5p.validator import H5PValidation, validate_h5p
from tests.courses.h5p_builder import QUIZ_LIBRARY, build_h5p, package_files, zip_bytes

# zipfile warns when a fuzzed archive repeats a name: that is one of the inputs we want.
pytestmark = pytest.mark.filterwarnings("ignore:Duplicate name:UserWarning")

FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
VALID = build_h5p()


def check(data: bytes) -> H5PValidation:
    result = validate_h5p(io.BytesIO(data))
    assert isinstance(result, H5PValidation)
    # Every error renders to a message (an unknown code or a missing parameter would raise).
    assert all(isinstance(message, str) and message for message in result.messages)
    return result


def test_the_seed_package_is_valid():
    assert check(VALID).is_valid


@FUZZ
@given(st.binary(max_size=4096))
def test_random_bytes(data):
    check(data)


@FUZZ
@given(st.binary(max_size=64).map(lambda tail: b"PK\x03\x04" + tail))
def test_random_bytes_behind_a_zip_signature(data):
    check(data)


@st.composite
def mutated(draw, original=VALID):
    """The valid package with a few bytes overwritten, inserted or removed, or truncated:
    broken headers, bad CRCs, corrupt deflate streams, lying sizes."""
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 8))):
        if not data:
            break
        position = draw(st.integers(0, len(data) - 1))
        action = draw(st.sampled_from(["flip", "set", "insert", "delete", "truncate"]))
        if action == "flip":
            data[position] ^= 1 << draw(st.integers(0, 7))
        elif action == "set":
            data[position] = draw(st.sampled_from([0x00, 0xFF, 0x7F, 0x80, 0x0E, 0x63]))
        elif action == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=8))
        elif action == "delete":
            del data[position : position + draw(st.integers(1, 16))]
        else:
            del data[position:]
    return bytes(data)


@FUZZ
@given(mutated())
def test_mutated_valid_package(data):
    check(data)


# JSON values of any shape, for h5p.json, content.json and library.json.
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
h5p_keys = st.sampled_from(
    [
        "title",
        "language",
        "mainLibrary",
        "embedTypes",
        "preloadedDependencies",
        "license",
        "machineName",
        "majorVersion",
        "minorVersion",
        "patchVersion",
        "runnable",
        "preloadedJs",
        "preloadedCss",
        "dynamicDependencies",
        "path",
    ]
)


@st.composite
def json_mutation(draw, base: dict):
    """`base` with some known keys replaced by values of any shape (also nested ones)."""
    data = json.loads(json.dumps(base))
    for _ in range(draw(st.integers(1, 4))):
        key = draw(h5p_keys)
        value = draw(
            json_values
            | st.lists(st.dictionaries(h5p_keys, json_values, max_size=4), max_size=3)
            | st.lists(json_values, min_size=1, max_size=3)
        )
        data[key] = value
    return data


def library_json() -> dict:
    return json.loads(package_files()[f"{QUIZ_LIBRARY}/library.json"])


@FUZZ
@given(
    h5p=json_mutation(json.loads(package_files()["h5p.json"])),
    library=json_mutation(library_json()),
    raw_content=st.one_of(st.binary(max_size=64), json_values.map(lambda v: json.dumps(v))),
)
def test_descriptors_of_any_json_shape(h5p, library, raw_content):
    files = package_files()
    files["h5p.json"] = json.dumps(h5p, ensure_ascii=False).encode()
    files[f"{QUIZ_LIBRARY}/library.json"] = json.dumps(library).encode()
    files["content/content.json"] = (
        raw_content if isinstance(raw_content, bytes) else raw_content.encode()
    )
    check(zip_bytes(files))


entry_names = st.one_of(
    st.sampled_from(
        [
            "h5p.json",
            "content/content.json",
            f"{QUIZ_LIBRARY}/library.json",
            f"{QUIZ_LIBRARY}/quiz.js",
            f"{QUIZ_LIBRARY}/icon.svg",
            "content/../../etc/passwd",
            "/etc/passwd",
            "C:/windows.txt",
            "content\\evil.json",
            "content/",
            "content/.hidden.js",
            "__MACOSX/._h5p.json",
            "content/图片/照片.png",
            "x/library.json",
            "",
        ]
    ),
    st.text(st.characters(blacklist_categories=["Cs"]), max_size=30),
)
compressions = st.sampled_from(
    [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA]
)


@st.composite
def hostile_zip(draw):
    """A well-formed ZIP: the valid package's files plus entries of hostile names, any
    compression method, any content (also SVG-looking and JSON-looking bytes)."""
    files = dict(package_files()) if draw(st.booleans()) else {}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data, compress_type=draw(compressions))
        for _ in range(draw(st.integers(0, 6))):
            name = draw(entry_names)
            data = draw(
                st.binary(max_size=200)
                | st.sampled_from([b"<svg><script>alert(1)</script></svg>", b"{}", b"[]", b""])
            )
            info = zipfile.ZipInfo(name or "_")
            info.compress_type = draw(compressions)
            info.external_attr = draw(st.sampled_from([0, 0o644 << 16, 0o120777 << 16]))
            info.flag_bits |= draw(st.sampled_from([0, 0, 0x1, 0x800]))
            archive.writestr(info, data)
    return buffer.getvalue()


@FUZZ
@given(hostile_zip())
def test_well_formed_zips_of_hostile_entries(data):
    check(data)


@FUZZ
@given(hostile_zip(), st.data())
def test_hostile_zips_mutated(data, draw):
    check(draw.draw(mutated(data)))


def test_json_nested_deeper_than_the_parser_is_an_error():
    """Found by reading what the fuzzer could not reach: json.loads raises RecursionError (not
    ValueError) on "[[[[…", and 100,000 brackets are far inside the 16 MB parse limit."""
    files = package_files()
    files["content/content.json"] = b"[" * 100_000
    result = check(zip_bytes(files))
    assert [error.code for error in result.errors] == ["invalid_json"]
