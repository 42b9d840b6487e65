from django.contrib.auth import views as auth_views
from django.urls import path

from coparent.accounts import views
from coparent.accounts.password_reset import PasswordReset, PasswordResetConfirm
from coparent.core.tenancy import not_family_scoped

app_name = "accounts"

# Every page here is about the visitor's own account, never a family.
urlpatterns = [
    path("accounts/signup/", views.signup, name="signup"),
    path("accounts/signup/check-email/", views.check_email, name="check_email"),
    path("accounts/confirm/<str:token>/", views.confirm_email, name="confirm_email"),
    path("accounts/confirm-resend/", views.resend_confirmation, name="resend_confirmation"),
    path("accounts/login/", views.login_view, name="login"),
    path("accounts/login/code/", views.login_code, name="login_code"),
    path("accounts/logout/", views.logout_view, name="logout"),
    path("accounts/password-reset/", PasswordReset.as_view(), name="password_reset"),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "accounts/password-reset/<uidb64>/<token>/",
        PasswordResetConfirm.as_view(),
        name="password_reset_confirm",
    ),
    path("account/", views.profile, name="profile"),
    path("account/password/", views.password_change, name="password_change"),
    path("account/email/", views.email_change, name="email_change"),
    path(
        "account/email/confirm/<str:token>/",
        views.confirm_email_change,
        name="confirm_email_change",
    ),
    path("account/contact-email/", views.contact_email, name="contact_email"),
    path(
        "account/contact-email/confirm/<str:token>/",
        views.confirm_contact_email,
        name="confirm_contact_email",
    ),
    path("account/sign-ins/", views.sign_in_history, name="sign_in_history"),
    path("account/two-factor/", views.two_factor, name="two_factor"),
    path("account/sessions/", views.sessions, name="sessions"),
    path("account/tokens/", views.tokens, name="tokens"),
    path("account/confirm-password/", views.reauth, name="reauth"),
    path("account/data/", views.data_export, name="data_export"),
    path("account/data/<str:export_id>/", views.data_export_download, name="data_export_download"),
    path("account/delete/", views.account_delete, name="delete"),
]
for _pattern in urlpatterns:
    _pattern.callback = not_family_scoped(_pattern.callback)
