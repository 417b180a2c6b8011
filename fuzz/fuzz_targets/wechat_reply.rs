//! WeChat's JSON replies: the errcode envelope and every JSON endpoint's reply model.
//! Input: the body of a reply, optionally after an `HTTP/1.1 <status>` head (see `wxcv::fuzzing`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| wxcv::fuzzing::wechat_reply(data));
