//! A table's file read from the disk block by block, never held whole: [`OnDisk`] decides
//! whether a file can be read so (plain CSV: UTF-8, commas) and [`stream`] reads its rows.
//!
//! Each block is read into a buffer of its own, cut after a line break outside quotes, parsed
//! and typed on all cores, looked at, and dropped. Offsets and lines are the file's, as when
//! the file is held: a block is a [`SourceFile`] whose bytes start at its offset in the file.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use model::{TableId, TradeCommodity};
use rayon::prelude::*;

use crate::error::{ErrorKind, Problem};
use crate::table::{self, Block, Merged, RowsRead};
use crate::{SourceFile, Table, dialect, scan};

/// How much is read beyond a block's size to find where it ends.
const MARGIN: usize = 16 << 10;

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
        // The block keeps the buffer; only the few bytes after the cut are copied.
        let rest = self.pending.split_off(len);
        let block = std::mem::replace(&mut self.pending, Vec::with_capacity(self.block_size + MARGIN));
        self.pending.extend_from_slice(&rest);
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

/// Reads the rows of `table`, whose file is on the disk, block by block: a round of blocks,
/// one per core, is read, parsed and looked at on all cores, handed to `take` in file order,
/// and dropped. See [`Table::stream`].
pub(crate) fn stream<'a, T: Send>(
    table: &Table<'a, TradeCommodity<'a>>,
    disk: &OnDisk,
    look: impl for<'b> Fn(&Table<'b, TradeCommodity<'b>>) -> T + Sync,
    mut take: impl FnMut(T),
) -> RowsRead {
    let mut merged = Merged::starting_at(table.body.map_or(1, |b| b.first_line));
    let Some(start) = table.body.map(|b| b.start) else { return merged.into_read() };
    let file = table.file;
    let unreadable = |merged: &mut Merged, message: String| {
        // The rows after the failure are not read: the table is not complete.
        merged.rejected_rows += 1;
        let help = Some("check the file again once nothing else writes to it".to_owned());
        merged.push(Problem::of_file(ErrorKind::Unreadable, &file.name, message, help));
    };
    let failed = |e: std::io::Error| format!("cannot read the file to its end: {e}");
    let mut blocks = match Blocks::open(disk, start, table.block_size) {
        Ok(blocks) => blocks,
        Err(e) => {
            unreadable(&mut merged, failed(e));
            return merged.into_read();
        }
    };
    // Two blocks per core and round, so that a slow block holds the others up less.
    let lanes = rayon::current_num_threads().max(1) * 2;
    // A reader per block of a round, reused by the next rounds (see `scan::Records`).
    let mut readers = Vec::new();
    let mut stopped = false;
    while !stopped {
        let mut round = Vec::with_capacity(lanes);
        while round.len() < lanes {
            match blocks.next() {
                Ok(Some((base, bytes, last))) => round.push((block_file(file, base, bytes), last)),
                Ok(None) => break,
                Err(e) => {
                    // Reading stops at the first failure; the blocks read so far are checked.
                    unreadable(&mut merged, failed(e));
                    stopped = true;
                    break;
                }
            }
        }
        if round.is_empty() {
            break;
        }
        let cut = match read_round(table, &round, &mut readers, &mut merged, &look, &mut take) {
            None => continue,
            Some(Stop::NotUtf8) => return RowsRead { not_utf8: true, ..RowsRead::default() },
            Some(Stop::CutAt(cut)) => cut,
        };
        // Malformed quoting fooled the cut: the rest of the file, from the block that ended
        // inside quotes, is read as one block, as a sequential reader would.
        let base = round[cut].0.base;
        let mut bytes: Vec<u8> = round.drain(cut..).flat_map(|(f, _)| f.bytes.unwrap_or_default()).collect();
        match blocks.rest() {
            Ok(rest) => bytes.extend(rest),
            Err(e) => {
                unreadable(&mut merged, failed(e));
                stopped = true;
            }
        }
        let rest = [(block_file(file, base, bytes), true)];
        if let Some(Stop::NotUtf8) = read_round(table, &rest, &mut readers, &mut merged, &look, &mut take) {
            return RowsRead { not_utf8: true, ..RowsRead::default() };
        }
        break;
    }
    // A file that another program shortened or lengthened while it was read: its rows are
    // not those that were judged and counted.
    if !stopped && blocks.at != disk.len {
        unreadable(
            &mut merged,
            format!("the file changed while it was checked: it had {} bytes, then {}", disk.len, blocks.at),
        );
    }
    merged.into_read()
}

/// Why [`read_round`] stopped.
enum Stop {
    /// Block `n` of the round was cut in the wrong place, or its lines counted wrong.
    CutAt(usize),
    /// A block is not UTF-8: the file is not plain.
    NotUtf8,
}

