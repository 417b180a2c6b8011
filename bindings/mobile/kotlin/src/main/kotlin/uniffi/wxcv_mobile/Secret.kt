// Hand-written beside the generated wxcv_mobile.kt (uniffi.toml maps the Rust `SecretValue` to it).
package uniffi.wxcv_mobile

/** A credential (app secret, SecretKey, session token): printed as `<redacted>`, never itself. */
class Secret(val value: String) {
    override fun toString(): String = "<redacted>"
    override fun equals(other: Any?): Boolean = other is Secret && other.value == value
    override fun hashCode(): Int = value.hashCode()
}
