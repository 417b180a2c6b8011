// Hand-written beside the generated wxcv_mobile.swift (uniffi.toml maps the Rust `SecretValue` to it).

/// A credential (app secret, SecretKey, session token): printed as `<redacted>`, never itself.
public struct Secret: Equatable, Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public let value: String
    public init(_ value: String) { self.value = value }
    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}
