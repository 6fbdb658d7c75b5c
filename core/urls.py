from django.contrib.auth import views as auth_views
from django.urls import path

from core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("organisations/", views.organisations, name="organisations"),
    path("notifications/", views.notification_settings, name="notifications"),
    path("search/", views.search_page, name="search"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Password reset by e-mail: a link that works once, for PASSWORD_RESET_TIMEOUT; the new password meets the policy.
    path("password-reset/", auth_views.PasswordResetView.as_view(
        email_template_name="registration/password_reset_email.txt", subject_template_name="registration/password_reset_subject.txt",
    ), name="password_reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("password-reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("password-reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
]
