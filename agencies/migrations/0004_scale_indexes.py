# The overview's submission matrix is paged in (kind, name) order over a province's 30,000 agencies (issue 13).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0003_tree_paths"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="agency",
            index=models.Index(fields=["kind", "name"], name="agencies_agency_kind_name"),
        ),
    ]