/// A block of `file`: its bytes from offset `base`.
fn block_file(file: &SourceFile, base: usize, bytes: Vec<u8>) -> SourceFile {
    SourceFile { table: file.table, name: file.name.clone(), bytes: Some(bytes), on_disk: None, base }
}

/// Reads a round of blocks on all cores, each block parsed and looked at on the core that
/// parsed it while its rows are fresh in the cache, and dropped; hands them to `take` in file
/// order. Returns where it stopped, if it did: at the first block that could not be read so
/// (it ended inside quotes, or its lines were miscounted), which and whose followers are left
/// out, or at a block that is not UTF-8.
fn read_round<'a, T: Send>(
    table: &Table<'a, TradeCommodity<'a>>,
    round: &[(SourceFile, bool)],
    readers: &mut Vec<scan::Records>,
    merged: &mut Merged,
    look: &(impl for<'b> Fn(&Table<'b, TradeCommodity<'b>>) -> T + Sync),
    take: &mut impl FnMut(T),
) -> Option<Stop> {
    let Some(layout) = &table.layout else { return None };
    while readers.len() < round.len() {
        readers.push(scan::Records::new(table::max_fields(layout)));
    }
    // Each block's first line, from a count of the line breaks before it, so that blocks can
    // be looked at on all cores at once. The parse counts the same (the debug assertion below);
    // were it ever to count otherwise, that block and the rest are read again in one piece.
    let counts: Vec<u32> = round
        .par_iter()
        .map(|(file, _)| scan::count_line_breaks(file.bytes.as_deref().unwrap_or_default(), None))
        .collect();
    let firsts: Vec<u32> = counts
        .iter()
        .scan(merged.next_line(), |line, count| {
            let first = *line;
            *line += count;
            Some(first)
        })
        .collect();
    let read: Vec<(Block<TradeCommodity<'_>>, Option<T>)> = round
        .par_iter()
        .zip(firsts)
        .zip(counts)
        .zip(readers.par_iter_mut())
        .map(|((((file, last), first_line), count), records)| {
            let bytes = file.bytes.as_deref().unwrap_or_default();
            let rows = Vec::with_capacity(bytes.len() / 64);
            let mut block = table::parse_block(file, bytes, 0..bytes.len(), layout, *last, records, rows);
            debug_assert!(block.cut_inside_quotes || *last || block.line_breaks == count, "lines miscounted");
            if !block.utf8 || block.cut_inside_quotes || (!last && block.line_breaks != count) {
                return (block, None);
            }
            block.shift_offsets(file.base);
            block.shift_lines(first_line);
            let view = table.on_block(file, std::mem::take(&mut block.rows));
            let seen = look(&view);
            (block, Some(seen))
        })
        .collect();
    for (index, (mut block, seen)) in read.into_iter().enumerate() {
        let Some(seen) = seen else {
            return Some(if block.utf8 { Stop::CutAt(index) } else { Stop::NotUtf8 });
        };
        merged.add_shifted(&mut block);
        take(seen);
    }
    None
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

    #[test]
    fn a_file_plain_in_its_first_bytes_stays_on_disk_until_a_block_is_not_utf8() {
        let mut plain = HEADER.to_vec();
        for rank in 1..=5000 {
            plain.extend(line(rank, "Fisk").as_bytes());
        }
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
        let mut bytes = HEADER.to_vec();
        for rank in 1..=3000 {
            bytes.extend(line(rank, "Fisk").as_bytes());
        }
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

    #[test]
    fn blocks_of_a_file_on_disk_end_after_line_breaks_outside_quotes() {
        let mut bytes = HEADER.to_vec();
        for rank in 1..=300 {
            let commodity = if rank % 7 == 0 { "\"Fisk,\nog skalldyr\"".to_owned() } else { "Fisk".to_owned() };
            bytes.extend(line(rank, &commodity).as_bytes());
        }
        let dir = folder("blocks", &bytes);
        let disk = OnDisk::if_plain(&dir.path().join(crate::STREAMED.file()), Some(crate::STREAMED))
            .expect("readable")
            .expect("plain");
        let mut blocks = Blocks::open(&disk, HEADER.len(), 100).expect("readable");
        let mut joined = HEADER.to_vec();
        let mut count = 0;
        while let Some((base, block, last)) = blocks.next().expect("readable") {
            assert_eq!(base, joined.len(), "blocks follow one another");
            assert!(last || block.ends_with(b"\n"), "block {count} ends inside a line");
            assert_eq!(block.iter().filter(|b| **b == b'"').count() % 2, 0, "block {count} ends inside quotes");
            joined.extend(block);
            count += 1;
        }
        assert_eq!(joined, bytes);
        assert!(count > 100, "{count} blocks");
        dir.close().expect("removed");
    }
}
