//! A formula on arbitrary text and variable values. Input: the formula, then
//! optionally a NUL and bytes giving each variable it reads (in sorted order) a
//! value: a tag byte (0 unset, 1 text, 2 true/false, else a number from the next 8
//! bytes, little-endian f64). Variables left without bytes are 1.5.
#![no_main]

use certbook::sandbox::{Env, Formula, format_number};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (src, mut values) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let Ok(src) = std::str::from_utf8(src) else {
        return;
    };
    let Ok(f) = Formula::compile(src) else {
        return;
    };
    let mut env = Env::default();
    for name in &f.reads {
        match values.split_first() {
            None => env.set(name, 1.5),
            Some((0, rest)) => values = rest,
            Some((1, rest)) => {
                env.set_text(name, "risky");
                values = rest;
            }
            Some((2, rest)) => {
                env.set(name, f64::from(rest.first().copied().unwrap_or(0) & 1));
                values = rest.get(1..).unwrap_or(&[]);
            }
            Some((_, rest)) => {
                let mut b = [0u8; 8];
                let n = rest.len().min(8);
                b[..n].copy_from_slice(&rest[..n]);
                env.set(name, f64::from_le_bytes(b));
                values = &rest[n..];
            }
        }
    }
    if let Ok(v) = f.number(&env) {
        let decimals = u32::from(values.first().copied().unwrap_or(2) % 8);
        let _ = format_number(v, decimals);
    }
    let _ = f.truth(&env);
});
