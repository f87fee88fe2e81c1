//! A table's file read from the disk block by block, never held whole: [`OnDisk`] decides
//! whether a file can be read so (plain CSV: UTF-8, commas) and [`stream`] reads its rows.
//!
//! Each block is read into a buffer of its own, cut after a line break outside quotes, parsed
//! and typed on all cores, looked at, and dropped. Offsets and lines are the file's, as when
//! the file is held: a block is a [`SourceFile`] whose bytes start at its offset in the file.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use model::{TableId, TradeCommodity};

use crate::error::{ErrorKind, Problem};
use crate::table::{self, Block, Merged, RowsRead};
use crate::{SourceFile, Table, dialect, scan};

/// How much is read beyond a block's size to find where it ends.
const MARGIN: usize = 4 << 10;

/// How much of a file is read to judge its dialect and read its header.
const HEAD: usize = 64 << 10;

/// A plain CSV file left on the disk.
#[derive(Clone, Debug)]
pub(crate) struct OnDisk {
    pub(crate) path: PathBuf,
    /// The file's size when it was judged.
    pub(crate) len: usize,
    /// Its first bytes (at most [`HEAD`]), which hold its header line.
    pub(crate) head: Vec<u8>,
}

impl OnDisk {
    /// The file at `path` left on the disk, when its first bytes are plain CSV for `table`:
    /// the dialect [`dialect::detect`] finds in them is readable as it is (UTF-8, with or
    /// without a byte-order mark, and commas), and they start with the table's header line,
    /// written exactly. `None` for any
    /// other file, which is read whole (and converted, if need be). The rest of the file is
    /// judged as it is streamed: a block that is not UTF-8 stops the stream
    /// ([`RowsRead::needs_whole_file`]), and the file is then read whole and judged as a whole.
    pub(crate) fn if_plain(path: &Path, table: Option<TableId>) -> std::io::Result<Option<OnDisk>> {
        let Some(table) = table else { return Ok(None) };
        let mut file = File::open(path)?;
        let len = usize::try_from(file.metadata()?.len()).map_err(std::io::Error::other)?;
        let mut head = Vec::with_capacity(len.min(HEAD));
        (&mut file).take(HEAD as u64).read_to_end(&mut head)?;
        let whole = head.len() >= len;
        if head.starts_with(b"\xff\xfe") || head.starts_with(b"\xfe\xff") || dialect::utf16_without_bom(&head).is_some()
        {
            return Ok(None);
        }
        let body = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&head);
        let text = match std::str::from_utf8(body) {
            Ok(text) => text,
            // A character cut at the end of the head continues in the rest of the file.
            Err(e) if e.error_len().is_none() && !whole => std::str::from_utf8(&body[..e.valid_up_to()]).unwrap_or(""),
            Err(_) => return Ok(None),
        };
        if dialect::delimiter_of(table.def(), text) != dialect::Delimiter::Comma {
            return Ok(None);
        }
        if !exact_header_in(table, &head, whole) {
            return Ok(None);
        }
        Ok(Some(OnDisk { path: path.to_owned(), len, head }))
    }

    /// The whole file, for the rare finding that needs rows from all over it, named `name`;
    /// the problem when it cannot be read again, or has changed size since it was judged.
    pub(crate) fn read_again(&self, name: &str) -> Result<Vec<u8>, Box<Problem>> {
        let problem = |message| {
            let help = Some("check the file again once nothing else writes to it".to_owned());
            Box::new(Problem::of_file(ErrorKind::Unreadable, name, message, help))
        };
        match std::fs::read(&self.path) {
            Ok(bytes) if bytes.len() == self.len => Ok(bytes),
            Ok(bytes) => Err(problem(format!(
                "the file changed while it was checked: it had {} bytes, then {}",
                self.len,
                bytes.len()
            ))),
            Err(e) => Err(problem(format!("cannot read the file again to show its findings: {e}"))),
        }
    }
}

