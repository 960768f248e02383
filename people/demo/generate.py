"""Pure, deterministic generators for demo schools and teachers; no database access.

Every district draws its schools from its own `random.Random` seeded from `SEED`, and every
school its teachers from another, so a school or teacher never depends on how many come
after it: the `small` scale is the first three Qingpu schools of `district`, and `district`
is the Qingpu part of `city`. Seeding a larger scale after a smaller one only adds rows.
"""

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from . import data
from .data import QINGPU, District

SEED = 20210901  # the 全员导师制 started in Qingpu in the 2021 school year
REFERENCE_YEAR = 2025  # hired_on dates are counted back from here, not from today
EMAIL_DOMAIN = "edu.example"  # RFC 2606 reserved: no real mailbox is implied

PRIMARY, JUNIOR, SENIOR = "primary", "junior", "senior"
STAGES = (PRIMARY, JUNIOR, SENIOR)


@dataclass(frozen=True)
class SchoolKind:
    students: dict[str, tuple[int, int]]  # student-count range per stage offered
    suffixes: tuple[str, ...]  # name endings, tried in order until one is free
    ordinal_base: str  # "小学" -> 第四小学, 第五小学 … once the suffixes are used up
    weight: int  # share among schools, in %


KINDS = {
    "primary": SchoolKind(
        {PRIMARY: (400, 2000)},
        ("小学", "中心小学", "实验小学", "第二小学", "第三小学"),
        "小学",
        45,
    ),
    "junior": SchoolKind(
        {JUNIOR: (400, 1600)},
        ("中学", "初级中学", "实验中学", "第二中学", "第三中学"),
        "中学",
        25,
    ),
    # 九年一贯制: primary and junior under one roof.
    "nine_year": SchoolKind(
        {PRIMARY: (500, 1500), JUNIOR: (300, 1000)},
        ("学校", "实验学校", "第二学校", "第三学校"),
        "学校",
        12,
    ),
    # 完全中学: junior and senior.
    "complete": SchoolKind(
        {JUNIOR: (400, 1000), SENIOR: (400, 1200)},
        ("中学", "实验中学", "第二中学", "第三中学"),
        "中学",
        8,
    ),
    "senior": SchoolKind(
        {SENIOR: (500, 1800)},
        ("高级中学", "第二高级中学", "第三高级中学"),
        "高级中学",
        10,
    ),
}
_KIND_NAMES = tuple(KINDS)
_KIND_CUM_WEIGHTS = tuple(
    sum(KINDS[name].weight for name in _KIND_NAMES[: i + 1]) for i in range(len(_KIND_NAMES))
)
# The first three schools of every district cover all stages, so even `small` does.
FIRST_KINDS = ("nine_year", "senior", "primary")
# Share of junior/complete schools named by district number (第三中学) rather than by place.
NUMBERED_SHARE = 0.15


@dataclass(frozen=True)
class SchoolSpec:
    code: str
    name: str
    district: District
    kind: str
    students_primary: int
    students_junior: int
    students_senior: int
    address: str

    @property
    def stages(self) -> tuple[str, ...]:
        return tuple(stage for stage in STAGES if self.students_for(stage))

    @property
    def student_count(self) -> int:
        return self.students_primary + self.students_junior + self.students_senior

    def students_for(self, stage: str) -> int:
        return getattr(self, f"students_{stage}")


@dataclass(frozen=True)
class TeacherSpec:
    staff_no: str
    full_name: str
    school_code: str
    stage: str
    subjects: str
    title: str
    is_head_teacher: bool
    phone: str
    email: str
    hired_on: date


@dataclass(frozen=True)
class DistrictPlan:
    district: District
    schools: int
    teachers: int


@dataclass(frozen=True)
class Scale:
    name: str
    plans: tuple[DistrictPlan, ...]
    # Generated catalogue beyond the hand-written demo content (courses/demo.py,
    # casebank/demo.py): 0 keeps `small` fast for `make run` and the tests.
    generated_courses: int = 0
    generated_cases: int = 0

    @property
    def total_schools(self) -> int:
        return sum(plan.schools for plan in self.plans)

    @property
    def total_teachers(self) -> int:
        return sum(plan.teachers for plan in self.plans)


# Teachers per district for the city scale (200,000 in all); schools at about 67 teachers
# each, as in Qingpu (10,000 teachers, 150 schools).
_CITY_TEACHERS = {
    "QP": 10_000, "PD": 40_000, "HP": 7_000, "XH": 10_000, "CN": 6_000, "JA": 10_000,
    "PT": 9_000, "HK": 7_000, "YP": 10_000, "MH": 25_000, "BS": 17_000, "JD": 11_000,
    "JS": 7_000, "SJ": 15_000, "FX": 9_000, "CM": 7_000,
}  # fmt: skip

SCALES = {
    "small": Scale("small", (DistrictPlan(QINGPU, 3, 40),)),
    "district": Scale(
        "district",
        (DistrictPlan(QINGPU, 150, 10_000),),
        generated_courses=40,
        generated_cases=120,
    ),
    "city": Scale(
        "city",
        tuple(
            DistrictPlan(
                district,
                _CITY_TEACHERS[district.code_prefix] * 3 // 200,
                _CITY_TEACHERS[district.code_prefix],
            )
            for district in data.DISTRICTS
        ),
        generated_courses=120,
        generated_cases=400,
    ),
}
DEFAULT_SCALE = "small"

