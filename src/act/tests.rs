//! Unit tests of the per-server work loop.

use super::for_each_then;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Waits (up to 5 s) until `flag` is set.
fn wait_for(flag: &AtomicBool) -> bool {
    let until = Instant::now() + Duration::from_secs(5);
    while !flag.load(Ordering::SeqCst) {
        if Instant::now() > until {
            return false;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    true
}

#[test]
fn what_is_handed_back_runs_beside_the_next_item_and_every_item_finishes() {
    // One worker: the first item's follow-up waits until the second item has started, which
    // it can only do when the follow-up is not on the worker.
    let (started, second, overlapped) = (
        AtomicUsize::new(0),
        AtomicBool::new(false),
        AtomicBool::new(false),
    );
    let mut items = vec![0u32, 0, 0];
    let (started, second, over) = (&started, &second, &overlapped);
    for_each_then(&mut items, 1, 4, |item: &mut u32| {
        let n = started.fetch_add(1, Ordering::SeqCst);
        if n == 1 {
            second.store(true, Ordering::SeqCst);
        }
        *item += 1;
        Some(move || {
            if n == 0 {
                over.store(wait_for(second), Ordering::SeqCst);
            }
            *item += 10;
        })
    });
    assert!(
        overlapped.load(Ordering::SeqCst),
        "the follow-up held the worker"
    );
    assert_eq!(items, [11, 11, 11]);
}

#[test]
fn follow_ups_beyond_the_bound_run_on_the_worker() {
    let (now, most) = (AtomicUsize::new(0), AtomicUsize::new(0));
    let mut items = vec![0u32; 12];
    let (now, most) = (&now, &most);
    for_each_then(&mut items, 2, 3, |item: &mut u32| {
        Some(move || {
            let running = now.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(running, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(20));
            now.fetch_sub(1, Ordering::SeqCst);
            *item += 1;
        })
    });
    assert!(items.iter().all(|&i| i == 1), "{items:?}");
    // Three on their own threads, plus at most one on each of the two workers.
    assert!(most.load(Ordering::SeqCst) <= 3 + 2, "{most:?}");
}