/// Whether `head` starts with `table`'s header line exactly (after a byte-order mark), its
/// line break included. A file with any other header is read whole: a header in doubt may be
/// judged by the rows below it, which must not depend on how much of the file was read.
fn exact_header_in(table: TableId, head: &[u8], whole: bool) -> bool {
    let body = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    let expected = table::expected_header(table.def());
    let Some(rest) = body.strip_prefix(expected.as_bytes()) else { return false };
    match rest {
        [b'\n', ..] | [b'\r', _, ..] => true,
        // A header with nothing after it, or a carriage return whose line feed may follow.
        [] | [b'\r'] => whole,
        _ => false,
    }
}

/// The blocks of a file, read one after another from where its rows start.
struct Blocks {
    file: File,
    /// The offset in the file of `pending[0]`.
    at: usize,
    /// Bytes read and not yet handed out.
    pending: Vec<u8>,
    at_end: bool,
    block_size: usize,
}

impl Blocks {
    fn open(disk: &OnDisk, start: usize, block_size: usize) -> std::io::Result<Blocks> {
        use std::io::{Seek, SeekFrom};
        let mut file = File::open(&disk.path)?;
        file.seek(SeekFrom::Start(start as u64))?;
        Ok(Blocks { file, at: start, pending: Vec::new(), at_end: false, block_size })
    }

    /// Reads until `pending` holds `wanted` bytes or the file ends.
    fn fill(&mut self, wanted: usize) -> std::io::Result<()> {
        while !self.at_end && self.pending.len() < wanted {
            let more = (wanted - self.pending.len()) as u64;
            if (&mut self.file).take(more).read_to_end(&mut self.pending)? == 0 {
                self.at_end = true;
            }
        }
        Ok(())
    }

    /// The next block: its offset in the file, its bytes, and whether it ends the file. A
    /// block ends after a line break outside quotes and the empty lines after it, as the
    /// blocks of a held file do, once it holds the block size; the rest of the file is one
    /// block when it is at most twice the block size, and a block with no line break outside
    /// quotes runs on (to the end of the file, after a quote that is never closed). What is
    /// read beyond the cut is kept for the next block.
    fn next(&mut self) -> std::io::Result<Option<(usize, Vec<u8>, bool)>> {
        let mut wanted = self.block_size + MARGIN;
        loop {
            self.fill(wanted)?;
            if self.pending.is_empty() {
                return Ok(None);
            }
            if self.at_end && self.pending.len() <= self.block_size.saturating_mul(2) {
                return Ok(Some(self.take(self.pending.len(), true)));
            }
            // A cut at the very end may be followed by more empty lines: read on.
            let cut = scan::cut_after(&self.pending, 0, self.block_size).filter(|&end| end < self.pending.len());
            if let Some(end) = cut {
                return Ok(Some(self.take(end, false)));
            }
            if self.at_end {
                return Ok(Some(self.take(self.pending.len(), true)));
            }
            // No line break outside quotes yet (a very long quoted cell): read more.
            wanted = wanted.saturating_mul(2);
        }
    }

    fn take(&mut self, len: usize, last: bool) -> (usize, Vec<u8>, bool) {
        let base = self.at;
        // The block keeps the buffer; only the few bytes after the cut are copied, once.
        let mut next = Vec::with_capacity(self.block_size + MARGIN);
        next.extend_from_slice(&self.pending[len..]);
        self.pending.truncate(len);
        let block = std::mem::replace(&mut self.pending, next);
        self.at += len;
        (base, block, last && self.pending.is_empty())
    }

    /// Everything not handed out yet, to the end of the file.
    fn rest(&mut self) -> std::io::Result<Vec<u8>> {
        self.file.read_to_end(&mut self.pending)?;
        self.at_end = true;
        self.at += self.pending.len();
        Ok(std::mem::take(&mut self.pending))
    }
}

