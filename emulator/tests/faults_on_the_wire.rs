//! What the `drop` and `truncate` faults put on the wire, read from a raw socket (no HTTP client
//! in between to blur the two): `drop` closes with no byte of a response; `truncate` sends the
//! head with the full Content-Length and exactly half the body.

use std::time::Duration;

use wxcv_emulator::{APPID, APPSECRET, Emulator, Fault};

/// What `drop` and `truncate` put on the wire, read from a raw socket: `drop` closes with no byte
/// of a response; `truncate` sends the head with the full Content-Length and exactly half the body.
#[tokio::test]
async fn drop_sends_no_head_and_truncate_sends_half_the_body() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let emu = Emulator::start().await.unwrap();
    let raw = |emu: &Emulator| {
        let addr = emu.addr();
        async move {
            let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
            let req = format!("GET /cgi-bin/token?grant_type=client_credential&appid={APPID}&secret={APPSECRET} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
            s.write_all(req.as_bytes()).await.unwrap();
            let mut got = Vec::new();
            // Read to the end: the server closes in every case (Connection: close).
            let _ = tokio::time::timeout(Duration::from_secs(10), s.read_to_end(&mut got)).await.expect("the emulator kept the connection open");
            got
        }
    };
    let whole = raw(&emu).await;
    let text = String::from_utf8_lossy(&whole).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    let length = |head: &str| -> usize {
        head.lines().find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse().unwrap())).expect("a Content-Length")
    };
    assert_eq!(length(head), body.len());

    emu.inject("auth.get_access_token", 1, Fault { drop: true, ..Fault::default() });
    assert!(raw(&emu).await.is_empty(), "drop sent part of a response");

    emu.inject("auth.get_access_token", 1, Fault { truncate: true, ..Fault::default() });
    let cut = raw(&emu).await;
    let text = String::from_utf8_lossy(&cut).into_owned();
    let (head, short) = text.split_once("\r\n\r\n").unwrap_or_else(|| panic!("no head: {text:?}"));
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    let full = length(head);
    assert!(full > 20, "{head}");
    assert_eq!(short.len(), full / 2, "{text:?}");
    // The same reply but for the token, which is new each time (same length): masked.
    let mask = |t: &str| -> String {
        let mut out = String::new();
        let mut rest = t;
        while let Some(i) = rest.find("EMU") {
            out.push_str(&rest[..i + 3]);
            rest = &rest[i + 3..];
            let n = rest.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(rest.len());
            out.extend(std::iter::repeat_n('X', n));
            rest = &rest[n..];
        }
        out + rest
    };
    assert_eq!(body.len(), full, "both replies are as long");
    assert_eq!(mask(short), mask(&body[..short.len()]), "not the real reply's first half");
}
