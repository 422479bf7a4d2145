"""Authenticator-app secrets are encrypted at rest; going back decrypts them.

The context string is the one ``services`` binds each secret to (its account); it is written
out here so that this migration keeps meaning what it meant if the services change.
"""

from typing import Any

from django.db import migrations, models

from congso.identity import fieldcrypt


def _context(user_id: int) -> str:
    return f"identity.totpdevice.secret:{user_id}"


def encrypt_secrets(apps: Any, schema_editor: Any) -> None:
    TotpDevice = apps.get_model("identity", "TotpDevice")
    for device in TotpDevice.objects.using(schema_editor.connection.alias).iterator():
        if fieldcrypt.key_id_of(device.secret_encrypted):
            continue
        device.secret_encrypted = fieldcrypt.field_encrypt(
            device.secret_encrypted, context=_context(device.user_id)
        )
        device.save(update_fields=["secret_encrypted"])


def decrypt_secrets(apps: Any, schema_editor: Any) -> None:
    TotpDevice = apps.get_model("identity", "TotpDevice")
    for device in TotpDevice.objects.using(schema_editor.connection.alias).iterator():
        if not fieldcrypt.key_id_of(device.secret_encrypted):
            continue
        device.secret_encrypted = fieldcrypt.field_decrypt(
            device.secret_encrypted, context=_context(device.user_id)
        )
        device.save(update_fields=["secret_encrypted"])


class Migration(migrations.Migration):
    dependencies = [("identity", "0006_organisation_link_removed")]

    operations = [
        migrations.RenameField(model_name="totpdevice", old_name="secret", new_name="secret_encrypted"),
        migrations.AlterField(
            model_name="totpdevice",
            name="secret_encrypted",
            field=models.CharField(max_length=200, verbose_name="khoá bí mật (đã mã hoá)"),
        ),
        migrations.RunPython(encrypt_secrets, decrypt_secrets),
    ]
