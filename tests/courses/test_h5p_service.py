"""Upload service and processing task: dedupe by checksum, extraction into media storage
only when valid, safe to run twice, queued on commit; `manage.py h5p_check`."""

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import translation

from courses.choices import H5PStatus
from courses.h5p.errors import error_message
from courses.models import H5PPackage
from courses.services.h5p import h5p_package_upload
from courses.tasks import h5p_package_process
from people import roles
from tests.courses.h5p_builder import QUIZ_LIBRARY, build_h5p, h5p_upload, quiz_package

pytestmark = pytest.mark.django_db


@pytest.fixture
def lecturer(make_user):
    return make_user(roles.LECTURER, staff_no="JS01", full_name="讲师吴")


def stored_files(prefix: str) -> set[str]:
    found = set()

    def walk(folder):
        try:
            folders, files = default_storage.listdir(folder)
        except FileNotFoundError:
            return
        found.update(f"{folder}/{name}"[len(prefix) + 1 :] for name in files)
        for sub in folders:
            walk(f"{folder}/{sub}")

    walk(prefix)
    return found


def test_upload_queues_processing_on_commit_and_extracts(
    lecturer, django_capture_on_commit_callbacks
):
    data = build_h5p(title="倾听测验")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        package = h5p_package_upload(file=h5p_upload(data), title="倾听测验", uploaded_by=lecturer)
        assert package.status == H5PStatus.PENDING
    assert len(callbacks) == 1
    package.refresh_from_db()
    checksum = hashlib.sha256(data).hexdigest()
    assert package.checksum == checksum
    assert package.size == len(data)
    assert package.status == H5PStatus.VALID
    assert package.errors == []
    assert package.main_library == QUIZ_LIBRARY
    assert package.h5p_json["title"] == "倾听测验"
    assert package.validated_at is not None
    assert package.extracted_path == f"h5p/packages/{package.pk}-{checksum[:12]}"
    assert stored_files(package.extracted_path) == {
        "h5p.json",
        "content/content.json",
        f"{QUIZ_LIBRARY}/library.json",
        f"{QUIZ_LIBRARY}/quiz.js",
        f"{QUIZ_LIBRARY}/quiz.css",
    }
    assert package.is_playable


def test_same_file_again_returns_the_existing_package(lecturer):
    first = quiz_package(title="第一次", uploaded_by=lecturer)
    again = h5p_package_upload(
        file=h5p_upload(build_h5p(title="第一次")), title="另一个标题", uploaded_by=lecturer
    )
    assert again.pk == first.pk and again.deduplicated is True
    assert H5PPackage.objects.count() == 1
    other = h5p_package_upload(
        file=h5p_upload(build_h5p(title="第二次")), title="第二次", uploaded_by=lecturer
    )
    assert other.pk != first.pk and other.deduplicated is False


def test_invalid_package_extracts_nothing_and_keeps_errors(lecturer):
    data = build_h5p(extra_files={"content/steal.js": "alert(1)"})
    package = h5p_package_upload(file=h5p_upload(data), title="坏包", uploaded_by=lecturer)
    h5p_package_process(package.pk)
    package.refresh_from_db()
    assert package.status == H5PStatus.INVALID
    assert package.extracted_path == ""
    assert not package.is_playable
    assert [e["code"] for e in package.errors] == ["content_extension"]
    with translation.override("en"):
        assert "content/steal.js" in error_message(package.errors[0])
    folder = f"h5p/packages/{package.pk}-{package.checksum[:12]}"
    assert stored_files(folder) == set()


def test_not_a_zip_is_invalid(lecturer):
    package = h5p_package_upload(file=h5p_upload(b"plain text"), title="文本", uploaded_by=lecturer)
    h5p_package_process(package.pk)
    package.refresh_from_db()
    assert package.status == H5PStatus.INVALID
    assert package.errors[0]["code"] == "not_zip"


def test_task_twice_changes_nothing_the_second_time(lecturer, django_assert_max_num_queries):
    package = h5p_package_upload(file=h5p_upload(build_h5p()), title="测验", uploaded_by=lecturer)
    assert h5p_package_process(package.pk) == H5PStatus.VALID
    package.refresh_from_db()
    first = (package.validated_at, package.extracted_path, package.updated_at)
    with django_assert_max_num_queries(1):
        assert h5p_package_process(package.pk) == H5PStatus.VALID
    package.refresh_from_db()
    assert (package.validated_at, package.extracted_path, package.updated_at) == first
    assert h5p_package_process(999999) is None


def test_upload_larger_than_the_limit_is_refused(lecturer, settings):
    settings.H5P_MAX_UPLOAD_SIZE = 1000
    with pytest.raises(ValidationError):
        h5p_package_upload(file=h5p_upload(build_h5p()), title="大", uploaded_by=lecturer)
    assert not H5PPackage.objects.exists()


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_processing_runs_on_a_real_worker(celery_worker_process, make_user):
    import time

    lecturer = make_user(roles.LECTURER, staff_no="JS02")
    package = h5p_package_upload(
        file=h5p_upload(build_h5p(title="工人测验")), title="工人测验", uploaded_by=lecturer
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        package.refresh_from_db()
        if package.status != H5PStatus.PENDING:
            break
        time.sleep(0.2)
    assert package.status == H5PStatus.VALID, package.errors
    assert "courses.h5p_package_process" in celery_worker_process["log"].read_text()
    assert default_storage.exists(f"{package.extracted_path}/h5p.json")


# --- manage.py h5p_check


def test_h5p_check_valid_exits_0_with_summary(tmp_path, capsys):
    path = tmp_path / "quiz.h5p"
    path.write_bytes(build_h5p(title="命令行测验"))
    call_command("h5p_check", str(path))
    out = capsys.readouterr().out
    assert "命令行测验" in out and QUIZ_LIBRARY in out


def test_h5p_check_invalid_exits_1_with_each_error_in_chinese(tmp_path, capsys):
    path = tmp_path / "bad.h5p"
    path.write_bytes(
        build_h5p(omit=[f"{QUIZ_LIBRARY}/quiz.js"], h5p_json_overrides={"language": "bad language"})
    )
    with pytest.raises(SystemExit) as exit_info:
        call_command("h5p_check", str(path))
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.startswith("  - ")]
    assert len(lines) == 2
    # The messages are the zh-hans rendering (the catalog's, once translated).
    with translation.override("zh-hans"):
        from courses.h5p.validator import validate_h5p

        with path.open("rb") as source:
            expected = validate_h5p(source).messages
    assert [line[4:] for line in lines] == expected
    assert "bad language" in err and "quiz.js" in err


def test_h5p_check_not_a_zip(tmp_path, capsys):
    path = tmp_path / "x.h5p"
    path.write_text("hello")
    with pytest.raises(SystemExit) as exit_info:
        call_command("h5p_check", str(path))
    assert exit_info.value.code == 1
    assert "x.h5p" in capsys.readouterr().err
