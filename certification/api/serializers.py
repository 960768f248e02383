"""Serializers of the mentor-readiness API: the item shape is a stable contract (DESIGN §7)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from people.models import Stage

from ..models.qualification import QualificationState, QualificationStatus


@extend_schema_field(OpenApiTypes.NUMBER)
class NumberField(serializers.Field):
    """A JSON number as stored (4 stays 4, 2.5 stays 2.5)."""

    def to_representation(self, value):
        if isinstance(value, bool) or value is None:
            return 0
        if isinstance(value, int | float):
            return value
        number = float(value)
        return int(number) if number.is_integer() else number


class MissingItemSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("The requirement's code."))
    label = serializers.CharField(help_text=_("What is missing, in words."))
    have = NumberField(help_text=_("What the teacher has (hours, lectures, score or 0/1)."))
    need = NumberField(help_text=_("What the requirement asks for."))


class MentorReadinessSerializer(serializers.ModelSerializer):
    staff_no = serializers.CharField(source="user.staff_no")
    full_name = serializers.CharField(source="user.full_name")
    school = serializers.SerializerMethodField(help_text=_("The school's code."))
    stage = serializers.CharField(source="user.stage", help_text=_("primary, junior or senior."))
    state = serializers.ChoiceField(choices=QualificationState.choices)
    missing = serializers.SerializerMethodField()

    class Meta:
        model = QualificationStatus
        fields = [
            "staff_no",
            "full_name",
            "school",
            "stage",
            "state",
            "qualified_on",
            "expires_on",
            "missing",
        ]

    def get_school(self, status) -> str | None:
        school = status.user.school
        return school.code if school else None

    @extend_schema_field(MissingItemSerializer(many=True))
    def get_missing(self, status):
        items = status.missing if isinstance(status.missing, list) else []
        return MissingItemSerializer(
            [item for item in items if isinstance(item, dict)], many=True
        ).data


class MentorReadinessQuerySerializer(serializers.Serializer):
    """The query string of GET /api/v1/mentor-readiness/."""

    school = serializers.CharField(
        required=False,
        max_length=20,
        help_text=_("A school code; a school token sees only its own."),
    )
    stage = serializers.ChoiceField(choices=Stage.choices, required=False)
    state = serializers.ChoiceField(choices=QualificationState.choices, required=False)
    changed_since = serializers.DateTimeField(
        required=False,
        help_text=_("ISO 8601; only teachers whose state or missing items changed since then."),
    )
