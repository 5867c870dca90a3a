//! The rows of a long answer typed on several threads while it arrives.
//!
//! The thread reading the body only finds where each row ends (a scan of
//! its brackets and strings, far cheaper than typing it), copies the row
//! into the batch being gathered and hands full batches to worker threads,
//! which read them (`ReadBatch`: into typed rows, or into an Arrow batch);
//! when they are all busy it types the batch itself, so the batches waiting
//! for a worker stay few. The body itself need not be kept. A row that does
//! not read stops the typing: `finish` gives the first such row, in order,
//! for its reader to say why.

use std::collections::BTreeMap;
use std::sync::mpsc::{self, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};

use crate::wire::RowLayout;

/// How a batch of rows (their text, and where each row is in it) becomes
/// what they are read into (typed rows, or one Arrow batch of them), or the
/// text of its first row that does not; the layout is the thread's own.
pub type ReadBatch<R> = fn(&[u8], &[(u32, u32)], &mut RowLayout) -> Result<Vec<R>, Vec<u8>>;

/// Rows per batch of typed rows: enough that a hand-off costs nothing
/// beside its typing, few enough that the last batch, typed after the body
/// ends, is short.
pub const BATCH_ROWS: usize = 1024;

/// The most worker threads one answer uses.
const MAX_WORKERS: usize = 4;

/// Where a row of a batch is in its text.
type Spans = Vec<(u32, u32)>;

struct Batch {
    seq: usize,
    text: Vec<u8>,
    spans: Spans,
}

/// A batch's rows (or the text of its first row that did not read), and its
/// text's buffer to be filled again.
type Typed<R> = (usize, Result<Vec<R>, Vec<u8>>, Vec<u8>);

/// Why `finish` has no rows.
#[derive(Debug, PartialEq)]
pub enum Unread {
    /// The first row, in order, that did not read: its text.
    Row(Vec<u8>),
    /// A batch never came back (its worker stopped): a bug, not the answer's.
    Lost,
}

enum Workers<R> {
    NotYet,
    Running { jobs: SyncSender<Batch>, done: Receiver<Typed<R>> },
    /// None could be started: every batch is typed where it is found.
    Unavailable,
}

pub struct RowBatches<R> {
    read: ReadBatch<R>,
    batch_rows: usize,
    /// The batch being gathered: its rows' text and where each row is.
    text: Vec<u8>,
    spans: Spans,
    next_seq: usize,
    workers: Workers<R>,
    /// Typed batches that arrived before an earlier one.
    waiting: BTreeMap<usize, Vec<R>>,
    /// Every row of the batches before `merged`, in order.
    rows: Vec<R>,
    merged: usize,
    layout: RowLayout,
    /// The earliest batch with a row that did not read, and that row's text.
    failed: Option<(usize, Vec<u8>)>,
    /// Buffers of batches typed: a new batch is gathered in one of them,
    /// where a fresh one would cost the kernel a fault per page.
    spare: Vec<Vec<u8>>,
}

impl<R: Send + 'static> RowBatches<R> {
    /// Rows gathered `batch_rows` at a time, each batch read by `read`.
    pub fn new(read: ReadBatch<R>, batch_rows: usize) -> RowBatches<R> {
        RowBatches {
            read,
            batch_rows,
            text: Vec::new(),
            spans: Vec::new(),
            next_seq: 0,
            workers: Workers::NotYet,
            waiting: BTreeMap::new(),
            rows: Vec::new(),
            merged: 0,
            layout: RowLayout::default(),
            failed: None,
            spare: Vec::new(),
        }
    }

    /// The next row's text. `Err` once a row failed to read: no later row
    /// can change the outcome.
    pub fn push(&mut self, row: &[u8]) -> Result<(), ()> {
        if self.failed.is_some() {
            return Err(());
        }
        if self.spans.is_empty() {
            self.text = self.spare.pop().unwrap_or_default();
            self.text.clear();
        }
        let start = self.text.len();
        self.text.extend_from_slice(row);
        let span = |at: usize| u32::try_from(at).map_err(|_| ());
        self.spans.push((span(start)?, span(self.text.len())?));
        if self.spans.len() == self.batch_rows {
            self.hand_off();
            // Once per batch: a look at the workers' channel per row cost
            // more than the row's copy.
            self.merge(false);
        }
        if self.failed.is_some() { Err(()) } else { Ok(()) }
    }

    /// Every row, in order, once the body is complete.
    pub fn finish(mut self) -> Result<Vec<R>, Unread> {
        if !self.spans.is_empty() {
            let seq = self.take_seq();
            let typed = (self.read)(&self.text, &self.spans, &mut self.layout);
            self.typed(seq, typed, None);
        }
        self.merge(true);
        match self.failed {
            Some((_, row)) => Err(Unread::Row(row)),
            None if self.merged != self.next_seq => Err(Unread::Lost),
            None => Ok(self.rows),
        }
    }

    fn take_seq(&mut self) -> usize {
        self.next_seq += 1;
        self.next_seq - 1
    }

    /// The gathered batch to a worker, or typed here when none is free.
    fn hand_off(&mut self) {
        let batch = Batch { seq: self.take_seq(), text: std::mem::take(&mut self.text), spans: std::mem::take(&mut self.spans) };
        if matches!(self.workers, Workers::NotYet) {
            self.workers = self.start_workers();
        }
        let batch = match &self.workers {
            Workers::Running { jobs, .. } => match jobs.try_send(batch) {
                Ok(()) => return,
                Err(TrySendError::Full(batch) | TrySendError::Disconnected(batch)) => batch,
            },
            _ => batch,
        };
        let typed = (self.read)(&batch.text, &batch.spans, &mut self.layout);
        self.typed(batch.seq, typed, Some(batch.text));
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

    fn typed(&mut self, seq: usize, typed: Result<Vec<R>, Vec<u8>>, text: Option<Vec<u8>>) {
        self.spare.extend(text);
        match typed {
            Ok(rows) => drop(self.waiting.insert(seq, rows)),
            Err(row) => {
                if self.failed.as_ref().is_none_or(|(first, _)| seq < *first) {
                    self.failed = Some((seq, row));
                }
            }
        }
    }
}

