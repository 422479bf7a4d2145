"""Signing benchmark: render, sign (PAdES B-B) and verify official PDFs, one process.

What it does:
1. Migrates a fresh database: SQLite in ``var/bench-signing`` (the embedded tier), or with
   ``--postgres`` the PostgreSQL database ``congso_bench_signing``, recreated.
2. Creates one agency; the first signature issues its demo certificate (not timed).
3. Renders one receipt ("Giấy tiếp nhận hồ sơ và hẹn trả kết quả") ``--documents`` times.
4. Signs it ``--signatures`` times through ``pdf_sign``: the visible stamp in the signer's box,
   the key from its (cached) encrypted file, the audit entry and its commit included; then as
   many times a copy without a signer's box (an invisible signature, no stamp to draw).
5. Verifies a signed copy ``--verifications`` times through ``pdf_verify``: trust anchors
   read from the database, the whole file hashed, pyHanko's full validation (integrity,
   certificate path, changes after signing).

Prints per-operation p50/p99 and operations per second. Signing and verifying are CPU work in
one core; run one process per core to use a machine.

Usage: .venv/bin/python bench/signing_bench.py [--signatures 200] [--verifications 200]
       [--documents 100] [--postgres]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, django_env, manage, percentile, pg_recreate, pg_url

DATABASE = "congso_bench_signing"
DATA_DIR = ROOT / "var" / "bench-signing"


def _timed(label: str, count: int, action: Callable[[], object]) -> None:
    timings = []
    started = time.perf_counter()
    for _ in range(count):
        one = time.perf_counter()
        action()
        timings.append(time.perf_counter() - one)
    elapsed = time.perf_counter() - started
    timings.sort()
    print(
        f"{label:<15} {count:>5} in {elapsed:6.2f} s = {count / elapsed:7.1f}/s   "
        f"p50 {percentile(timings, 0.5) * 1000:6.1f} ms   p99 {percentile(timings, 0.99) * 1000:6.1f} ms"
    )


def run(options: argparse.Namespace) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congso.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from dataclasses import replace
    from datetime import date

    from congso.registry.models import Agency
    from congso.signing.pdf import PdfDocument, pdf_render
    from congso.signing.selectors import pdf_verify
    from congso.signing.services import pdf_sign, signing_setup

    agency, _ = Agency.objects.get_or_create(
        code="H15.50", defaults={"name": "Sở Tư pháp tỉnh Bắc Ninh", "level": "province"}
    )
    document = PdfDocument(
        agency_name=agency.name,
        parent_agency_name="UBND tỉnh Bắc Ninh",
        title="Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
        number="H15.50-260205-0001",
        place="Bắc Ninh",
        issued_on=date(2026, 2, 5),
        paragraphs=["Sở Tư pháp tỉnh Bắc Ninh đã tiếp nhận hồ sơ của ông Nguyễn Văn Ân."],
        rows=[("Thủ tục", "Đăng ký khai sinh"), ("Ngày hẹn trả kết quả", "10/02/2026")],
        qr_url="https://congso.example.vn/tra-cuu/ho-so/?code=H15.50-260205-0001",
        qr_caption="Quét mã để tra cứu hồ sơ",
        signer_title="Cán bộ tiếp nhận",
        signer_name="Trần Thị Bình",
        footer="Mã hồ sơ H15.50-260205-0001",
    )
    signing_setup()
    pdf = pdf_render(document)
    signed = pdf_sign(agency=agency, pdf=pdf, reason="Ký giấy tiếp nhận")  # issues the certificate
    report = pdf_verify(pdf=signed)
    assert report.valid, report.problems
    print(f"document {len(pdf):,} bytes unsigned, {len(signed):,} bytes signed (visible stamp)")

    _timed("render", options.documents, lambda: pdf_render(document))
    _timed("sign", options.signatures, lambda: pdf_sign(agency=agency, pdf=pdf, reason="Ký giấy tiếp nhận"))
    plain = pdf_render(replace(document, signature_box=False))
    _timed("sign invisible", options.signatures, lambda: pdf_sign(agency=agency, pdf=plain, reason="Ký"))
    _timed("verify", options.verifications, lambda: pdf_verify(pdf=signed))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--signatures", type=int, default=200)
    parser.add_argument("--verifications", type=int, default=200)
    parser.add_argument("--documents", type=int, default=100)
    parser.add_argument("--postgres", action="store_true", help="PostgreSQL instead of SQLite")
    options = parser.parse_args()

    shutil.rmtree(DATA_DIR, ignore_errors=True)
    if options.postgres:
        pg_recreate(DATABASE)
        database_url = pg_url(DATABASE)
    else:
        database_url = f"sqlite:///{DATA_DIR / 'congso.sqlite3'}"
    env = django_env(database_url, DATA_DIR)
    print(f"database: {'PostgreSQL' if options.postgres else 'SQLite'}; data in {DATA_DIR}")
    manage("migrate", "--noinput", "-v", "0", env=env)
    # Settings read the environment when Django starts, in run().
    os.environ.update(env)
    run(options)


if __name__ == "__main__":
    main()
