//! Summary: many unreadable lines folded into one warning (a count and line ranges such as
//! "lines 4-9, 12, 15-1003"), so a damaged output of a thousand lines says so once.

use crate::table::parse::NotUnderstood;

/// Up to this many unreadable lines are reported one by one; more make one summary.
pub(crate) const ONE_BY_ONE: usize = 3;

/// The most ranges a warning names before it says "and N more".
pub(crate) const MOST_RANGES: usize = 10;

/// Line numbers as ranges: `[4, 5, 6, 9, 12, 13]` → "4-6, 9, 12-13"; after `max` ranges,
/// `and N more`. The numbers need not be sorted; duplicates are ignored.
pub(crate) fn ranges(lines: &[usize], max: usize) -> String {
    let sorted = crate::vocab::order::sorted_distinct(lines.iter().copied());
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for n in sorted {
        match spans.last_mut() {
            Some((_, end)) if *end + 1 == n => *end = n,
            _ => spans.push((n, n)),
        }
    }
    let mut parts: Vec<String> = spans
        .iter()
        .take(max)
        .map(|&(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            }
        })
        .collect();
    if spans.len() > max {
        parts.push(format!("and {} more", spans.len() - max));
    }
    parts.join(", ")
}

/// The warnings for the lines that were not understood on one server: one per line for a
/// few, else a single summary with the count, the line ranges and the first line quoted
/// (leading spaces visible). Empty when every line was understood.
pub(crate) fn not_understood(server: &str, lines: &[&NotUnderstood]) -> Vec<String> {
    if lines.len() <= ONE_BY_ONE {
        return lines
            .iter()
            .map(|l| {
                format!(
                    "warning: {server}: line {} not understood ({}); nobody on it is logged \
                     off: {:?}",
                    l.line,
                    l.why,
                    cut(&l.raw)
                )
            })
            .collect();
    }
    let first = lines[0];
    vec![format!(
        "warning: {server}: {} lines not understood (lines {}); nobody on them is logged off; \
         first, line {} ({}): {:?}",
        lines.len(),
        ranges(
            &lines.iter().map(|l| l.line).collect::<Vec<_>>(),
            MOST_RANGES
        ),
        first.line,
        first.why,
        cut(&first.raw)
    )]
}

/// A line cut to 120 characters for a message.
fn cut(raw: &str) -> String {
    raw.chars().take(120).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nu(line: usize) -> NotUnderstood {
        NotUnderstood {
            line,
            raw: "   x".into(),
            why: "why".into(),
        }
    }

    #[test]
    fn ranges_fold_runs_of_line_numbers_and_cap_the_list() {
        assert_eq!(ranges(&[], 5), "");
        assert_eq!(ranges(&[7], 5), "7");
        assert_eq!(ranges(&[4, 5, 6, 7, 8, 9, 12, 15, 16], 5), "4-9, 12, 15-16");
        assert_eq!(ranges(&[3, 1, 2, 2], 5), "1-3");
        let many: Vec<usize> = (4..=9).chain([12]).chain(15..=1003).collect();
        assert_eq!(ranges(&many, 5), "4-9, 12, 15-1003");
        let odd: Vec<usize> = (1..100).map(|n| n * 2).collect();
        assert_eq!(ranges(&odd, 3), "2, 4, 6, and 96 more");
    }

    #[test]
    fn a_thousand_unreadable_lines_make_one_warning() {
        let lines: Vec<NotUnderstood> = (2..=1001).map(nu).collect();
        let refs: Vec<&NotUnderstood> = lines.iter().collect();
        let out = not_understood("ts01", &refs);
        assert_eq!(out.len(), 1);
        assert!(
            out[0].contains("1000 lines not understood (lines 2-1001)"),
            "{}",
            out[0]
        );
        assert!(
            out[0].contains("\"   x\""),
            "leading spaces visible: {}",
            out[0]
        );
    }

    #[test]
    fn a_few_unreadable_lines_are_named_one_by_one() {
        let lines = [nu(2), nu(5)];
        let out = not_understood("ts01", &[&lines[0], &lines[1]]);
        assert_eq!(out.len(), 2);
        assert!(out[1].starts_with("warning: ts01: line 5 not understood (why)"));
    }
}
