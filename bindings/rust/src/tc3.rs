//! TC3-HMAC-SHA256, Tencent Cloud API 3.0's request signature. The signing service (`ocr`) comes
//! from the spec, never from the host, so a custom endpoint still signs as the real service.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// What the signature covers.
#[derive(Debug, Clone, Copy)]
pub struct SignInput<'a> {
    pub secret_id: &'a str,
    pub secret_key: &'a str,
    pub service: &'a str,
    /// The Host header as sent (with `:port` when not the default).
    pub host: &'a str,
    pub content_type: &'a str,
    pub payload: &'a [u8],
    pub timestamp: i64,
}

/// The pieces of a signature, kept for tests and for the emulator's verifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    pub date: String,
    pub scope: String,
    pub hashed_payload: String,
    pub hashed_canonical_request: String,
    pub signature: String,
    /// The `Authorization` header value.
    pub authorization: String,
}

fn hmac(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut m = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
    m.update(data);
    m.finalize().into_bytes().to_vec()
}

fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// `YYYY-MM-DD` (UTC) of a Unix timestamp.
pub fn utc_date(timestamp: i64) -> String {
    let d = time::OffsetDateTime::from_unix_timestamp(timestamp).unwrap_or(time::OffsetDateTime::UNIX_EPOCH).date();
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// The HTTP method a request is signed and sent with. API 3.0 takes both: POST carries the
/// parameters as a JSON body, GET in the query (and signs that query; the body is empty).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Method {
    #[default]
    Post,
    Get,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Post => "POST",
            Method::Get => "GET",
        }
    }
}

/// The canonical request of API 3.0: method, path `/`, the query exactly as sent (empty for a
/// JSON POST), each signed header as `name:value` (names lowercased, values trimmed) in the order
/// given, the signed names joined with `;`, and the hex SHA-256 of the payload.
pub fn canonical_request(method: &str, query: &str, headers: &[(&str, &str)], hashed_payload: &str) -> String {
    let mut canonical = format!("{method}\n/\n{query}\n");
    let mut names = Vec::with_capacity(headers.len());
    for (name, value) in headers {
        let name = name.to_ascii_lowercase();
        canonical.push_str(&format!("{name}:{}\n", value.trim()));
        names.push(name);
    }
    canonical.push_str(&format!("\n{}\n{hashed_payload}", names.join(";")));
    canonical
}

/// The signature of a canonical request: (`YYYY-MM-DD`, credential scope, hex signature).
pub fn sign_canonical(secret_key: &str, service: &str, timestamp: i64, canonical: &str) -> (String, String, String) {
    let hashed_canonical_request = sha256_hex(canonical.as_bytes());
    let date = utc_date(timestamp);
    let scope = format!("{date}/{service}/tc3_request");
    let string_to_sign = format!("TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{hashed_canonical_request}");
    let k_date = hmac(format!("TC3{secret_key}").as_bytes(), date.as_bytes());
    let k_service = hmac(&k_date, service.as_bytes());
    let k_signing = hmac(&k_service, b"tc3_request");
    (date, scope, hex::encode(hmac(&k_signing, string_to_sign.as_bytes())))
}

/// The hex SHA-256 of a payload, as the canonical request carries it.
pub fn hash_payload(payload: &[u8]) -> String {
    sha256_hex(payload)
}

/// Signs a POST to `/` with an empty query and `content-type;host` signed, as API 3.0 wants.
pub fn sign(input: &SignInput<'_>) -> Signature {
    sign_with(input, Method::Post, "")
}

/// Signs a request to `/` with `content-type;host` signed: a POST with `query` empty and the JSON
/// body as payload, or a GET with the parameters in `query` (exactly as sent) and an empty payload.
pub fn sign_with(input: &SignInput<'_>, method: Method, query: &str) -> Signature {
    let hashed_payload = sha256_hex(input.payload);
    let canonical =
        canonical_request(method.as_str(), query, &[("content-type", input.content_type), ("host", input.host)], &hashed_payload);
    let hashed_canonical_request = sha256_hex(canonical.as_bytes());
    let (date, scope, signature) = sign_canonical(input.secret_key, input.service, input.timestamp, &canonical);
    let authorization = format!(
        "TC3-HMAC-SHA256 Credential={}/{scope}, SignedHeaders=content-type;host, Signature={signature}",
        input.secret_id
    );
    Signature { date, scope, hashed_payload, hashed_canonical_request, signature, authorization }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The vector Tencent Cloud publishes (api-facts.md).
    #[test]
    fn published_vector() {
        let payload = r#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
        let s = sign(&SignInput {
            secret_id: "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
            secret_key: "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
            service: "cvm",
            host: "cvm.tencentcloudapi.com",
            content_type: "application/json; charset=utf-8",
            payload: payload.as_bytes(),
            timestamp: 1551113065,
        });
        assert_eq!(s.hashed_payload, "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064");
        assert_eq!(s.hashed_canonical_request, "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031");
        assert_eq!(s.signature, "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168");
        assert_eq!(s.date, "2019-02-25");
        assert_eq!(
            s.authorization,
            "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, \
             SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
        );
    }
}
