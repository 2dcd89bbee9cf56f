//! An input buffer for session machines: append what arrives, consume what was decoded.

use alloc::vec::Vec;

/// Bytes received from the peer and not yet consumed by a decoder.
///
/// Consuming is O(1): the buffer keeps a start index and compacts only when the consumed
/// prefix is at least half of the allocation, so the total copying stays linear in the
/// bytes fed (each byte is moved at most once per halving).
#[derive(Debug, Default, Clone)]
pub struct InputBuffer {
    data: Vec<u8>,
    start: usize,
}

impl InputBuffer {
    /// An empty buffer.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends received bytes.
    pub fn extend(&mut self, bytes: &[u8]) {
        if self.start > 0 && self.start >= self.data.len() / 2 {
            self.data.drain(..self.start);
            self.start = 0;
        }
        self.data.extend_from_slice(bytes);
    }

    /// The bytes not yet consumed.
    pub fn as_slice(&self) -> &[u8] {
        self.data.get(self.start..).unwrap_or_default()
    }

    /// Number of bytes not yet consumed.
    pub fn len(&self) -> usize {
        self.data.len() - self.start
    }

    /// Whether every byte has been consumed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops the first `n` unconsumed bytes (at most all of them).
    pub fn consume(&mut self, n: usize) {
        self.start = self.start.saturating_add(n).min(self.data.len());
        if self.start == self.data.len() {
            self.data.clear();
            self.start = 0;
        }
    }

    /// Drops everything and returns how many bytes were dropped. Session machines call this
    /// at a TLS upgrade so that bytes sent in the clear are never read as if protected.
    pub fn clear(&mut self) -> usize {
        let n = self.len();
        self.data.clear();
        self.start = 0;
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consume_and_extend_keep_order() {
        let mut b = InputBuffer::new();
        b.extend(b"hello ");
        b.consume(2);
        b.extend(b"world");
        assert_eq!(b.as_slice(), b"llo world");
        b.consume(100);
        assert!(b.is_empty());
        b.extend(b"x");
        assert_eq!(b.clear(), 1);
        assert!(b.is_empty());
    }
}
