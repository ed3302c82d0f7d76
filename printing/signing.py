"""Ký số: the school's certificate signs the final PDFs (PAdES, visible on the last page)
and the archive manifest (detached CMS), and both are validated again years later.

The key comes from a PKCS#12 file today (`SODIEM_SIGNING_P12`); a PKCS#11 token (the USB
token SMAS-style schools sign with) is another `SchoolSigner.signer`, since pyHanko's
`PKCS11Signer` has the same interface as the `SimpleSigner` used here.
"""

import asyncio
import hashlib
import logging
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

from asn1crypto import cms
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import async_validate_detached_cms, validate_pdf_signature
from pyhanko.stamp import StaticStampStyle
from pyhanko_certvalidator import ValidationContext
from reportlab.pdfgen.canvas import Canvas

from core.clock import VN_TZ
from printing.fonts import register_fonts

FIELD = "ChuKySoNhaTruong"
DEFAULT_P12, DEFAULT_PASS = "school-signing.p12", "school-signing.pass"
# pyHanko logs every failed validation with a traceback; the checks below report it instead.
logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
logging.getLogger("pyhanko_certvalidator").setLevel(logging.CRITICAL)
logging.getLogger("fontTools").setLevel(logging.ERROR)


def credentials(settings) -> tuple[str, str] | None:
    """(PKCS#12 path, password) from the settings, else what `sodiem keygen` left in
    data_dir; None when the school has no certificate (documents are printed unsigned)."""
    data_dir = settings.data_dir
    path = Path(settings.signing_p12) if settings.signing_p12 else data_dir / DEFAULT_P12
    if not settings.signing_p12 and not path.exists():
        return None
    password = settings.signing_password
    if not password and (data_dir / DEFAULT_PASS).exists():
        password = (data_dir / DEFAULT_PASS).read_text(encoding="utf-8").strip()
    return str(path), password


def configured(settings) -> "SchoolSigner | None":
    """The school's signer, or None; SigningError when the certificate cannot be opened."""
    found = credentials(settings)
    return load(Path(found[0]), found[1]) if found else None


def configured_key(settings) -> tuple[str, str] | None:
    """`credentials`, checked by opening the certificate once, so that a wrong password is
    reported before any work (worker processes load it again from the key)."""
    found = credentials(settings)
    if found:
        load(Path(found[0]), found[1])
    return found


class SigningError(RuntimeError):
    """The certificate cannot be used; the message says why, in Vietnamese."""


@dataclass
class SchoolSigner:
    signer: signers.Signer
    certificate_pem: bytes
    name: str

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.certificate_pem)


def fingerprint(certificate_pem: bytes) -> str:
    der = x509.load_pem_x509_certificate(certificate_pem).public_bytes(serialization.Encoding.DER)
    digest = hashlib.sha256(der).hexdigest().upper()
    return ":".join(digest[i:i + 2] for i in range(0, 16, 2)) + "…" + digest[-8:]


def make_demo_certificate(path: Path, school: str, password: str, years: int = 5) -> str:
    """A self-signed certificate and key for a demo or a trial (not trusted by PDF readers
    until the school adds it; a real school uses the certificate its CA issued)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, school[:64]),
                      x509.NameAttribute(NameOID.COMMON_NAME, school[:64])])
    now = datetime.now(UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - timedelta(days=1))
                   .not_valid_after(now + timedelta(days=365 * years))
                   .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
                   .add_extension(x509.KeyUsage(True, True, False, False, False, True, False,
                                                False, False), True)
                   .sign(key, hashes.SHA256()))
    blob = pkcs12.serialize_key_and_certificates(
        school[:64].encode(), key, certificate, None,
        serialization.BestAvailableEncryption(password.encode()))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(blob)
    path.chmod(0o600)
    return fingerprint(certificate.public_bytes(serialization.Encoding.PEM))


def load(path: Path, password: str) -> SchoolSigner:
    if not path.exists():
        raise SigningError(f"Không tìm thấy tệp chứng thư số {path} (SODIEM_SIGNING_P12). "
                           "Tạo chứng thư thử bằng: sodiem keygen")
    try:
        key, certificate, _ = pkcs12.load_key_and_certificates(path.read_bytes(),
                                                               password.encode() or None)
    except ValueError:
        raise SigningError(f"Không mở được {path}: sai mật khẩu (SODIEM_SIGNING_PASSWORD) "
                           "hoặc tệp không phải PKCS#12.") from None
    if certificate is None or key is None:
        raise SigningError(f"{path} không chứa cả khóa và chứng thư.")
    signer = signers.SimpleSigner.load_pkcs12(str(path), passphrase=password.encode() or None)
    pem = certificate.public_bytes(serialization.Encoding.PEM)
    subject = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return SchoolSigner(signer, pem, subject[0].value if subject else "")


def sign_pdf(pdf: bytes, school: SchoolSigner, reason: str, location: str) -> bytes:
    """A PAdES signature over the whole file, its appearance in the top margin of the last
    page (right, beside the stamp zone): who signed and when."""
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    reader = PdfFileReader(BytesIO(pdf))
    last = reader.root["/Pages"]["/Count"] - 1
    box = _box(reader, last)
    meta = signers.PdfSignatureMetadata(field_name=FIELD, reason=reason, location=location,
                                        md_algorithm="sha256",
                                        subfilter=fields.SigSeedSubFilter.PADES)
    spec = fields.SigFieldSpec(sig_field_name=FIELD, on_page=last, box=box)
    output = BytesIO()
    with tempfile.NamedTemporaryFile(suffix=".pdf") as appearance:
        appearance.write(_appearance(box, school, reason, location))
        appearance.flush()
        style = StaticStampStyle.from_pdf_file(appearance.name, border_width=0)
        signers.PdfSigner(meta, signer=school.signer, stamp_style=style,
                          new_field_spec=spec).sign_pdf(writer, output=output)
    return output.getvalue()


def _appearance(box: tuple[int, int, int, int], school: SchoolSigner, reason: str,
                location: str) -> bytes:
    """The visible signature drawn by reportlab (pyHanko's own text stamp spaces Vietnamese
    letters apart): who signed, when, why, and the certificate's fingerprint."""
    width, height = box[2] - box[0], box[3] - box[1]
    fonts = register_fonts()
    buffer = BytesIO()
    canvas = Canvas(buffer, pagesize=(width, height))
    canvas.setStrokeColorRGB(0.1, 0.3, 0.7)
    canvas.rect(0.5, 0.5, width - 1, height - 1)
    now = datetime.now(VN_TZ)
    lines = [(fonts["bold"], f"Ký số bởi: {school.name}"),
             (fonts["regular"], f"Thời gian: {now:%H:%M:%S ngày %d/%m/%Y}"),
             (fonts["regular"], f"Lý do: {reason}" + (f" — {location}" if location else "")),
             (fonts["regular"], f"Chứng thư SHA-256: {school.fingerprint}")]
    y = height - 9
    for font, text in lines:
        size = 6.5
        while size > 4 and canvas.stringWidth(text, font, size) > width - 6:
            size -= 0.25
        canvas.setFont(font, size)
        canvas.drawString(3, y, text)
        y -= (height - 6) / len(lines)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _box(reader: PdfFileReader, page: int) -> tuple[int, int, int, int]:
    page_ref = reader.find_page_for_modification(page)[0]
    media = page_ref.get_object()["/MediaBox"]
    width, height = float(media[2]) - float(media[0]), float(media[3]) - float(media[1])
    points = 72 / 25.4
    right = width - 20 * points  # the stamp zone begins here
    return (int(right - 85 * points), int(height - 18 * points), int(right),
            int(height - 4 * points))


