from django.urls import path

from coparent.expenses import views

app_name = "expenses"

P = "f/<str:family_id>/expenses/"

urlpatterns = [
    path(P, views.ledger, name="ledger"),
    path(P + "new/", views.expense_new, name="expense_new"),
    path(P + "summary/", views.summary, name="summary"),
    path(P + "export.csv", views.export, name="export"),
    path(P + "settings/", views.expense_settings, name="settings"),
    path(P + "rules/", views.rules, name="rules"),
    path(P + "repeating/", views.recurring, name="recurring"),
    path(P + "consent/", views.consents, name="consents"),
    path(P + "rules/<str:agreement_id>/", views.rules_detail, name="rules_detail"),
    path(P + "payments/new/", views.payment_new, name="payment_new"),
    path(P + "settle/<str:currency>/", views.settle_up, name="settle_up"),
    path(P + "payments/<str:payment_id>/", views.payment_detail, name="payment_detail"),
    path(P + "payments/<str:payment_id>/proof/", views.payment_proof, name="payment_proof"),
    path(P + "receipts/<str:receipt_id>/", views.receipt, name="receipt"),
    path(P + "<str:expense_id>/", views.expense_detail, name="expense_detail"),
    path(P + "<str:expense_id>/answer/", views.expense_answer, name="expense_answer"),
    path(P + "<str:expense_id>/correct/", views.expense_correct, name="expense_correct"),
    path(P + "<str:expense_id>/receipts/", views.receipt_add, name="receipt_add"),
]
