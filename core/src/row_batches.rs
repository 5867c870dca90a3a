//! The rows of a long answer typed on several threads while it arrives.
//!
//! The thread reading the body only finds where each row ends (a scan of
//! its brackets and strings, far cheaper than typing it) and hands batches
//! of rows to worker threads; when they are all busy it types the batch
//! itself, so the copies waiting for a worker stay few. Any row that does
//! not read makes the whole result `Err(())`: the caller then reads the body
//! the slow way, which names the error.

use std::collections::BTreeMap;
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};

use crate::wire::RowLayout;

/// How a row's JSON text becomes a row; the layout is the thread's own.
pub type ReadRow<R> = fn(&[u8], &mut RowLayout) -> Result<R, ()>;

/// Rows per batch: enough that a hand-off costs nothing beside its typing,
/// few enough that the last batch, typed after the body ends, is short.
const BATCH_ROWS: usize = 1024;

/// The most worker threads one answer uses.
const MAX_WORKERS: usize = 4;

/// Where a row of a batch is, relative to the batch's first byte.
type Spans = Vec<(u32, u32)>;

struct Batch {
    seq: usize,
    text: Vec<u8>,
    spans: Spans,
}

/// A batch's rows, and its text's buffer to be filled again.
type Typed<R> = (usize, Result<Vec<R>, ()>, Vec<u8>);

enum Workers<R> {
    NotYet,
    Running { jobs: SyncSender<Batch>, done: Receiver<Typed<R>> },
    /// None could be started: every batch is typed where it is found.
    Unavailable,
}

pub struct RowBatches<R> {
    read: ReadRow<R>,
    /// The batch being gathered: where in the body it starts, its rows, its end.
    start: usize,
    spans: Spans,
    end: usize,
    next_seq: usize,
    workers: Workers<R>,
    /// Typed batches that arrived before an earlier one.
    waiting: BTreeMap<usize, Vec<R>>,
    /// Every row of the batches before `merged`, in order.
    rows: Vec<R>,
    merged: usize,
    layout: RowLayout,
    failed: bool,
    /// Buffers of batches typed: a new batch is copied into one of them,
    /// where a fresh one would cost the kernel a fault per page.
    spare: Vec<Vec<u8>>,
}

impl<R: Send + 'static> RowBatches<R> {
    pub fn new(read: ReadRow<R>) -> RowBatches<R> {
        RowBatches {
            read,
            start: 0,
            spans: Vec::new(),
            end: 0,
            next_seq: 0,
            workers: Workers::NotYet,
            waiting: BTreeMap::new(),
            rows: Vec::new(),
            merged: 0,
            layout: RowLayout::default(),
            failed: false,
            spare: Vec::new(),
        }
    }

    /// The next row is `body[start..end]`. `Err` once any row failed to read.
    pub fn push(&mut self, body: &[u8], start: usize, end: usize) -> Result<(), ()> {
        if self.failed {
            return Err(());
        }
        if self.spans.is_empty() {
            self.start = start;
        }
        let span = |at: usize| u32::try_from(at - self.start).map_err(|_| ());
        self.spans.push((span(start)?, span(end)?));
        self.end = end;
        if self.spans.len() == BATCH_ROWS {
            self.hand_off(body);
        }
        self.merge(false);
        if self.failed { Err(()) } else { Ok(()) }
    }

    /// Every row, in order, once the body is complete.
    pub fn finish(mut self, body: &[u8]) -> Result<Vec<R>, ()> {
        if !self.spans.is_empty() {
            let seq = self.take_seq();
            let typed = type_batch(&body[self.start..self.end], &self.spans, self.read, &mut self.layout);
            self.typed(seq, typed, None);
        }
        self.merge(true);
        if self.failed || self.merged != self.next_seq { Err(()) } else { Ok(self.rows) }
    }

    fn take_seq(&mut self) -> usize {
        self.next_seq += 1;
        self.next_seq - 1
    }

    /// The gathered batch to a worker, or typed here when none is free.
    fn hand_off(&mut self, body: &[u8]) {
        let seq = self.take_seq();
        let spans = std::mem::take(&mut self.spans);
        if matches!(self.workers, Workers::NotYet) {
            self.workers = self.start_workers();
        }
        let spans = match &self.workers {
            Workers::Running { jobs, .. } => {
                let mut text = self.spare.pop().unwrap_or_default();
                text.clear();
                text.extend_from_slice(&body[self.start..self.end]);
                match jobs.try_send(Batch { seq, text, spans }) {
                    Ok(()) => return,
                    Err(TrySendError::Full(batch) | TrySendError::Disconnected(batch)) => {
                        self.spare.push(batch.text);
                        batch.spans
                    }
                }
            }
            _ => spans,
        };
        let typed = type_batch(&body[self.start..self.end], &spans, self.read, &mut self.layout);
        self.typed(seq, typed, None);
    }

    fn start_workers(&self) -> Workers<R> {
        let count = std::thread::available_parallelism().map_or(1, usize::from).min(MAX_WORKERS);
        let (jobs, queue) = mpsc::sync_channel::<Batch>(count);
        let queue = Arc::new(Mutex::new(queue));
        let (typed, done) = mpsc::channel();
        let read = self.read;
        let started = (0..count)
            .filter(|_| {
                let (queue, typed) = (Arc::clone(&queue), typed.clone());
                std::thread::Builder::new().name("paynet-rows".into()).spawn(move || work(&queue, &typed, read)).is_ok()
            })
            .count();
        if started == 0 { Workers::Unavailable } else { Workers::Running { jobs, done } }
    }

    /// Typed batches into `rows`, in order; `wait`: until every worker is done.
    fn merge(&mut self, wait: bool) {
        if wait {
            if let Workers::Running { jobs, done } = std::mem::replace(&mut self.workers, Workers::Unavailable) {
                drop(jobs);
                // Ends when the last worker has sent its last batch and gone.
                for (seq, typed, _) in done {
                    self.typed(seq, typed, None);
                }
            }
        } else if let Workers::Running { done, .. } = &self.workers {
            let arrived: Vec<Typed<R>> = done.try_iter().collect();
            for (seq, typed, text) in arrived {
                self.typed(seq, typed, Some(text));
            }
        }
        while let Some(rows) = self.waiting.remove(&self.merged) {
            self.rows.extend(rows);
            self.merged += 1;
        }
    }

    fn typed(&mut self, seq: usize, typed: Result<Vec<R>, ()>, text: Option<Vec<u8>>) {
        self.spare.extend(text);
        match typed {
            Ok(rows) => drop(self.waiting.insert(seq, rows)),
            Err(()) => self.failed = true,
        }
    }
}

