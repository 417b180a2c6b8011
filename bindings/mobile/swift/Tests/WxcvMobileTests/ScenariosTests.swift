// The shared scenarios (tests/scenarios.json) replayed through the Swift bindings against the
// emulator compiled into libwxcv_mobile. No Swift toolchain runs on the machine that builds this
// repository; run with `WXCV_LIB_DIR=<dir of libwxcv_mobile> swift test` in bindings/mobile/swift.
import Foundation
import XCTest
@testable import WxcvMobile

private let root = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

private func fixture(_ name: String) throws -> Data {
    try Data(contentsOf: root.appendingPathComponent("tests/fixtures/\(name)"))
}

private func image(_ emu: Emulator, _ spec: [String: Any]) throws -> ImageInput {
    if let f = spec["file"] as? String { return .bytes(data: try fixture(f), contentType: nil) }
    if let b = spec["blob"] as? String { return .url(url: try emu.blobUrl(data: try fixture(b))) }
    if let u = spec["url"] as? String { return .url(url: u) }
    return .bytes(data: Data((spec["text"] as? String ?? "").utf8), contentType: nil)
}

private func control(_ emu: Emulator, _ path: String, _ body: [String: Any]) async throws {
    var req = URLRequest(url: URL(string: "\(emu.baseUrl())/__emulator/\(path)")!)
    req.httpMethod = "POST"
    req.setValue("application/json", forHTTPHeaderField: "content-type")
    req.httpBody = try JSONSerialization.data(withJSONObject: body)
    let (_, resp) = try await URLSession.shared.data(for: req)
    XCTAssertEqual((resp as? HTTPURLResponse)?.statusCode, 200)
}

final class ScenariosTests: XCTestCase {
    func testSharedScenarios() async throws {
        let file = try JSONSerialization.jsonObject(with: try Data(contentsOf: root.appendingPathComponent("tests/scenarios.json"))) as! [String: Any]
        let scenarios = file["scenarios"] as! [[String: Any]]
        XCTAssertGreaterThanOrEqual(scenarios.count, 20)
        for sc in scenarios {
            let name = sc["name"] as! String
            let emu = try await Emulator.start(cloudbase: false)
            defer { emu.stop() }
            let setup = sc["setup"] as? [String: Any] ?? [:]
            for f in setup["faults"] as? [[String: Any]] ?? [] { try await control(emu, "faults", f) }
            for f in setup["ocr_fixtures"] as? [[String: Any]] ?? [] {
                try await control(emu, "fixtures/ocr", [
                    "endpoint": f["endpoint"]!, "reply": f["reply"]!,
                    "image_base64": try fixture(f["file"] as! String).base64EncodedString(),
                ])
            }
            let wx = try WeChatClient(options: emu.wechatOptions())
            let tc = try TencentCloudClient(options: emu.tencentcloudOptions())
            let args = sc["args"] as! [String: Any]
            let expect = sc["expect"] as! [String: Any]
            do {
                switch sc["call"] as! String {
                case "img.scan_qrcode":
                    let r = try await wx.img().scanQrcode(image: try image(emu, args["image"] as! [String: Any]))
                    XCTAssertNotNil(expect["result"], name)
                    XCTAssertFalse(r.codeResults.isEmpty, name)
                case "img.ai_crop":
                    let ratios = (args["ratios"] as? [NSNumber])?.map { $0.doubleValue }
                    let r = try await wx.img().aiCrop(image: try image(emu, args["image"] as! [String: Any]), ratios: ratios)
                    XCTAssertEqual(r.results.count, ratios?.count, name)
                case "ocr.idcard":
                    let r = try await wx.ocr().idcard(image: try image(emu, args["image"] as! [String: Any]), type: .scan)
                    XCTAssertEqual(r.type, (expect["result"] as! [String: Any])["type"] as? String, name)
                case "ocr.bankcard":
                    _ = try await wx.ocr().bankcard(image: try image(emu, args["image"] as! [String: Any]), type: nil)
                case "wxacode.create_qrcode":
                    let r = try await wx.wxacode().createQrcode(path: args["path"] as! String, width: (args["width"] as? NSNumber)?.int64Value)
                    XCTAssertEqual(r.contentType, (expect["image"] as! [String: Any])["content_type"] as? String, name)
                case "wxacode.get_unlimited":
                    let r = try await wx.wxacode().getUnlimited(scene: args["scene"] as! String, page: args["page"] as? String, isHyaline: args["is_hyaline"] as? Bool)
                    XCTAssertEqual(r.contentType, (expect["image"] as! [String: Any])["content_type"] as? String, name)
                case "tc.qrcode_ocr":
                    let r = try await tc.ocr().qrcodeOcr(image: try image(emu, args["image"] as! [String: Any]))
                    XCTAssertFalse(r.codeResults.isEmpty, name)
                case "tc.query_bar_code":
                    let r = try await tc.ocr().queryBarCode(barCode: args["bar_code"] as! String)
                    XCTAssertEqual(r.barCode, args["bar_code"] as? String, name)
                case "tc.business_card_ocr":
                    let r = try await tc.ocr().businessCardOcr(image: try image(emu, args["image"] as! [String: Any]), config: args["config"] as? String)
                    XCTAssertEqual(r.businessCardInfos.count, ((expect["result"] as! [String: Any])["BusinessCardInfos"] as? [Any])?.count, name)
                case "tc.passport_ocr":
                    let r = try await tc.ocr().passportOcr(image: try image(emu, args["image"] as! [String: Any]), type: args["type"] as? String, cropPortrait: args["crop_portrait"] as? Bool)
                    XCTAssertEqual(r.passportNo, (expect["result"] as! [String: Any])["PassportNo"] as? String, name)
                default:
                    XCTFail("the Swift harness has no call \(sc["call"]!)")
                }
                XCTAssertNil(expect["error"], "\(name): expected an error")
            } catch let e as WxcvError {
                guard let want = expect["error"] as? [String: Any] else { return XCTFail("\(name): \(e)") }
                switch e {
                case let .Api(_, _, _, code, _, _, _, _, _, _, _, _, _):
                    XCTAssertEqual(want["kind"] as? String, "api", name)
                    XCTAssertEqual(want["code"] as? String, code, name)
                case let .InvalidInput(_, _, field, _):
                    XCTAssertEqual(want["kind"] as? String, "invalid_input", name)
                    XCTAssertEqual(want["field"] as? String, field, name)
                default:
                    XCTFail("\(name): \(e)")
                }
            }
        }
    }
}
