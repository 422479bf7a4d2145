"""Dossiers no longer link into the business registry's table."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0005_organisation_account_data")]

    operations = [
        migrations.RemoveField(model_name="dossier", name="organisation"),
        migrations.RemoveField(model_name="dossierdraft", name="organisation"),
        migrations.RenameField(
            model_name="dossier", old_name="organisation_account", new_name="organisation"
        ),
        migrations.RenameField(
            model_name="dossierdraft", old_name="organisation_account", new_name="organisation"
        ),
        migrations.AddIndex(
            model_name="dossier",
            index=models.Index(fields=["organisation", "-submitted_at"], name="dossiers_organisation"),
        ),
    ]
