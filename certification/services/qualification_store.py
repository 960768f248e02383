"""The writes of the qualification engine: the statuses of a chunk in one upsert statement,
and the expiry reminders (in-site notification and e-mail, once each)."""

from __future__ import annotations

import datetime
import json
import logging

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from people.models import Notification

from ..models.qualification import QualificationStandard, QualificationState, QualificationStatus

logger = logging.getLogger(__name__)


def reminder_key(*, standard_code: str, state: str, expires_on: datetime.date) -> str:
    return f"qual-{standard_code}-{state}-{expires_on:%Y%m%d}"


def _reminder_text(standard: QualificationStandard, status):
    values = {"name": standard.name, "date": f"{status.expires_on:%Y-%m-%d}"}
    if status.state == QualificationState.EXPIRING:
        title = _("Your %(name)s expires on %(date)s") % values
        body = (
            _(
                "Your %(name)s expires on %(date)s. Earn the renewal hours in mentor training "
                "before then to renew it."
            )
            % values
        )
    else:
        title = _("Your %(name)s expired on %(date)s") % values
        body = (
            _("Your %(name)s expired on %(date)s. See what is needed to regain it on your page.")
            % values
        )
    return title, body


def send_reminders(standard: QualificationStandard, statuses: list, emails: dict[int, str]) -> int:
    """One notification (and e-mail) per status (user_id, state, expires_on) that became
    expiring or expired; the notification's unique (user, key) makes a second run send
    nothing. Two queries."""
    if not statuses:
        return 0
    wanted = {
        (
            s.user_id,
            reminder_key(standard_code=standard.code, state=s.state, expires_on=s.expires_on),
        ): s
        for s in statuses
    }
    sent = set(
        Notification.objects.filter(
            user_id__in={user_id for user_id, _key in wanted},
            key__in={key for _user_id, key in wanted},
        ).values_list("user_id", "key")
    )
    fresh = [(key, s) for (user_id, key), s in wanted.items() if (user_id, key) not in sent]
    if not fresh:
        return 0
    path = reverse("courses:me")
    notes, messages = [], []
    with translation.override(settings.LANGUAGE_CODE):
        for key, status in fresh:
            title, body = _reminder_text(standard, status)
            notes.append(
                Notification(user_id=status.user_id, title=title, body=body, url=path, key=key)
            )
            if emails.get(status.user_id):
                messages.append(EmailMessage(subject=title, body=body, to=[emails[status.user_id]]))
    Notification.objects.bulk_create(notes, ignore_conflicts=True)
    if messages:
        # Mail is best effort: the in-site notification is kept whatever the mail server says.
        try:
            get_connection(fail_silently=False).send_messages(messages)
        except OSError:
            logger.exception(
                "Qualification reminder e-mails could not be sent (%d).", len(messages)
            )
    return len(notes)


# --- The upsert: one statement per chunk --------------------------------------------------

# Columns written by the recompute; a conflict on (user, standard_code) updates all but the
# key, and never a revoked row (it may have been revoked since the chunk was read).
_UPSERT_COLUMNS = [
    ("user_id", "bigint"),
    ("standard_code", "varchar(30)"),
    ("standard_id", "bigint"),
    ("state", "varchar(12)"),
    ("progress", "numeric(5,2)"),
    ("missing", "jsonb"),
    ("qualified_on", "date"),
    ("expires_on", "date"),
    ("computed_at", "timestamptz"),
    ("changed_at", "timestamptz"),
    ("revoked_reason", "varchar(300)"),
]


def _upsert_sql(vendor: str) -> str:
    table = connection.ops.quote_name(QualificationStatus._meta.db_table)
    names = [name for name, _type in _UPSERT_COLUMNS]
    columns = ", ".join(names)
    updates = ", ".join(
        f"{name} = excluded.{name}" for name in names if name not in ("user_id", "standard_code")
    )
    conflict = (
        f"ON CONFLICT (user_id, standard_code) DO UPDATE SET {updates} "
        f"WHERE {table}.state <> '{QualificationState.REVOKED.value}'"
    )
    if vendor == "postgresql":
        record = ", ".join(f"{name} {sql_type}" for name, sql_type in _UPSERT_COLUMNS)
        # Only module constants are interpolated; the rows are the one bound parameter.
        source = f"SELECT {columns} FROM jsonb_to_recordset(%s::jsonb) AS r({record})"  # noqa: S608
    else:  # SQLite: json_each; "WHERE true" keeps ON CONFLICT from parsing as a join clause
        fields = ", ".join(f"json_extract(value, '$.{name}')" for name in names)
        source = f"SELECT {fields} FROM json_each(%s) WHERE true"  # noqa: S608
    return f"INSERT INTO {table} ({columns}) {source} {conflict}"


def upsert_statuses(rows: list[dict]) -> None:
    """Write the chunk's statuses in one statement, whatever its size: the rows travel as one
    JSON parameter (bulk_create would split them into many batches on SQLite). Each row is a
    dict of the _UPSERT_COLUMNS (dates and times as Python values)."""
    if not rows:
        return
    vendor = connection.vendor
    if vendor not in ("postgresql", "sqlite"):
        QualificationStatus.objects.bulk_create(
            [QualificationStatus(**row) for row in rows],
            batch_size=1_000,
            update_conflicts=True,
            unique_fields=["user", "standard_code"],
            update_fields=[
                "standard",
                "state",
                "progress",
                "missing",
                "qualified_on",
                "expires_on",
                "computed_at",
                "changed_at",
            ],
        )
        return
    moments: dict[datetime.datetime, str] = {}

    def moment(value: datetime.datetime) -> str:
        # Most rows share the run's timestamp: convert each distinct value once.
        if value not in moments:
            moments[value] = (
                connection.ops.adapt_datetimefield_value(value)
                if vendor == "sqlite"
                else value.isoformat()
            )
        return moments[value]

    payload = [
        {
            **row,
            "state": str(row["state"]),
            "progress": str(row["progress"]),
            "missing": row["missing"] if vendor == "postgresql" else json.dumps(row["missing"]),
            "qualified_on": row["qualified_on"].isoformat() if row["qualified_on"] else None,
            "expires_on": row["expires_on"].isoformat() if row["expires_on"] else None,
            "computed_at": moment(row["computed_at"]),
            "changed_at": moment(row["changed_at"]),
            "revoked_reason": "",
        }
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.execute(_upsert_sql(vendor), [json.dumps(payload, ensure_ascii=False)])
