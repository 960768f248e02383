"""SESSION_ENGINE: Django's database sessions, with the read every request makes written as
one SELECT. `Session.objects.get(session_key=…, expire_date__gt=now)` spent 0.4 ms of CPU
building and compiling its query per request; the row, the expiry rule and what a missing
or expired session does (the key is dropped and the session is empty) stay Django's."""

import functools

from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone

from cms.hotpath import fetch_one


@functools.cache
def _session_sql(table: str, quote) -> str:
    return (
        f"SELECT {quote('session_data')} FROM {quote(table)} "  # noqa: S608
        f"WHERE {quote('session_key')} = %s AND {quote('expire_date')} > %s"
    )


# A session records the backend that signed its user in, and Django signs the user out when
# that path is no longer in AUTHENTICATION_BACKENDS. Sessions from before people.backends
# name Django's ModelBackend, which ours extends: they are read as ours, so a deploy signs
# nobody out (the new path is saved with the session's next change).
RENAMED_BACKENDS = {"django.contrib.auth.backends.ModelBackend": "people.backends.UserBackend"}


class SessionStore(db.SessionStore):
    def load(self):
        data = super().load()
        backend = data.get(BACKEND_SESSION_KEY)
        if backend in RENAMED_BACKENDS:
            data[BACKEND_SESSION_KEY] = RENAMED_BACKENDS[backend]
        return data

    def _get_session_from_db(self):
        key = self.session_key  # None when the cookie's value is not a valid key
        if key is not None:
            using = router.db_for_read(self.model)
            ops = connections[using].ops
            sql = _session_sql(self.model._meta.db_table, ops.quote_name)
            row = fetch_one(sql, [key, ops.adapt_datetimefield_value(timezone.now())], using)
            if row is not None:
                return self.model(session_key=key, session_data=row[0])
        self._session_key = None
        return None