@dataclass
class SignatureCheck:
    ok: bool
    signer: str = ""
    signed_at: str = ""
    problem: str = ""


def verify_pdf(pdf: bytes, certificate_pem: bytes | None) -> SignatureCheck:
    """Signed by the school's certificate, intact, and covering the whole file (nothing was
    appended after signing)."""
    try:
        reader = PdfFileReader(BytesIO(pdf))
        signatures = reader.embedded_signatures
    except Exception as error:  # a file that is no longer a PDF
        return SignatureCheck(False, problem=f"không đọc được PDF ({error.__class__.__name__})")
    if not signatures:
        return SignatureCheck(False, problem="không có chữ ký số")
    signature = signatures[-1]
    roots = [_asn1_certificate(certificate_pem)] if certificate_pem else []
    status = validate_pdf_signature(signature, ValidationContext(trust_roots=roots))
    signer = _common_name(status.signing_cert)
    if not status.intact or not status.valid:
        return SignatureCheck(False, signer, problem="chữ ký số không khớp nội dung (tệp đã bị "
                                                     "sửa sau khi ký)")
    if status.coverage.name != "ENTIRE_FILE":
        return SignatureCheck(False, signer, problem="có nội dung thêm vào sau khi ký")
    if certificate_pem and not status.trusted:
        return SignatureCheck(False, signer, problem="ký bằng chứng thư khác chứng thư của "
                                                     "trường")
    when = status.signer_reported_dt
    return SignatureCheck(True, signer, f"{when:%H:%M %d/%m/%Y}" if when else "")


def _asn1_certificate(pem: bytes):
    from asn1crypto import pem as asn1_pem
    from asn1crypto import x509 as asn1_x509

    _, _, der = asn1_pem.unarmor(pem)
    return asn1_x509.Certificate.load(der)


def sign_detached(data: bytes, school: SchoolSigner) -> bytes:
    """A detached CMS signature (DER, .p7s) over `data`."""
    content = asyncio.run(school.signer.async_sign_general_data(data, "sha256", detached=True))
    return content.dump()


def verify_detached(data: bytes, signature: bytes, certificate_pem: bytes) -> SignatureCheck:
    try:
        signed = cms.ContentInfo.load(signature)["content"]
        status = asyncio.run(async_validate_detached_cms(
            data, signed, ValidationContext(trust_roots=[_asn1_certificate(certificate_pem)])))
    except Exception as error:
        return SignatureCheck(False, problem=f"chữ ký hỏng ({error.__class__.__name__})")
    if not status.intact or not status.valid:
        return SignatureCheck(False, problem="chữ ký không khớp nội dung (tệp đã bị sửa)")
    if not status.trusted:
        return SignatureCheck(False, problem="ký bằng chứng thư khác chứng thư của trường")
    return SignatureCheck(True, _common_name(status.signing_cert))


def _common_name(certificate) -> str:
    if certificate is None:
        return ""
    return certificate.subject.native.get("common_name", certificate.subject.human_friendly)
