//! The capture rules against a scripted child.

use super::*;
use std::collections::VecDeque;

/// What the fake does when asked for the next event.
enum Step {
    Out(&'static [u8]),
    Err(&'static [u8]),
    Close(Stream),
    Exit(i32),
    /// Sleeps until `until` and reports a timeout (the child is silent).
    Silent,
    /// Sleeps 1 ms, then one byte on stderr.
    Trickle,
}

/// A scripted child: plays `steps` in order, checks that it is only asked for what is
/// wanted, and records kills and reaps.
struct Fake {
    steps: VecDeque<Step>,
    exit_code: Option<i32>,
    exited: bool,
    killed: bool,
    reaped: u32,
    asked_after_reap_for_exit: bool,
}

impl Fake {
    fn new(steps: Vec<Step>) -> Fake {
        Fake {
            steps: steps.into(),
            exit_code: None,
            exited: false,
            killed: false,
            reaped: 0,
            asked_after_reap_for_exit: false,
        }
    }
}

impl Watch for Fake {
    fn next(&mut self, want: Want, until: Option<Instant>) -> io::Result<Event<'_>> {
        if self.reaped > 0 && want.exit {
            self.asked_after_reap_for_exit = true;
        }
        let step = match self.steps.pop_front() {
            Some(step) => step,
            // Out of script: a child (or grandchild) that never writes or ends again.
            None => Step::Silent,
        };
        Ok(match step {
            Step::Out(b) => {
                assert!(want.stdout, "read from a closed stdout");
                Event::Data(Stream::Stdout, b)
            }
            Step::Err(b) => {
                assert!(want.stderr, "read from a closed stderr");
                Event::Data(Stream::Stderr, b)
            }
            Step::Trickle => {
                std::thread::sleep(Duration::from_millis(1));
                Event::Data(Stream::Stderr, b"x")
            }
            Step::Close(s) => Event::Closed(s),
            Step::Exit(code) => {
                assert!(want.exit, "asked for the end of a reaped child");
                self.exited = true;
                self.exit_code = Some(code);
                Event::Exited
            }
            Step::Silent => {
                let until = until.expect("a silent child with no deadline would hang");
                std::thread::sleep(until.saturating_duration_since(Instant::now()));
                Event::Timeout
            }
        })
    }

    fn kill(&mut self) {
        if !self.exited {
            self.killed = true;
            self.exited = true;
        }
    }

    fn reap(&mut self) -> io::Result<Option<i32>> {
        assert!(self.exited, "reap of a running child would block");
        self.reaped += 1;
        Ok(self.exit_code)
    }
}

const GRACE: Duration = Duration::from_millis(50);

fn drive_for(fake: &mut Fake, timeout: Duration, max: usize) -> Captured {
    drive(fake, Some(Instant::now() + timeout), max, GRACE, None).unwrap()
}

#[test]
fn both_streams_are_kept_apart_and_the_child_is_reaped_once() {
    let mut fake = Fake::new(vec![
        Step::Out(b"o1"),
        Step::Err(b"e1"),
        Step::Out(b"o2"),
        Step::Close(Stream::Stdout),
        Step::Close(Stream::Stderr),
        Step::Exit(3),
    ]);
    let got = drive_for(&mut fake, Duration::from_secs(5), 100);
    assert_eq!(got.ending, Ending::Exited);
    assert_eq!(got.output.stdout, b"o1o2");
    assert_eq!(got.output.stderr, b"e1");
    assert_eq!(got.output.code, Some(3));
    assert_eq!(fake.reaped, 1);
    assert!(!fake.killed);
}

#[test]
fn output_after_the_end_is_still_read_until_the_streams_close() {
    // The exit is often seen before the last bytes in the pipe have been read.
    let mut fake = Fake::new(vec![
        Step::Exit(0),
        Step::Out(b"late"),
        Step::Close(Stream::Stdout),
        Step::Close(Stream::Stderr),
    ]);
    let got = drive_for(&mut fake, Duration::from_secs(5), 100);
    assert_eq!(got.ending, Ending::Exited);
    assert_eq!(got.output.stdout, b"late");
    assert!(!fake.asked_after_reap_for_exit);
}

#[test]
fn a_stream_held_open_after_the_end_is_given_up_after_the_grace() {
    let started = Instant::now();
    let mut fake = Fake::new(vec![
        Step::Out(b"hi"),
        Step::Close(Stream::Stderr),
        Step::Exit(0),
    ]);
    let got = drive_for(&mut fake, Duration::from_secs(30), 100);
    assert_eq!(got.ending, Ending::Exited);
    assert_eq!(got.output.stdout, b"hi");
    assert_eq!(got.output.code, Some(0));
    let took = started.elapsed();
    assert!(took >= GRACE && took < Duration::from_secs(5), "{took:?}");
}

#[test]
fn at_the_deadline_the_child_is_killed_reaped_and_its_output_kept() {
    let mut fake = Fake::new(vec![Step::Out(b"partial"), Step::Silent]);
    let got = drive_for(&mut fake, Duration::from_millis(50), 100);
    assert_eq!(got.ending, Ending::TimedOut);
    assert_eq!(got.output.stdout, b"partial");
    assert!(fake.killed);
    assert_eq!(fake.reaped, 1);
}

#[test]
fn a_child_that_keeps_writing_cannot_push_the_deadline_back() {
    // A byte every millisecond, far below the limit, for 5 s: the system always has data
    // to report, so only the driver's own clock can end it at the deadline.
    let mut fake = Fake::new((0..5000).map(|_| Step::Trickle).collect());
    let started = Instant::now();
    let got = drive_for(&mut fake, Duration::from_millis(50), 1 << 20);
    assert_eq!(got.ending, Ending::TimedOut);
    assert!(fake.killed);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn exactly_the_limit_is_accepted() {
    let mut fake = Fake::new(vec![
        Step::Out(b"12345"),
        Step::Err(b"12345"),
        Step::Close(Stream::Stdout),
        Step::Close(Stream::Stderr),
        Step::Exit(0),
    ]);
    let got = drive_for(&mut fake, Duration::from_secs(5), 5);
    assert_eq!(got.ending, Ending::Exited);
    assert_eq!(got.output.stdout, b"12345");
}

#[test]
fn one_byte_over_the_limit_on_either_stream_kills_and_reaps_at_once() {
    for stream in [Stream::Stdout, Stream::Stderr] {
        let chunk = |b| match stream {
            Stream::Stdout => Step::Out(b),
            Stream::Stderr => Step::Err(b),
        };
        let mut fake = Fake::new(vec![chunk(b"1234"), chunk(b"56"), Step::Exit(0)]);
        let got = drive_for(&mut fake, Duration::from_secs(5), 5);
        assert_eq!(got.ending, Ending::TooLarge, "{stream:?}");
        assert!(fake.killed && fake.reaped == 1, "{stream:?}");
        // Nothing past the limit is ever kept.
        assert!(got.output.stdout.len() + got.output.stderr.len() <= 5);
    }
}

#[test]
fn too_much_after_the_end_is_still_too_large() {
    let mut fake = Fake::new(vec![Step::Exit(0), Step::Out(b"123456")]);
    let got = drive_for(&mut fake, Duration::from_secs(5), 5);
    assert_eq!(got.ending, Ending::TooLarge);
    assert_eq!(fake.reaped, 1);
}

#[test]
fn a_child_that_closes_its_streams_but_hangs_is_killed_at_the_deadline() {
    let mut fake = Fake::new(vec![
        Step::Close(Stream::Stdout),
        Step::Close(Stream::Stderr),
        Step::Silent,
    ]);
    let got = drive_for(&mut fake, Duration::from_millis(50), 100);
    assert_eq!(got.ending, Ending::TimedOut);
    assert!(fake.killed);
    assert_eq!(fake.reaped, 1);
}

#[test]
fn a_failed_wait_kills_and_reaps_the_child() {
    struct Broken(Fake);
    impl Watch for Broken {
        fn next(&mut self, _: Want, _: Option<Instant>) -> io::Result<Event<'_>> {
            Err(io::Error::other("wait failed"))
        }
        fn kill(&mut self) {
            self.0.kill();
        }
        fn reap(&mut self) -> io::Result<Option<i32>> {
            self.0.reap()
        }
    }
    let mut broken = Broken(Fake::new(vec![]));
    let err = drive(&mut broken, None, 5, GRACE, None).unwrap_err();
    assert_eq!(err.to_string(), "wait failed");
    assert!(broken.0.killed && broken.0.reaped == 1);
}

#[test]
fn a_cut_kills_and_reaps_a_silent_child_long_before_its_deadline() {
    let mut fake = Fake::new(vec![Step::Out(b"partial"), Step::Silent]);
    let started = Instant::now();
    let cut = || started.elapsed() > Duration::from_millis(100);
    let deadline = Some(started + Duration::from_secs(30));
    let got = drive(&mut fake, deadline, 100, GRACE, Some(&cut)).unwrap();
    assert_eq!(got.ending, Ending::Cut);
    assert_eq!(got.output.stdout, b"partial");
    assert!(fake.killed && fake.reaped == 1);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_cut_never_asked_for_changes_nothing() {
    let mut fake = Fake::new(vec![
        Step::Out(b"o"),
        Step::Close(Stream::Stdout),
        Step::Close(Stream::Stderr),
        Step::Exit(0),
    ]);
    let got = drive(&mut fake, None, 100, GRACE, Some(&|| false)).unwrap();
    assert_eq!(got.ending, Ending::Exited);
    assert_eq!(got.output.stdout, b"o");
    assert!(!fake.killed);
}
