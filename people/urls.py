"""Account URLs: login, logout, password change and (first-time) password set."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from people.forms import StaffNoAuthenticationForm, StaffPasswordResetForm
from people.views import notifications

urlpatterns = [
    path(
        "login/",
        # Not redirect_authenticated_user: a signed-in teacher sent here by /admin/ (no
        # admin access) would bounce straight back to /admin/ and loop.
        auth_views.LoginView.as_view(authentication_form=StaffNoAuthenticationForm),
        name="login",
    ),
    # Django's LogoutView accepts POST only (GET is 405), so a link cannot log anyone out.
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(success_url=reverse_lazy("password_change_done")),
        name="password_change",
    ),
    path(
        "password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(
            form_class=StaffPasswordResetForm,
            success_url=reverse_lazy("password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            success_url=reverse_lazy("password_reset_complete")
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("notifications/", notifications.notification_list, name="notifications"),
    path(
        "notifications/<int:pk>/open/",
        notifications.notification_open,
        name="notification_open",
    ),
    path(
        "notifications/read-all/",
        notifications.notifications_read_all,
        name="notifications_read_all",
    ),
]
