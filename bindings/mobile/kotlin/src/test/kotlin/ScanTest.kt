// Seed 002's `ocr.scan` from Kotlin: OcrClient(wechat, tencentcloud).scan(image, kind) answers the
// sealed class ScanResult (one subclass per kind), a kind without its client is WxcvError.Config
// with nothing sent, and a mode on a kind without one is WxcvError.InvalidInput.
import java.io.File
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import kotlinx.coroutines.runBlocking
import org.json.JSONObject
import org.junit.jupiter.api.Test
import uniffi.wxcv_mobile.*
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue

private val scanRoot = File(System.getProperty("wxcv.root") ?: "../../..").canonicalFile
private val scanData = JSONObject(File(scanRoot, "tests/scan.json").readText())
private val scanPicture: ByteArray = File(scanRoot, "tests/fixtures/${scanData.getString("picture")}").readBytes()

private fun emulatorCall(emu: Emulator, method: String, path: String, body: JSONObject?): JSONObject {
    val b = HttpRequest.newBuilder(URI.create("${emu.baseUrl()}/__emulator/$path")).header("content-type", "application/json")
    val req = if (body == null) b.GET().build() else b.method(method, HttpRequest.BodyPublishers.ofString(body.toString())).build()
    val r = HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString())
    assertEquals(200, r.statusCode(), r.body())
    return JSONObject(r.body())
}

private fun registerKinds(emu: Emulator) {
    val b64 = java.util.Base64.getEncoder().encodeToString(scanPicture)
    val kinds = scanData.getJSONArray("kinds")
    for (i in 0 until kinds.length()) {
        val k = kinds.getJSONObject(i)
        emulatorCall(emu, "POST", "fixtures/ocr", JSONObject().put("endpoint", k.getString("fixture")).put("image_base64", b64).put("reply", k.getJSONObject("reply")))
    }
}

/** The first text field of each kind's result: `when` is exhaustive over the sealed class. */
private fun firstValue(r: ScanResult): String? = when (r) {
    is ScanResult.Text -> r.result.items.first().text
    is ScanResult.IdCard -> r.result.name
    is ScanResult.BankCard -> r.result.number
    is ScanResult.DrivingLicense -> r.result.idNum
    is ScanResult.BusinessCard -> r.result.businessCardInfos.first().value
    is ScanResult.Passport -> r.result.passportNo
}

class ScanTest {
    @Test
    fun everyKindAnswersItsOwnSubclass(): Unit = runBlocking {
        val emu = Emulator.start(false)
        try {
            registerKinds(emu)
            val ocr = OcrClient(WeChatClient(emu.wechatOptions()), TencentCloudClient(emu.tencentcloudOptions()))
            val kinds = scanData.getJSONArray("kinds")
            assertEquals(kinds.length(), ScanKind.values().size, "tests/scan.json covers every kind, in spec order")
            ScanKind.values().forEachIndexed { i, kind ->
                val want = kinds.getJSONObject(i)
                val r = ocr.scan(ImageInput.Bytes(scanPicture, null), kind, null)
                assertEquals(want.getString("value"), firstValue(r), "$kind")
                assertTrue(r.javaClass.simpleName.equals(kind.name.replace("_", ""), ignoreCase = true), "$kind answered ${r.javaClass.simpleName}")
            }
            val r = ocr.scan(ImageInput.Bytes(scanPicture, null), ScanKind.ID_CARD, OcrMode.SCAN)
            assertTrue(r is ScanResult.IdCard && r.result.id == "110101199003071234")
        } finally { emu.stop(); emu.close() }
    }

    @Test
    fun aKindWithoutItsClientIsAConfigErrorAndNothingIsSent(): Unit = runBlocking {
        val emu = Emulator.start(false)
        try {
            registerKinds(emu)
            val onlyWechat = OcrClient(WeChatClient(emu.wechatOptions()), null)
            val e = assertFailsWith<WxcvException.Config> { onlyWechat.scan(ImageInput.Bytes(scanPicture, null), ScanKind.PASSPORT, null) }
            assertTrue(e.summary.contains("Tencent Cloud") && e.summary.contains("PassportOCR"), e.summary)
            assertFailsWith<WxcvException.Config> { OcrClient(null, TencentCloudClient(emu.tencentcloudOptions())).scan(ImageInput.Bytes(scanPicture, null), ScanKind.BANK_CARD, null) }
            val bad = assertFailsWith<WxcvException.InvalidInput> { onlyWechat.scan(ImageInput.Bytes(scanPicture, null), ScanKind.BUSINESS_CARD, OcrMode.PHOTO) }
            assertEquals("mode", bad.field)
            val counters = emulatorCall(emu, "GET", "counters", null)
            assertEquals(0, counters.getJSONObject("calls").length(), counters.toString())
        } finally { emu.stop(); emu.close() }
    }
}