fn work<R>(queue: &Mutex<Receiver<Batch>>, typed: &mpsc::Sender<Typed<R>>, read: ReadRow<R>) {
    let mut layout = RowLayout::default();
    loop {
        let batch = match queue.lock() {
            Ok(queue) => queue.recv(),
            Err(_) => return,
        };
        let Ok(batch) = batch else { return };
        let rows = type_batch(&batch.text, &batch.spans, read, &mut layout);
        if typed.send((batch.seq, rows, batch.text)).is_err() {
            return;
        }
    }
}

fn type_batch<R>(text: &[u8], spans: &[(u32, u32)], read: ReadRow<R>, layout: &mut RowLayout) -> Result<Vec<R>, ()> {
    spans.iter().map(|&(start, end)| read(&text[start as usize..end as usize], layout)).collect()
}

/// Where the JSON object or array that opens at `body[at]` ends (one past
/// its closing bracket); `None` while it is incomplete. Only brackets and
/// strings are looked at: whether the text between them is JSON is for
/// the row's reading to say.
pub fn value_end(body: &[u8], at: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = at;
    while let Some(&b) = body.get(i) {
        match b {
            b'"' => {
                i += 1;
                loop {
                    i = crate::flat_object::string_stop(body, i, false)? + 1;
                    if body[i - 1] == b'"' {
                        break;
                    }
                    // The escaped byte, whatever it is.
                    i += 1;
                }
                continue;
            }
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_ends_at_its_closing_bracket_whatever_its_strings_hold() {
        let text = br#"{"a":"}\"]","b":[1,{"c":"\\"}],"d":"\\\""} ,{"#;
        assert_eq!(value_end(text, 0), Some(text.len() - 3));
        for cut in 1..text.len() - 3 {
            assert_eq!(value_end(&text[..cut], 0), None, "cut at {cut}");
        }
        assert_eq!(value_end(b"[[],{}]x", 0), Some(7));
        // Strings of every length around the eight bytes read at a time, an escaped quote anywhere in them.
        for len in 0..20 {
            for escape in 0..=len {
                let s = format!("{}\\\"{}", "a".repeat(escape), "}".repeat(len - escape));
                let text = format!(r#"{{"k":"{s}","n":["]"]}}"#);
                assert_eq!(value_end(text.as_bytes(), 0), Some(text.len()), "{text}");
                assert_eq!(value_end(&text.as_bytes()[..text.len() - 1], 0), None, "{text}");
            }
        }
        assert_eq!(value_end(br#"{"a":"\"#, 0), None);
    }

    fn read_number(text: &[u8], _: &mut RowLayout) -> Result<u64, ()> {
        let text = std::str::from_utf8(text).map_err(|_| ())?;
        text.trim_matches(|c| c == '{' || c == '}').parse().map_err(|_| ())
    }

    fn rows_of(count: usize, bad: Option<usize>) -> (Vec<u8>, Vec<(usize, usize)>) {
        let mut body = Vec::new();
        let mut spans = Vec::new();
        for i in 0..count {
            let start = body.len();
            if Some(i) == bad { body.extend_from_slice(b"{x}") } else { body.extend_from_slice(format!("{{{i}}}").as_bytes()) }
            spans.push((start, body.len()));
            body.push(b',');
        }
        (body, spans)
    }

    #[test]
    fn rows_typed_on_several_threads_come_back_in_order() {
        for count in [0, 1, BATCH_ROWS - 1, BATCH_ROWS, BATCH_ROWS * 7 + 3] {
            let (body, spans) = rows_of(count, None);
            let mut batches = RowBatches::new(read_number);
            for &(start, end) in &spans {
                batches.push(&body, start, end).unwrap();
            }
            let threads = std::thread::available_parallelism().map_or(1, usize::from) > 1;
            assert_eq!(matches!(batches.workers, Workers::Running { .. }), threads && count >= BATCH_ROWS, "{count} rows");
            assert_eq!(batches.finish(&body).unwrap(), (0..count as u64).collect::<Vec<_>>(), "{count} rows");
        }
    }

    #[test]
    fn one_row_that_does_not_read_fails_the_whole() {
        for bad in [0, BATCH_ROWS + 5, BATCH_ROWS * 5 + 1] {
            let (body, spans) = rows_of(BATCH_ROWS * 5 + 2, Some(bad));
            let mut batches = RowBatches::new(read_number);
            let pushed: Result<Vec<()>, ()> = spans.iter().map(|&(start, end)| batches.push(&body, start, end)).collect();
            assert!(pushed.is_err() || batches.finish(&body).is_err(), "row {bad}");
        }
    }
}
