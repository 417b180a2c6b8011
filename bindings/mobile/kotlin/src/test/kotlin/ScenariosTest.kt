// The shared scenarios (tests/scenarios.json) replayed through the Kotlin bindings (uniffi, JNA)
// against the emulator compiled into libwxcv_mobile, plus bad input, errors and calls in flight.
import java.io.File
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import java.util.Base64
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitAll
import kotlinx.coroutines.runBlocking
import org.json.JSONArray
import org.json.JSONObject
import org.junit.jupiter.api.DynamicTest
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.TestFactory
import uniffi.wxcv_mobile.*
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue
import kotlin.test.fail

private val root = File(System.getProperty("wxcv.root") ?: "../../..").canonicalFile
private fun fixture(name: String): ByteArray = File(root, "tests/fixtures/$name").readBytes()
private val http: HttpClient = HttpClient.newHttpClient()

private fun control(emu: Emulator, path: String, body: JSONObject) {
    val req = HttpRequest.newBuilder(URI.create("${emu.baseUrl()}/__emulator/$path"))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
        .build()
    val r = http.send(req, HttpResponse.BodyHandlers.ofString())
    assertEquals(200, r.statusCode(), r.body())
}

private fun <T> withEmulator(block: suspend (Emulator) -> T): T = runBlocking {
    val emu = Emulator.start(false)
    try { block(emu) } finally { emu.stop(); emu.close() }
}

private fun imageArg(emu: Emulator, spec: JSONObject): ImageInput = when {
    spec.has("file") -> ImageInput.Bytes(fixture(spec.getString("file")), null)
    spec.has("blob") -> ImageInput.Url(emu.blobUrl(fixture(spec.getString("blob"))))
    spec.has("url") -> ImageInput.Url(spec.getString("url"))
    else -> ImageInput.Bytes(spec.getString("text").toByteArray(), null)
}

/** What a call gave, as JSON in the vendor's field names, or a picture, for the subset match. */
private sealed class Got {
    data class Json(val value: Any?) : Got()
    data class Picture(val image: BinaryImage) : Got()
}

private fun scanJson(r: ScanQrcodeResult) = JSONObject().apply {
    put("code_results", JSONArray(r.codeResults.map { c ->
        JSONObject().put("type_name", c.typeName).put("data", c.data).apply { if (c.pos != null) put("pos", JSONObject().put("left_top", c.pos!!.leftTop.x)) }
    }))
    r.imgSize?.let { put("img_size", JSONObject().put("w", it.w).put("h", it.h)) }
}

