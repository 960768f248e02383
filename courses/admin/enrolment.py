"""Admin screens: enrolment approvals (待审核报名) and course assignment (分配课程); also the
login wall of the catalog and course pages (a `before_serve_page` hook)."""

from wagtail import hooks

from ..views.catalog import course_pages_require_login

hooks.register("before_serve_page", course_pages_require_login)
