"""Builders shared by the xAPI tests: packages as bare rows, lessons that play them, and
statements shaped like the ones h5p-standalone 3.8.2 sends."""

import itertools
import json
import uuid

from django.test import Client
from django.urls import reverse

from courses.choices import CompletionCriterion, H5PStatus
from courses.models import H5PPackage
from tests.factories.courses import h5p_block, make_course, make_lesson

_numbers = itertools.count(1)
VERBS = "http://adlnet.gov/expapi/verbs/"
LOCAL_CONTENT_ID = "http://h5p.org/x-api/h5p-local-content-id"


def make_package(title="测验") -> H5PPackage:
    number = next(_numbers)
    return H5PPackage.objects.create(
        title=f"{title}{number}",
        file=f"h5p/uploads/quiz-{number}.h5p",
        checksum=f"{number:064x}",
        status=H5PStatus.VALID,
        extracted_path=f"h5p/packages/{number}/",
    )


def make_h5p_lesson(*packages, course=None, min_score=80, criterion=None):
    course = course or make_course(lessons=0)
    return make_lesson(
        course,
        title="H5P 课时",
        criterion=criterion or CompletionCriterion.H5P_PASSED,
        blocks=[h5p_block(package) for package in packages],
        min_score=min_score,
    )


def statement(
    package,
    *,
    verb="answered",
    raw=1,
    max_score=1,
    scaled="auto",
    success=True,
    parent=False,
    statement_id=None,
    actor=None,
    content_id="package",
):
    """An H5P statement about `package` (its local content id is the package id, as the
    lesson player initialises h5p-standalone with `id: <package id>`)."""
    url = f"http://testserver/media/h5p/packages/{package.pk}"
    data = {
        "id": str(statement_id or uuid.uuid4()),
        "actor": actor
        or {"name": "someone", "mbox": "mailto:someone@example.com", "objectType": "Agent"},
        "verb": {"id": VERBS + verb, "display": {"en-US": verb}},
        "object": {
            "id": url + ("?subContentId=abc" if parent else ""),
            "objectType": "Activity",
            "definition": {
                "extensions": {
                    LOCAL_CONTENT_ID: package.pk if content_id == "package" else content_id
                }
            },
        },
        "context": {
            "contextActivities": {
                "category": [{"id": "http://h5p.org/libraries/H5P.QingpuQuiz-1.1"}]
            }
        },
    }
    if parent:
        data["context"]["contextActivities"]["parent"] = [{"id": url, "objectType": "Activity"}]
    if raw is not None:
        score = {"min": 0, "max": max_score, "raw": raw}
        if scaled == "auto":
            score["scaled"] = round(raw / max_score, 4) if max_score else 0
        elif scaled is not None:
            score["scaled"] = scaled
        data["result"] = {"score": score, "completion": True}
        if success is not None:
            data["result"]["success"] = success
    return data


def post_statement(client: Client, lesson, package, stmt, **extra):
    body = {"lesson": lesson.pk, "package": package.pk, "statement": stmt}
    return post_json(client, body, **extra)


def post_json(client: Client, body, **extra):
    payload = body if isinstance(body, str | bytes) else json.dumps(body, ensure_ascii=False)
    return client.post(
        reverse("courses:xapi"), data=payload, content_type="application/json", **extra
    )


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client