private suspend fun call(emu: Emulator, name: String, args: JSONObject): Got {
    val wx = WeChatClient(emu.wechatOptions())
    val tc = TencentCloudClient(emu.tencentcloudOptions())
    val img = { imageArg(emu, args.getJSONObject("image")) }
    return when (name) {
        "img.scan_qrcode" -> Got.Json(scanJson(wx.img().scanQrcode(img())))
        "img.ai_crop" -> {
            val ratios = args.optJSONArray("ratios")?.let { a -> (0 until a.length()).map { a.getDouble(it) } }
            val r = wx.img().aiCrop(img(), ratios)
            Got.Json(JSONObject()
                .put("results", JSONArray(r.results.map { JSONObject().put("crop_left", it.cropLeft) }))
                .put("img_size", JSONObject().put("w", r.imgSize?.w).put("h", r.imgSize?.h)))
        }
        "ocr.idcard" -> {
            val r = wx.ocr().idcard(img(), if (args.optString("type") == "scan") OcrMode.SCAN else OcrMode.PHOTO)
            Got.Json(JSONObject().put("type", r.type).put("valid_date", r.validDate).put("name", r.name).put("id", r.id))
        }
        "ocr.bankcard" -> Got.Json(JSONObject().put("number", wx.ocr().bankcard(img(), null).number))
        "wxacode.create_qrcode" -> Got.Picture(wx.wxacode().createQrcode(args.getString("path"), if (args.has("width")) args.getLong("width") else null))
        "wxacode.get_unlimited" -> Got.Picture(
            wx.wxacode().getUnlimited(
                args.getString("scene"),
                page = if (args.has("page")) args.getString("page") else null,
                isHyaline = if (args.has("is_hyaline")) args.getBoolean("is_hyaline") else null,
            ),
        )
        "tc.qrcode_ocr" -> {
            val r = tc.ocr().qrcodeOcr(img())
            Got.Json(JSONObject()
                .put("CodeResults", JSONArray(r.codeResults.map { c ->
                    val p = c.position
                    val corner = { x: Coord -> JSONObject().put("X", x.x).put("Y", x.y) }
                    JSONObject().put("TypeName", c.typeName).put("Url", c.url).put("Position", p?.let {
                        JSONObject().put("LeftTop", corner(it.leftTop)).put("RightTop", corner(it.rightTop))
                            .put("RightBottom", corner(it.rightBottom)).put("LeftBottom", corner(it.leftBottom))
                    })
                }))
                .put("ImgSize", JSONObject().put("Wide", r.imgSize?.wide).put("High", r.imgSize?.high))
                .put("RequestId", r.requestId))
        }
        "tc.business_card_ocr" -> {
            val r = tc.ocr().businessCardOcr(img(), if (args.has("config")) args.getString("config") else null)
            val box = { c: ItemCoord -> JSONObject().put("X", c.x).put("Y", c.y).put("Width", c.width).put("Height", c.height) }
            Got.Json(JSONObject()
                .put("BusinessCardInfos", JSONArray(r.businessCardInfos.map { JSONObject().put("Name", it.name).put("Value", it.value).put("ItemCoord", box(it.itemCoord)) }))
                .put("RetImageBase64", r.retImageBase64).put("Angle", r.angle).put("RequestId", r.requestId))
        }
        "tc.passport_ocr" -> {
            val r = tc.ocr().passportOcr(img(), if (args.has("type")) args.getString("type") else null, if (args.has("crop_portrait")) args.getBoolean("crop_portrait") else null)
            Got.Json(JSONObject()
                .put("PassportNo", r.passportNo).put("Name", r.name).put("FamilyName", r.familyName).put("FirstName", r.firstName)
                .put("BirthDate", r.birthDate).put("ExpiryDate", r.expiryDate).put("CodeSet", r.codeSet).put("CodeCrc", r.codeCrc)
                .put("PortraitImageInfo", r.portraitImageInfo?.let { p ->
                    JSONObject().put("PortraitImage", p.portraitImage).put("ImageCoordinates", p.imageCoordinates?.let {
                        JSONObject().put("X", it.x).put("Y", it.y).put("Width", it.width).put("Height", it.height)
                    })
                })
                .put("RequestId", r.requestId))
        }
        "tc.query_bar_code" -> {
            val r = tc.ocr().queryBarCode(args.getString("bar_code"))
            Got.Json(JSONObject().put("BarCode", r.barCode).put("ProductDataRecords", JSONArray(r.productDataRecords.map {
                JSONObject().put("ProductName", it.productName).put("ImageLink", JSONArray(it.imageLink))
            })))
        }
        else -> fail("the Kotlin harness has no call $name: add it")
    }
}

/** `expected` is a subset of `actual` (see tests/scenarios.json's `about`); fields the harness does not read are skipped. */
private fun matches(expected: Any?, actual: Any?): Boolean = when {
    expected == "\$present" -> actual != null && actual != JSONObject.NULL
    expected == "\$absent" -> actual == null || actual == JSONObject.NULL
    expected is JSONObject -> actual is JSONObject && expected.keySet().all { k -> matches(expected.get(k), if (actual.has(k)) actual.get(k) else null) }
    expected is JSONArray -> actual is JSONArray && expected.length() == actual.length() && run {
        val used = BooleanArray(actual.length())
        (0 until expected.length()).all { i ->
            val j = (0 until actual.length()).firstOrNull { !used[it] && matches(expected.get(i), actual.get(it)) }
            if (j != null) used[j] = true
            j != null
        }
    }
    expected is Number && actual is Number -> expected.toDouble() == actual.toDouble()
    else -> expected == actual
}

