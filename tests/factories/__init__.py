"""factory_boy factories shared by all tests."""

from .people import SchoolFactory, UserFactory

__all__ = ["SchoolFactory", "UserFactory"]
