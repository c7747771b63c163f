//! Columns for people: cells aligned by the width they take on a console (a CJK character
//! takes two columns, a combining mark none), and the last column shortened with an ellipsis so
//! that a line fits [`MAX_WIDTH`] (the JSON report keeps every text whole).

use std::io::{self, Write};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// The widest line a table report writes.
pub(crate) const MAX_WIDTH: usize = 120;

/// The widest a column before the last may be; a longer cell is shortened.
const MAX_COLUMN: usize = 30;

/// The narrowest the last column is made, whatever the others take.
const MIN_LAST: usize = 24;

/// The columns between two cells.
const GAP: usize = 2;

/// The width `text` takes on a console.
pub(crate) fn width(text: &str) -> usize {
    UnicodeWidthStr::width(text)
}

/// `text` cut to at most `max` console columns, ending in `…` when cut.
pub(crate) fn fit(text: &str, max: usize) -> String {
    if width(text) <= max {
        return text.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > max {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

/// Column widths measured over every row: each column as wide as its widest cell (at most
/// [`MAX_COLUMN`]), the last column free but cut so that a line fits [`MAX_WIDTH`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Layout<const N: usize> {
    widths: [usize; N],
    last: usize,
}

impl<const N: usize> Layout<N> {
    /// Measures `rows` (the header among them); they are made again for [`Layout::line`], so
    /// a long table need not be held.
    pub(crate) fn of<R: AsRef<[String]>>(rows: impl Iterator<Item = R>) -> Layout<N> {
        let mut widths = [0usize; N];
        for row in rows {
            for (w, cell) in widths.iter_mut().zip(row.as_ref().iter()) {
                *w = (*w).max(width(cell).min(MAX_COLUMN));
            }
        }
        let used: usize = widths[..N.saturating_sub(1)].iter().map(|w| w + GAP).sum();
        Layout {
            widths,
            last: MAX_WIDTH.saturating_sub(used).max(MIN_LAST),
        }
    }

    /// One row as a line, without trailing blanks.
    pub(crate) fn line(&self, row: &[String; N]) -> String {
        let mut line = String::new();
        for (i, (cell, w)) in row.iter().zip(self.widths).enumerate() {
            if i + 1 == N {
                line.push_str(&fit(cell, self.last));
            } else {
                let cell = fit(cell, w);
                line.push_str(&cell);
                line.push_str(&" ".repeat(w - width(&cell) + GAP));
            }
        }
        line.trim_end().to_string()
    }
}

/// Writes `rows` (the header first) as aligned columns ([`Layout`]).
pub(crate) fn write<const N: usize>(out: &mut dyn Write, rows: &[[String; N]]) -> io::Result<()> {
    let layout = Layout::of(rows.iter());
    for row in rows {
        writeln!(out, "{}", layout.line(row))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines<const N: usize>(rows: &[[String; N]]) -> Vec<String> {
        let mut out = Vec::new();
        write(&mut out, rows).unwrap();
        String::from_utf8(out)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// A CJK user name takes two console columns a character: the next column must start at
    /// the same place on every row.
    #[test]
    fn wide_characters_keep_the_columns_in_line() {
        let rows = [
            ["USER", "STATE"].map(String::from),
            ["张伟", "Active"].map(String::from),
            ["alice", "Disc"].map(String::from),
        ];
        let lines = lines(&rows);
        let at: Vec<usize> = lines
            .iter()
            .map(|l| {
                let gap = l.find("  ").unwrap_or(0);
                let cut = l.len() - l[gap..].trim_start().len();
                width(&l[..cut])
            })
            .collect();
        assert_eq!(at, [7, 7, 7], "{lines:?}");
    }

    #[test]
    fn the_last_column_is_cut_to_fit_with_an_ellipsis() {
        let long = "x".repeat(300);
        let rows = [
            ["A", "B"].map(String::from),
            ["a".to_string(), long.clone()],
        ];
        for l in lines(&rows) {
            assert!(width(&l) <= MAX_WIDTH, "{l}");
        }
        assert!(lines(&rows)[1].ends_with('…'));
        assert_eq!(fit("张伟张伟", 5), "张伟…");
        assert_eq!(fit("abc", 3), "abc");
    }
}
