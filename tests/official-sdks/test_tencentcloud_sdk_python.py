"""tencentcloud-sdk-python (pinned in requirements.txt), unmodified, against the emulator: QrcodeOCR
by POST and GET, each class of error raised as TencentCloudSDKException with its code and RequestId
(which the SDK reads only under `Content-Type: application/json`), BusinessCardOCR with a fixture."""

import json
from typing import Any

import pytest
from tencentcloud.common import credential
from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
from tencentcloud.common.profile.client_profile import ClientProfile
from tencentcloud.common.profile.http_profile import HttpProfile
from tencentcloud.ocr.v20181119 import models, ocr_client

from conftest import ROOT, Emulator, b64, picture


def client(emu: Emulator, key: tuple, region: str = "ap-guangzhou", method: str = "POST") -> ocr_client.OcrClient:
    profile = ClientProfile(httpProfile=HttpProfile(protocol="http", endpoint=emu.host, reqMethod=method))
    return ocr_client.OcrClient(credential.Credential(*key), region, profile)


def qrcode_request(**fields: Any) -> models.QrcodeOCRRequest:
    req = models.QrcodeOCRRequest()
    req.from_json_string(json.dumps(fields))
    return req


def sdk_error(call: Any) -> TencentCloudSDKException:
    with pytest.raises(TencentCloudSDKException) as e:
        call()
    assert e.value.get_request_id(), "every error carries a RequestId"
    return e.value


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_qrcode_ocr_decodes_by_post_and_get(emu: Emulator, method: str) -> None:
    r = client(emu, emu.new_key(), method=method).QrcodeOCR(qrcode_request(ImageBase64=b64("qr.png")))
    assert [c.TypeName for c in r.CodeResults] == ["QR_CODE"]
    assert r.CodeResults[0].Url
    corners = r.CodeResults[0].Position
    assert corners.LeftTop.X >= 0 and corners.RightBottom.Y > corners.LeftTop.Y
    assert (r.ImgSize.Wide, r.ImgSize.High) != (0, 0)
    assert r.RequestId


def test_qrcode_ocr_reads_every_code_of_the_seed_picture_by_url_and_without_a_region(emu: Emulator) -> None:
    url = emu.http.post(f"{emu.base}/__emulator/blobs", data=picture("seed-four-codes.jpg"), timeout=10).json()["url"]
    # Region is optional for QrcodeOCR: the SDK sends no X-TC-Region when it is empty.
    r = client(emu, emu.new_key(), region="").QrcodeOCR(qrcode_request(ImageUrl=url))
    assert sorted(c.TypeName for c in r.CodeResults) == ["CODE-128", "EAN-13", "QR_CODE", "QR_CODE"]
    barcode = next(c for c in r.CodeResults if c.TypeName == "EAN-13")
    assert (barcode.Position.LeftTop.X, barcode.Position.LeftTop.Y) == (-1, -1)


def test_signature_errors(emu: Emulator) -> None:
    secret_id, _ = emu.new_key()
    e = sdk_error(lambda: client(emu, (secret_id, "not-the-key")).QrcodeOCR(qrcode_request(ImageBase64=b64("qr.png"))))
    assert e.get_code() == "AuthFailure.SignatureFailure"
    e = sdk_error(lambda: client(emu, ("AKIDnobodyknows", "x")).QrcodeOCR(qrcode_request(ImageBase64=b64("qr.png"))))
    assert e.get_code() == "AuthFailure.SecretIdNotFound"


def test_an_expired_signature(fresh_emu: Emulator) -> None:
    key = fresh_emu.new_key()
    fresh_emu.control("clock", {"advance_seconds": 3600})
    e = sdk_error(lambda: client(fresh_emu, key).QrcodeOCR(qrcode_request(ImageBase64=b64("qr.png"))))
    assert e.get_code() == "AuthFailure.SignatureExpire"


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_picture_errors(emu: Emulator, method: str) -> None:
    tc = client(emu, emu.new_key(), method=method)
    cases = [
        (dict(ImageBase64=b64("not-an-image.jpg")), "FailedOperation.ImageDecodeFailed"),
        (dict(ImageBase64=b64("blank.png")), "FailedOperation.ImageNoText"),
        (dict(ImageUrl=f"{emu.base}/__emulator/blobs/{'0' * 64}"), "FailedOperation.DownLoadError"),
        (dict(), "FailedOperation.EmptyImageError"),
    ]
    for fields, code in cases:
        assert sdk_error(lambda: tc.QrcodeOCR(qrcode_request(**fields))).get_code() == code, fields


def test_region_and_service_side_errors(emu: Emulator) -> None:
    e = sdk_error(lambda: client(emu, emu.new_key(), region="eu-frankfurt").QrcodeOCR(qrcode_request(ImageBase64=b64("qr.png"))))
    assert e.get_code() == "UnsupportedRegion"
    tc = client(emu, emu.new_key())
    for code in ["RequestLimitExceeded", "InternalError", "ResourceUnavailable.InArrears", "FailedOperation.UnOpenError"]:
        emu.control("faults", {"endpoint": "QrcodeOCR", "times": 1, "errcode": code})
        assert sdk_error(lambda: tc.QrcodeOCR(qrcode_request(ImageBase64=b64("qr.png")))).get_code() == code


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_business_card_ocr_answers_the_registered_fixture(emu: Emulator, method: str) -> None:
    scan = json.loads((ROOT / "tests" / "scan.json").read_text())
    kind = next(k for k in scan["kinds"] if k["fixture"] == "BusinessCardOCR")
    emu.control("fixtures/ocr", {"endpoint": "BusinessCardOCR", "image_base64": b64(scan["picture"]), "reply": kind["reply"]})
    tc = client(emu, emu.new_key(), method=method)
    req = models.BusinessCardOCRRequest()
    req.from_json_string(json.dumps({"ImageBase64": b64(scan["picture"]), "Config": json.dumps({"RetImageType": "PROPROCESS"})}))
    r = tc.BusinessCardOCR(req)
    assert r.BusinessCardInfos[0].Value == kind["value"]
    assert r.BusinessCardInfos[0].ItemCoord.Width == kind["reply"]["BusinessCardInfos"][0]["ItemCoord"]["Width"]
    assert r.RequestId

    req.from_json_string(json.dumps({"ImageBase64": b64("qr.png")}))
    assert sdk_error(lambda: tc.BusinessCardOCR(req)).get_code() == "FailedOperation.ImageNoBusinessCard"
    req.from_json_string(json.dumps({"ImageBase64": b64(scan["picture"]), "Config": "not json"}))
    assert sdk_error(lambda: tc.BusinessCardOCR(req)).get_code() == "InvalidParameter.ConfigFormatError"
