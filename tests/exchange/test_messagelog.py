"""The message log: chained, signed, verifiable; one call's evidence verifiable offline."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from congso.exchange import client as exchange_client
from congso.exchange.evidence import ENTRY_FIELDS, bundle_verify, chain_hash, content_hash, entry_values
from congso.exchange.keys import gateway_signing_key
from congso.exchange.messagelog import log_bundle_export, log_checkpoint_now, log_verify
from congso.exchange.models import MessageLogCheckpoint, MessageLogEntry, MessageLogImmutable

from .conftest import World

SRC = str(Path(__file__).resolve().parents[2] / "src")


def _calls(world: World, count: int, *, path: str = "/status/200") -> list[str]:
    return [
        exchange_client.call(
            client_subsystem=world.consumer.client_id, service=world.service.service_id, path=path
        ).message_id
        for _ in range(count)
    ]


def _sql(statement: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_an_untouched_log_verifies(world: World, settings: Any) -> None:
    settings.CONGSO_EXCHANGE_CHECKPOINT_EVERY = 3
    _calls(world, 7)

    result = log_verify()

    assert result.ok, result.message
    assert result.count == 7
    # The first entry is signed at once (no checkpoint yet), then every third.
    assert list(MessageLogCheckpoint.objects.values_list("seq", flat=True)) == [1, 4, 7]
    assert result.checkpoints == 3


def test_the_command_reports_ok(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    _calls(world, 2)

    call_command("exchange_log_verify")

    assert "2 entries" in capsys.readouterr().out


def test_the_orm_cannot_change_entries(world: World) -> None:
    _calls(world, 1)
    entry = MessageLogEntry.objects.get()

    with pytest.raises(MessageLogImmutable):
        MessageLogEntry.objects.update(status=500)
    with pytest.raises(MessageLogImmutable):
        entry.save()
    with pytest.raises(MessageLogImmutable):
        entry.delete()


def test_a_tampered_entry_is_found(world: World) -> None:
    _calls(world, 4)
    _sql("UPDATE exchange_messagelogentry SET status = 403, error_code = 'access_denied' WHERE seq = %s", [3])

    result = log_verify()

    assert not result.ok
    assert (result.broken_seq, result.reason) == (3, "hash_mismatch")
    with pytest.raises(CommandError, match="seq 3"):
        call_command("exchange_log_verify")


def test_an_entry_rewritten_with_a_recomputed_chain_is_caught_by_the_signature(
    world: World, settings: Any
) -> None:
    settings.CONGSO_EXCHANGE_CHECKPOINT_EVERY = 100
    _calls(world, 3)
    log_checkpoint_now()  # checkpoints at 1 and 3
    # Someone with database access rewrites entry 2, every hash after it, the head and the
    # checkpoint's hash: everything but the signature, which needs the gateway's key.
    rows = list(MessageLogEntry.objects.order_by("seq"))
    rows[1].purpose = "gian-lan"
    previous = rows[0].hash
    for row in rows[1:]:
        content = content_hash(entry_values({name: getattr(row, name) for name in ENTRY_FIELDS}))
        new_hash = chain_hash(previous, row.seq, content)
        _sql(
            "UPDATE exchange_messagelogentry SET purpose = %s, prev_hash = %s, hash = %s WHERE seq = %s",
            [row.purpose, previous, new_hash, row.seq],
        )
        previous = new_hash
    _sql("UPDATE exchange_messagelogcheckpoint SET hash = %s WHERE seq = 3", [previous])
    _sql("UPDATE exchange_messageloghead SET last_hash = %s", [previous])

    result = log_verify()

    assert not result.ok
    assert (result.broken_seq, result.reason) == (3, "bad_signature")


def test_a_bad_checkpoint_signature_is_found(world: World) -> None:
    _calls(world, 2)
    forged = base64.b64encode(b"\x00" * 64).decode()
    _sql("UPDATE exchange_messagelogcheckpoint SET signature = %s WHERE seq = 1", [forged])

    result = log_verify()

    assert (result.ok, result.broken_seq, result.reason) == (False, 1, "bad_signature")


def test_checkpoints_of_an_untrusted_key_are_refused_until_listed(world: World, settings: Any) -> None:
    _calls(world, 1)
    old_public = gateway_signing_key().public_b64
    settings.CONGSO_EXCHANGE_SIGNING_KEY = base64.b64encode(
        Ed25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    ).decode()

    assert log_verify().reason == "unknown_key"
    settings.CONGSO_EXCHANGE_TRUSTED_LOG_KEYS = [old_public]
    assert log_verify().ok


def test_entries_cut_off_the_end_are_found(world: World) -> None:
    _calls(world, 3)
    _sql("DELETE FROM exchange_messagelogentry WHERE seq = %s", [3])

    result = log_verify()

    assert not result.ok
    assert result.reason in {"seq_gap", "head_mismatch"}


# --- Evidence bundles ----------------------------------------------------------------------------
def _offline(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the verifier as someone without the platform would: no Django settings, no database."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO", "CONGSO"))}
    env["PYTHONPATH"] = SRC
    return subprocess.run(
        [sys.executable, "-m", "congso.exchange.evidence", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_one_calls_evidence_exports_and_verifies_offline(world: World, tmp_path: Path, settings: Any) -> None:
    settings.CONGSO_EXCHANGE_CHECKPOINT_EVERY = 5
    message_ids = _calls(world, 3)
    response = exchange_client.call(
        client_subsystem=world.consumer.client_id,
        service=world.service.service_id,
        path="/echo",
        method="POST",
        body=b"to-khai",
    )
    _calls(world, 3)  # a checkpoint at 6 follows the call at 4
    bundle_path = tmp_path / "bang-chung.json"

    call_command("exchange_log_export", response.message_id, out=str(bundle_path))

    bundle = json.loads(bundle_path.read_text())
    assert bundle["entry"]["message_id"] == response.message_id
    assert bundle["checkpoint"]["seq"] == 6
    assert len(bundle["following"]) == 2
    assert message_ids[0] not in bundle_path.read_text()  # other calls appear only as hashes
    request_file = tmp_path / "request.bin"
    request_file.write_bytes(b"to-khai")
    response_file = tmp_path / "response.bin"
    response_file.write_bytes(response.body)

    verified = _offline(
        str(bundle_path),
        "--public-key",
        gateway_signing_key().public_b64,
        "--request-body",
        str(request_file),
        "--response-body",
        str(response_file),
    )

    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert response.message_id in verified.stdout
    call_command("exchange_bundle_verify", str(bundle_path))


def test_a_doctored_bundle_fails_offline(world: World, tmp_path: Path) -> None:
    response = exchange_client.call(
        client_subsystem=world.consumer.client_id, service=world.service.service_id, path="/status/200"
    )
    bundle_path = tmp_path / "bang-chung.json"
    call_command("exchange_log_export", response.message_id, out=str(bundle_path))
    bundle = json.loads(bundle_path.read_text())
    bundle["entry"]["purpose"] = "da-sua"
    bundle_path.write_text(json.dumps(bundle))

    verified = _offline(str(bundle_path))

    assert verified.returncode == 1
    assert "altered" in verified.stdout
    with pytest.raises(CommandError):
        call_command("exchange_bundle_verify", str(bundle_path))


def test_a_bundle_from_another_gateway_is_not_trusted_when_a_key_is_pinned(world: World) -> None:
    response = exchange_client.call(
        client_subsystem=world.consumer.client_id, service=world.service.service_id, path="/status/200"
    )
    bundle = log_bundle_export(message_id=response.message_id)
    other = base64.b64encode(
        Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    ).decode()

    assert bundle_verify(bundle).ok
    assert not bundle_verify(bundle, trusted_keys=[other]).ok
    assert not bundle_verify(bundle, response_body=b"a different answer").ok
