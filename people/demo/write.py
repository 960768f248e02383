"""Set-based writers for the demo data: a few queries per chunk of teachers, none per teacher."""

import secrets
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, check_password, make_password
from django.contrib.auth.models import Group
from django.db import connection, reset_queries, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from people import roles
from people.models import ProfessionalTitle, School, Stage, User

from .copy import bulk_insert
from .generate import EMAIL_DOMAIN, QINGPU, SchoolSpec, TeacherSpec

DEFAULT_CHUNK_SIZE = 5_000  # teachers generated, checked and inserted per transaction
INSERT_BATCH_SIZE = 1_000  # rows per INSERT (SQLite lowers it further to fit 999 params)
DEMO_PASSWORD = "Qingpu@2026"
TEACHER_FIELDS = [
    "staff_no",
    "full_name",
    "school_id",
    "stage",
    "subjects",
    "title",
    "is_head_teacher",
    "phone",
    "email",
    "hired_on",
    "password",
    "date_joined",
]


def _batched(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _lookup_batch_size() -> int:
    """Values per `IN (...)` so a lookup stays under the backend's parameter limit."""
    return min(connection.features.max_query_params or 10_000, 10_000) - 1


def _unusable_password() -> str:
    # What make_password(None) stores ("!" + 40 random characters), without its
    # character-by-character get_random_string, which costs seconds at 200,000 users.
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)


def demo_schools_create(*, specs: list[SchoolSpec]) -> tuple[dict[str, int], int]:
    """Insert the schools whose code is not taken yet; existing ones are left as they are.

    Returns the id of every school in `specs` by code, and how many were created.
    """
    codes = [spec.code for spec in specs]
    with transaction.atomic():
        existing = _school_ids(codes)
        new = [_school(spec) for spec in specs if spec.code not in existing]
        School.objects.bulk_create(new, batch_size=INSERT_BATCH_SIZE, ignore_conflicts=True)
        return (_school_ids(codes) if new else existing), len(new)


def _school_ids(codes: list[str]) -> dict[str, int]:
    ids: dict[str, int] = {}
    for batch in _batched(codes, _lookup_batch_size()):
        ids.update(School.objects.filter(code__in=batch).values_list("code", "pk"))
    return ids


def _school(spec: SchoolSpec) -> School:
    return School(
        code=spec.code,
        name=spec.name,
        district=spec.district.name,
        offers_primary=spec.students_primary > 0,
        offers_junior=spec.students_junior > 0,
        offers_senior=spec.students_senior > 0,
        students_primary=spec.students_primary,
        students_junior=spec.students_junior,
        students_senior=spec.students_senior,
        address=spec.address,
    )


def demo_teachers_create(
    *,
    teachers: Iterable[TeacherSpec],
    school_ids: dict[str, int],
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    on_chunk: Callable[[int, int], None] | None = None,
) -> int:
    """Insert the teachers whose 工号 is not taken yet, in the 教师 group, one transaction per
    chunk; an interrupted run resumes where it stopped. Existing users are not touched.

    `on_chunk(done, created)` is called after each chunk. Returns how many were created.
    """
    group_id = Group.objects.get_or_create(name=roles.TEACHER)[0].pk
    done = created = 0
    for chunk in _batched(teachers, chunk_size):
        created += _teachers_chunk_create(chunk, school_ids, group_id)
        reset_queries()  # under DEBUG the query log would keep every INSERT's SQL
        done += len(chunk)
        if on_chunk is not None:
            on_chunk(done, created)
    return created


def _teachers_chunk_create(chunk: list[TeacherSpec], school_ids: dict[str, int], group_id) -> int:
    with transaction.atomic():
        taken: set[str] = set()
        for batch in _batched([spec.staff_no for spec in chunk], _lookup_batch_size()):
            taken.update(User.objects.filter(staff_no__in=batch).values_list("staff_no", flat=True))
        now = timezone.now()
        new = [spec for spec in chunk if spec.staff_no not in taken]
        if not new:
            return 0
        # Tuples streamed by bulk_insert (COPY on PostgreSQL): no User instance per teacher.
        bulk_insert(
            User,
            (
                (
                    spec.staff_no,
                    spec.full_name,
                    school_ids[spec.school_code],
                    spec.stage,
                    spec.subjects,
                    spec.title,
                    spec.is_head_teacher,
                    spec.phone,
                    spec.email,
                    spec.hired_on,
                    _unusable_password(),
                    now,
                )
                for spec in new
            ),
            fields=TEACHER_FIELDS,
        )
        user_ids: list[int] = []
        for batch in _batched([spec.staff_no for spec in new], _lookup_batch_size()):
            user_ids.extend(
                User.objects.filter(staff_no__in=batch).order_by("pk").values_list("pk", flat=True)
            )
        _add_to_group(user_ids, group_id)
    return len(new)


def _add_to_group(user_ids: Iterable[int], group_id: int) -> None:
    bulk_insert(
        User.groups.through,
        ((user_id, group_id) for user_id in user_ids),
        fields=["user_id", "group_id"],
    )


@dataclass(frozen=True)
class DemoAccount:
    staff_no: str
    full_name: str
    role: str | None  # group name; None for the superuser
    at_school: bool = False  # attached to the first demo school
    stage: str = ""
    subjects: str = ""
    title: str = ""
    is_head_teacher: bool = False
    is_superuser: bool = False


