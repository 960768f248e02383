"""Helpers of the catalog, course, lesson and enrolment tests.

Pages and messages are shown in Chinese once the catalog translates our strings, so tests
compare with `t(msgid)` — the msgid through gettext, as the page renders it — never with
English text. Template literals ({% translate %}) are not escaped; messages are.
"""

from django.test import Client
from django.utils.translation import gettext


def t(msgid: str, **params) -> str:
    text = gettext(msgid)
    return text % params if params else text


def client_for(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]
