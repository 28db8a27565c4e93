from django.db import migrations


class Migration(migrations.Migration):
    """The schema that holds one table per vector layer, apart from Django's own tables."""

    dependencies = [("layers", "0001_initial")]

    operations = [
        migrations.RunSQL(
            "CREATE SCHEMA IF NOT EXISTS geodata", reverse_sql=migrations.RunSQL.noop
        ),
    ]
