# Indexes for a province's worth of reports (issue 13): the overview's key figures read a few rows of every
# report by row, with the total in the index, so PostgreSQL answers from the index alone (see README 规模 / Scale).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0013_jobs_background"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="report",
            index=models.Index(fields=["year", "id"], name="reports_report_year_id"),
        ),
        migrations.AddIndex(
            model_name="applicationoutcome",
            index=models.Index(fields=["row", "report", "total"], name="reports_outcome_row_total"),
        ),
        migrations.AddIndex(
            model_name="reviewlitigation",
            index=models.Index(fields=["block", "report", "total"], name="reports_rl_block_total"),
        ),
    ]