fn work<R>(queue: &Mutex<Receiver<Batch>>, typed: &mpsc::Sender<Typed<R>>, read: ReadBatch<R>) {
    let mut layout = RowLayout::default();
    loop {
        let batch = match queue.lock() {
            Ok(queue) => queue.recv(),
            Err(_) => return,
        };
        let Ok(batch) = batch else { return };
        let rows = read(&batch.text, &batch.spans, &mut layout);
        if typed.send((batch.seq, rows, batch.text)).is_err() {
            return;
        }
    }
}

/// A batch's rows read one by one by `read`, or the text of the first that does not read.
pub fn each_row<R>(text: &[u8], spans: &[(u32, u32)], mut read: impl FnMut(&[u8]) -> Result<R, ()>) -> Result<Vec<R>, Vec<u8>> {
    spans
        .iter()
        .map(|&(start, end)| {
            let row = &text[start as usize..end as usize];
            read(row).map_err(|()| row.to_vec())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_numbers(text: &[u8], spans: &[(u32, u32)], _: &mut RowLayout) -> Result<Vec<u64>, Vec<u8>> {
        each_row(text, spans, |row| {
            let row = std::str::from_utf8(row).map_err(|_| ())?;
            row.trim_matches(|c| c == '{' || c == '}').parse().map_err(|_| ())
        })
    }

    fn rows_of(count: usize, bad: &[usize]) -> Vec<Vec<u8>> {
        (0..count).map(|i| if bad.contains(&i) { format!("{{x{i}}}") } else { format!("{{{i}}}") }.into_bytes()).collect()
    }

    #[test]
    fn rows_typed_on_several_threads_come_back_in_order() {
        for count in [0, 1, BATCH_ROWS - 1, BATCH_ROWS, BATCH_ROWS * 7 + 3] {
            let mut batches = RowBatches::new(read_numbers, BATCH_ROWS);
            for row in rows_of(count, &[]) {
                batches.push(&row).unwrap();
            }
            let threads = std::thread::available_parallelism().map_or(1, usize::from) > 1;
            assert_eq!(matches!(batches.workers, Workers::Running { .. }), threads && count >= BATCH_ROWS, "{count} rows");
            assert_eq!(batches.finish().unwrap(), (0..count as u64).collect::<Vec<_>>(), "{count} rows");
        }
    }

    #[test]
    fn the_first_row_that_does_not_read_is_the_outcome() {
        for bad in [vec![0], vec![BATCH_ROWS + 5], vec![BATCH_ROWS * 5 + 1], vec![3, BATCH_ROWS * 2], vec![BATCH_ROWS * 3 + 1, BATCH_ROWS * 3 + 2, BATCH_ROWS * 4]] {
            let mut batches = RowBatches::new(read_numbers, BATCH_ROWS);
            for row in rows_of(BATCH_ROWS * 5 + 2, &bad) {
                if batches.push(&row).is_err() {
                    break;
                }
            }
            assert_eq!(batches.finish().unwrap_err(), Unread::Row(format!("{{x{}}}", bad[0]).into_bytes()), "rows {bad:?}");
        }
    }
}
