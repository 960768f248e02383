"""Account forms: login by 工号 with a generic error, and first-time/forgotten password."""

from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from people.models import User

# One message for an unknown 工号, a wrong password and an inactive account alike, so the
# login page never tells anyone whether a staff number exists.
GENERIC_LOGIN_ERROR = _("The staff number or password is incorrect.")


class StaffNoAuthenticationForm(auth_forms.AuthenticationForm):
    error_messages = {
        "invalid_login": GENERIC_LOGIN_ERROR,
        "inactive": GENERIC_LOGIN_ERROR,
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("staff number")
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "username", "inputmode": "text", "autocapitalize": "none"}
        )


class StaffPasswordResetForm(auth_forms.PasswordResetForm):
    """Matches on 工号 and e-mail; also reaches new staff whose password is not set yet.

    Django's own form skips users with an unusable password, which is exactly how new
    staff are created, so the first password is set through this same link.
    """

    staff_no = forms.CharField(
        label=_("staff number"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    field_order = ["staff_no", "email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("e-mail")

    def get_users(self, email):
        staff_no = (self.cleaned_data.get("staff_no") or "").strip()
        return User.objects.filter(
            staff_no=staff_no, email__iexact=email.strip(), is_active=True
        ).exclude(email="")
