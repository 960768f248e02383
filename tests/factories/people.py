"""Factories for schools and staff."""

import factory
from django.contrib.auth.models import Group

from people.models import School, Stage, User


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"青浦区测试学校{n}")
    code = factory.Sequence(lambda n: f"T{n:04d}")
    offers_primary = True
    students_primary = 600


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("staff_no",)
        skip_postgeneration_save = True

    staff_no = factory.Sequence(lambda n: f"U{n:06d}")
    full_name = factory.Sequence(lambda n: f"测试教师{n}")
    school = factory.SubFactory(SchoolFactory)
    stage = Stage.PRIMARY
    password = factory.django.Password("pass-Word-2026")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        """UserFactory(roles=["学校管理员"]) puts the user in those groups."""
        if create and extracted:
            self.groups.add(*Group.objects.filter(name__in=extracted))