DEMO_ACCOUNTS = (
    DemoAccount(
        "teacher", "王晓梅", roles.TEACHER, at_school=True, stage=Stage.PRIMARY, subjects="语文",
        title=ProfessionalTitle.SECOND, is_head_teacher=True,
    ),
    DemoAccount(
        "lecturer", "陈志刚", roles.LECTURER, at_school=True, stage=Stage.JUNIOR,
        subjects="心理健康", title=ProfessionalTitle.SENIOR,
    ),
    DemoAccount(
        "reviewer", "李静", roles.REVIEWER, at_school=True, stage=Stage.JUNIOR,
        subjects="道德与法治", title=ProfessionalTitle.FIRST,
    ),
    DemoAccount(
        "schooladmin", "张建华", roles.SCHOOL_ADMIN, at_school=True, stage=Stage.PRIMARY,
        subjects="数学", title=ProfessionalTitle.SENIOR,
    ),
    DemoAccount("hr", "刘敏", roles.HR),
    DemoAccount("districtadmin", "周国平", roles.DISTRICT_ADMIN),
    DemoAccount("admin", "孙伟", None, is_superuser=True),
)  # fmt: skip
DEMO_STAFF_NOS = tuple(account.staff_no for account in DEMO_ACCOUNTS)


def demo_accounts_ensure(*, school_id: int | None) -> tuple[int, int]:
    """Create the missing demo accounts, reset a demo password that no longer matches, and
    put each account in its role group. Nothing else about an existing account changes.

    Returns (created, passwords reset).
    """
    with transaction.atomic():
        existing = {
            user.staff_no: user for user in User.objects.filter(staff_no__in=DEMO_STAFF_NOS)
        }
        password_ok = _demo_password_checker()
        encoded = None  # one PBKDF2 hash (~0.5 s) serves every account written in this run
        created = reset = 0
        for account in DEMO_ACCOUNTS:
            user = existing.get(account.staff_no)
            if user is not None and password_ok(user.password):
                continue
            encoded = encoded or make_password(DEMO_PASSWORD)
            if user is None:
                user = _demo_user(account, school_id if account.at_school else None)
                user.password = encoded
                user.save()
                existing[account.staff_no] = user
                created += 1
            else:
                user.password = encoded
                user.save(update_fields=["password", "updated_at"])
                reset += 1
        groups = dict(Group.objects.filter(name__in=roles.ROLES).values_list("name", "pk"))
        membership = User.groups.through
        membership.objects.bulk_create(
            [
                membership(user_id=existing[account.staff_no].pk, group_id=groups[account.role])
                for account in DEMO_ACCOUNTS
                if account.role
            ],
            ignore_conflicts=True,
        )
    return created, reset


def _demo_password_checker() -> Callable[[str], bool]:
    """check_password for the demo password, once per distinct stored hash (PBKDF2 is slow)."""
    verdicts: dict[str, bool] = {}

    def password_ok(encoded: str) -> bool:
        if encoded not in verdicts:
            verdicts[encoded] = check_password(DEMO_PASSWORD, encoded)
        return verdicts[encoded]

    return password_ok


def _demo_user(account: DemoAccount, school_id: int | None) -> User:
    return User(
        staff_no=account.staff_no,
        full_name=account.full_name,
        school_id=school_id,
        stage=account.stage,
        subjects=account.subjects,
        title=account.title,
        is_head_teacher=account.is_head_teacher,
        email=f"{account.staff_no}@{QINGPU.email_label}.{EMAIL_DOMAIN}",
        is_staff=account.is_superuser,
        is_superuser=account.is_superuser,
    )


@dataclass(frozen=True)
class AccountRow:
    role: str
    staff_no: str
    full_name: str
    school: str
    password: str


def demo_account_rows(*, check_passwords: bool = True) -> list[AccountRow]:
    """The demo accounts as they are in the database, in the order of DEMO_ACCOUNTS.

    Without `check_passwords` (right after demo_accounts_ensure) every password is shown as
    the demo one, sparing a PBKDF2 check.
    """
    users = {
        user.staff_no: user
        for user in User.objects.filter(staff_no__in=DEMO_STAFF_NOS).select_related("school")
    }
    password_ok = _demo_password_checker()
    rows = []
    for account in DEMO_ACCOUNTS:
        user = users.get(account.staff_no)
        if user is None:
            continue
        rows.append(
            AccountRow(
                role=account.role or _("Superuser"),
                staff_no=user.staff_no,
                full_name=user.full_name,
                school=user.school.name if user.school else "—",
                password=(
                    DEMO_PASSWORD
                    if not check_passwords or password_ok(user.password)
                    else _("(changed)")
                ),
            )
        )
    return rows


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def format_table(header: list[str], rows: list[list[str]]) -> list[str]:
    """Plain-text columns that stay aligned with Chinese (double-width) characters."""
    widths = [max(_width(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        padded = [
            cell + " " * (width - _width(cell)) for cell, width in zip(cells, widths, strict=True)
        ]
        return "  ".join(padded).rstrip()

    return [line(header), "  ".join("-" * width for width in widths), *map(line, rows)]
