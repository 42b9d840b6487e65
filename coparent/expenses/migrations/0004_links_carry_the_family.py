"""The many-to-many rows of Expense, RecurringExpense carry the family key, like every other table of a
family's data (core.models.FamilyLink): the tables Django made stay as they are, now named by
models, and gain a family column filled from the row each link belongs to. The column becomes
required in the next migration: on PostgreSQL, a table whose rows were just updated cannot be
altered in the same transaction while its deferred foreign-key checks are pending."""

import django.db.models.deletion
from django.db import migrations, models

from coparent.core.migrations_support import link_families

# (link model, owner model, the link's key to its owner)
LINKS = [
    ("RecurringExpenseChild", "RecurringExpense", "recurringexpense"),
    ("ExpenseChild", "Expense", "expense"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("expenses", "0003_balance_indexes"),
        ("families", "0004_access_requests_and_deletion"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="RecurringExpenseChild",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "recurringexpense",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="expenses.recurringexpense",
                            ),
                        ),
                        (
                            "child",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="families.child",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "expenses_recurringexpense_children",
                        "unique_together": {("recurringexpense", "child")},
                    },
                ),
                migrations.AlterField(
                    model_name="recurringexpense",
                    name="children",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="+",
                        through="expenses.RecurringExpenseChild",
                        to="families.child",
                    ),
                ),
                migrations.CreateModel(
                    name="ExpenseChild",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "expense",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="expenses.expense",
                            ),
                        ),
                        (
                            "child",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="families.child",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "expenses_expense_children",
                        "unique_together": {("expense", "child")},
                    },
                ),
                migrations.AlterField(
                    model_name="expense",
                    name="children",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="+",
                        through="expenses.ExpenseChild",
                        to="families.child",
                    ),
                ),
            ],
        ),
        migrations.AddField(
            model_name="recurringexpensechild",
            name="family",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="families.family",
            ),
        ),
        migrations.AddField(
            model_name="expensechild",
            name="family",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="families.family",
            ),
        ),
        migrations.RunPython(link_families("expenses", LINKS), migrations.RunPython.noop),
    ]
