//! Parse throughput: decode → parse → plan on tables of 10, 1 000 and 100 000 rows, in MB/s,
//! then the time to refuse crafted outputs (a 1 MB header of one word repeated, and 80 000
//! short lines shaped like headers). Run with `cargo bench --bench parse`.

use logoff_all::decode::{decode, CodePage};
use logoff_all::plan::{plan, Options};
use logoff_all::table::parse::parse;
use std::hint::black_box;
use std::time::{Duration, Instant};

/// A `query session` table with `rows` sessions in the Server 2008+ layout: a mix of active,
/// disconnected (empty session name) and a listener, CRLF line ends, CP437.
fn table(rows: u32) -> Vec<u8> {
    let mut text = String::from(
        " SESSIONNAME       USERNAME                 ID  STATE   TYPE        DEVICE\r\n",
    );
    text.push_str(" services                                    0  Disc\r\n");
    for id in 1..=rows {
        let (name, state) = if id % 4 == 0 {
            (String::new(), "Disc")
        } else {
            (format!("rdp-tcp#{id}"), "Active")
        };
        text.push_str(&format!(
            " {name:<18}{:<21}{id:>6}  {state}\r\n",
            format!("user.{id}")
        ));
    }
    text.push_str(" rdp-tcp                                 65536  Listen\r\n");
    text.into_bytes()
}

fn main() {
    // BENCH_ONCE=1: one run per size, for instruction counts under valgrind --tool=callgrind.
    let once = std::env::var_os("BENCH_ONCE").is_some();
    println!(
        "{:>8} {:>10} {:>12} {:>10} {:>12}",
        "rows", "bytes", "per run", "MB/s", "ns/row"
    );
    for rows in [10u32, 1_000, 100_000] {
        let bytes = table(rows);
        // Enough iterations for about a second per size.
        let mut iterations = 0u32;
        let started = Instant::now();
        while (!once && started.elapsed() < Duration::from_secs(1)) || iterations < 1 {
            let decoded = decode(black_box(&bytes), CodePage::Default(437)).expect("decodes");
            let table = parse(&decoded).expect("parses");
            let planned = plan(table, Options::default());
            black_box(planned.logoff_order().len());
            iterations += 1;
        }
        let per_run = started.elapsed() / iterations;
        let mb_s = bytes.len() as f64 / per_run.as_secs_f64() / 1e6;
        println!(
            "{rows:>8} {:>10} {:>12.3?} {mb_s:>10.1} {:>12.0}",
            bytes.len(),
            per_run,
            per_run.as_nanos() as f64 / f64::from(rows + 2)
        );
    }
    // BENCH_TABLES_ONLY=1: skip the crafted outputs (for profiling the table path alone).
    if std::env::var_os("BENCH_TABLES_ONLY").is_none() {
        crafted(once);
    }
}

/// Outputs built to make a parser work hard: each must be refused in linear time.
fn crafted(once: bool) {
    println!("{:>28} {:>10} {:>12}", "crafted output", "bytes", "per run");
    let cases = [
        (
            "1 MB header, one word",
            format!(" {}\n", "SESSIONNAME ".repeat(90_000)),
        ),
        (
            "1 MB header, word + ID",
            format!(" {}\n", "SESSIONNAME ID ".repeat(70_000)),
        ),
        ("80 000 header-like lines", " A  B  ID  C\n".repeat(80_000)),
    ];
    for (name, text) in cases {
        let mut iterations = 0u32;
        let started = Instant::now();
        while (!once && started.elapsed() < Duration::from_secs(1)) || iterations < 1 {
            let decoded =
                decode(black_box(text.as_bytes()), CodePage::Default(437)).expect("decodes");
            black_box(parse(&decoded).is_err());
            iterations += 1;
        }
        let per_run = started.elapsed() / iterations;
        println!("{name:>28} {:>10} {:>12.3?}", text.len(), per_run);
    }
}
