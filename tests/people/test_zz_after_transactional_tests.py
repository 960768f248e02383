"""Runs after the transactional tests (browser, worker): the roles and pages that migrations
create must still be there, or serialized rollback was lost and later tests see empty
tables. (It once was: a session-long Playwright event loop hid the serialized snapshot.)"""

import pytest
from django.contrib.auth.models import Group
from wagtail.models import Site

from people import roles


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_migration_data_is_restored_between_transactional_tests():
    assert set(Group.objects.values_list("name", flat=True)) == set(roles.ROLES)
    assert Site.objects.get(is_default_site=True).root_page.specific_class.__name__ == "HomePage"
