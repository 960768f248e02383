"""Notifications: the header bell's unread count (one query, signed-in users only), the list,
opening one, mark all read, and that nobody reaches another user's notifications."""

import pytest
from django.test import Client

from people.models import Notification
from people.notifications import (
    notification_mark_read,
    notification_unread_count,
    notifications_mark_all_read,
)

pytestmark = pytest.mark.django_db

URL = "/accounts/notifications/"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def notify(user, n=1, **fields):
    return [
        Notification.objects.create(
            user=user, title=fields.get("title", f"讲座提醒 {i}"), url=fields.get("url", "")
        )
        for i in range(n)
    ]


def test_login_required():
    response = Client().get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_empty_state(teacher_a):
    response = client_for(teacher_a).get(URL)
    assert response.status_code == 200
    assert "notif-list" not in response.text
    assert 'class="empty-state"' in response.text
    assert 'class="notif-count"' not in response.text


def test_list_newest_first_with_bell_count(teacher_a, teacher_b):
    old, new = notify(teacher_a, 2)
    notify(teacher_b, 1, title="别人的通知")
    response = client_for(teacher_a).get(URL)
    text = response.text
    assert text.index(new.title) < text.index(old.title)
    assert "别人的通知" not in text
    assert '<span class="notif-count">2<' in text
    # Listing marks nothing read.
    assert Notification.objects.filter(user=teacher_a, read_at__isnull=True).count() == 2


def test_list_is_paginated(teacher_a):
    notify(teacher_a, 25)
    client = client_for(teacher_a)
    first = client.get(URL)
    assert first.text.count('class="notif-item') == 20
    second = client.get(URL + "?page=2")
    assert second.text.count('class="notif-item') == 5
    assert client.get(URL + "?page=abc").status_code == 200
    assert client.get(URL + "?page=999").status_code == 200


def test_list_query_count_does_not_grow(teacher_a, django_assert_max_num_queries):
    client = client_for(teacher_a)
    notify(teacher_a, 2)
    client.get(URL)  # warm the site settings cache
    with django_assert_max_num_queries(10) as small:
        client.get(URL)
    notify(teacher_a, 30)
    with django_assert_max_num_queries(len(small)):
        client.get(URL)


def test_bell_costs_one_query_and_none_when_anonymous(teacher_a, django_assert_num_queries, rf):
    from django.contrib.auth.models import AnonymousUser

    from people.context_processors import notifications

    notify(teacher_a, 3)
    request = rf.get("/")
    request.user = teacher_a
    context = notifications(request)
    with django_assert_num_queries(1):
        assert int(str(context["unread_notifications"])) == 3
        # A second template render in the same request reuses the count.
        assert str(notifications(request)["unread_notifications"]) == "3"
    anonymous = rf.get("/")
    anonymous.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert not notifications(anonymous)["unread_notifications"]


def test_bell_is_absent_for_anonymous_visitors():
    response = Client().get("/accounts/login/")
    assert "notif-bell" not in response.text


def test_open_marks_read_and_follows_the_link(teacher_a):
    (item,) = notify(teacher_a, url="/lectures/lecture-1/")
    client = client_for(teacher_a)
    response = client.post(f"{URL}{item.pk}/open/")
    assert response.status_code == 302
    assert response["Location"] == "/lectures/lecture-1/"
    item.refresh_from_db()
    assert item.read_at is not None
    first_read = item.read_at
    client.post(f"{URL}{item.pk}/open/")  # double submit: harmless
    item.refresh_from_db()
    assert item.read_at == first_read


def test_open_never_redirects_off_site(teacher_a):
    (item,) = notify(teacher_a, url="https://evil.example.com/")
    response = client_for(teacher_a).post(f"{URL}{item.pk}/open/")
    assert response["Location"] == URL


def test_open_requires_post_and_csrf(teacher_a):
    (item,) = notify(teacher_a)
    client = client_for(teacher_a)
    assert client.get(f"{URL}{item.pk}/open/").status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(teacher_a)
    assert strict.post(f"{URL}{item.pk}/open/").status_code == 403
    assert strict.post(f"{URL}read-all/").status_code == 403
    item.refresh_from_db()
    assert item.read_at is None


def test_nobody_can_open_or_mark_another_users_notification(teacher_a, teacher_b):
    (theirs,) = notify(teacher_b)
    client = client_for(teacher_a)
    assert client.post(f"{URL}{theirs.pk}/open/").status_code == 404
    assert client.post(f"{URL}read-all/").status_code == 302
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert notification_mark_read(user=teacher_a, notification_id=theirs.pk) is None
    assert notification_unread_count(user=teacher_b) == 1


def test_mark_all_read(teacher_a):
    notify(teacher_a, 3)
    client = client_for(teacher_a)
    response = client.post(f"{URL}read-all/", follow=True)
    assert response.status_code == 200
    assert 'class="notif-count"' not in response.text
    assert notification_unread_count(user=teacher_a) == 0
    assert notifications_mark_all_read(user=teacher_a) == 0  # repeat: nothing to do
