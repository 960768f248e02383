"""The shapes a roster passes through, the column names, and value vocabularies."""

from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field

from people.models import ProfessionalTitle, Stage

# Column name in the file -> field of the parsed row.
COLUMNS = {
    "工号": "staff_no",
    "姓名": "full_name",
    "学校代码": "school_code",
    "学段": "stage",
    "学科": "subjects",
    "职称": "title",
    "班主任": "is_head_teacher",
    "手机": "phone",
    "邮箱": "email",
}
REQUIRED_COLUMNS = ("工号", "姓名", "学校代码", "学段")
# Optional column -> the User field it sets. A column absent from the file leaves that
# field of existing users alone; a present column is authoritative, empty cells included.
OPTIONAL_USER_FIELDS = {
    "学科": "subjects",
    "职称": "title",
    "班主任": "is_head_teacher",
    "手机": "phone",
    "邮箱": "email",
}
COLUMN_ORDER = {name: index for index, name in enumerate(COLUMNS)}

STAGE_VALUES = {
    "小学": Stage.PRIMARY,
    "初中": Stage.JUNIOR,
    "高中": Stage.SENIOR,
    **{stage.value: stage for stage in Stage},
}
TITLE_LEVELS = {
    "三级": ProfessionalTitle.THIRD,
    "二级": ProfessionalTitle.SECOND,
    "一级": ProfessionalTitle.FIRST,
    "高级": ProfessionalTitle.SENIOR,
    "副高级": ProfessionalTitle.SENIOR,
    "正高级": ProfessionalTitle.FULL_SENIOR,
    **{title.value: title for title in ProfessionalTitle},
}
TITLE_PREFIXES = ("中小学", "中学", "小学")
TITLE_NONE = {"", "无", "未评", "未定级"}
# Before the 2015 reform 小学高级/一级/二级 sat one level lower than the new names.
LEGACY_PRIMARY_TITLES = {"高级", "一级", "二级"}
YES_VALUES = {"是", "y", "yes", "1", "true", "√"}
NO_VALUES = {"", "否", "n", "no", "0", "false", "×"}

MAX_LENGTHS = {"full_name": 50, "subjects": 100, "email": 254}
PROGRESS_EVERY = 1000
LOOKUP_CHUNK = 900  # below SQLite's 999 bound parameters


@dataclass(frozen=True)
class RowError:
    """One problem: `row` as Excel numbers it (header = 1), 0 for the whole file."""

    row: int
    column: str
    code: str
    message: str

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class RosterTable:
    """The file read into text cells, before any value is checked."""

    header: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)


@dataclass
class RosterRow:
    row: int
    staff_no: str
    school_code: str
    values: dict  # User field -> clean value


@dataclass
class RosterCheck:
    rows: list[RosterRow]
    fields: list[str]  # the User fields this file sets
    errors: list[RowError]
    warnings: list[RowError]


def error(row: int, column: str, code: str, message: str) -> RowError:
    return RowError(row=row, column=column, code=code, message=message)


def chunked(items: list, size: int = LOOKUP_CHUNK) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def sort_errors(errors: Iterable[RowError]) -> list[RowError]:
    return sorted(errors, key=lambda e: (e.row, COLUMN_ORDER.get(e.column, 99), e.code))