/// Reads the rows of `table`, whose file is on the disk, block by block, and hands what `look`
/// returned for each block to `take`, in file order. See [`Table::stream`].
///
/// One core reads the blocks, one after another, and counts their lines; each block is then
/// parsed, typed and looked at as a task of its own, on any core, while the next ones are read.
/// The blocks are handed over in file order, by one core at a time: the one that finishes the
/// next block, unless another is handing over already, which then hands it over too. No round
/// of blocks waits for its slowest: a core that is done takes the next block. At most
/// [`BLOCKS_PER_CORE`] blocks per core are read and not yet handed over, which bounds the
/// memory; while the reading core waits for room, it works on blocks.
/// The reading is done on a core of the pool, so that one thread (`RAYON_NUM_THREADS=1`)
/// means one thread. A pool of one thread reads, parses, looks at and hands over each block
/// before it reads the next ([`one_by_one`]).
pub(crate) fn stream<'a, T: Send>(
    table: &Table<'a, TradeCommodity<'a>>,
    disk: &OnDisk,
    look: impl for<'b> Fn(&Table<'b, TradeCommodity<'b>>) -> T + Sync,
    mut take: impl FnMut(T) + Send,
) -> RowsRead {
    let mut merged = Merged::starting_at(table.body.map_or(1, |b| b.first_line));
    let (Some(start), Some(layout)) = (table.body.map(|b| b.start), &table.layout) else {
        return merged.into_read();
    };
    let file = table.file;
    let failed = |e: std::io::Error| format!("cannot read the file to its end: {e}");
    let mut blocks = match Blocks::open(disk, start, table.block_size) {
        Ok(blocks) => blocks,
        Err(e) => {
            unreadable(&mut merged, &file.name, failed(e));
            return merged.into_read();
        }
    };
    let mut read_failure = None;
    let stop = if rayon::current_num_threads() == 1 {
        let (stop, failure) = one_by_one(table, layout, &mut blocks, &mut merged, &look, &mut take);
        read_failure = failure.map(failed);
        stop
    } else {
        let window = rayon::current_num_threads() * BLOCKS_PER_CORE;
        let mut next_line = merged.next_line();
        let readers = Mutex::new(Vec::new());
        let queue =
            Mutex::new(Queue { next: 0, waiting: BTreeMap::new(), handing_over: false, stop: None, abandoned: false });
        let taker = Mutex::new(Taker { merged: &mut merged, take: &mut take });
        rayon::scope(|scope| {
            let (readers, queue, taker, look) = (&readers, &queue, &taker, &look);
            for index in 0.. {
                if !wait_for_room(queue, index, window) {
                    break;
                }
                let (base, bytes, last) = match blocks.next() {
                    Ok(Some(block)) => block,
                    Ok(None) => break,
                    Err(e) => {
                        // Reading stops at the first failure; the blocks read so far are checked.
                        read_failure = Some(failed(e));
                        break;
                    }
                };
                // Lines are counted here, in file order, so that each block knows its first
                // line before it is parsed; the parse counts the same, or the block is read
                // again.
                let count = scan::count_line_breaks(&bytes, None);
                let first_line = next_line;
                next_line += count;
                let block = block_file(file, base, bytes);
                scope.spawn(move |_| {
                    let _abandon = AbandonOnPanic(queue);
                    let reused = lock(readers).pop();
                    let mut records = reused.unwrap_or_else(|| scan::Records::new(table::max_fields(layout)));
                    let outcome = look_at(table, layout, &block, first_line, Some(count), last, &mut records, look);
                    lock(readers).push(records);
                    hand_over(queue, taker, index, outcome);
                });
            }
        });
        queue.into_inner().unwrap_or_else(PoisonError::into_inner).stop
    };
    let mut take_rest = take;
    // A block that is not UTF-8 makes the file one to read whole, whatever else happened.
    if let Some(Stop::NotUtf8) = stop {
        return RowsRead { not_utf8: true, ..RowsRead::default() };
    }
    if let Some(problem) = read_failure {
        unreadable(&mut merged, &file.name, problem);
        return merged.into_read();
    }
    if let Some(Stop::CutAt(base)) = stop {
        // Malformed quoting fooled the cut: the rest of the file, from the block that
        // ended inside quotes, is read as one block, as a sequential reader would.
        let rest = Blocks::open(disk, base, table.block_size).and_then(|mut rest| {
            let bytes = rest.rest()?;
            blocks = rest;
            Ok(bytes)
        });
        let bytes = match rest {
            Ok(bytes) => bytes,
            Err(e) => {
                unreadable(&mut merged, &file.name, failed(e));
                return merged.into_read();
            }
        };
        let block = block_file(file, base, bytes);
        let mut records = scan::Records::new(table::max_fields(layout));
        match look_at(table, layout, &block, merged.next_line(), None, true, &mut records, &look) {
            Outcome::Looked(mut block, seen) => {
                merged.add_shifted(&mut *block);
                take_rest(seen);
            }
            Outcome::Stopped(Stop::NotUtf8) => return RowsRead { not_utf8: true, ..RowsRead::default() },
            // The last block runs to the end of the file, and is never cut.
            Outcome::Stopped(Stop::CutAt(_)) => {}
        }
    }
    // A file that another program shortened or lengthened while it was read: its rows are
    // not those that were judged and counted.
    if blocks.at != disk.len {
        unreadable(
            &mut merged,
            &file.name,
            format!("the file changed while it was checked: it had {} bytes, then {}", disk.len, blocks.at),
        );
    }
    merged.into_read()
}

