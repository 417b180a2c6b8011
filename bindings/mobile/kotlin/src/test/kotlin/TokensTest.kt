// Access tokens shared through Redis from Kotlin: a real redis-server per test on a free loopback
// port (with a password that must never be printed); two clients share one token, a revoked token
// is replaced once for both, Redis going away is a token_store transport error or a fallback.
import java.io.File
import java.net.ServerSocket
import java.net.Socket
import java.net.URI
import java.net.http.HttpClient
import java.net.http.HttpRequest
import java.net.http.HttpResponse
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Test
import uniffi.wxcv_mobile.*
import kotlin.test.assertEquals
import kotlin.test.assertFailsWith
import kotlin.test.assertTrue

private const val PASSWORD = "REDIS-PASSWORD-never-printed"
private val qr: ByteArray = File(File(System.getProperty("wxcv.root") ?: "../../..").canonicalFile, "tests/fixtures/qr.png").readBytes()

private class RedisServer : AutoCloseable {
    val port: Int = ServerSocket(0).use { it.localPort }
    private val proc: Process = ProcessBuilder(
        "redis-server", "--port", "$port", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
        "--requirepass", PASSWORD, "--loglevel", "warning",
    ).redirectOutput(ProcessBuilder.Redirect.DISCARD).start()
    val url = "redis://:$PASSWORD@127.0.0.1:$port/0"

    init {
        val deadline = System.currentTimeMillis() + 10_000
        while (runCatching { Socket("127.0.0.1", port).close() }.isFailure) {
            check(System.currentTimeMillis() < deadline) { "redis-server did not start" }
            Thread.sleep(20)
        }
    }

    override fun close() {
        proc.destroyForcibly().waitFor()
    }
}

private fun revoke(emu: Emulator) {
    val req = HttpRequest.newBuilder(URI.create("${emu.baseUrl()}/__emulator/tokens/revoke"))
        .header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"appid\": \"${emu.wechatOptions().appId}\"}"))
        .build()
    assertEquals(200, HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString()).statusCode())
}

class TokensTest {
    @Test
    fun clientsShareOneTokenThroughRedis() = runBlocking {
        val emu = Emulator.start(false)
        RedisServer().use { redis ->
            val a = WeChatClient(emu.wechatOptions().copy(redisUrl = redis.url, redisPrefix = "kt:"))
            val b = WeChatClient(emu.wechatOptions().copy(redisUrl = redis.url, redisPrefix = "kt:"))
            assertEquals("QR_CODE", a.img().scanQrcode(ImageInput.Bytes(qr, null)).codeResults[0].typeName)
            assertEquals("QR_CODE", b.img().scanQrcode(ImageInput.Bytes(qr, null)).codeResults[0].typeName)
            assertEquals(1UL, emu.tokenIssues())
            revoke(emu)
            a.img().scanQrcode(ImageInput.Bytes(qr, null))
            b.img().scanQrcode(ImageInput.Bytes(qr, null))
            assertEquals(2UL, emu.tokenIssues())
        }
        emu.stop()
        emu.close()
    }

    @Test
    fun redisGoingAwayIsATokenStoreErrorOrAFallback() = runBlocking {
        val emu = Emulator.start(false)
        val redis = RedisServer()
        val strict = WeChatClient(emu.wechatOptions().copy(redisUrl = redis.url, redisPrefix = "away:"))
        val lenient = WeChatClient(emu.wechatOptions().copy(redisUrl = redis.url, redisPrefix = "away:", redisFallback = true))
        strict.img().scanQrcode(ImageInput.Bytes(qr, null))
        lenient.img().scanQrcode(ImageInput.Bytes(qr, null))
        redis.close()
        revoke(emu)
        val e = assertFailsWith<WxcvException.Transport> { strict.img().scanQrcode(ImageInput.Bytes(qr, null)) }
        assertEquals("token_store", e.transportKind)
        assertTrue(e.summary.contains("127.0.0.1:${redis.port}") && !e.toString().contains(PASSWORD), e.summary)
        lenient.img().scanQrcode(ImageInput.Bytes(qr, null))
        assertEquals(2UL, emu.tokenIssues())
        val cfg = assertFailsWith<WxcvException.Config> { WeChatClient(emu.wechatOptions().copy(redisUrl = "rediss://h:1")) }
        assertTrue(cfg.summary.contains("TLS is not supported"), cfg.summary)
        emu.stop()
        emu.close()
    }
}
