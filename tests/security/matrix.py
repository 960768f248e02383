"""The permission matrix: every URL pattern of our apps (and the Wagtail admin routes our
hooks register), with who may use it. A row names a pattern, how to build its URL from the
module's `World`, the method and the roles allowed; a row with `watch` is a state-changing
action, and a denied role must leave what `watch` returns unchanged.

Roles, one letter each: a anonymous · k API token of school A (no session) · t 教师 of school
A · l 讲师 · r 审核员 · s 学校管理员 of school A · h 人事 · d 区管理员.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

ROLES = "akt lrshd".replace(" ", "")
ROLE_NAMES = {
    "a": "anonymous",
    "k": "token_a",
    "t": "teacher",
    "l": "lecturer",
    "r": "reviewer",
    "s": "school_admin",
    "h": "hr",
    "d": "district",
}
ALL = ROLES
SIGNED_IN = "tlrshd"
NOBODY = ""


@dataclass(frozen=True)
class Row:
    name: str  # the URL pattern's name (namespace:name), or its route when it has none
    label: str  # unique among rows: what is requested
    url: Callable
    allow: str
    method: str = "get"
    data: Callable | None = None
    watch: Callable | None = None
    json: bool = False
    roles: str = ROLES  # who is asked (a forged POST that crashes Wagtail's own form is not)
    bounce: Callable | None = None  # a redirect here means denied (e.g. lesson → its course)
    unchanged: str = ""  # roles allowed to use the view whose request must still change nothing
    # Roles that may open the page but must not find school B's teacher in it (王老师, TB01),
    # and roles that must not find the other school A teacher (赵老师, TA02).
    hide_b: str = ""
    hide_other: str = ""
    hide: Callable | None = None  # more texts the roles in `hide_from` must not find
    hide_from: str = ""


ROWS: list[Row] = []


def row(name, label, url, allow, **kwargs):
    ROWS.append(Row(name=name, label=label, url=url, allow=allow, **kwargs))


def rev(name, *args, query=""):
    return lambda w: reverse(name, args=[a(w) if callable(a) else a for a in args]) + query


def pk(attr):
    return lambda w: getattr(w, attr).pk


def state(*model_paths):
    """A snapshot of every row of these models, to compare before and after a denied POST."""

    def snapshot(w):
        from django.apps import apps

        return tuple(
            list(apps.get_model(path).objects.order_by("pk").values()) for path in model_paths
        )

    return snapshot


# --- cms: health, search -------------------------------------------------------------------
row("healthz", "health check", rev("healthz"), ALL)
row("search", "site search", rev("search", query="?q=矩阵"), ALL)
# Drafts never show in search, whoever asks (their titles all start with 草稿 or 我的投稿).
row(
    "search",
    "site search for drafts",
    rev("search", query="?q=草稿"),
    ALL,
    hide=lambda w: [
        w.draft_course.title,
        w.draft_lecture.title,
        w.draft_case.title,
        w.own_case.title,
    ],
    hide_from=ALL,
)
row("search_autocomplete", "search suggestions", rev("search_autocomplete", query="?q=矩"), ALL)
row(
    "search_autocomplete",
    "search suggestions for drafts",
    rev("search_autocomplete", query="?q=草稿"),
    ALL,
    hide=lambda w: [
        w.draft_course.title,
        w.draft_lecture.title,
        w.draft_case.title,
        w.own_case.title,
    ],
    hide_from=ALL,
)

# --- accounts (people.urls: Django's auth views and our notifications) ---------------------
row("login", "login form", rev("login"), ALL)
row("logout", "log out", rev("logout"), ALL, method="post", data=lambda w: {})
row("password_change", "change own password", rev("password_change"), SIGNED_IN)
row("password_change_done", "password changed", rev("password_change_done"), SIGNED_IN)
row("password_reset", "password reset form", rev("password_reset"), ALL)
row("password_reset_done", "password reset sent", rev("password_reset_done"), ALL)
row(
    "password_reset_confirm",
    "password reset link (invalid token)",
    rev("password_reset_confirm", "MQ", "bad-token"),
    ALL,
)
row("password_reset_complete", "password reset done", rev("password_reset_complete"), ALL)
row(
    "notifications",
    "own notifications",
    rev("notifications"),
    SIGNED_IN,
    hide_b=SIGNED_IN,
    hide_other=SIGNED_IN,
)
row(
    "notification_open",
    "open teacher A's notification",
    rev("notification_open", pk("notification")),
    "t",
    method="post",
    data=lambda w: {},
    watch=state("people.Notification"),
)
row(
    "notifications_read_all",
    "mark own notifications read",
    rev("notifications_read_all"),
    SIGNED_IN,
    method="post",
    data=lambda w: {},
    watch=state("people.Notification"),
)

# --- API -----------------------------------------------------------------------------------
row(
    "api_v1:mentor_readiness",
    "readiness API",
    rev("api_v1:mentor_readiness"),
    "k",
    json=True,
    hide_b="k",
)
row(
    "api_v1:mentor_readiness",
    "readiness API, school B",
    rev("api_v1:mentor_readiness", query="?school=B001"),
    NOBODY,
    json=True,
)
row("api_v1:schema", "OpenAPI schema", rev("api_v1:schema"), ALL)

# --- courses: pages served by Wagtail ------------------------------------------------------
PAGE = "wagtail_serve"
row(PAGE, "home page", lambda w: "/", ALL)
# Course, lecture and case pages need a signed-in user (before_serve_page hooks).
row(PAGE, "course page", lambda w: w.course.url, SIGNED_IN)
# Only learners and course staff open lessons; others are sent back to the course page.
row(
    PAGE,
    "lesson page (teacher A enrolled)",
    lambda w: w.lesson.url,
    "tlrd",
    bounce=lambda w: w.course.url,
)
row(PAGE, "draft course page", lambda w: w.draft_course.url, NOBODY)
row(PAGE, "draft lesson page", lambda w: w.draft_lesson.url, NOBODY)
row(PAGE, "lecture page", lambda w: w.lecture.url, SIGNED_IN)
row(PAGE, "draft lecture page", lambda w: w.draft_lecture.url, NOBODY)
row(PAGE, "case page", lambda w: w.case.url, SIGNED_IN)
row(PAGE, "draft case page", lambda w: w.draft_case.url, NOBODY)

ENROL = state("courses.Enrollment")
row(
    "courses:course_enrol",
    "enrol in the approval course",
    rev("courses:course_enrol", pk("course")),
    SIGNED_IN,
    method="post",
    data=lambda w: {},
    watch=ENROL,
)
row(
    "courses:course_enrol",
    "enrol in a draft course",
    rev("courses:course_enrol", pk("draft_course")),
    NOBODY,
    method="post",
    data=lambda w: {},
    watch=ENROL,
)
row(
    "courses:course_unenrol",
    "leave the course",
    rev("courses:course_unenrol", pk("course")),
    SIGNED_IN,
    method="post",
    data=lambda w: {},
    watch=ENROL,
)
row(
    "courses:course_evaluate",
    "evaluate the course",
    rev("courses:course_evaluate", pk("course")),
    SIGNED_IN,
    method="post",
    data=lambda w: {"rating": "5", "comment": "好"},
    watch=state("courses.Enrollment", "courses.CourseEvaluation"),
    unchanged=SIGNED_IN,
)
row(
    "courses:h5p_file",
    "H5P package file",
    rev("courses:h5p_file", pk("package"), "h5p.json"),
    "tlrd",
)
row(
    "courses:h5p_file",
    "H5P path outside the package",
    rev("courses:h5p_file", pk("package"), "../../../cms/settings/base.py"),
    NOBODY,
)
row(
    "courses:h5p_user_data",
    "H5P resume state",
    rev("courses:h5p_user_data", pk("package"), "state", "0"),
    "tlrd",
)
row(
    "courses:h5p_user_data",
    "save H5P resume state",
    rev("courses:h5p_user_data", pk("package"), "state", "0"),
    "tlrd",
    method="post",
    data=lambda w: {"data": '{"x": 1}', "preload": "1", "invalidate": "0"},
    watch=state("courses.H5PUserData"),
)
row(
    "courses:xapi",
    "post an xAPI statement",
    rev("courses:xapi"),
    SIGNED_IN,
    method="post",
    data=lambda w: {},
    watch=state("courses.XAPIStatement", "courses.H5PResult"),
    unchanged=SIGNED_IN,
)
row(
    "courses:lesson_heartbeat",
    "lesson time heartbeat",
    rev("courses:lesson_heartbeat", pk("lesson")),
    "t",
    method="post",
    data=lambda w: {},
    watch=state("courses.LessonProgress"),
)
row(
    "courses:me",
    "my learning",
    rev("courses:me"),
    SIGNED_IN,
    hide_b=SIGNED_IN,
    hide_other=SIGNED_IN,
)
REG = state("courses.LectureRegistration", "courses.Attendance")
row(
    "courses:lecture_register",
    "register for the lecture",
    rev("courses:lecture_register", pk("lecture")),
    SIGNED_IN,
    method="post",
    data=lambda w: {},
    watch=REG,
)
row(
    "courses:lecture_register",
    "register for a draft lecture",
    rev("courses:lecture_register", pk("draft_lecture")),
    NOBODY,
    method="post",
    data=lambda w: {},
    watch=REG,
)
row(
    "courses:lecture_cancel",
    "cancel a registration",
    rev("courses:lecture_cancel", pk("lecture")),
    SIGNED_IN,
    method="post",
    data=lambda w: {},
    watch=REG,
)
row("courses:lecture_ics", "lecture calendar", rev("courses:lecture_ics", pk("lecture")), SIGNED_IN)
row(
    "courses:lecture_ics",
    "draft lecture calendar",
    rev("courses:lecture_ics", pk("draft_lecture")),
    NOBODY,
)
row(
    "courses:lecture_series_ics",
    "series calendar",
    rev("courses:lecture_series_ics", pk("series")),
    SIGNED_IN,
)
row(
    "courses:lecture_checkin",
    "check-in form",
    rev("courses:lecture_checkin", pk("lecture")),
    SIGNED_IN,
)
row(
    "courses:lecture_checkin",
    "check in with a wrong code",
    rev("courses:lecture_checkin", pk("lecture")),
    SIGNED_IN,
    method="post",
    data=lambda w: {"code": "000000"},
    watch=REG,
    unchanged=SIGNED_IN,
)
row(
    "courses:lecture_checkin_display",
    "check-in code screen",
    rev("courses:lecture_checkin_display", pk("lecture")),
    "ld",
)
row(
    "courses:lecture_checkin_display_state",
    "check-in code state",
    rev("courses:lecture_checkin_display_state", pk("lecture")),
    "ld",
)
row(
    "courses:lecture_feedback",
    "lecture feedback",
    rev("courses:lecture_feedback", pk("lecture")),
    SIGNED_IN,
    method="post",
    data=lambda w: {"rating": "5", "comment": "好"},
    watch=state("courses.Attendance", "courses.LectureFeedback"),
    unchanged=SIGNED_IN,
)

# --- certification: teacher pages and verification ------------------------------------------
row(
    "certification:my_credits",
    "my credits",
    rev("certification:my_credits"),
    SIGNED_IN,
    hide_b=SIGNED_IN,
    hide_other=SIGNED_IN,
)
row(
    "certification:my_transcript",
    "my transcript",
    rev("certification:my_transcript"),
    SIGNED_IN,
    hide_b=SIGNED_IN,
    hide_other=SIGNED_IN,
)
row(
    "certification:my_transcript",
    "issue my transcript",
    rev("certification:my_transcript"),
    SIGNED_IN,
    method="post",
    data=lambda w: {"cycle": w.cycle.pk},
    watch=state("certification.Certificate"),
)
row(
    "certification:my_certificates",
    "my certificates",
    rev("certification:my_certificates"),
    SIGNED_IN,
    hide_b=SIGNED_IN,
    hide_other=SIGNED_IN,
)
row("certification:verify_form", "verification form", rev("certification:verify_form"), ALL)
row(
    "certification:verify",
    "verify a certificate",
    lambda w: reverse("certification:verify", args=[w.cert_a.code]),
    ALL,
)
row(
    "certification:verify",
    "verify a revoked certificate",
    lambda w: reverse("certification:verify", args=[w.cert_revoked.code]),
    ALL,
)
PDF = "certification:certificate_pdf"
row(PDF, "teacher A's certificate PDF", lambda w: reverse(PDF, args=[w.cert_a.serial]), "tshd")
row(
    PDF,
    "another school A teacher's PDF",
    lambda w: reverse(PDF, args=[w.cert_other.serial]),
    "shd",
)
row(PDF, "school B teacher's PDF", lambda w: reverse(PDF, args=[w.cert_b.serial]), "hd")
row(PDF, "revoked certificate's PDF", lambda w: reverse(PDF, args=[w.cert_revoked.serial]), "tshd")

# --- casebank --------------------------------------------------------------------------------
row("casebank:case_print", "print a case", rev("casebank:case_print", pk("case")), SIGNED_IN)
row(
    "casebank:case_print",
    "print a draft case",
    rev("casebank:case_print", pk("draft_case")),
    NOBODY,
)
CASES = state("wagtailcore.Page", "wagtailcore.Revision")
row("casebank_submit:submit", "case submission form", rev("casebank_submit:submit"), "t")
row(
    "casebank_submit:submit",
    "submit an empty case",
    rev("casebank_submit:submit"),
    "t",
    method="post",
    data=lambda w: {},
    watch=CASES,
    unchanged="t",
)
row("casebank_submit:mine", "my submitted cases", rev("casebank_submit:mine"), "t", hide_other="t")
row(
    "casebank_submit:edit",
    "edit own submission",
    rev("casebank_submit:edit", pk("own_case")),
    "t",
)
row(
    "casebank_submit:edit",
    "edit someone else's draft case",
    rev("casebank_submit:edit", pk("draft_case")),
    NOBODY,
)
row(
    "casebank_submit:redact",
    "redact own submission",
    rev("casebank_submit:redact", pk("own_case")),
    "t",
    method="post",
    data=lambda w: {},
    watch=CASES,
)
row(
    "casebank_submit:redact",
    "redact someone else's draft case",
    rev("casebank_submit:redact", pk("draft_case")),
    NOBODY,
    method="post",
    data=lambda w: {},
    watch=CASES,
)
row(
    "casebank_case_redact",
    "admin: redact a case",
    rev("casebank_case_redact", pk("draft_case")),
    "lrd",
    method="post",
    data=lambda w: {},
    watch=CASES,
)

# --- the Wagtail admin: its front door, and page editing by role ----------------------------
ADMIN = "lrshd"
row("wagtailadmin_home", "admin dashboard", rev("wagtailadmin_home"), ADMIN)
row(
    "wagtailadmin_pages:edit",
    "edit the course page",
    rev("wagtailadmin_pages:edit", pk("course")),
    "lrd",  # 审核员 hold change_page/publish_page on the tree (cms migration 0002)
)
row(
    "wagtailadmin_pages:edit",
    "save the course page",
    rev("wagtailadmin_pages:edit", pk("course")),
    NOBODY,
    method="post",
    data=lambda w: {"title": "改过的标题"},
    roles="aktsh",  # a partial form crashes Wagtail's StreamField parsing for editors
    watch=state("wagtailcore.Page", "wagtailcore.Revision"),
)
row(
    "wagtailadmin_pages:edit",
    "edit a case page",
    rev("wagtailadmin_pages:edit", pk("case")),
    "lrd",
)

# --- people admin ------------------------------------------------------------------------------
ROSTER = state("people.RosterImport", "people.User")
row(
    "people_roster_import:index",
    "roster import",
    rev("people_roster_import:index"),
    "sd",
    hide=lambda w: [w.roster_b.original_name],
    hide_from="s",
)
row(
    "people_roster_import:index",
    "upload a roster (no file)",
    rev("people_roster_import:index"),
    "sd",
    method="post",
    data=lambda w: {},
    watch=ROSTER,
    unchanged="sd",
)
row(
    "people_roster_import:template",
    "roster template",
    rev("people_roster_import:template"),
    "sd",
)
for school in ("a", "b"):
    allow = "sd" if school == "a" else "d"
    row(
        "people_roster_import:detail",
        f"roster import of school {school.upper()}",
        rev("people_roster_import:detail", pk(f"roster_{school}")),
        allow,
    )
    row(
        "people_roster_import:status",
        f"roster import status of school {school.upper()}",
        rev("people_roster_import:status", pk(f"roster_{school}")),
        allow,
    )
    row(
        "people_roster_import:confirm",
        f"confirm roster import of school {school.upper()}",
        rev("people_roster_import:confirm", pk(f"roster_{school}")),
        allow,
        method="post",
        data=lambda w: {},
        watch=ROSTER,
    )
row("people_lockouts:index", "login lockouts", rev("people_lockouts:index"), "d")
row(
    "people_lockouts:unlock",
    "unlock a login",
    rev("people_lockouts:unlock"),
    "d",
    method="post",
    data=lambda w: {"username": "TA01"},
)


def model_viewset(
    ns, obj, allow_view, allow_add, allow_change, allow_delete, inspect=True, allow_history="d"
):
    """The routes a Wagtail ModelViewSet registers, with who may use each."""
    row(f"{ns}:index", f"{ns} listing", rev(f"{ns}:index"), allow_view, hide_b="s")
    row(
        f"{ns}:index_results",
        f"{ns} listing results",
        rev(f"{ns}:index_results"),
        allow_view,
        hide_b="s",
    )
    row(f"{ns}:add", f"{ns} add form", rev(f"{ns}:add"), allow_add)
    row(f"{ns}:edit", f"{ns} edit form", rev(f"{ns}:edit", pk(obj)), allow_change)
    row(f"{ns}:delete", f"{ns} delete confirmation", rev(f"{ns}:delete", pk(obj)), allow_delete)
    # History and usage need a change permission in Wagtail: readers do not get them.
    row(f"{ns}:history", f"{ns} history", rev(f"{ns}:history", pk(obj)), allow_history)
    row(
        f"{ns}:history_results",
        f"{ns} history results",
        rev(f"{ns}:history_results", pk(obj)),
        allow_history,
    )
    row(f"{ns}:usage", f"{ns} usage", rev(f"{ns}:usage", pk(obj)), allow_history)
    if inspect:
        row(f"{ns}:inspect", f"{ns} inspect", rev(f"{ns}:inspect", pk(obj)), allow_view)


model_viewset("schools", "school_a", "shd", "d", "d", "d")
row("schools:inspect", "inspect school B", rev("schools:inspect", pk("school_b")), "hd")
row("schools:edit", "edit school B", rev("schools:edit", pk("school_b")), "d")
row(
    "schools:delete",
    "delete school B (it still has users)",
    rev("schools:delete", pk("school_b")),
    "d",
    method="post",
    data=lambda w: {},
    watch=state("people.School", "wagtailcore.ModelLogEntry"),
    unchanged="d",  # refused with a message (users PROTECT their school), not a 500
)

USERS = state("people.User", "people.User_groups")
model_viewset("wagtailusers_users", "teacher", "shd", "sd", "sd", "d", allow_history="sd")
for view in ("history", "history_results", "usage"):
    row(
        f"wagtailusers_users:{view}",
        f"wagtailusers_users {view} of school B's teacher",
        rev(f"wagtailusers_users:{view}", pk("teacher_b")),
        "d",
    )
row(
    "wagtailusers_users:edit",
    "edit school B's teacher",
    rev("wagtailusers_users:edit", pk("teacher_b")),
    "d",
)
row(
    "wagtailusers_users:edit",
    "save school B's teacher",
    rev("wagtailusers_users:edit", pk("teacher_b")),
    "d",
    method="post",
    data=lambda w: {"full_name": "改名"},
    watch=USERS,
)
row(
    "wagtailusers_users:edit",
    "edit the district admin",
    rev("wagtailusers_users:edit", pk("district")),
    "d",
)
row(
    "wagtailusers_users:delete",
    "delete school B's teacher",
    rev("wagtailusers_users:delete", pk("teacher_b")),
    "d",
    method="post",
    data=lambda w: {},
    watch=USERS,
)
row(
    "wagtailusers_users:inspect",
    "inspect school B's teacher",
    rev("wagtailusers_users:inspect", pk("teacher_b")),
    "hd",
)
row(
    "wagtailusers_users:add",
    "create a user",
    rev("wagtailusers_users:add"),
    "sd",
    method="post",
    data=lambda w: {"staff_no": "NEW1"},
    watch=USERS,
)


def _district_group(w):
    from django.contrib.auth.models import Group

    from people import roles

    return Group.objects.get(name=roles.DISTRICT_ADMIN).pk


ROLE_GRANTS = state("people.User_groups")
# Role escalation: a school admin may grant only 教师 and 学校管理员, in their own school; the
# form answers (200 with errors) but nothing may change.
row(
    "wagtailusers_users:add",
    "create a district admin in school B",
    rev("wagtailusers_users:add"),
    "sd",
    method="post",
    data=lambda w: {
        "staff_no": "NEW2",
        "full_name": "新人",
        "school": w.school_b.pk,
        "groups": [_district_group(w)],
        "is_active": "on",
    },
    watch=state("people.User_groups", "people.User"),
    unchanged="s",
)
row(
    "wagtailusers_users:edit",
    "make teacher A a district admin",
    rev("wagtailusers_users:edit", pk("teacher")),
    "sd",
    method="post",
    data=lambda w: {
        "staff_no": "TA01",
        "full_name": "张老师",
        "school": w.school_a.pk,
        "groups": [_district_group(w)],
        "is_active": "on",
    },
    watch=ROLE_GRANTS,
    unchanged="s",
)


def snippet_viewset(
    model, obj, allow_view, allow_add, allow_change, allow_delete, inspect=False, history=None
):
    history = allow_view if history is None else history
    ns = f"wagtailsnippets_{model}"
    row(f"{ns}:list", f"{model} listing", rev(f"{ns}:list"), allow_view)
    row(f"{ns}:list_results", f"{model} listing results", rev(f"{ns}:list_results"), allow_view)
    row(f"{ns}:add", f"{model} add form", rev(f"{ns}:add"), allow_add)
    row(f"{ns}:edit", f"{model} edit form", rev(f"{ns}:edit", pk(obj)), allow_change)
    row(f"{ns}:delete", f"{model} delete confirmation", rev(f"{ns}:delete", pk(obj)), allow_delete)
    row(f"{ns}:usage", f"{model} usage", rev(f"{ns}:usage", pk(obj)), history)
    row(f"{ns}:history", f"{model} history", rev(f"{ns}:history", pk(obj)), history)
    row(
        f"{ns}:history_results",
        f"{model} history results",
        rev(f"{ns}:history_results", pk(obj)),
        history,
    )
    row(f"{ns}:copy", f"{model} copy", rev(f"{ns}:copy", pk(obj)), allow_add)
    if inspect:
        row(f"{ns}:inspect", f"{model} inspect", rev(f"{ns}:inspect", pk(obj)), allow_view)
    # Wagtail's snippet choosers open to every admin user (access_admin): they show the
    # titles of lecturer profiles, topics, problem categories and H5P packages, which the
    # signed-in site shows anyway; adding through a chooser needs the add permission.
    cs = f"wagtailsnippetchoosers_{model}"
    row(f"{cs}:choose", f"{model} chooser", rev(f"{cs}:choose"), ADMIN)
    row(f"{cs}:choose_results", f"{model} chooser results", rev(f"{cs}:choose_results"), ADMIN)
    row(
        f"{cs}:chosen",
        f"{model} chosen",
        rev(f"{cs}:chosen", lambda w: str(getattr(w, obj).pk)),
        ADMIN,
    )
    row(
        f"{cs}:chosen_multiple",
        f"{model} chosen (several)",
        lambda w: reverse(f"{cs}:chosen_multiple") + f"?id={getattr(w, obj).pk}",
        ADMIN,
    )
    row(f"{cs}:create", f"{model} create in chooser", rev(f"{cs}:create"), allow_add)


# 讲师 keep the 讲师团 profiles (people migration 0005); 审核员 may see topics and packages
# (courses migration 0002) to review courses; only 区管理员 delete packages.
snippet_viewset("people_lecturerprofile", "profile", "ld", "ld", "ld", "d")
snippet_viewset("courses_topiccategory", "topic", "lrd", "d", "d", "d", history="d")
snippet_viewset("casebank_problemcategory", "problem", "d", "d", "d", "d")
snippet_viewset("courses_h5ppackage", "package", "lrd", "ld", "ld", "d", inspect=True, history="ld")
row(
    "wagtailsnippets_courses_h5ppackage:add",
    "upload an H5P package (no file)",
    rev("wagtailsnippets_courses_h5ppackage:add"),
    "ld",
    method="post",
    data=lambda w: {"title": "x"},
    watch=state("courses.H5PPackage"),
    unchanged="ld",
)
row(
    "wagtailsettings:edit",
    "site settings",
    lambda w: reverse("wagtailsettings:edit", args=["cms", "sitesettings"]),
    NOBODY,  # no role holds change_sitesettings: superusers only
)

# --- courses admin -------------------------------------------------------------------------
row(
    "courses_enrolment_admin:pending",
    "pending enrolments",
    rev("courses_enrolment_admin:pending"),
    "sd",
    hide_b="s",
)
for school in ("", "_b"):
    row(
        "courses_enrolment_admin:decide",
        f"approve a pending enrolment of school {'B' if school else 'A'}",
        rev("courses_enrolment_admin:decide", pk(f"pending{school}")),
        "d" if school else "sd",
        method="post",
        data=lambda w: {"decision": "approve"},
        watch=ENROL,
    )
row(
    "courses_enrolment_admin:assign",
    "assign a course",
    rev("courses_enrolment_admin:assign"),
    "sd",
    hide_b="s",
)
row(
    "courses_enrolment_admin:assign",
    "assign form asked for school B",
    lambda w: reverse("courses_enrolment_admin:assign") + f"?school={w.school_b.pk}",
    "sd",
    hide_b="s",
)
row(
    "courses_enrolment_admin:assign",
    "assign a course to school B",
    rev("courses_enrolment_admin:assign"),
    "sd",
    unchanged="s",
    method="post",
    data=lambda w: {"course": w.course.pk, "school": w.school_b.pk, "teachers": [w.teacher_b.pk]},
    watch=ENROL,
)
row("courses_lectures:index", "lecture check-in admin", rev("courses_lectures:index"), "ld")
row(
    "courses_lectures:detail",
    "lecture attendance",
    rev("courses_lectures:detail", pk("lecture")),
    "ld",
)
row(
    "courses_lectures:live_count",
    "lecture live count",
    rev("courses_lectures:live_count", pk("lecture")),
    "ld",
)
row(
    "courses_lectures:export",
    "lecture attendance export",
    rev("courses_lectures:export", pk("lecture"), "csv"),
    "ld",
)
row(
    "courses_lectures:upload",
    "attendance list upload",
    rev("courses_lectures:upload", pk("lecture")),
    "ld",
)
row(
    "courses_lectures:upload_apply",
    "apply an attendance list",
    rev("courses_lectures:upload_apply", pk("lecture")),
    "ld",
    method="post",
    data=lambda w: {"token": "forged"},
    watch=REG,
    unchanged="ld",
)
row(
    "courses_lectures:mark",
    "mark attendance by hand",
    rev("courses_lectures:mark", pk("lecture")),
    "ld",
    method="post",
    data=lambda w: {"users": [w.teacher.pk], "reason": "补签"},
    watch=REG,
)
row(
    "courses_marking:lesson",
    "mark a lesson of a course the lecturer does not give",
    rev("courses_marking:lesson", pk("marked_other")),
    "d",
)
row(
    "courses_lectures:detail",
    "attendance of a lecture the lecturer does not give",
    rev("courses_lectures:detail", pk("other_lecture")),
    "d",
)
row(
    "courses_lectures:mark",
    "mark attendance at a lecture the lecturer does not give",
    rev("courses_lectures:mark", pk("other_lecture")),
    "d",
    method="post",
    data=lambda w: {"users": [w.teacher.pk], "reason": "补签"},
    watch=REG,
)
row(
    "courses:lecture_checkin_display",
    "check-in code screen of a lecture the lecturer does not give",
    rev("courses:lecture_checkin_display", pk("other_lecture")),
    "d",
)
row(
    "courses_reports:detail",
    "report of a course the lecturer does not give",
    rev("courses_reports:detail", pk("approval")),
    "shd",
    hide_b="s",
)
row("courses_marking:index", "lessons to mark", rev("courses_marking:index"), "ld")
row("courses_marking:lesson", "mark a lesson", rev("courses_marking:lesson", pk("marked")), "ld")
row(
    "courses_marking:lesson",
    "mark teacher A complete",
    rev("courses_marking:lesson", pk("marked")),
    "ld",
    method="post",
    data=lambda w: {"teachers": [w.teacher.pk], "reason": "现场评定"},
    watch=state("courses.LessonProgress", "courses.Enrollment"),
)
row("courses_reports:index", "course reports", rev("courses_reports:index"), "lshd", hide_b="s")
row(
    "courses_reports:detail",
    "course report",
    rev("courses_reports:detail", pk("course")),
    "lshd",
    hide_b="s",
)
row(
    "courses_reports:export",
    "course report export",
    rev("courses_reports:export", pk("course"), "csv"),
    "lshd",
    hide_b="s",
)

# --- certification admin -------------------------------------------------------------------
row(
    "certification_certificate_batches:index",
    "certificate batches",
    rev("certification_certificate_batches:index"),
    "d",
)
row(
    "certification_certificate_batches:index",
    "start a certificate batch",
    rev("certification_certificate_batches:index"),
    "d",
    method="post",
    data=lambda w: {"school": w.school_a.pk, "kinds": ["course"]},
    watch=state("certification.CertificateBatch"),
)
for view in ("detail", "status"):
    row(
        f"certification_certificate_batches:{view}",
        f"certificate batch {view}",
        rev(f"certification_certificate_batches:{view}", pk("batch")),
        "d",
    )
row(
    "certification_certificate_batches:resume",
    "resume a certificate batch",
    rev("certification_certificate_batches:resume", pk("batch")),
    "d",
    method="post",
    data=lambda w: {},
    watch=state("certification.CertificateBatch"),
)
DASH = "certification_dashboards"
row(f"{DASH}:school", "school dashboard", rev(f"{DASH}:school"), "shd", hide_b="s")
row(f"{DASH}:school", "school B's dashboard", rev(f"{DASH}:school", query="?school=B001"), "hd")
row(f"{DASH}:teacher", "teacher A's detail", rev(f"{DASH}:teacher", pk("teacher")), "shd")
row(f"{DASH}:teacher", "school B teacher's detail", rev(f"{DASH}:teacher", pk("teacher_b")), "hd")
row(
    f"{DASH}:assign",
    "assign from the dashboard to school B",
    rev(f"{DASH}:assign"),
    "d",
    method="post",
    data=lambda w: {"course": w.course.pk, "school": "B001", "teachers": [w.teacher_b.pk]},
    watch=ENROL,
)
row(f"{DASH}:export", "dashboard export", rev(f"{DASH}:export"), "shd", hide_b="s")
row(
    f"{DASH}:export", "school B dashboard export", rev(f"{DASH}:export", query="?school=B001"), "hd"
)
row(f"{DASH}:district", "district dashboard", rev(f"{DASH}:district"), "hd")
HRR = "certification_hr_reports"
# A school admin gets the HR report of their own school (hr_reports scope).
row(f"{HRR}:index", "HR report", rev(f"{HRR}:index"), "shd", hide_b="s")
row(
    f"{HRR}:export",
    "start an HR export",
    rev(f"{HRR}:export"),
    "shd",
    method="post",
    data=lambda w: {"cycle": w.cycle.pk},
    watch=state("certification.ReportExport"),
)
for view in ("export_detail", "export_status", "export_download"):
    row(f"{HRR}:{view}", f"HR export {view}", rev(f"{HRR}:{view}", pk("export")), "hd")
TI = "certification_training_import"
TRAINING = state("certification.TrainingImport", "certification.CreditEntry")
row(
    f"{TI}:index",
    "training import",
    rev(f"{TI}:index"),
    "sd",
    hide=lambda w: [w.training_b.original_name],
    hide_from="s",
)
row(
    f"{TI}:index",
    "upload training records (no file)",
    rev(f"{TI}:index"),
    "sd",
    method="post",
    data=lambda w: {},
    watch=TRAINING,
    unchanged="sd",
)
row(f"{TI}:template", "training template", rev(f"{TI}:template"), "sd")
for school in ("a", "b"):
    allow = "sd" if school == "a" else "d"
    for view in ("detail", "status"):
        row(
            f"{TI}:{view}",
            f"training import {view} of school {school.upper()}",
            rev(f"{TI}:{view}", pk(f"training_{school}")),
            allow,
        )
    row(
        f"{TI}:confirm",
        f"confirm training import of school {school.upper()}",
        rev(f"{TI}:confirm", pk(f"training_{school}")),
        allow,
        method="post",
        data=lambda w: {},
        watch=TRAINING,
    )
LEDGER = state("certification.CreditEntry")
# Readers see the ledger in their scope (credit_entries_visible_to); only 区管理员 correct it.
row(
    "certification_ledger:index",
    "credit ledger",
    rev("certification_ledger:index"),
    "shd",
    hide_b="s",
)
row(
    "certification_ledger:reverse",
    "reverse form for teacher A's entry",
    rev("certification_ledger:reverse", pk("entry_a")),
    "d",
)
row(
    "certification_ledger:reverse",
    "reverse teacher B's entry",
    rev("certification_ledger:reverse", pk("entry_b")),
    "d",
    method="post",
    data=lambda w: {"reason": "录入错误"},
    watch=LEDGER,
)
row(
    "qualification_revoke:index",
    "qualification revocations",
    rev("qualification_revoke:index"),
    "d",
)
row(
    "qualification_revoke:index",
    "revoke teacher B's qualification",
    rev("qualification_revoke:index"),
    "d",
    method="post",
    data=lambda w: {"staff_no": "TB01", "standard_code": w.standard.code, "reason": "违纪"},
    watch=state("certification.QualificationStatus"),
)
row(
    "qualification_revoke:lift",
    "lift a revocation",
    rev("qualification_revoke:lift", pk("revoked_status")),
    "d",
    method="post",
    data=lambda w: {},
    watch=state("certification.QualificationStatus"),
)
TOKENS = state("certification.ApiToken")
row("certification_tokens:index", "API tokens", rev("certification_tokens:index"), "d")
row("certification_tokens:create", "new API token form", rev("certification_tokens:create"), "d")
row(
    "certification_tokens:create",
    "create an API token",
    rev("certification_tokens:create"),
    "d",
    method="post",
    data=lambda w: {"name": "新系统", "school": w.school_a.pk},
    watch=TOKENS,
)
row(
    "certification_tokens:revoke",
    "revoke an API token",
    rev("certification_tokens:revoke", pk("other_token")),
    "d",
    method="post",
    data=lambda w: {},
    watch=TOKENS,
)
CERTS = state("certification.Certificate")
row(
    "certification_certificates:index",
    "certificates",
    rev("certification_certificates:index"),
    "shd",
    hide_b="s",
)
row(
    "certification_certificates:index",
    "certificates filtered to school B",
    lambda w: reverse("certification_certificates:index") + f"?school={w.school_b.pk}",
    "shd",
    hide_b="s",
)
row(
    "certification_ledger:index",
    "credit ledger filtered to school B",
    lambda w: reverse("certification_ledger:index") + f"?school={w.school_b.pk}",
    "shd",
    hide_b="s",
)
row(
    f"{HRR}:index",
    "HR report of school B",
    lambda w: reverse(f"{HRR}:index") + f"?school={w.school_b.pk}",
    "shd",
    hide_b="s",
)
row(
    "certification_certificates:detail",
    "teacher A's certificate",
    rev("certification_certificates:detail", pk("cert_a")),
    "shd",
)
row(
    "certification_certificates:detail",
    "school B's certificate",
    rev("certification_certificates:detail", pk("cert_b")),
    "hd",
)
row(
    "certification_certificates:detail",
    "revoked certificate",
    rev("certification_certificates:detail", pk("cert_revoked")),
    "shd",
)
row(
    "certification_certificates:revoke",
    "revoke school B's certificate",
    rev("certification_certificates:revoke", pk("cert_b")),
    "d",
    method="post",
    data=lambda w: {"reason": "撤销"},
    watch=CERTS,
)
row(
    "certification_transcripts:index",
    "transcripts",
    rev("certification_transcripts:index"),
    "shd",
    hide_b="s",
)
row(
    "certification_transcripts:detail",
    "teacher A's transcript",
    rev("certification_transcripts:detail", pk("teacher")),
    "shd",
)
row(
    "certification_transcripts:detail",
    "school B teacher's transcript",
    rev("certification_transcripts:detail", pk("teacher_b")),
    "hd",
)
row(
    "certification_transcripts:detail",
    "issue school B teacher's transcript",
    rev("certification_transcripts:detail", pk("teacher_b")),
    "hd",
    method="post",
    data=lambda w: {"cycle": w.cycle.pk},
    watch=CERTS,
)
# Cycles and standards are never deleted (the ledger and statuses point at them).
model_viewset("credit_cycles", "cycle", "shd", "d", "d", NOBODY)
model_viewset("cycle_requirements", "cycle_requirement", "d", "d", "d", "d", inspect=False)
model_viewset("qualification_standards", "standard", "shd", "d", "d", NOBODY)
row(
    "credit_cycles:delete",
    "delete a credit cycle",
    rev("credit_cycles:delete", pk("cycle")),
    NOBODY,
    method="post",
    data=lambda w: {},
    watch=state("certification.CreditCycle"),
)
row(
    "qualification_standards:edit",
    "save the standard",
    rev("qualification_standards:edit", pk("standard")),
    "d",
    method="post",
    data=lambda w: {"name": "改"},
    watch=state("certification.QualificationStandard", "certification.StandardRequirement"),
)


# --- what the completeness test leaves to others, and why ------------------------------------
# Prefixes of pattern names (or routes, for unnamed ones) that are Wagtail's or Django's own.
EXCLUDED = {
    "wagtailadmin_": "Wagtail core admin (pages, workflows, reports, collections, choosers, "
    "account, login): Wagtail's own permission checks; /admin/ and page edit are rows above",
    "wagtail_bulk_action": "Wagtail bulk actions check each object's own permission policy",
    "wagtaildocs": "Wagtail documents: Wagtail's collection permissions",
    "wagtailimages": "Wagtail images: Wagtail's collection permissions",
    "wagtailembeds": "Wagtail embeds chooser: access_admin only, holds no records",
    "wagtailforms": "Wagtail form submissions: no form pages in our apps",
    "wagtailredirects": "Wagtail redirects: model permissions held by 区管理员 only",
    "wagtailsites": "Wagtail sites: superuser only",
    "wagtailsettings:": "Wagtail's settings routes; our SiteSettings has a row above",
    "wagtailusers_groups": "Wagtail group editor: auth.view_group etc., 区管理员 only",
    "wagtailsnippets:": "Wagtail's snippet index lists only models the user may see",
    "wagtailcore_": "Wagtail's page-privacy password and login forms",
    "admin/test404/": "Wagtail's test 404 page",
    "admin/^.*/$": "Wagtail's admin catch-all 404",
    "^static/": "static files",
    "^media/": "DEBUG-only media serving",
}