/// [`stream`] on a pool of one thread: each block is read, parsed, looked at and handed over
/// before the next is read. A block's first line is where the blocks before it ended, as
/// their parses counted, so its lines are not counted beforehand, as the reading core counts
/// them when blocks are parsed on several cores at once. Returns why the blocks stopped being
/// read one by one, and the failure that stopped the reading, if either happened.
fn one_by_one<T>(
    table: &Table<'_, TradeCommodity<'_>>,
    layout: &table::Layout,
    blocks: &mut Blocks,
    merged: &mut Merged,
    look: &impl for<'b> Fn(&Table<'b, TradeCommodity<'b>>) -> T,
    take: &mut impl FnMut(T),
) -> (Option<Stop>, Option<std::io::Error>) {
    let mut records = scan::Records::new(table::max_fields(layout));
    loop {
        let (base, bytes, last) = match blocks.next() {
            Ok(Some(block)) => block,
            Ok(None) => return (None, None),
            Err(e) => return (None, Some(e)),
        };
        let block = block_file(table.file, base, bytes);
        match look_at(table, layout, &block, merged.next_line(), None, last, &mut records, look) {
            Outcome::Looked(mut parsed, seen) => {
                merged.add_shifted(&mut parsed);
                take(seen);
            }
            Outcome::Stopped(stop) => return (Some(stop), None),
        }
    }
}

/// How many blocks per core [`stream`] reads ahead of the block it hands over next: enough
/// that no core waits for a block while another core is slow with one.
const BLOCKS_PER_CORE: usize = 3;

/// Counts a row that could not be read, so that the table is not trusted as complete, and
/// reports why.
fn unreadable(merged: &mut Merged, name: &str, message: String) {
    merged.rejected_rows += 1;
    let help = Some("check the file again once nothing else writes to it".to_owned());
    merged.push(Problem::of_file(ErrorKind::Unreadable, name, message, help));
}

/// Locks `mutex`. A panic while it was held is already on its way to the caller (a scope
/// re-raises a task's panic), so a poisoned lock is taken as it is.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Waits until block `index` may be read: fewer than `window` blocks are read and not handed
/// over. `false` when no more blocks are wanted, as the hand-over stopped. The reading core
/// works on the blocks it waits for meanwhile; with none to take, it sleeps a little: far
/// less than a block takes.
fn wait_for_room<T>(queue: &Mutex<Queue<T>>, index: usize, window: usize) -> bool {
    loop {
        let state = lock(queue);
        if state.stop.is_some() || state.abandoned {
            return false;
        }
        if index < state.next + window {
            return true;
        }
        drop(state);
        if rayon::yield_now() != Some(rayon::Yield::Executed) {
            std::thread::sleep(std::time::Duration::from_micros(50));
        }
    }
}

/// The blocks looked at and not yet handed over, and where the hand-over is.
struct Queue<T> {
    /// The index of the block to hand over next.
    next: usize,
    /// Blocks looked at before the blocks ahead of them in the file.
    waiting: BTreeMap<usize, Outcome<T>>,
    /// Whether a core is handing blocks over: one at a time, in file order.
    handing_over: bool,
    /// Why the hand-over stopped, if it did: the blocks from there on are not handed over.
    stop: Option<Stop>,
    /// A block, or what it was handed to, panicked: nothing more is read or handed over, and
    /// the panic reaches the caller once every block is done.
    abandoned: bool,
}

