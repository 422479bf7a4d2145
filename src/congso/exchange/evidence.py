"""The message log's cryptography, with no Django in it, so evidence verifies offline.

Each log entry has a *content hash*, SHA-256 of a canonical JSON array of its fields in the
order of :data:`ENTRY_FIELDS`, and a *chain hash*, ``SHA-256("{prev_hash}:{seq}:{content_hash}")``
(hex strings, ASCII). The content hash does not depend on the entry's place in the log, so it
is computed before the log's lock is taken; the chain hash is then one SHA-256 that PostgreSQL
computes in the appending statement itself. Chaining over content hashes rather than the content itself lets an evidence
bundle prove one call's entry up to a signed checkpoint while carrying only the content
hashes of the entries in between: the other calls' metadata (who asked about whom) stays out
of the bundle.

A checkpoint is the gateway's Ed25519 signature over the canonical JSON of
``{instance, seq, hash, at, key_id}``: it fixes the chain up to ``seq``, so rewriting any
entry before it needs the gateway's private key.

Run ``python -m congso.exchange.evidence bundle.json [--public-key B64]
[--request-body FILE] [--response-body FILE]`` to verify an exported bundle anywhere with
Python and the ``cryptography`` package; exit status 0 means valid.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

GENESIS_HASH = "0" * 64
BUNDLE_FORMAT = "congso-exchange-evidence/1"

# The fields an entry's content hash covers, in this order. Appending a field is a format
# change: the verifier must know which entries were written with which list.
ENTRY_FIELDS: tuple[str, ...] = (
    "message_id",
    "correlation_id",
    "client",
    "service",
    "service_version",
    "transport",
    "method",
    "path",
    "data_subject",
    "purpose",
    "dossier_ref",
    "user_id",
    "basis",
    "requested_at",
    "responded_at",
    "status",
    "error_code",
    "request_size",
    "response_size",
    "request_hash",
    "response_hash",
)
_TIME_FIELDS = frozenset({"requested_at", "responded_at"})


def timestamp(value: datetime) -> str:
    """An aware datetime as the log writes it: ISO 8601 in UTC with microseconds."""
    return value.astimezone(UTC).isoformat(timespec="microseconds")


# One encoder for every canonical encoding (json.dumps would build a new one per call).
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _dumps(value: Any) -> bytes:
    return _ENCODER.encode(value).encode("utf-8")


def content_hash(values: Sequence[Any]) -> str:
    """SHA-256 hex of the canonical encoding of one entry's values (in ENTRY_FIELDS order).

    Timestamps must already be strings (:func:`timestamp`); everything else is str or int.
    """
    return hashlib.sha256(_dumps(list(values))).hexdigest()


def chain_hash(prev_hash: str, seq: int, entry_content_hash: str) -> str:
    return hashlib.sha256(f"{prev_hash}:{seq}:{entry_content_hash}".encode("ascii")).hexdigest()


def entry_values(entry: Mapping[str, Any]) -> list[Any]:
    """The values of a mapping (a bundle's entry, a row) in ENTRY_FIELDS order, times as strings."""
    values = []
    for name in ENTRY_FIELDS:
        value = entry[name]
        if name in _TIME_FIELDS and isinstance(value, datetime):
            value = timestamp(value)
        values.append(value)
    return values


# --- Keys and signatures ----------------------------------------------------------------------
def public_key_raw(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(public_raw: bytes) -> str:
    """A short, stable name for a public key: the first 16 hex digits of its SHA-256."""
    return hashlib.sha256(public_raw).hexdigest()[:16]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def signature_valid(public_b64: str, message: bytes, signature_b64: str) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(unb64(public_b64)).verify(unb64(signature_b64), message)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def checkpoint_message(*, instance: str, seq: int, hash: str, at: str, key_id: str) -> bytes:
    return _dumps({"instance": instance, "seq": seq, "hash": hash, "at": at, "key_id": key_id})


def document_message(document: Mapping[str, Any]) -> bytes:
    """What a signed document's signature covers: the document without its ``signature``."""
    return _dumps({name: value for name, value in document.items() if name != "signature"})


def document_sign(document: dict[str, Any], private_key: Ed25519PrivateKey) -> dict[str, Any]:
    raw = public_key_raw(private_key)
    signed = {**document, "key_id": key_id(raw), "public_key": b64(raw)}
    signed["signature"] = b64(private_key.sign(document_message(signed)))
    return signed


# --- Bundle verification -------------------------------------------------------------------------
@dataclass
class BundleVerification:
    ok: bool
    problems: list[str] = field(default_factory=list)
    message_id: str = ""
    seq: int | None = None

    @property
    def message(self) -> str:
        if self.ok:
            return f"OK: bằng chứng của thông điệp {self.message_id} hợp lệ / evidence for message {self.message_id} is valid"
        return "; ".join(self.problems)


def bundle_verify(
    bundle: Mapping[str, Any],
    *,
    trusted_keys: Iterable[str] = (),
    request_body: bytes | None = None,
    response_body: bytes | None = None,
) -> BundleVerification:
    """Check an evidence bundle with nothing but its content (and, optionally, pinned keys).

    ``trusted_keys`` are base64 Ed25519 public keys the verifier trusts (e.g. the gateway
    key its operator publishes); when given, the bundle's key must be one of them.
    ``request_body``/``response_body``, when given, must hash to the logged values.
    """
    problems: list[str] = []
    try:
        entry = bundle["entry"]
        checkpoint = bundle["checkpoint"]
        public_key = bundle["public_key"]
        result = BundleVerification(ok=False, message_id=str(entry["message_id"]), seq=int(entry["seq"]))
        if bundle.get("format") != BUNDLE_FORMAT:
            problems.append(f"unknown format {bundle.get('format')!r}")
        # The checkpoint may have been signed by an older gateway key than the bundle.
        checkpoint_key = checkpoint.get("public_key") or public_key
        trusted = list(trusted_keys)
        if trusted and (public_key not in trusted or checkpoint_key not in trusted):
            problems.append("the bundle is signed by a key that is not trusted")
        if key_id(unb64(public_key)) != bundle.get("key_id"):
            problems.append("the bundle's key id does not match its public key")
        if key_id(unb64(checkpoint_key)) != checkpoint.get("key_id"):
            problems.append("the checkpoint's key id does not match its public key")
        if not signature_valid(public_key, document_message(bundle), bundle.get("signature", "")):
            problems.append("bundle signature invalid")
        seq = int(entry["seq"])
        current = chain_hash(bundle["prev_hash"], seq, content_hash(entry_values(entry)))
        if current != bundle["entry_hash"]:
            problems.append("the entry does not match its hash (altered)")
        for following in bundle["following"]:
            seq += 1
            current = chain_hash(current, seq, following)
        if seq != int(checkpoint["seq"]):
            problems.append(f"the chain ends at {seq}, the checkpoint is at {checkpoint['seq']}")
        if current != checkpoint["hash"]:
            problems.append("the chain from the entry does not reach the checkpoint's hash")
        message = checkpoint_message(
            instance=checkpoint["instance"],
            seq=int(checkpoint["seq"]),
            hash=checkpoint["hash"],
            at=checkpoint["at"],
            key_id=checkpoint["key_id"],
        )
        if not signature_valid(checkpoint_key, message, checkpoint["signature"]):
            problems.append("checkpoint signature invalid")
        if request_body is not None and hashlib.sha256(request_body).hexdigest() != entry["request_hash"]:
            problems.append("the request body given does not match the logged request hash")
        if response_body is not None and hashlib.sha256(response_body).hexdigest() != entry["response_hash"]:
            problems.append("the response body given does not match the logged response hash")
    except (KeyError, TypeError, ValueError) as exc:
        return BundleVerification(ok=False, problems=[*problems, f"malformed bundle: {exc!r}"])
    result.problems = problems
    result.ok = not problems
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m congso.exchange.evidence",
        description="Verify an exchange evidence bundle offline / Kiểm tra gói bằng chứng ngoại tuyến",
    )
    parser.add_argument("bundle", help="the bundle's JSON file")
    parser.add_argument("--public-key", action="append", default=[], help="trusted gateway key (base64)")
    parser.add_argument("--request-body", help="file holding the request body, to check its hash")
    parser.add_argument("--response-body", help="file holding the response body, to check its hash")
    args = parser.parse_args(argv)
    with open(args.bundle, encoding="utf-8") as handle:
        bundle = json.load(handle)
    request_body = open(args.request_body, "rb").read() if args.request_body else None  # noqa: SIM115
    response_body = open(args.response_body, "rb").read() if args.response_body else None  # noqa: SIM115
    result = bundle_verify(
        bundle, trusted_keys=args.public_key, request_body=request_body, response_body=response_body
    )
    print(result.message)
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
