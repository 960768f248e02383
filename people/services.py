"""Writes for people: roster imports (upload, check, confirm, apply) and the command's import."""

import logging
import secrets
import sqlite3
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path, PurePath

from django.conf import settings
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.expressions import DatabaseDefault
from django.utils import timezone
from django.utils.translation import gettext as _

from cms.queueing import task_delay_or_log
from people import audit, roles, roster
from people.models import ProfessionalTitle, RosterImport, School, Stage, User
from people.roster import RosterRow, RowError

logger = logging.getLogger(__name__)

ERRORS_STORED_MAX = 1000
CHANGES_SAMPLE_SIZE = 50
LOOKUP_CHUNK_MAX = 5000
# User field -> the roster column shown as its label in previews.
FIELD_COLUMNS = {
    "full_name": "姓名",
    "school_id": "学校代码",
    "stage": "学段",
    "subjects": "学科",
    "title": "职称",
    "is_head_teacher": "班主任",
    "phone": "手机",
    "email": "邮箱",
}


@dataclass
class RosterOutcome:
    """What a roster check (and, when applied, the write) found and did."""

    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    total_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    changes: list[dict] = field(default_factory=list)
    applied: bool = False
    # Internal: what to write.
    fields: list[str] = field(default_factory=list, repr=False)
    creates: list[RosterRow] = field(default_factory=list, repr=False)
    updates: list[tuple[int, RosterRow]] = field(default_factory=list, repr=False)

    def summary(self) -> dict:
        return {
            "total_rows": self.total_rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "error_count": len(self.errors),
            "warnings": [w.as_dict() for w in self.warnings],
            "changes": self.changes,
            "applied": self.applied,
        }


class _RosterRejected(Exception):
    def __init__(self, outcome: RosterOutcome):
        super().__init__("roster has errors")
        self.outcome = outcome


# --- The check and the write, shared by the admin flow and the command ---------------------


def _roster_check(
    *,
    data: bytes,
    filename: str,
    school_scope_id: int | None,
    on_total=None,
    progress=None,
) -> RosterOutcome:
    """Parse, validate and compare with the database. Queries: schools, then users in chunks."""
    table = roster.read_roster(data, filename=filename)
    outcome = RosterOutcome(total_rows=len(table.rows), warnings=list(table.warnings))
    if on_total:
        on_total(outcome.total_rows)
    if any(error.row == 0 for error in table.errors):
        outcome.errors = roster.sort_errors(table.errors)
        return outcome
    check = roster.validate_roster(table, school_scope_id=school_scope_id, progress=progress)
    outcome.warnings, outcome.fields = check.warnings, check.fields
    existing = _users_by_staff_no([row.staff_no for row in check.rows], check.fields)
    privileged = _privileged_user_ids() if school_scope_id is not None else set()
    account_errors = roster.check_existing_users(
        check.rows, existing, school_scope_id=school_scope_id, privileged_ids=privileged
    )
    outcome.errors = roster.sort_errors([*check.errors, *account_errors])
    if outcome.errors:
        return outcome
    school_codes = {row.values.get("school_id"): row.school_code for row in check.rows}
    for row in check.rows:
        user = existing.get(row.staff_no)
        if user is None:
            outcome.creates.append(row)
            if len(outcome.changes) >= CHANGES_SAMPLE_SIZE:
                continue
            changed = {name: ("", value) for name, value in row.values.items() if value}
            action = "create"
        else:
            changed = {
                name: (user[name], value)
                for name, value in row.values.items()
                if user[name] != value
            }
            if not changed:
                outcome.unchanged += 1
                continue
            outcome.updates.append((user["pk"], row))
            action = "update"
        if len(outcome.changes) < CHANGES_SAMPLE_SIZE:
            outcome.changes.append(_change_sample(row, action, changed, user, school_codes))
    outcome.created, outcome.updated = len(outcome.creates), len(outcome.updates)
    return outcome


