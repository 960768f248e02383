import pytest
from django.contrib.auth.models import Group

from people import roles


@pytest.mark.django_db
def test_roles_exist_after_migrate():
    assert set(Group.objects.values_list("name", flat=True)) == set(roles.ROLES)
