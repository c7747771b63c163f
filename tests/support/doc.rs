//! A captured output split into lines of code units (1 byte, or 2 for UTF-16LE), to edit
//! and join again: the raw material of the mutation sweep.
#![allow(dead_code)]

/// A fixture split into lines of code units (1 byte, or 2 for UTF-16LE).
pub struct Doc {
    pub unit: usize,
    pub bom: Vec<u8>,
    pub lines: Vec<Vec<u8>>,
    pub crlf: bool,
}

impl Doc {
    pub fn load(bytes: &[u8]) -> Doc {
        let utf16 = bytes.starts_with(&[0xFF, 0xFE]) || (bytes.len() > 1 && bytes[1] == 0);
        let unit = if utf16 { 2 } else { 1 };
        let bom = if bytes.starts_with(&[0xFF, 0xFE]) {
            vec![0xFF, 0xFE]
        } else {
            vec![]
        };
        let body = &bytes[bom.len()..];
        let units: Vec<&[u8]> = body.chunks(unit).collect();
        let nl = |u: &[u8]| u[0] == b'\n' && u.iter().skip(1).all(|b| *b == 0);
        let cr = |u: &[u8]| u[0] == b'\r' && u.iter().skip(1).all(|b| *b == 0);
        let mut lines = vec![];
        let mut cur: Vec<u8> = vec![];
        let mut crlf = false;
        for u in units {
            if nl(u) {
                if cur.len() >= unit && cr(&cur[cur.len() - unit..]) {
                    cur.truncate(cur.len() - unit);
                    crlf = true;
                }
                lines.push(std::mem::take(&mut cur));
            } else {
                cur.extend_from_slice(u);
            }
        }
        if !cur.is_empty() {
            lines.push(cur);
        }
        Doc {
            unit,
            bom,
            lines,
            crlf,
        }
    }

    pub fn ch(&self, c: u8) -> Vec<u8> {
        let mut v = vec![c];
        v.resize(self.unit, 0);
        v
    }

    pub fn join(&self, lines: &[Vec<u8>], endings: &dyn Fn(usize) -> bool) -> Vec<u8> {
        let mut out = self.bom.clone();
        for (i, l) in lines.iter().enumerate() {
            out.extend_from_slice(l);
            if endings(i) {
                out.extend(self.ch(b'\r'));
            }
            out.extend(self.ch(b'\n'));
        }
        out
    }

    pub fn bytes(&self, lines: &[Vec<u8>]) -> Vec<u8> {
        self.join(lines, &|_| self.crlf)
    }
}
