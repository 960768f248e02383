"""Account forms: login by 工号 with a generic error, and first-time/forgotten password."""

from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from people.models import User


class StaffNoAuthenticationForm(auth_forms.AuthenticationForm):
    error_messages = {
        # Same message whether the 工号 exists or not.
        "invalid_login": _("The staff number or password is incorrect."),
        "inactive": _("The staff number or password is incorrect."),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("staff number")
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "username", "inputmode": "text", "autocapitalize": "none"}
        )


class StaffPasswordResetForm(auth_forms.PasswordResetForm):
    """Matches on 工号 and e-mail; also reaches new staff whose password is not set yet."""

    staff_no = forms.CharField(label=_("staff number"), max_length=32)
    field_order = ["staff_no", "email"]

    def get_users(self, email):
        staff_no = (self.cleaned_data.get("staff_no") or "").strip()
        return User.objects.filter(
            staff_no=staff_no, email__iexact=email.strip(), is_active=True
        ).exclude(email="")