private fun pictureSize(b: ByteArray): Pair<Int, Int> {
    if (b[0] == 0x89.toByte() && b[1] == 'P'.code.toByte()) {
        val w = java.nio.ByteBuffer.wrap(b, 16, 8).int
        val h = java.nio.ByteBuffer.wrap(b, 20, 4).int
        return w to h
    }
    var i = 2
    while (i < b.size) {
        val marker = b[i + 1].toInt() and 0xff
        val len = ((b[i + 2].toInt() and 0xff) shl 8) or (b[i + 3].toInt() and 0xff)
        if (marker in 0xc0..0xc2) {
            val h = ((b[i + 5].toInt() and 0xff) shl 8) or (b[i + 6].toInt() and 0xff)
            val w = ((b[i + 7].toInt() and 0xff) shl 8) or (b[i + 8].toInt() and 0xff)
            return w to h
        }
        i += 2 + len
    }
    error("no JPEG frame header")
}

class ScenariosTest {
    @TestFactory
    fun sharedScenarios(): List<DynamicTest> {
        val scenarios = JSONObject(File(root, "tests/scenarios.json").readText()).getJSONArray("scenarios")
        assertTrue(scenarios.length() >= 20)
        return (0 until scenarios.length()).map { i ->
            val sc = scenarios.getJSONObject(i)
            DynamicTest.dynamicTest(sc.getString("name")) {
                withEmulator { emu ->
                    val setup = sc.optJSONObject("setup") ?: JSONObject()
                    setup.optJSONArray("faults")?.let { f -> for (k in 0 until f.length()) control(emu, "faults", f.getJSONObject(k)) }
                    setup.optJSONArray("ocr_fixtures")?.let { f ->
                        for (k in 0 until f.length()) {
                            val o = f.getJSONObject(k)
                            val b64 = Base64.getEncoder().encodeToString(fixture(o.getString("file")))
                            control(emu, "fixtures/ocr", JSONObject().put("endpoint", o.getString("endpoint")).put("image_base64", b64).put("reply", o.getJSONObject("reply")))
                        }
                    }
                    val expect = sc.getJSONObject("expect")
                    val got = try { call(emu, sc.getString("call"), sc.getJSONObject("args")) } catch (e: WxcvException) { e }
                    when {
                        expect.has("error") -> {
                            val want = expect.getJSONObject("error")
                            val actual = when (got) {
                                is WxcvException.Api -> JSONObject().put("kind", "api").put("code", got.code)
                                is WxcvException.InvalidInput -> JSONObject().put("kind", "invalid_input").put("field", got.field)
                                else -> JSONObject().put("kind", got.toString())
                            }
                            assertTrue(matches(want, actual), "${sc.getString("name")}: expected $want, got $actual")
                        }
                        expect.has("image") -> {
                            val pic = (got as? Got.Picture)?.image ?: fail("${sc.getString("name")}: expected a picture, got $got")
                            val (w, h) = pictureSize(pic.data)
                            val actual = JSONObject().put("content_type", pic.contentType).put("width", w).put("height", h)
                            assertTrue(matches(expect.getJSONObject("image"), actual), "${sc.getString("name")}: $actual")
                        }
                        else -> {
                            val json = (got as? Got.Json)?.value ?: fail("${sc.getString("name")}: expected a reply, got $got")
                            assertTrue(matches(expect.getJSONObject("result"), json), "${sc.getString("name")}: expected ${expect.getJSONObject("result")}, got $json")
                        }
                    }
                }
            }
        }
    }

