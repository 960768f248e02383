"""The hand-written reads of cms.hotpath and the two request-wide ones built on it (the
session, people.backends' user) give what the ORM gives: every column converted as a
queryset converts it, on SQLite and PostgreSQL, and the same answers for a missing, expired,
inactive or malformed case."""

import datetime

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone
from wagtail.models import Page

from cms.hotpath import live_page_get, live_page_sql
from cms.session_store import SessionStore
from courses.models import LecturePage, LessonPage
from people import roles
from people.backends import UserBackend, user_by_pk
from tests.factories.cms import paragraph
from tests.factories.courses import make_course, make_lesson
from tests.factories.lectures import make_lecture

pytestmark = pytest.mark.django_db


def same_values(model, fast, orm):
    for field in model._meta.concrete_fields:
        got, want = field.value_from_object(fast), field.value_from_object(orm)
        assert type(got) is type(want), field.name
        assert field.value_to_string(fast) == field.value_to_string(orm), field.name


@pytest.mark.parametrize("model", [LessonPage, LecturePage])
def test_a_live_page_reads_as_the_orm_reads_it(model):
    if model is LessonPage:
        page = make_lesson(make_course(lessons=0), blocks=[paragraph("<p>倾听与回应</p>")])
    else:
        page = make_lecture()
    page.save_revision().publish()  # latest_revision_created_at, live_revision: set
    sql = live_page_sql(model, "1 + 1 AS two")
    fast = live_page_get(model, sql, [page.pk], ("two",))
    orm = model.objects.get(pk=page.pk)
    same_values(model, fast, orm)
    assert fast.two == 2 and fast._state.adding is False
    assert isinstance(fast.last_published_at, datetime.datetime)
    assert timezone.is_aware(fast.last_published_at)
    if model is LessonPage:
        assert [block.block_type for block in fast.body] == ["paragraph"]
    assert fast.url == orm.url

    Page.objects.filter(pk=page.pk).update(live=False)
    assert live_page_get(model, sql, [page.pk], ("two",)) is None


def test_the_session_user_reads_as_the_orm_reads_it(make_user, school_a):
    teacher = make_user(roles.TEACHER, school_a, full_name="陈思远")
    fast = user_by_pk(str(teacher.pk))
    same_values(type(teacher), fast, type(teacher).objects.get(pk=teacher.pk))
    assert fast.school == school_a
    assert user_by_pk("not a number") is None
    assert user_by_pk(None) is None
    assert user_by_pk(str(teacher.pk + 1000)) is None
    assert UserBackend().get_user(teacher.pk) == teacher
    teacher.is_active = False
    teacher.save()
    assert UserBackend().get_user(teacher.pk) is None


def test_a_session_reads_until_it_expires():
    store = SessionStore()
    store["answer"] = 42
    store.create()
    key = store.session_key
    assert SessionStore(key).load() == {"answer": 42}
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    expired = SessionStore(key)
    assert expired.load() == {}
    assert expired.session_key is None  # a new key is made if it is saved, as Django does
    malformed = SessionStore("x")
    assert malformed.load() == {} and malformed.session_key is None


def test_a_session_signed_in_before_the_backend_change_stays_signed_in(make_user, school_a):
    teacher = make_user(roles.TEACHER, school_a)
    store = SessionStore()
    store[SESSION_KEY] = str(teacher.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = teacher.get_session_auth_hash()
    store.create()
    client = Client()
    client.cookies["sessionid"] = store.session_key
    response = client.get("/me/")
    assert response.status_code == 200
    assert response.wsgi_request.user == teacher
    # Tampered: the hash no longer matches (a password change), so signed out as before.
    store[HASH_SESSION_KEY] = "0" * 64
    store.save()
    assert client.get("/me/").status_code == 302


@pytest.mark.postgres
def test_postgresql_prepares_the_hot_statements_and_nothing_else(make_user, school_a):
    from django.db import connection

    from people.models import User

    page = make_lecture()
    sql = live_page_sql(LecturePage, "1 AS one")
    for _ in range(2):
        assert live_page_get(LecturePage, sql, [page.pk], ("one",)).pk == page.pk
    User.objects.filter(is_active=True).count()  # the ORM's statements stay unprepared
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert len([s for s in prepared if "WHERE s.page_ptr_id = $1 AND p.live" in s]) == 1
    assert not [s for s in prepared if "COUNT(*)" in s]