/// What the blocks are handed over to. Only the core handing over locks it, and it does not
/// hold the [`Queue`] meanwhile: `take` may use the pool (and so run other blocks' tasks,
/// which queue their blocks) without waiting on itself.
struct Taker<'m, F> {
    merged: &'m mut Merged,
    take: F,
}

/// Queues block `index`, and, unless another core is at it, hands over the blocks that are
/// next in file order, this one among them when its turn has come.
fn hand_over<T, F: FnMut(T)>(queue: &Mutex<Queue<T>>, taker: &Mutex<Taker<'_, F>>, index: usize, outcome: Outcome<T>) {
    {
        let mut state = lock(queue);
        state.waiting.insert(index, outcome);
        if state.handing_over {
            return;
        }
        state.handing_over = true;
    }
    loop {
        let (mut block, seen) = {
            let mut state = lock(queue);
            loop {
                let next = state.next;
                let ready = if state.abandoned { None } else { state.waiting.remove(&next) };
                let Some(outcome) = ready else {
                    state.handing_over = false;
                    return;
                };
                state.next += 1;
                match outcome {
                    // After a stop, the blocks are dropped as their turn comes.
                    _ if state.stop.is_some() => {}
                    Outcome::Stopped(stop) => state.stop = Some(stop),
                    Outcome::Looked(block, seen) => break (block, seen),
                }
            }
        };
        let mut taker = lock(taker);
        taker.merged.add_shifted(&mut *block);
        (taker.take)(seen);
    }
}

/// Marks the hand-over [`Queue::abandoned`] when the block being looked at, or what it is
/// handed to, panics, so that the reader does not wait for it for ever and nothing is handed
/// to a `take` that panicked.
struct AbandonOnPanic<'q, T>(&'q Mutex<Queue<T>>);

impl<T> Drop for AbandonOnPanic<'_, T> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            lock(self.0).abandoned = true;
        }
    }
}

/// What became of a block.
enum Outcome<T> {
    /// It was parsed and looked at: what reading it found, its rows gone, and what `look`
    /// returned.
    Looked(Box<Block<()>>, T),
    /// It could not be read so.
    Stopped(Stop),
}

/// Why the blocks of a file stopped being read one by one.
enum Stop {
    /// The block at this offset of the file was cut in the wrong place, or its lines counted
    /// wrong: the file is read again from there in one piece.
    CutAt(usize),
    /// A block is not UTF-8: the file is not plain.
    NotUtf8,
}

/// A block of `file`: its bytes from offset `base`.
fn block_file(file: &SourceFile, base: usize, bytes: Vec<u8>) -> SourceFile {
    SourceFile { table: file.table, name: file.name.clone(), bytes: Some(bytes), on_disk: None, base }
}

/// Parses `block`, which starts on line `first_line` and has `count` line breaks (when they
/// were counted), and lets `look` see its rows, which are then dropped.
#[expect(clippy::too_many_arguments)]
fn look_at<T>(
    table: &Table<'_, TradeCommodity<'_>>,
    layout: &table::Layout,
    block: &SourceFile,
    first_line: u32,
    count: Option<u32>,
    last: bool,
    records: &mut scan::Records,
    look: &impl for<'b> Fn(&Table<'b, TradeCommodity<'b>>) -> T,
) -> Outcome<T> {
    let bytes = block.bytes.as_deref().unwrap_or_default();
    // A row per line at most: the lines counted, so that the rows are never moved to a larger
    // vector as they are pushed. When they were not counted, a guess of a line per 32 bytes,
    // about half a usual commodity line: a file of shorter lines makes the vector grow, and
    // the room left over is never written.
    let lines = count.map_or(bytes.len() / 32 + 1, |count| usize::try_from(count).unwrap_or(0) + 1);
    let rows = Vec::with_capacity(lines);
    let mut parsed = table::parse_block(block, bytes, 0..bytes.len(), layout, last, records, rows);
    debug_assert!(
        parsed.cut_inside_quotes || last || count.is_none_or(|count| parsed.line_breaks == count),
        "lines miscounted"
    );
    if !parsed.utf8 {
        return Outcome::Stopped(Stop::NotUtf8);
    }
    if parsed.cut_inside_quotes || (!last && count.is_some_and(|count| parsed.line_breaks != count)) {
        return Outcome::Stopped(Stop::CutAt(block.base));
    }
    parsed.shift_offsets(block.base);
    parsed.shift_lines(first_line);
    let view = table.on_block(block, std::mem::take(&mut parsed.rows));
    let seen = look(&view);
    Outcome::Looked(Box::new(parsed.without_rows()), seen)
}