    @Test
    fun badInputNeverLeavesTheClient() = withEmulator { emu ->
        val wx = WeChatClient(emu.wechatOptions())
        val e1 = assertFailsWith<WxcvException.InvalidInput> { wx.img().aiCrop(ImageInput.Bytes(fixture("qr.png"), null), List(6) { 1.0 }) }
        assertEquals("ratios", e1.field)
        assertTrue(e1.detail.contains("5"), e1.detail)
        val e2 = assertFailsWith<WxcvException.InvalidInput> { wx.wxacode().createQrcode("p".repeat(129), null) }
        assertEquals("path", e2.field)
        val e3 = assertFailsWith<WxcvException.InvalidInput> { wx.img().scanQrcode(ImageInput.Bytes(ByteArray(0), null)) }
        assertEquals("image", e3.field)
        assertEquals(0UL, emu.calls("img.ai_crop") + emu.calls("wxacode.create_qrcode") + emu.calls("img.scan_qrcode"))
    }

    @Test
    fun errorsCarryTheVendorFields() = withEmulator { emu ->
        val wx = WeChatClient(emu.wechatOptions())
        val e = assertFailsWith<WxcvException.Api> { wx.ocr().bankcard(ImageInput.Bytes(fixture("qr.png"), null), null) }
        assertEquals("101001", e.code)
        assertEquals(101001L, e.errcode)
        assertEquals("CertificateNotFound", e.exception)
        assertEquals("not_found", e.category)
        assertTrue(e.requestId != null && e.meaning != null)
        val badOptions = WeChatOptions(appId = emu.wechatOptions().appId, appSecret = Secret("kotlin-secret-must-not-leak"), baseUrl = emu.baseUrl())
        assertTrue(!badOptions.toString().contains("kotlin-secret-must-not-leak") && badOptions.toString().contains("<redacted>"), badOptions.toString())
        val tcOptions = emu.tencentcloudOptions().copy(token = Secret("kotlin-session-token"))
        assertTrue(!tcOptions.toString().contains(emu.tencentcloudOptions().secretKey!!.value) && !tcOptions.toString().contains("kotlin-session-token"))
        val bad = WeChatClient(badOptions)
        val auth = assertFailsWith<WxcvException.Api> { bad.img().scanQrcode(ImageInput.Bytes(fixture("qr.png"), null)) }
        assertEquals("InvalidAppSecret", auth.exception)
        assertTrue(!auth.toString().contains("kotlin-secret-must-not-leak"))
        val cfg = assertFailsWith<WxcvException.Config> { WeChatClient(WeChatOptions(appId = "wx1")) }
        assertTrue(cfg.summary.contains("app_secret"))
    }

    @Test
    fun aTimeoutPerCall() = withEmulator { emu ->
        val wx = WeChatClient(emu.wechatOptions().copy(timeoutSeconds = 10.0))
        val quick = wx.withTimeout(0.2)
        wx.img().scanQrcode(ImageInput.Bytes(fixture("qr.png"), null))
        control(emu, "faults", JSONObject().put("endpoint", "img.scan_qrcode").put("times", 3).put("delay_ms", 1500))
        val started = System.currentTimeMillis()
        val e = assertFailsWith<WxcvException.Transport> { quick.img().scanQrcode(ImageInput.Bytes(fixture("qr.png"), null)) }
        assertEquals("timeout", e.transportKind)
        assertTrue(System.currentTimeMillis() - started < 1400)
        control(emu, "faults", JSONObject().put("endpoint", "img.scan_qrcode").put("times", 1).put("delay_ms", 500))
        wx.img().scanQrcode(ImageInput.Bytes(fixture("qr.png"), null))
        assertEquals(1UL, emu.tokenIssues())
        assertFailsWith<WxcvException.Config> { wx.withTimeout(0.0) }
        Unit
    }

    @Test
    fun manyCallsInFlight() = withEmulator { emu ->
        val wx = WeChatClient(emu.wechatOptions())
        val pics = listOf("qr.png" to "QR_CODE", "datamatrix.png" to "DATA_MATRIX", "ean13.png" to "EAN_13", "code128.png" to "CODE_128")
        val results = runBlocking {
            (0 until 100).map { i ->
                async { wx.img().scanQrcode(ImageInput.Bytes(fixture(pics[i % 4].first), null)).codeResults[0].typeName }
            }.awaitAll()
        }
        assertEquals((0 until 100).map { pics[it % 4].second }, results)
        assertEquals(100UL, emu.calls("img.scan_qrcode"))
    }
}
