"""seed_demo: deterministic generators, idempotent set-based writes, the demo accounts."""

import io
from collections import Counter
from datetime import date

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import is_password_usable
from django.core.management import CommandError, call_command
from django.utils.module_loading import autodiscover_modules

from people import demo, roles
from people.demo import data, generate, write
from people.models import School, User
from people.validators import normalize_mobile

SMALL = generate.SCALES["small"]
DISTRICT = generate.SCALES["district"]
CITY = generate.SCALES["city"]
DEMO_STAFF_NOS = set(write.DEMO_STAFF_NOS)


def seed(**options) -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def generated_teachers():
    return User.objects.exclude(staff_no__in=DEMO_STAFF_NOS)


def snapshot() -> dict:
    return {
        "users": sorted(
            User.objects.values_list("staff_no", "password", "updated_at", "school_id", "full_name")
        ),
        "schools": sorted(School.objects.values_list("code", "name", "updated_at")),
        "memberships": sorted(User.groups.through.objects.values_list("user_id", "group_id")),
    }


# --- generators (no database)


@pytest.fixture(scope="module")
def district_teachers():
    return list(generate.scale_teachers(DISTRICT))


def test_generators_are_deterministic(district_teachers):
    assert generate.scale_schools(DISTRICT) == generate.scale_schools(DISTRICT)
    assert list(generate.scale_teachers(DISTRICT)) == district_teachers


def test_smaller_scales_are_prefixes_of_larger_ones():
    small_schools = generate.scale_schools(SMALL)
    district_schools = generate.scale_schools(DISTRICT)
    assert small_schools == district_schools[: len(small_schools)]
    assert district_schools == generate.scale_schools(CITY)[: len(district_schools)]
    school = district_schools[0]
    assert generate.generate_teachers(school, 10) == generate.generate_teachers(school, 60)[:10]


def test_district_generator_shape(district_teachers):
    schools = generate.scale_schools(DISTRICT)
    teachers = district_teachers

    assert len(schools) == 150
    assert len(teachers) == 10_000
    assert len({s.code for s in schools}) == len({s.name for s in schools}) == 150
    assert len({t.staff_no for t in teachers}) == 10_000
    assert {stage for s in schools for stage in s.stages} == set(generate.STAGES)
    assert {s.kind for s in schools} == set(generate.KINDS)
    for school in schools:
        assert school.stages
        for stage in generate.STAGES:
            assert (school.students_for(stage) > 0) == (stage in school.stages)
            assert school.students_for(stage) <= 2000

    stages_by_school = {s.code: s.stages for s in schools}
    for teacher in teachers:
        assert teacher.stage in stages_by_school[teacher.school_code]
        assert teacher.subjects in data.SUBJECTS[teacher.stage][0]
        assert normalize_mobile(teacher.phone) == teacher.phone
        assert teacher.email == f"{teacher.staff_no.lower()}@qingpu.edu.example"
        assert date(1980, 1, 1) < teacher.hired_on <= date(generate.REFERENCE_YEAR, 12, 31)
        assert 2 <= len(teacher.full_name) <= 4

    titles = Counter(t.title for t in teachers)
    assert titles["second"] + titles["first"] > 0.7 * len(teachers)
    assert titles["senior"] > titles["third"] > 0
    assert 0 < titles["full_senior"] < 0.05 * len(teachers)
    assert 0.2 < sum(t.is_head_teacher for t in teachers) / len(teachers) < 0.3
    # Weighted surnames: the common ones dominate, rare ones still appear.
    surnames = Counter(t.full_name[0] for t in teachers)
    assert surnames["王"] > surnames["潘"] > 0


def test_city_plan_covers_shanghai_with_unique_codes():
    assert CITY.total_teachers == 200_000
    assert len(CITY.plans) == 16
    assert CITY.plans[0] == DISTRICT.plans[0]  # Qingpu in the city = the district scale
    schools = generate.scale_schools(CITY)
    assert len(schools) == CITY.total_schools
    assert len({s.code for s in schools}) == len(schools)
    assert len({s.name for s in schools}) == len(schools)
    assert len({s.code[:2] for s in schools}) == 16


def test_teacher_counts_are_proportional_with_an_exact_sum():
    schools = generate.scale_schools(DISTRICT)
    counts = generate.teacher_counts(schools, 10_000)
    assert sum(counts) == 10_000
    biggest = max(range(len(schools)), key=lambda i: schools[i].student_count)
    smallest = min(range(len(schools)), key=lambda i: schools[i].student_count)
    assert counts[biggest] > counts[smallest] > 0


def test_chinese_numbers():
    assert [generate.chinese_number(n) for n in (1, 4, 10, 12, 20, 35)] == [
        "一", "四", "十", "十二", "二十", "三十五",
    ]  # fmt: skip


# --- the command and the writers


@pytest.mark.django_db
def test_small_seed_creates_schools_of_every_stage_and_teachers():
    out = seed()

    schools = list(School.objects.all())
    assert len(schools) == 3
    assert {stage for s in schools for stage in s.stages} == {"primary", "junior", "senior"}
    for school in schools:
        assert school.stages
        assert all(getattr(school, f"students_{stage}") > 0 for stage in school.stages)
    teachers = generated_teachers()
    assert teachers.count() == SMALL.total_teachers == 40
    assert not teachers.filter(school=None).exists()
    assert not any(is_password_usable(p) for p in teachers.values_list("password", flat=True))
    assert teachers.filter(groups__name=roles.TEACHER).count() == 40
    assert "学校 3 所（新增 3）" in out
    assert "教师 40 名（新增 40）" in out


