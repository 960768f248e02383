"""School and the custom user model (log in with 工号), roster import jobs, and 讲师团 profiles."""

from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from taggit.models import TaggedItemBase
from wagtail.fields import RichTextField


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class Stage(models.TextChoices):
    PRIMARY = "primary", _("Primary school")
    JUNIOR = "junior", _("Junior secondary")
    SENIOR = "senior", _("Senior secondary")


class ProfessionalTitle(models.TextChoices):
    THIRD = "third", _("Third grade")
    SECOND = "second", _("Second grade")
    FIRST = "first", _("First grade")
    SENIOR = "senior", _("Senior grade")
    FULL_SENIOR = "full_senior", _("Full senior grade")


class School(TimeStampedModel):
    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("school code"), max_length=20, unique=True)
    district = models.CharField(_("district"), max_length=20, default="青浦区")
    offers_primary = models.BooleanField(_("offers primary"), default=False)
    offers_junior = models.BooleanField(_("offers junior secondary"), default=False)
    offers_senior = models.BooleanField(_("offers senior secondary"), default=False)
    students_primary = models.PositiveIntegerField(_("primary students"), default=0)
    students_junior = models.PositiveIntegerField(_("junior secondary students"), default=0)
    students_senior = models.PositiveIntegerField(_("senior secondary students"), default=0)
    address = models.CharField(_("address"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        constraints = [
            models.CheckConstraint(
                condition=Q(offers_primary=True) | Q(offers_junior=True) | Q(offers_senior=True),
                name="school_offers_a_stage",
                violation_error_message=_("A school must offer at least one stage."),
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def stages(self) -> list[str]:
        return [
            stage
            for stage, offered in (
                (Stage.PRIMARY, self.offers_primary),
                (Stage.JUNIOR, self.offers_junior),
                (Stage.SENIOR, self.offers_senior),
            )
            if offered
        ]

    @property
    def stage_labels(self) -> str:
        return "、".join(str(Stage(stage).label) for stage in self.stages)

    @property
    def student_count(self) -> int:
        return self.students_primary + self.students_junior + self.students_senior


class UserManager(DjangoUserManager):
    use_in_migrations = True

    def _create_user(self, staff_no, email, password, **extra_fields):
        if not staff_no:
            raise ValueError("staff_no is required")
        email = self.normalize_email(email) if email else ""
        user = self.model(staff_no=staff_no, email=email, **extra_fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, staff_no, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(staff_no, email, password, **extra_fields)

    def create_superuser(self, staff_no, email=None, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(staff_no, email, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    staff_no = models.CharField(
        _("staff number"),
        max_length=32,
        unique=True,
        help_text=_("The 工号 used to log in."),
        error_messages={"unique": _("A user with this staff number already exists.")},
    )
    full_name = models.CharField(_("full name"), max_length=50)
    school = models.ForeignKey(
        School,
        verbose_name=_("school"),
        on_delete=models.PROTECT,
        related_name="staff",
        null=True,
        blank=True,
    )
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, blank=True)
    subjects = models.CharField(_("subjects"), max_length=100, blank=True)
    title = models.CharField(
        _("professional title"), max_length=12, choices=ProfessionalTitle.choices, blank=True
    )
    is_head_teacher = models.BooleanField(_("head teacher"), default=False)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    hired_on = models.DateField(_("hired on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("staff status"),
        default=False,
        help_text=_("Designates whether the user can log into the Django admin site."),
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = UserManager()

    USERNAME_FIELD = "staff_no"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["staff_no"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        indexes = [models.Index(fields=["school", "stage"], name="user_school_stage_idx")]

    def __str__(self):
        return f"{self.full_name}（{self.staff_no}）" if self.full_name else self.staff_no

    def get_full_name(self):
        return self.full_name or self.staff_no

    def get_short_name(self):
        return self.full_name or self.staff_no


class RosterImport(TimeStampedModel):
    """One uploaded roster file, validated in the background, then applied on confirm."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be checked")
        VALIDATING = "validating", _("Checking")
        INVALID = "invalid", _("Has errors")
        VALID = "valid", _("Ready to import")
        APPLYING = "applying", _("Importing")
        APPLIED = "applied", _("Imported")
        FAILED = "failed", _("Failed")

    file = models.FileField(_("file"), upload_to="imports/roster/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    uploaded_by = models.ForeignKey(
        User,
        verbose_name=_("uploaded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    school_scope = models.ForeignKey(
        School,
        verbose_name=_("limited to school"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Set for school admins: rows for other schools are errors."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    applied_by = models.ForeignKey(
        User,
        verbose_name=_("applied by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")

    def __str__(self):
        return self.original_name

    @property
    def progress_percent(self) -> int:
        if self.status in {self.Status.VALID, self.Status.INVALID, self.Status.APPLIED}:
            return 100
        if not self.total_rows:
            return 0
        return min(100, int(self.processed_rows * 100 / self.total_rows))

    @property
    def is_running(self) -> bool:
        return self.status in {self.Status.PENDING, self.Status.VALIDATING, self.Status.APPLYING}


# --- 讲师团: lecturer profiles (shown by cms.LecturerIndexPage) -----------------------------


class LecturerProfileTag(TaggedItemBase):
    content_object = ParentalKey(
        "people.LecturerProfile", on_delete=models.CASCADE, related_name="tagged_items"
    )

    class Meta:
        verbose_name = _("lecturer expertise tag")
        verbose_name_plural = _("lecturer expertise tags")


class LecturerProfile(TimeStampedModel, ClusterableModel):
    """A member of the district 讲师团; may be linked to a platform account."""

    user = models.OneToOneField(
        User,
        verbose_name=_("account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lecturer_profile",
    )
    full_name = models.CharField(_("full name"), max_length=50)
    title = models.CharField(
        _("title"), max_length=100, blank=True, help_text=_("For example 高级教师、区心理教研员")
    )
    unit = models.CharField(_("school or unit"), max_length=100, blank=True)
    bio = RichTextField(_("biography"), blank=True, features=["bold", "italic", "link", "ul", "ol"])
    expertise = ClusterTaggableManager(
        verbose_name=_("expertise"), through=LecturerProfileTag, blank=True
    )
    photo = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("photo"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sort_order = models.IntegerField(_("sort order"), default=0, help_text=_("Lower comes first."))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["sort_order", "full_name"]
        verbose_name = _("lecturer profile")
        verbose_name_plural = _("lecturer profiles")

    def __str__(self):
        return self.full_name

    @property
    def initials(self) -> str:
        """The avatar text when there is no photo: the given name of a Chinese name."""
        name = (self.full_name or "").strip()
        return name[-2:] if len(name) >= 2 else name


# --- In-site notifications (the bell in the header) ---------------------------------------


class Notification(TimeStampedModel):
    """A message for one user, shown in the header's notification list. `key` (optional)
    makes a notification idempotent: a second one with the same key is never created."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="notifications"
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True, max_length=2000)
    url = models.CharField(_("link"), max_length=500, blank=True)
    key = models.CharField(_("key"), max_length=100, blank=True, editable=False)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"], condition=~Q(key=""), name="notification_key_once"
            )
        ]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self):
        return self.title