_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1..99 as written in school names: 3 -> 三, 10 -> 十, 12 -> 十二, 40 -> 四十."""
    if not 0 < n < 100:
        raise ValueError(n)
    tens, ones = divmod(n, 10)
    text = ("" if tens < 2 else _DIGITS[tens]) + ("十" if tens else "")
    return text + (_DIGITS[ones] if ones else "")


def person_name(rng: random.Random, *, female: bool) -> str:
    surname = rng.choices(data.SURNAMES, cum_weights=data.SURNAME_CUM_WEIGHTS)[0]
    pool = data.GIVEN_FEMALE if female else data.GIVEN_MALE
    if rng.random() < 0.2:
        return surname + rng.choice(pool)
    first, second = rng.choice(pool), rng.choice(pool)
    if second == first and rng.random() < 0.7:  # 婷婷 happens, but not that often
        second = rng.choice(pool)
    return surname + first + second


def mobile_number(rng: random.Random) -> str:
    return f"{rng.choice(data.MOBILE_PREFIXES)}{rng.randrange(10**8):08d}"


def generate_schools(district: District, count: int) -> list[SchoolSpec]:
    """The first `count` schools of a district; the first n are the same for any count >= n."""
    rng = random.Random(f"{SEED}:schools:{district.code_prefix}")
    used_names: set[str] = set()
    numbered = 0
    schools = []
    for index in range(count):
        if index < len(FIRST_KINDS):
            kind_name = FIRST_KINDS[index]
        else:
            kind_name = rng.choices(_KIND_NAMES, cum_weights=_KIND_CUM_WEIGHTS)[0]
        kind = KINDS[kind_name]
        place = rng.choice(district.places)
        if kind_name in {"junior", "complete"} and rng.random() < NUMBERED_SHARE:
            numbered += 1
            local_name = f"第{chinese_number(numbered)}中学"
        else:
            local_name = _free_name(place, kind, used_names)
        used_names.add(local_name)
        students = {stage: rng.randint(*bounds) for stage, bounds in kind.students.items()}
        road = rng.choice(data.ROAD_SUFFIXES)
        schools.append(
            SchoolSpec(
                code=f"{district.code_prefix}{index + 1:04d}",
                name=f"上海市{district.name}{local_name}",
                district=district,
                kind=kind_name,
                students_primary=students.get(PRIMARY, 0),
                students_junior=students.get(JUNIOR, 0),
                students_senior=students.get(SENIOR, 0),
                address=f"上海市{district.name}{place}{road}{rng.randint(1, 999)}号",
            )
        )
    return schools


def _free_name(place: str, kind: SchoolKind, used: set[str]) -> str:
    for suffix in kind.suffixes:
        if f"{place}{suffix}" not in used:
            return f"{place}{suffix}"
    n = 4
    while f"{place}第{chinese_number(n)}{kind.ordinal_base}" in used:
        n += 1
    return f"{place}第{chinese_number(n)}{kind.ordinal_base}"


def teacher_counts(schools: list[SchoolSpec], total: int) -> list[int]:
    """Split `total` teachers over the schools in proportion to their students (exact sum)."""
    weights = [school.student_count for school in schools]
    weight_sum = sum(weights)
    if not schools or not weight_sum:
        return [0] * len(schools)
    counts = [total * weight // weight_sum for weight in weights]
    by_remainder = sorted(
        range(len(schools)), key=lambda i: (-(total * weights[i] % weight_sum), i)
    )
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def generate_teachers(school: SchoolSpec, count: int) -> list[TeacherSpec]:
    """The first `count` teachers of a school; the first n are the same for any count >= n."""
    rng = random.Random(f"{SEED}:teachers:{school.code}")
    stages = school.stages
    stage_cum_weights = []
    running = 0
    for stage in stages:
        running += school.students_for(stage)
        stage_cum_weights.append(running)
    teachers = []
    for seq in range(1, count + 1):
        stage = rng.choices(stages, cum_weights=stage_cum_weights)[0]
        subjects, subject_weights = data.SUBJECTS[stage]
        subject = rng.choices(subjects, cum_weights=subject_weights)[0]
        title = rng.choices(data.TITLES, cum_weights=data.TITLE_CUM_WEIGHTS)[0]
        head_chance = data.HEAD_TEACHER_CHANCE.get(subject, data.HEAD_TEACHER_CHANCE_OTHER)
        staff_no = f"{school.code}{seq:04d}"
        teachers.append(
            TeacherSpec(
                staff_no=staff_no,
                full_name=person_name(rng, female=rng.random() < data.FEMALE_SHARE[stage]),
                school_code=school.code,
                stage=stage,
                subjects=subject,
                title=title,
                is_head_teacher=rng.random() < head_chance,
                phone=mobile_number(rng),
                email=f"{staff_no.lower()}@{school.district.email_label}.{EMAIL_DOMAIN}",
                hired_on=date(
                    REFERENCE_YEAR - rng.randint(*data.TITLE_YEARS[title]),
                    rng.choice((7, 8, 9)),
                    1,
                ),
            )
        )
    return teachers


def scale_schools(scale: Scale) -> list[SchoolSpec]:
    return [
        school for plan in scale.plans for school in generate_schools(plan.district, plan.schools)
    ]


def scale_teachers(scale: Scale) -> Iterator[TeacherSpec]:
    """All teachers of a scale, school by school, generated lazily to keep memory flat."""
    for plan in scale.plans:
        schools = generate_schools(plan.district, plan.schools)
        for school, count in zip(schools, teacher_counts(schools, plan.teachers), strict=True):
            yield from generate_teachers(school, count)