def _max_bound_parameters() -> int:
    """Parameters one statement may bind: SQLite's compiled limit (32,766 since 3.32, 999
    before), PostgreSQL's protocol limit (65,535)."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        try:
            return connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        except AttributeError:  # Python < 3.11
            return 999
    return 65535


def lookup_chunk() -> int:
    """How many staff numbers one `staff_no IN (...)` carries."""
    return max(100, min(LOOKUP_CHUNK_MAX, _max_bound_parameters() - 10))


def _users_by_staff_no(staff_nos: list[str], fields: list[str]) -> dict[str, dict]:
    """Existing accounts as plain dicts (model instances cost ~0.1 ms each at this scale)."""
    columns = list(dict.fromkeys(["pk", "staff_no", "is_superuser", "school_id", *fields]))
    users = {}
    for chunk in roster.chunked(staff_nos, lookup_chunk()):
        query = User.objects.filter(staff_no__in=chunk).values_list(*columns, "school__code")
        for *values, school_code in query:
            user = dict(zip(columns, values, strict=True))
            user["school_code"] = school_code or ""
            users[user["staff_no"]] = user
    return users


def _privileged_user_ids() -> set[int]:
    """District-level accounts, which no school-scoped import may touch (a handful)."""
    names = [roles.DISTRICT_ADMIN, roles.HR]
    return set(User.objects.filter(groups__name__in=names).values_list("pk", flat=True))


def _change_sample(row: RosterRow, action: str, changed: dict, user, school_codes) -> dict:
    def shown(name, value, school_code):
        return school_code if name == "school_id" else _display(name, value)

    return {
        "row": row.row,
        "staff_no": row.staff_no,
        "full_name": row.values.get("full_name", ""),
        "action": action,
        "fields": [
            {
                "column": FIELD_COLUMNS[name],
                "before": shown(name, before, user["school_code"] if user else ""),
                "after": shown(name, after, school_codes.get(after, "")),
            }
            for name, (before, after) in changed.items()
        ],
    }


def _display(name: str, value) -> str:
    if value in ("", None):
        return ""
    if name == "stage":
        return str(Stage(value).label)
    if name == "title":
        return str(ProfessionalTitle(value).label)
    if name == "is_head_teacher":
        return _("Yes") if value else _("No")
    return str(value)


def _unusable_password() -> str:
    # Same shape as make_password(None) ("!" + 40 random characters), which costs ~0.1 ms a
    # call in get_random_string: 5 s for a 50,000-row roster.
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)


def _insert_rows(model, fields, rows: list[list]) -> None:
    """INSERT already prepared rows: COPY on PostgreSQL, one executemany elsewhere.

    Used instead of bulk_create, which compiles SQL for every value (~13 µs each: 11 s for
    50,000 new users of 17 fields) and on SQLite caps a statement at 999 parameters. SQLite
    runs executemany in C; on PostgreSQL psycopg 3's COPY loads 50,000 rows in well under a
    second where a pipelined executemany takes ~10 s. (Multi-row VALUES statements are slow
    there too: psycopg's client-side binding parses every placeholder.)
    """
    if not rows:
        return
    quote = connection.ops.quote_name
    table, columns = quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
    with connection.cursor() as cursor:
        raw = cursor.cursor
        if connection.vendor == "postgresql" and hasattr(raw, "copy"):
            # Not seen by Django's query log: it goes straight to the psycopg cursor.
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        placeholders = ", ".join(["%s"] * len(fields))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608 (_meta)
        cursor.executemany(sql, rows)


def _db_value_preparer(field):
    """field.get_db_prep_save, without its ~15 µs a value where the result is known: text
    passes through unchanged, and other values (schools, stages, flags, dates) repeat."""
    if field.get_internal_type() in ("CharField", "EmailField", "TextField"):
        return lambda value: value
    prepared = {}

    def prepare(value):
        if value not in prepared:
            prepared[value] = field.get_db_prep_save(value, connection)
        return prepared[value]

    return prepare


def _roster_write(outcome: RosterOutcome) -> None:
    """Set-based writes: new users, changed users only, and the 教师 role for new users."""
    now = timezone.now()
    if outcome.creates:
        teacher = Group.objects.get(name=roles.TEACHER)
        constants = {"last_login": None, "date_joined": now, "updated_at": now}
        user_fields = [
            f
            for f in User._meta.concrete_fields
            if not f.primary_key and not isinstance(f.get_default(), DatabaseDefault)
        ]
        defaults = {f.attname: constants.get(f.attname, f.get_default()) for f in user_fields}
        preparers = [(f.attname, _db_value_preparer(f)) for f in user_fields]
        rows = []
        for row in outcome.creates:
            values = {
                **defaults,
                **row.values,
                "staff_no": row.staff_no,
                "password": _unusable_password(),
            }
            rows.append([prepare(values[name]) for name, prepare in preparers])
        _insert_rows(User, user_fields, rows)
        new_ids = _users_by_staff_no([row.staff_no for row in outcome.creates], [])
        membership = User.groups.through
        membership_fields = [
            membership._meta.get_field("user"),
            membership._meta.get_field("group"),
        ]
        _insert_rows(
            membership,
            membership_fields,
            [[user["pk"], teacher.pk] for user in new_ids.values()],
        )
    if outcome.updates:
        quote = connection.ops.quote_name
        names = [*outcome.fields, "updated_at"]
        update_fields = [User._meta.get_field(name) for name in names]
        assignments = ", ".join(f"{quote(f.column)} = %s" for f in update_fields)
        sql = (  # identifiers from model metadata, values bound
            f"UPDATE {quote(User._meta.db_table)} SET {assignments} "  # noqa: S608
            f"WHERE {quote(User._meta.pk.column)} = %s"
        )
        preparers = [(f.attname, _db_value_preparer(f)) for f in update_fields]
        params = []
        for pk, row in outcome.updates:
            values = {**row.values, "updated_at": now}
            params.append([*(prepare(values[name]) for name, prepare in preparers), pk])
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)
    outcome.applied = True


# --- Roster import jobs (admin upload) ----------------------------------------------------


def roster_import_create(*, uploaded_file, uploaded_by: User, school_scope: School | None):
    """Store the upload and queue its check."""
    from people.tasks import roster_import_validate_task

    original_name = PurePath(uploaded_file.name or "roster").name[:255]
    # Stored under a generated ASCII name: Chinese file names are kept in original_name.
    uploaded_file.name = f"roster-{uuid.uuid4().hex}{PurePath(original_name).suffix.lower()}"
    roster_import = RosterImport(
        file=uploaded_file,
        original_name=original_name,
        uploaded_by=uploaded_by,
        school_scope=school_scope,
    )
    roster_import.full_clean()
    with transaction.atomic():
        roster_import.save()
        audit.roster_import_logged(
            roster_import=roster_import, action=audit.ROSTER_UPLOAD, user=uploaded_by
        )
        pk = roster_import.pk
        transaction.on_commit(
            lambda: _queue_or_fail(roster_import_validate_task, pk, RosterImport.Status.PENDING)
        )
    return roster_import


def import_job_queue_or_fail(task, model, job_id: int, waiting: str) -> None:
    """Queue an import job's next step (roster or training records); when the broker is
    down, the upload has been saved but nothing will run it, so mark the job failed with a
    message instead of failing the request."""
    if task_delay_or_log(task, job_id):
        return
    message = _(
        "The background task service is unavailable, so the import did not start; nothing "
        "was changed. Please try again in a few minutes."
    )
    model.objects.filter(pk=job_id, status=waiting).update(
        status=model.Status.FAILED,
        errors=[RowError(0, "", "failed", message).as_dict()],
        updated_at=timezone.now(),
    )


def _queue_or_fail(task, roster_import_id: int, waiting: str) -> None:
    import_job_queue_or_fail(task, RosterImport, roster_import_id, waiting)


def _stale_before():
    return timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)


def _read_upload(roster_import: RosterImport) -> bytes:
    with roster_import.file.open("rb") as handle:
        return handle.read(settings.ROSTER_IMPORT_MAX_BYTES + 1)


def _store_errors(roster_import: RosterImport, outcome: RosterOutcome) -> None:
    roster_import.errors = [error.as_dict() for error in outcome.errors[:ERRORS_STORED_MAX]]
    roster_import.summary = outcome.summary()


def _mark_failed(roster_import_id: int, running: str) -> None:
    """Record an unexpected error, unless another run has finished the import meanwhile."""
    logger.exception("roster import %s failed", roster_import_id)
    message = _("The import stopped because of an unexpected error; nothing was changed.")
    RosterImport.objects.filter(pk=roster_import_id, status=running).update(
        status=RosterImport.Status.FAILED,
        errors=[RowError(0, "", "failed", message).as_dict()],
        updated_at=timezone.now(),
    )


def roster_import_validate(*, roster_import_id: int) -> RosterImport:
    """Check the uploaded file and preview the changes; a second run is a no-op."""
    status = RosterImport.Status
    claimed = (
        RosterImport.objects.filter(pk=roster_import_id)
        .filter(
            Q(status=status.PENDING) | Q(status=status.VALIDATING, updated_at__lt=_stale_before())
        )
        .update(status=status.VALIDATING, processed_rows=0, updated_at=timezone.now())
    )
    roster_import = RosterImport.objects.get(pk=roster_import_id)
    if not claimed:
        return roster_import
    jobs = RosterImport.objects.filter(pk=roster_import_id)
    try:
        outcome = _roster_check(
            data=_read_upload(roster_import),
            filename=roster_import.original_name,
            school_scope_id=roster_import.school_scope_id,
            on_total=lambda total: jobs.update(total_rows=total, updated_at=timezone.now()),
            progress=lambda done: jobs.update(processed_rows=done, updated_at=timezone.now()),
        )
    except Exception:
        _mark_failed(roster_import_id, status.VALIDATING)
        roster_import.refresh_from_db()
        return roster_import
    _store_errors(roster_import, outcome)
    roster_import.status = status.INVALID if outcome.errors else status.VALID
    roster_import.total_rows = roster_import.processed_rows = outcome.total_rows
    roster_import.save(
        update_fields=["status", "errors", "summary", "total_rows", "processed_rows", "updated_at"]
    )
    return roster_import


def roster_import_confirm(*, roster_import_id: int, applied_by: User) -> bool:
    """Mark a checked import for applying and queue it; False when it was not ready (e.g. a
    second click): the conditional UPDATE lets only one request through."""
    from people.tasks import roster_import_apply_task

    claimed = RosterImport.objects.filter(
        pk=roster_import_id, status=RosterImport.Status.VALID
    ).update(status=RosterImport.Status.APPLYING, applied_by=applied_by, updated_at=timezone.now())
    if claimed:
        audit.roster_import_logged(
            roster_import=RosterImport.objects.get(pk=roster_import_id),
            action=audit.ROSTER_CONFIRM,
            user=applied_by,
        )
        transaction.on_commit(
            lambda: _queue_or_fail(
                roster_import_apply_task, roster_import_id, RosterImport.Status.APPLYING
            )
        )
    return bool(claimed)


def roster_import_apply(*, roster_import_id: int, applied_by: User | None = None) -> RosterImport:
    """Write a checked import: re-check against the current database, then all or nothing.

    Only a VALID (or confirmed, APPLYING) import proceeds; APPLIED is set in the same
    transaction as the writes, so a second run finds it applied and does nothing.
    """
    status = RosterImport.Status
    RosterImport.objects.filter(pk=roster_import_id, status=status.VALID).update(
        status=status.APPLYING, applied_by=applied_by, updated_at=timezone.now()
    )
    try:
        with transaction.atomic():
            roster_import = RosterImport.objects.select_for_update().get(pk=roster_import_id)
            if roster_import.status != status.APPLYING:
                return roster_import
            outcome = _roster_check(
                data=_read_upload(roster_import),
                filename=roster_import.original_name,
                school_scope_id=roster_import.school_scope_id,
            )
            if outcome.errors:
                raise _RosterRejected(outcome)
            _roster_write(outcome)
            _store_errors(roster_import, outcome)
            roster_import.status = status.APPLIED
            roster_import.applied_at = timezone.now()
            roster_import.save(
                update_fields=["status", "errors", "summary", "applied_at", "updated_at"]
            )
            audit.roster_import_logged(
                roster_import=roster_import,
                action=audit.ROSTER_APPLY,
                user=roster_import.applied_by_id,
            )
            return roster_import
    except _RosterRejected as rejected:
        # The database changed since the check: nothing was written; show the new errors.
        roster_import = RosterImport.objects.get(pk=roster_import_id)
        _store_errors(roster_import, rejected.outcome)
        roster_import.status = status.INVALID
        roster_import.save(update_fields=["status", "errors", "summary", "updated_at"])
        return roster_import
    except Exception:
        _mark_failed(roster_import_id, status.APPLYING)
        return RosterImport.objects.get(pk=roster_import_id)


# --- The management command's import -------------------------------------------------------


def roster_import_file(
    *, path: str | Path, dry_run: bool, school_scope: School | None = None
) -> RosterOutcome:
    """Check a roster file and, unless dry_run or it has errors, apply it in one transaction."""
    path = Path(path)
    with path.open("rb") as handle:
        data = handle.read(settings.ROSTER_IMPORT_MAX_BYTES + 1)
    scope_id = school_scope.pk if school_scope else None
    if dry_run:
        return _roster_check(data=data, filename=path.name, school_scope_id=scope_id)
    try:
        with transaction.atomic():
            outcome = _roster_check(data=data, filename=path.name, school_scope_id=scope_id)
            if outcome.errors:
                raise _RosterRejected(outcome)
            _roster_write(outcome)
    except _RosterRejected as rejected:
        return rejected.outcome
    return outcome
