"""What `make test` installs works: both QR decoders read a code that qrcode made.

pyzbar imports without the system's libzbar0 and fails only when used, so this catches a
missing install step on a fresh machine."""

from __future__ import annotations

import numpy as np
import qrcode

PAYLOAD = "BOXOFFICE2TESTPAYLOAD7QR"


def _image() -> np.ndarray:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(PAYLOAD)
    return np.array(code.make_image().get_image().convert("L"))


def test_pyzbar_with_libzbar_reads_a_qr_code() -> None:
    from pyzbar import pyzbar

    found = pyzbar.decode(_image(), symbols=[pyzbar.ZBarSymbol.QRCODE])
    assert [item.data.decode() for item in found] == [PAYLOAD]


def test_zxing_cpp_reads_a_qr_code() -> None:
    import zxingcpp

    found = zxingcpp.read_barcodes(_image(), formats=zxingcpp.BarcodeFormat.QRCode)  # type: ignore[arg-type]
    assert [item.text for item in found] == [PAYLOAD]
