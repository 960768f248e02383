"""Models of courses, one module per concern; import them from here."""

from .h5p import H5PPackage, H5PResult, H5PUserData, LessonPackage, XAPIStatement
from .learning import CourseEvaluation, Enrollment, LessonProgress
from .lectures import (
    Attendance,
    AttendanceMethod,
    LectureCaseLink,
    LectureFeedback,
    LecturePage,
    LectureRegistration,
    LectureReminder,
    LectureSeriesPage,
    RegistrationStatus,
    ReminderKind,
)
from .pages import CourseIndexPage, CoursePage, CourseTag, LessonPage
from .taxonomy import TopicCategory

__all__ = [
    "Attendance",
    "AttendanceMethod",
    "CourseEvaluation",
    "CourseIndexPage",
    "CoursePage",
    "CourseTag",
    "Enrollment",
    "H5PPackage",
    "H5PResult",
    "H5PUserData",
    "LectureCaseLink",
    "LectureFeedback",
    "LecturePage",
    "LectureRegistration",
    "LectureReminder",
    "LectureSeriesPage",
    "LessonPackage",
    "LessonPage",
    "LessonProgress",
    "RegistrationStatus",
    "ReminderKind",
    "TopicCategory",
    "XAPIStatement",
]