@pytest.mark.django_db
def test_every_demo_account_logs_in_with_the_printed_password():
    out = seed()

    first_school = School.objects.get(code=generate.scale_schools(SMALL)[0].code)
    for account in write.DEMO_ACCOUNTS:
        user = authenticate(staff_no=account.staff_no, password=write.DEMO_PASSWORD)
        assert user is not None, account.staff_no
        assert authenticate(username=account.staff_no, password=write.DEMO_PASSWORD) == user
        if account.role:
            assert list(user.groups.values_list("name", flat=True)) == [account.role]
        assert user.school == (first_school if account.at_school else None)
        assert account.staff_no in out
        assert account.full_name in out
    admin = User.objects.get(staff_no="admin")
    assert admin.is_superuser and admin.is_staff
    assert {a.role for a in write.DEMO_ACCOUNTS if a.role} == set(roles.ROLES)
    assert write.DEMO_PASSWORD in out
    assert "http://127.0.0.1:8000/accounts/login/" in out
    assert "http://127.0.0.1:8000/admin/" in out


@pytest.mark.django_db
def test_second_run_changes_nothing():
    seed()
    before = snapshot()

    out = seed()

    assert snapshot() == before
    assert "学校 3 所（新增 0）" in out
    assert "教师 40 名（新增 0）" in out


@pytest.mark.django_db
def test_rerun_resets_only_a_demo_password_that_was_changed():
    seed()
    teacher = User.objects.get(staff_no="teacher")
    teacher.set_password("something-else-2026")
    teacher.save()
    lecturer_before = User.objects.values_list("password", "updated_at").get(staff_no="lecturer")

    seed()

    assert authenticate(staff_no="teacher", password=write.DEMO_PASSWORD) is not None
    assert (
        User.objects.values_list("password", "updated_at").get(staff_no="lecturer")
        == lecturer_before
    )


@pytest.mark.django_db
def test_teachers_are_written_per_chunk_not_per_teacher(django_assert_max_num_queries, monkeypatch):
    scale = generate.Scale("test", (generate.DistrictPlan(data.QINGPU, 6, 600),))
    # Only the people steps: later apps' steps (cms pages…) are counted in their own tests.
    autodiscover_modules("demo")
    monkeypatch.setattr(
        demo, "SEED_STEPS", [s for s in demo.SEED_STEPS if s.__module__.startswith("people.")]
    )

    with django_assert_max_num_queries(60):
        ctx = demo.run_seed(scale, chunk_size=200)

    assert School.objects.count() == 6
    assert generated_teachers().count() == 600
    assert generated_teachers().filter(groups__name=roles.TEACHER).count() == 600
    assert ctx.stats == {
        "schools": 6,
        "schools_created": 6,
        "teachers": 600,
        "teachers_created": 600,
        "accounts_created": 7,
        "accounts_reset": 0,
    }


@pytest.mark.django_db
def test_a_larger_scale_after_small_adds_to_it_and_keeps_the_accounts():
    seed()
    small = snapshot()
    bigger = generate.Scale("bigger", (generate.DistrictPlan(data.QINGPU, 8, 200),))

    ctx = demo.run_seed(bigger, chunk_size=64)

    assert ctx.stats["schools_created"] == 5
    assert set(small["users"]) <= set(snapshot()["users"])  # nothing rewritten
    expected = {t.staff_no for t in generate.scale_teachers(SMALL)} | {
        t.staff_no for t in generate.scale_teachers(bigger)
    }
    assert set(generated_teachers().values_list("staff_no", flat=True)) == expected
    assert ctx.stats["accounts_created"] == 0
    assert authenticate(staff_no="schooladmin", password=write.DEMO_PASSWORD) is not None


@pytest.mark.django_db
def test_unknown_scale_is_refused():
    with pytest.raises(CommandError, match="small, district, city"):
        seed(scale="huge")
    assert not User.objects.exists()


@pytest.mark.django_db
def test_print_accounts_only_writes_nothing():
    assert write.DEMO_PASSWORD not in seed(print_accounts_only=True)
    assert not User.objects.exists()
    seed(verbosity=0)
    out = seed(print_accounts_only=True)
    assert "districtadmin" in out
    assert write.DEMO_PASSWORD in out


@pytest.mark.django_db
def test_quiet_run_prints_nothing():
    assert seed(verbosity=0) == ""


@pytest.mark.django_db
def test_later_apps_add_steps_that_run_after_the_people_steps(monkeypatch):
    monkeypatch.setattr(demo, "SEED_STEPS", list(demo.SEED_STEPS))
    seen = []

    @demo.seed_step
    def seed_something(ctx):
        seen.append((ctx.scale.name, ctx.first_school_id, User.objects.count()))

    demo.run_seed(SMALL)

    first_school = School.objects.get(code=generate.scale_schools(SMALL)[0].code)
    assert seen == [("small", first_school.pk, 40 + len(write.DEMO_ACCOUNTS))]


@pytest.mark.django_db
def test_refuses_production_settings_without_the_flag(settings):
    settings.SETTINGS_MODULE = "cms.settings.production"
    with pytest.raises(CommandError, match="--allow-production"):
        call_command("seed_demo", verbosity=0)
    assert not User.objects.filter(staff_no="admin").exists()
