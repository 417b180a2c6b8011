//! Binary replies: a picture or a JSON error, never JSON taken for a picture (`decode_image`, `Format::sniff`).
//! Input: the body of a reply, optionally after an `HTTP/1.1 <status>` head (see `wxcv::fuzzing`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| wxcv::fuzzing::image_reply(data));
