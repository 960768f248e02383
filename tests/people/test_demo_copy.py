"""people.demo.copy.bulk_insert: COPY + INSERT … ON CONFLICT DO NOTHING on PostgreSQL,
bulk_create elsewhere; either way a re-run is a no-op and conflicting rows are skipped."""

import datetime

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from people.demo.copy import bulk_insert
from people.models import Notification, RosterImport, School

pytestmark = pytest.mark.django_db
# The COPY path is PostgreSQL's: tier 2 runs these, tier 1 deselects them (never a skip).
on_postgres = pytest.mark.postgres


def school_rows(codes):
    return [
        {
            "code": code,
            "name": f"示例学校{code}",
            "district": "青浦区",
            "offers_primary": True,
            "students_primary": 100 + n,
        }
        for n, code in enumerate(codes)
    ]


def test_inserts_rows_with_defaults_and_is_idempotent():
    codes = [f"T{n:04d}" for n in range(25)]
    before = timezone.now()
    bulk_insert(School, school_rows(codes))
    schools = list(School.objects.filter(code__in=codes).order_by("code"))
    assert [school.code for school in schools] == codes
    first = schools[3]
    assert first.students_primary == 103 and first.offers_primary
    assert first.students_junior == 0 and first.offers_junior is False  # model defaults
    assert first.address == ""  # a blank CharField without default
    assert first.created_at >= before and first.updated_at >= before  # auto_now(_add)
    snapshot = sorted(School.objects.values_list("pk", "code", "name", "updated_at"))

    again = bulk_insert(School, school_rows(codes))

    assert sorted(School.objects.values_list("pk", "code", "name", "updated_at")) == snapshot
    if connection.vendor == "postgresql":
        assert again == 0


def test_conflicting_rows_are_skipped_and_existing_rows_kept(school_a):
    rows = school_rows([school_a.code, "T9001", "T9002"])
    rows[0]["name"] = "不应覆盖"
    bulk_insert(School, rows)
    school_a.refresh_from_db()
    assert school_a.name != "不应覆盖"
    assert School.objects.filter(code__in=["T9001", "T9002"]).count() == 2


def test_tuple_rows_need_fields_and_keep_their_order(teacher_a):
    rows = [(teacher_a.pk, f"通知{n}", f"key-{n}") for n in range(5)]
    with pytest.raises(TypeError):
        bulk_insert(Notification, rows)
    created = bulk_insert(Notification, iter(rows), fields=["user", "title", "key"])
    ids_by_title = dict(Notification.objects.values_list("title", "pk"))
    ids = [ids_by_title[f"通知{n}"] for n in range(5)]
    assert ids == sorted(ids)  # ids ascend in the order the rows were given
    assert created == 5
    bulk_insert(Notification, rows, fields=["user_id", "title", "key"])
    assert Notification.objects.count() == 5


def test_json_and_datetime_values(teacher_a):
    applied = timezone.now() - datetime.timedelta(days=2)
    bulk_insert(
        RosterImport,
        [
            {
                "original_name": "名单.xlsx",
                "file": "imports/roster/x.xlsx",
                "uploaded_by_id": teacher_a.pk,
                "errors": [{"row": 2, "message": "工号重复"}],
                "applied_at": applied,
            }
        ],
    )
    item = RosterImport.objects.get()
    assert item.errors == [{"row": 2, "message": "工号重复"}]
    assert item.summary == {}  # callable default
    assert item.applied_at == applied


def test_nothing_to_insert():
    assert bulk_insert(School, []) == 0
    assert bulk_insert(School, iter(())) == 0


@on_postgres
def test_postgres_streams_through_a_temporary_table_in_chunks(monkeypatch):
    from people.demo import copy

    monkeypatch.setattr(copy, "COPY_CHUNK", 7)  # several COPY rounds into the same table
    codes = [f"T{n:04d}" for n in range(30)]
    with CaptureQueriesContext(connection) as queries:
        created = bulk_insert(School, school_rows(codes))
    sql = [query["sql"] for query in queries.captured_queries]
    assert any(s.startswith("CREATE TEMP TABLE") for s in sql)
    assert sum("ON CONFLICT DO NOTHING" in s for s in sql) == 5  # 7+7+7+7+2
    assert created == 30
    ids = [School.objects.get(code=code).pk for code in codes]
    assert ids == sorted(ids)
    assert bulk_insert(School, school_rows(codes)) == 0
    # The temporary table is gone: a second call in the same transaction works.
    assert bulk_insert(School, school_rows(["T0100"])) == 1


@on_postgres
def test_postgres_without_ignore_conflicts_fails_on_a_duplicate(school_a):
    with pytest.raises(IntegrityError):
        bulk_insert(School, school_rows([school_a.code]), ignore_conflicts=False)


def test_analyze_is_harmless_everywhere():
    from people.demo.copy import analyze

    bulk_insert(School, school_rows([f"T{n:04d}" for n in range(12)]))
    analyze(School, Notification)  # no-op on SQLite


@on_postgres
def test_analyze_refreshes_the_planner_row_estimate():
    from people.demo.copy import analyze

    bulk_insert(School, school_rows([f"T{n:04d}" for n in range(40)]))
    analyze(School)
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [School._meta.db_table])
        (estimate,) = cursor.fetchone()
    assert estimate == School.objects.count()
