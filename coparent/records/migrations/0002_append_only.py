"""Make the database itself refuse updates and deletes of log rows, on SQLite and PostgreSQL.

The triggers act only while records_appendonlyguard holds a row (inserted here), so a test
suite can still tear its database down; see AppendOnlyGuard.
"""

from django.db import migrations

TABLES = ("records_logentry", "records_lognode")
MESSAGE = "the family record is append-only"


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO records_appendonlyguard (note) VALUES (%s)",
            ["Log rows are append-only while this row exists."],
        )
        if vendor == "postgresql":
            cursor.execute(
                f"""
                CREATE OR REPLACE FUNCTION records_refuse_change() RETURNS trigger AS $$
                BEGIN
                    IF EXISTS (SELECT 1 FROM records_appendonlyguard) THEN
                        RAISE EXCEPTION '{MESSAGE}';
                    END IF;
                    RETURN OLD;
                END;
                $$ LANGUAGE plpgsql;
                """
            )
            for table in TABLES:
                cursor.execute(
                    f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                    f"FOR EACH ROW EXECUTE FUNCTION records_refuse_change();"
                )
        elif vendor == "sqlite":
            for table in TABLES:
                for action in ("UPDATE", "DELETE"):
                    cursor.execute(
                        f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                        f"WHEN EXISTS (SELECT 1 FROM records_appendonlyguard) "
                        f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"
                    )
        else:
            raise NotImplementedError(f"append-only triggers are not written for {vendor}")


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    with schema_editor.connection.cursor() as cursor:
        for table in TABLES:
            if vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            else:
                for action in ("update", "delete"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")
        if vendor == "postgresql":
            cursor.execute("DROP FUNCTION IF EXISTS records_refuse_change()")
        cursor.execute("DELETE FROM records_appendonlyguard")


class Migration(migrations.Migration):
    dependencies = [("records", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