impl<'a> Table<'a, TradeCommodity<'a>> {
    /// A block of this table: `rows`, read from `file`, a block of this table's file.
    fn on_block<'b>(
        &self,
        file: &'b SourceFile,
        rows: Vec<crate::Row<TradeCommodity<'b>>>,
    ) -> Table<'b, TradeCommodity<'b>> {
        let mut view = self.rebased(file);
        view.rows = rows;
        view
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// A fresh temporary folder holding `commodities` as the streamed file; removed when dropped.
    fn folder(name: &str, commodities: &[u8]) -> tempfile::TempDir {
        let dir =
            tempfile::Builder::new().prefix(&format!("bilat-disk-{name}-")).tempdir().expect("a temporary folder");
        std::fs::write(dir.path().join(crate::STREAMED.file()), commodities).expect("a temporary file");
        dir
    }

    const HEADER: &[u8] = b"reporter,partner,year,flow,rank,commodity,value,unit,share_pct,source\n";

    fn line(rank: usize, commodity: &str) -> String {
        format!("NO,JP,2011,export,{rank},{commodity},1.5,NOK billion,,no-jp-2015\n")
    }

    /// The header and `count` plain lines, ranks 1, 2, …
    fn plain_lines(count: usize) -> Vec<u8> {
        let mut bytes = HEADER.to_vec();
        for rank in 1..=count {
            bytes.extend(line(rank, "Fisk").as_bytes());
        }
        bytes
    }

    #[test]
    fn a_file_plain_in_its_first_bytes_stays_on_disk_until_a_block_is_not_utf8() {
        let plain = plain_lines(5000);
        let mut latin1_far_down = plain.clone();
        latin1_far_down.extend(b"NO,JP,2011,export,5001,Sj\xf8mat,1.5,NOK billion,,no-jp-2015\n");
        let mut semicolons = HEADER.to_vec();
        semicolons.iter_mut().filter(|b| **b == b',').for_each(|b| *b = b';');
        semicolons.extend(b"NO;JP;2011;export;1;Fisk;1,5;NOK billion;;no-jp-2015\n");
        for (name, bytes, on_disk) in
            [("plain", &plain, true), ("latin1", &latin1_far_down, true), ("semicolons", &semicolons, false)]
        {
            let dir = folder(name, bytes);
            let loaded = crate::read_dir_streaming(dir.path()).expect("a readable folder");
            let file = loaded.file(crate::STREAMED);
            assert_eq!(file.on_disk.is_some(), on_disk, "{name}");
            assert_eq!(file.bytes.is_some(), !on_disk, "{name}");
            if on_disk {
                assert_eq!(file.len(), bytes.len(), "{name}");
            }
            // Streamed, a file that is not UTF-8 throughout stops at the block that is not.
            let (data, _) = crate::parse_streaming(&loaded);
            let read = data.trade_commodities.stream(|block| block.rows.len(), |_| ());
            assert_eq!(read.needs_whole_file(), name == "latin1", "{name}");
            // Read whole, it is judged as a whole: Windows-1252 or semicolons, converted.
            let whole = loaded.with_whole_file(crate::STREAMED);
            let converted = whole.problems().iter().any(|p| p.rule() == crate::ErrorKind::Dialect.rule());
            assert_eq!(converted, name != "plain", "{name}");
            assert!(whole.file(crate::STREAMED).bytes.is_some(), "{name}");
            // Read whole by `read_dir`, every file is held.
            assert!(crate::read_dir(dir.path()).expect("a readable folder").file(crate::STREAMED).bytes.is_some());
            dir.close().expect("removed");
        }
    }

    #[test]
    fn a_file_that_cannot_be_read_again_as_it_was_is_a_problem_not_a_silence() {
        let mut bytes = plain_lines(3000);
        bytes.extend(b"NO,JP,2011,export,1,Fisk,1.5,NOK billion,,no-jp-2015\n\n");
        let dir = folder("changed", &bytes);
        let loaded = crate::read_dir_streaming(dir.path()).expect("a readable folder");
        let (mut data, mut problems) = crate::parse_streaming(&loaded);
        let read = data.trade_commodities.stream(|block| block.rows.len(), |_| ());
        problems.extend(data.trade_commodities.absorb(read));
        // Another program changes the file before its rows are picked and its lines fixed.
        std::fs::write(dir.path().join(crate::STREAMED.file()), HEADER).expect("written");
        let picked = data.trade_commodities.pick(|line| line.rank == 1, |table| table.rows.len());
        let unreadable = picked.expect_err("the file changed");
        assert_eq!(unreadable.rule(), ErrorKind::Unreadable.rule());
        assert!(unreadable.message.starts_with("the file changed while it was checked"), "{}", unreadable.message);
        assert!(problems.iter().any(|p| p.rule() == ErrorKind::BlankRow.rule()), "{problems:?}");
        crate::settle(&loaded, &mut problems);
        assert!(problems.iter().any(|p| p.rule() == ErrorKind::Unreadable.rule()), "{problems:?}");
        dir.close().expect("removed");
    }

    /// What a planted fault does to a stream.
    #[derive(Clone, Copy, PartialEq)]
    enum Fault {
        None,
        /// `look` panics at the block with this rank.
        LookPanicsAt(u16),
        /// `take` panics at its third block.
        TakePanics,
        /// `take` works on the pool itself.
        TakeUsesThePool,
    }

    /// The lines of each block's rows, as `take` got them, streaming `dir` in blocks of 512
    /// bytes with `fault` planted; `calls` counts the calls of `take`.
    fn lines_taken(dir: &Path, fault: Fault, calls: &AtomicUsize) -> Vec<Vec<u32>> {
        use rayon::prelude::*;
        let loaded = crate::read_dir_streaming(dir).expect("a readable folder").with_block_size(512);
        let (data, _) = crate::parse_streaming(&loaded);
        let mut taken = Vec::new();
        data.trade_commodities.stream(
            |block| {
                // Blocks take uneven times, so that they are done out of file order.
                let first = block.rows.first().map_or(0, |row| row.record.rank);
                std::thread::sleep(std::time::Duration::from_micros(u64::from(first % 5) * 300));
                let planted = |row: &crate::Row<TradeCommodity<'_>>| fault == Fault::LookPanicsAt(row.record.rank);
                assert!(!block.rows.iter().any(planted), "a planted panic");
                block.rows.iter().map(|row| row.pos.line).collect::<Vec<u32>>()
            },
            |lines| {
                calls.fetch_add(1, Ordering::Relaxed);
                assert!(!(fault == Fault::TakePanics && taken.len() == 2), "a planted panic");
                if fault == Fault::TakeUsesThePool {
                    let sum: u32 = lines.par_iter().sum();
                    assert!(sum > 0);
                }
                taken.push(lines);
            },
        );
        taken
    }

    /// Runs `run` on a thread of its own and gives what it returned; fails once it has taken a
    /// minute, far longer than any stream here takes, so that a stream that hangs fails the
    /// test rather than hanging it.
    fn within_a_minute<T: Send + 'static>(run: impl FnOnce() -> T + Send + 'static) -> T {
        let (done, finished) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = done.send(run());
        });
        finished.recv_timeout(std::time::Duration::from_secs(60)).expect("the stream ends")
    }

    /// What one stream gave: where it ran, what `take` got (`None` when the stream panicked),
    /// and how many times `take` was called.
    type Streamed = (&'static str, Option<Vec<Vec<u32>>>, usize);

    /// Streams `dir` with `fault` outside a pool, as the command line does, and from a core of
    /// a pool of one and of four.
    fn streamed_three_ways(dir: &Path, fault: Fault) -> Vec<Streamed> {
        let dir = dir.to_owned();
        within_a_minute(move || {
            let run = || {
                let calls = AtomicUsize::new(0);
                let taken = std::panic::catch_unwind(|| lines_taken(&dir, fault, &calls)).ok();
                (taken, calls.into_inner())
            };
            let mut runs = Vec::new();
            let (taken, calls) = run();
            runs.push(("outside a pool", taken, calls));
            for (threads, name) in [(1, "a pool of one"), (4, "a pool of four")] {
                let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("a pool");
                let (taken, calls) = pool.install(run);
                runs.push((name, taken, calls));
            }
            runs
        })
    }

    #[test]
    fn blocks_are_handed_over_in_file_order_whichever_core_is_done_first() {
        let dir = folder("order", &plain_lines(2000));
        // `take` may use the pool too: the core handing over then works on other blocks.
        for fault in [Fault::None, Fault::TakeUsesThePool] {
            for (from, taken, _) in streamed_three_ways(dir.path(), fault) {
                let taken = taken.expect("no panic");
                assert!(taken.len() > 100, "{from}: {} blocks", taken.len());
                let expected: Vec<u32> = (2..=2001).collect();
                assert_eq!(taken.concat(), expected, "{from}: rows in file order, every line once");
            }
        }
        dir.close().expect("removed");
    }

    #[test]
    fn a_block_that_panics_fails_the_stream_rather_than_hanging_it() {
        let dir = folder("panic", &plain_lines(2000));
        for rank in [3, 1000, 2000] {
            for (from, taken, _) in streamed_three_ways(dir.path(), Fault::LookPanicsAt(rank)) {
                assert!(taken.is_none(), "rank {rank}, {from}: the panic reaches the caller");
            }
        }
        dir.close().expect("removed");
    }

    #[test]
    fn nothing_is_handed_to_a_take_that_panicked() {
        let dir = folder("take-panics", &plain_lines(2000));
        for (from, taken, calls) in streamed_three_ways(dir.path(), Fault::TakePanics) {
            assert!(taken.is_none(), "{from}: the panic reaches the caller");
            assert_eq!(calls, 3, "{from}: `take` panicked at its third call, and got no more");
        }
        dir.close().expect("removed");
    }

    #[test]
    fn blocks_of_a_file_on_disk_end_after_line_breaks_outside_quotes() {
        let mut bytes = HEADER.to_vec();
        // Every seventh line has a line break inside quotes; one has a quoted cell of lines
        // longer than a block and its margin together, so that the reader has to read on.
        let long = format!("\"{}\"", "Fisk og skalldyr\n".repeat(3 * MARGIN / 17));
        for rank in 1..=300 {
            let commodity = match rank {
                150 => long.clone(),
                _ if rank % 7 == 0 => "\"Fisk,\nog skalldyr\"".to_owned(),
                _ => "Fisk".to_owned(),
            };
            bytes.extend(line(rank, &commodity).as_bytes());
        }
        let dir = folder("blocks", &bytes);
        let disk = OnDisk::if_plain(&dir.path().join(crate::STREAMED.file()), Some(crate::STREAMED))
            .expect("readable")
            .expect("plain");
        let mut blocks = Blocks::open(&disk, HEADER.len(), 100).expect("readable");
        let mut joined = HEADER.to_vec();
        let (mut count, mut longest) = (0, 0);
        while let Some((base, block, last)) = blocks.next().expect("readable") {
            longest = longest.max(block.len());
            assert_eq!(base, joined.len(), "blocks follow one another");
            assert!(last || block.ends_with(b"\n"), "block {count} ends inside a line");
            assert_eq!(block.iter().filter(|b| **b == b'"').count() % 2, 0, "block {count} ends inside quotes");
            joined.extend(block);
            count += 1;
        }
        assert_eq!(joined, bytes);
        assert!(count > 100, "{count} blocks");
        assert!(longest > long.len(), "the long cell is in a block of {longest} bytes");
        dir.close().expect("removed");
    }
}
