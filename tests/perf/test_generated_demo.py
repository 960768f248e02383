"""The generated catalogue of the district and city scales: deterministic, distinct, and a
smaller count is a prefix of a larger one (so seeding city after district only adds)."""

from casebank.demo import generated_case_specs
from courses.demo import generated_course_specs
from people.demo import SCALES


def test_generated_courses_are_distinct_and_prefix_stable():
    city = generated_course_specs(SCALES["city"].generated_courses)
    district = generated_course_specs(SCALES["district"].generated_courses)
    assert city[: len(district)] == district
    for key in ("code", "slug", "title"):
        assert len({spec[key] for spec in city}) == len(city), key
    assert all(len(spec["lessons"]) == 3 for spec in city)


def test_generated_cases_are_distinct_and_prefix_stable():
    city = generated_case_specs(SCALES["city"].generated_cases)
    district = generated_case_specs(SCALES["district"].generated_cases)
    assert city[: len(district)] == district
    for key in ("slug", "title"):
        assert len({spec[key] for spec in city}) == len(city), key
    assert {spec["stages"][0] for spec in city} == {"primary", "junior", "senior"}


def test_small_generates_nothing():
    assert SCALES["small"].generated_courses == SCALES["small"].generated_cases == 0
