"""Test data for signing: agencies, rendered documents, and certificates from a foreign CA."""

from __future__ import annotations

import io
import itertools
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata, PdfSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore

from congso.registry.models import Agency
from congso.signing.pdf import PdfDocument, pdf_render

_codes = itertools.count(10)
TRACKING_URL = "https://congso.example.vn/tra-cuu-ho-so/H15.50-260205-0001/"


def agency(*, code: str | None = None, name: str = "Sở Tư pháp tỉnh Bắc Ninh") -> Agency:
    return Agency.objects.create(code=code or f"H15.{next(_codes)}", name=name, level="province")


def receipt(**overrides: object) -> PdfDocument:
    """A receipt and appointment slip, as the dossiers domain issues one."""
    values: dict[str, object] = {
        "agency_name": "Sở Tư pháp tỉnh Bắc Ninh",
        "parent_agency_name": "UBND tỉnh Bắc Ninh",
        "title": "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
        "number": "1234/GTN-STP",
        "place": "Bắc Ninh",
        "issued_on": date(2026, 2, 5),
        "subtitle": "Mã hồ sơ: H15.50-260205-0001",
        "paragraphs": ["Sở Tư pháp tỉnh Bắc Ninh đã tiếp nhận hồ sơ của ông Nguyễn Văn Ân."],
        "rows": [("Thủ tục", "Đăng ký khai sinh"), ("Ngày hẹn trả kết quả", "10/02/2026")],
        "paragraphs_after": ["Khi đến nhận kết quả, ông/bà mang theo giấy này."],
        "qr_url": TRACKING_URL,
        "qr_caption": "Quét mã để tra cứu hồ sơ",
        "signer_title": "Cán bộ tiếp nhận",
        "signer_name": "Trần Thị Bình",
        "footer": "Cổng Số – tra cứu hồ sơ trực tuyến",
        "created_at": datetime(2026, 2, 5, 1, 30, tzinfo=UTC),
    }
    values.update(overrides)
    return PdfDocument(**values)  # type: ignore[arg-type]


def receipt_pdf(**overrides: object) -> bytes:
    return pdf_render(receipt(**overrides))


# --- A certification authority the platform has never heard of ---------------------------------
@dataclass(frozen=True)
class ForeignSigner:
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
    certificate: x509.Certificate
    ca_key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
    ca_certificate: x509.Certificate


def _name(common_name: str, *, serial_number: str = "") -> x509.Name:
    attributes = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, common_name),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
    ]
    if serial_number:
        attributes.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, serial_number))
    return x509.Name(attributes)


def _usage(*, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not ca,
        content_commitment=not ca,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def foreign_signer(
    *, signer_name: str = "Sở Tư pháp tỉnh Bắc Ninh", agency_code: str = "H15.50", rsa_keys: bool = False
) -> ForeignSigner:
    """A CA and a certificate it issued that claims to be an agency (same name and code)."""

    def new_key() -> ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey:
        return rsa.generate_private_key(65537, 2048) if rsa_keys else ec.generate_private_key(ec.SECP256R1())

    now = datetime.now(UTC)
    ca_key = new_key()
    ca_name = _name("Foreign Test Root CA")
    ca_certificate = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_usage(ca=True), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = new_key()
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(signer_name, serial_number=agency_code))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(ca=False), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    return ForeignSigner(key=key, certificate=certificate, ca_key=ca_key, ca_certificate=ca_certificate)


def _asn1(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))


def sign_with_foreign(pdf: bytes, signer: ForeignSigner) -> bytes:
    """Sign ``pdf`` with pyHanko directly, outside the platform."""
    key = asn1_keys.PrivateKeyInfo.load(
        signer.key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    pyhanko_signer = signers.SimpleSigner(
        signing_cert=_asn1(signer.certificate),
        signing_key=key,
        cert_registry=SimpleCertificateStore.from_certs([_asn1(signer.ca_certificate)]),
    )
    metadata = PdfSignatureMetadata(field_name="Forged", subfilter=fields.SigSeedSubFilter.PADES)
    output = PdfSigner(metadata, pyhanko_signer).sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)))
    signed: bytes = output.getvalue()
    return signed


def append_annotation(pdf: bytes) -> bytes:
    """An incremental update after the signature: a text note added on page 1."""
    from pyhanko.pdf_utils import generic

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    page_ref = writer.root["/Pages"]["/Kids"][0]
    page = page_ref.get_object()
    note = generic.DictionaryObject(
        {
            generic.NameObject("/Type"): generic.NameObject("/Annot"),
            generic.NameObject("/Subtype"): generic.NameObject("/Text"),
            generic.NameObject("/Rect"): generic.ArrayObject(
                [generic.NumberObject(n) for n in (50, 50, 70, 70)]
            ),
            generic.NameObject("/Contents"): generic.TextStringObject("Đã sửa"),
        }
    )
    annots = page.get("/Annots")
    array = annots.get_object() if annots is not None else generic.ArrayObject()
    array.append(writer.add_object(note))
    page[generic.NameObject("/Annots")] = array
    writer.update_container(page_ref)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


# --- Reading text back out of a PDF, without a PDF text library ---------------------------------
_TOKEN = re.compile(
    rb"(?P<font>/[^\s/\[\]()<>]+)\s+[-\d.]+\s+Tf|\((?P<text>(?:\\[0-7]{1,3}|\\.|[^\\)])*)\)\s*Tj", re.DOTALL
)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _literal(raw: bytes) -> bytes:
    out = bytearray()
    index = 0
    while index < len(raw):
        byte = raw[index : index + 1]
        if byte != b"\\":
            out += byte
            index += 1
            continue
        octal = re.match(rb"[0-7]{1,3}", raw[index + 1 : index + 4])
        if octal:
            out.append(int(octal.group(0), 8))
            index += 1 + len(octal.group(0))
        else:
            following = raw[index + 1 : index + 2]
            out += _ESCAPES.get(following, following)
            index += 2
    return bytes(out)


def _to_unicode(font: object) -> dict[int, str]:
    stream = font.get("/ToUnicode")  # type: ignore[attr-defined]
    if stream is None:
        return {}
    mapping = {}
    for code, unicode in re.findall(rb"<([0-9A-Fa-f]{2})>\s*<([0-9A-Fa-f]{4,})>", stream.get_object().data):
        mapping[int(code, 16)] = bytes.fromhex(unicode.decode()).decode("utf-16-be")
    return mapping


def _pages(node: object) -> list[object]:
    node = node.get_object()  # type: ignore[attr-defined]
    if node["/Type"] == "/Pages":  # type: ignore[index]
        return [page for kid in node["/Kids"] for page in _pages(kid)]  # type: ignore[index]
    return [node]


def pdf_text(pdf: bytes) -> str:
    """The text shown on the pages (fonts with a ToUnicode map), words joined by spaces."""
    reader = PdfFileReader(io.BytesIO(pdf))
    shown: list[str] = []
    for page in _pages(reader.root["/Pages"]):
        fonts = {
            name: _to_unicode(font.get_object())
            for name, font in page["/Resources"]["/Font"].items()  # type: ignore[index]
        }
        contents = page["/Contents"]  # type: ignore[index]
        streams = contents if isinstance(contents, list) else [contents]
        data = b"\n".join(stream.get_object().data for stream in streams)
        current: dict[int, str] = {}
        for match in _TOKEN.finditer(data):
            if match.group("font"):
                current = fonts.get(match.group("font").decode(), {})
            else:
                shown.append("".join(current.get(byte, chr(byte)) for byte in _literal(match.group("text"))))
    return re.sub(r"\s+", " ", " ".join(shown))
