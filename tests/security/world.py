"""The people and objects the permission matrix requests pages about, built once per module:
users of every role (school A unless said otherwise), another teacher of school A, a teacher
of school B, published and draft pages, and one record of every kind the URLs take an id of,
for school A and, where the URL is school-scoped, for school B too."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from people import roles


@dataclass
class World:
    users: dict = field(default_factory=dict)
    token_key: str = ""
    sessions: dict = field(default_factory=dict)  # user key → session id, logged in once
    objects: dict = field(default_factory=dict)

    def __getattr__(self, name):
        objects = self.__dict__.get("objects", {})
        if name in objects:
            return objects[name]
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)


def build_world() -> World:
    from casebank.models import ProblemCategory
    from certification.api.services import api_token_create
    from certification.models import (
        CertificateBatch,
        CreditCycle,
        CycleRequirement,
        QualificationStandard,
        ReportExport,
        TrainingImport,
    )
    from certification.services.certificate_pdf import certificate_render
    from certification.services.certificates import certificate_revoke
    from certification.services.qualification import qualification_revoke
    from courses.choices import CompletionCriterion, EnrollmentStatus, EnrolmentMode
    from courses.models import CoursePage, LecturePage, LessonPage, TopicCategory
    from people.models import LecturerProfile, Notification, RosterImport
    from tests.courses.h5p_builder import quiz_package
    from tests.factories import SchoolFactory, UserFactory
    from tests.factories.casebank import make_case
    from tests.factories.certificates import CertificateFactory
    from tests.factories.certification import award
    from tests.factories.courses import course_index, enroll, h5p_block, make_course, make_lesson
    from tests.factories.lectures import lecture_series, make_lecture

    w = World()
    school_a = SchoolFactory(code="A001", name="青浦区实验小学", offers_primary=True)
    school_b = SchoolFactory(
        code="B001", name="青浦区第一中学", offers_junior=True, offers_primary=False
    )

    def user(key, role, school, staff_no, name):
        w.users[key] = UserFactory(
            roles=[role] if role else [], school=school, staff_no=staff_no, full_name=name
        )
        return w.users[key]

    teacher = user("teacher", roles.TEACHER, school_a, "TA01", "张老师")
    other = user("other_teacher", roles.TEACHER, school_a, "TA02", "赵老师")
    teacher_b = user("teacher_b", roles.TEACHER, school_b, "TB01", "王老师")
    lecturer = user("lecturer", roles.LECTURER, school_a, "LE01", "孙讲师")
    user("reviewer", roles.REVIEWER, school_a, "RV01", "钱审核")
    school_admin = user("school_admin", roles.SCHOOL_ADMIN, school_a, "SA01", "李管理")
    school_admin_b = UserFactory(
        roles=[roles.SCHOOL_ADMIN], school=school_b, staff_no="SB01", full_name="吴管理"
    )
    hr = user("hr", roles.HR, None, "HR01", "人事科陈")
    district = user("district", roles.DISTRICT_ADMIN, None, "DA01", "区管理员周")

    profile = LecturerProfile.objects.create(user=lecturer, full_name="孙讲师")
    topic = TopicCategory.objects.create(name="心理健康", slug="mental-health")
    problem = ProblemCategory.objects.get_or_create(slug="matrix", defaults={"name": "矩阵"})[0]

    # Courses: an open one teacher A is learning (a lecturer-marked lesson, an H5P lesson),
    # one with approval enrolment and a pending request, a draft course and a draft lesson.
    package = quiz_package(title="矩阵测验", uploaded_by=lecturer)
    course = make_course(lessons=1, title="矩阵课程")
    course.lecturers = [profile]
    course.save_revision().publish()
    course.refresh_from_db()
    lesson = LessonPage.objects.child_of(course).first()
    marked = make_lesson(course, title="讲师评定", criterion=CompletionCriterion.LECTURER)
    h5p_lesson = make_lesson(
        course,
        title="测验",
        criterion=CompletionCriterion.H5P_PASSED,
        blocks=[h5p_block(package)],
    )
    enroll(teacher, course)
    enroll(teacher_b, course)
    approval = make_course(lessons=1, title="审批课程", enrolment_mode=EnrolmentMode.APPROVAL)
    # A lesson to mark in a course the lecturer does not give.
    marked_other = make_lesson(
        approval, title="他人课程评定", criterion=CompletionCriterion.LECTURER
    )
    pending = enroll(teacher, approval, status=EnrollmentStatus.PENDING)
    pending_b = enroll(teacher_b, approval, status=EnrollmentStatus.PENDING)
    draft_course = CoursePage(
        title="草稿课程",
        slug="draft-course",
        code="QP-DRAFT",
        summary="s",
        hours=1,
        credit_points=Decimal("0.5"),
        live=False,
    )
    course_index().add_child(instance=draft_course)
    draft_course.save_revision()
    draft_lesson = LessonPage(title="草稿课时", slug="draft-lesson", live=False, body="[]")
    course.add_child(instance=draft_lesson)
    draft_lesson.save_revision()

    # Lectures: one the lecturer gives (it started 10 minutes ago, so check-in is open),
    # and a draft.
    series = lecture_series(feedback_required=False)
    lecture = make_lecture(starts_in=-datetime.timedelta(minutes=10), minutes=120)
    lecture.lecturers = [profile]
    lecture.save_revision().publish()
    lecture.refresh_from_db()
    other_lecture = make_lecture(starts_in=-datetime.timedelta(minutes=5), title="他人讲座")
    draft_lecture = LecturePage(
        title="草稿讲座",
        slug="draft-lecture",
        live=False,
        summary="s",
        starts_at=timezone.now(),
        ends_at=timezone.now() + datetime.timedelta(hours=1),
    )
    series.add_child(instance=draft_lecture)
    draft_lecture.save_revision()

    # Cases: a published one, a draft one, and teacher A's own submission (a draft).
    case = make_case(title="矩阵案例")
    draft_case = make_case(live=False, title="草稿案例")
    own_case = make_case(live=False, title="我的投稿", authors=[teacher], owner=teacher)

    # Certification records.
    entry_a = award(teacher)
    entry_b = award(teacher_b)
    cert_a = CertificateFactory(holder=teacher)
    cert_other = CertificateFactory(holder=other)
    cert_b = CertificateFactory(holder=teacher_b)
    cert_revoked = CertificateFactory(holder=teacher)
    certificate_revoke(certificate=cert_revoked, reason="重复颁发", revoked_by=district)
    cert_revoked.refresh_from_db()
    # Rendered once here, or every PDF request of the matrix renders it again (~0.3 s each).
    for certificate in (cert_a, cert_other, cert_b, cert_revoked):
        certificate_render(certificate)
        certificate.refresh_from_db()
    standard = QualificationStandard.objects.filter(is_current=True).first()
    revoked_status = qualification_revoke(
        user=teacher, standard_code=standard.code, reason="违纪", revoked_by=district
    )
    cycle = CreditCycle.objects.first()
    cycle_requirement = CycleRequirement.objects.filter(cycle=cycle).first() or (
        CycleRequirement.objects.create(cycle=cycle, min_points=Decimal("1"))
    )
    issued = api_token_create(name="A校系统", school=school_a, created_by=district)
    w.token_key = issued.key
    other_token = api_token_create(name="B校系统", school=school_b, created_by=district).token

    def upload(model, scope, by, name):
        job = model(original_name=name, uploaded_by=by, school_scope=scope)
        job.file.save(name, ContentFile("工号,姓名\n".encode()), save=False)
        job.save()
        return job

    roster_a = upload(RosterImport, school_a, school_admin, "roster-a.csv")
    roster_b = upload(RosterImport, school_b, school_admin_b, "roster-b.csv")
    training_a = upload(TrainingImport, school_a, school_admin, "training-a.csv")
    training_b = upload(TrainingImport, school_b, school_admin_b, "training-b.csv")
    export = ReportExport.objects.create(requested_by=hr, filters={"cycle": cycle.pk})
    export.file.save("hr.xlsx", ContentFile(b"PK"), save=False)
    export.status = "done"
    export.save()
    batch = CertificateBatch.objects.create(school=school_a, kinds=["course"])
    notification = Notification.objects.create(user=teacher, title="通知", url="/me/")

    w.objects.update(
        school_a=school_a,
        school_b=school_b,
        school_admin_b=school_admin_b,
        profile=profile,
        topic=topic,
        problem=problem,
        package=package,
        course=course,
        lesson=lesson,
        marked=marked,
        marked_other=marked_other,
        other_lecture=other_lecture,
        h5p_lesson=h5p_lesson,
        approval=approval,
        pending=pending,
        pending_b=pending_b,
        draft_course=draft_course,
        draft_lesson=draft_lesson,
        series=series,
        lecture=lecture,
        draft_lecture=draft_lecture,
        case=case,
        draft_case=draft_case,
        own_case=own_case,
        entry_a=entry_a,
        entry_b=entry_b,
        cert_a=cert_a,
        cert_other=cert_other,
        cert_b=cert_b,
        cert_revoked=cert_revoked,
        standard=standard,
        revoked_status=revoked_status,
        cycle=cycle,
        cycle_requirement=cycle_requirement,
        other_token=other_token,
        roster_a=roster_a,
        roster_b=roster_b,
        training_a=training_a,
        training_b=training_b,
        export=export,
        batch=batch,
        notification=notification,
    )
    w.sessions = {}
    for key, signed_in in w.users.items():
        client = Client()
        client.force_login(signed_in)
        w.sessions[key] = client.cookies[settings.SESSION_COOKIE_NAME].value
    return w
