// Seed 002's `ocr.scan` from Swift: OcrClient(wechat:tencentcloud:).scan(...) answers the enum
// ScanResult, one case per kind; a kind without its client throws WxcvError.Config. (Swift cannot
// be compiled on the project's CI machine; this runs wherever a Swift toolchain does.)
import Foundation
import XCTest
@testable import WxcvMobile

final class ScanTests: XCTestCase {
    func testAKindWithoutItsClientIsAConfigError() async throws {
        let emu = try await Emulator.start(cloudbase: false)
        defer { emu.stop() }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../../../..").standardized
        let picture = try Data(contentsOf: root.appendingPathComponent("tests/fixtures/several.png"))
        let ocr = OcrClient(wechat: try WeChatClient(options: emu.wechatOptions()), tencentcloud: nil)
        do {
            _ = try await ocr.scan(image: .bytes(data: picture, contentType: nil), kind: .passport, mode: nil)
            XCTFail("a passport needs the Tencent Cloud client")
        } catch WxcvError.Config(let summary) {
            XCTAssertTrue(summary.contains("Tencent Cloud") && summary.contains("PassportOCR"), summary)
        }
    }

    /// The first text field of each kind: the switch is exhaustive over the enum.
    func firstValue(_ r: ScanResult) -> String? {
        switch r {
        case .text(let result): return result.items.first?.text
        case .idCard(let result): return result.name
        case .bankCard(let result): return result.number
        case .drivingLicense(let result): return result.idNum
        case .businessCard(let result): return result.businessCardInfos.first?.value
        case .passport(let result): return result.passportNo
        }
    }
}
