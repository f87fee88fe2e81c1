//! Reads the dataset's CSV tables into typed records that know where they came from.
//!
//! Reading is two steps, so that records can borrow their text from the file's bytes:
//!
//! 1. [`read_dir`] loads every table's file of a data folder into a [`DataDir`]. It fails only
//!    when the folder itself cannot be read; a missing or unreadable file is a [`Diagnostic`]
//!    in [`DataDir::problems`].
//! 2. [`parse`] turns a [`DataDir`] into a [`Dataset`]: one [`Table`] per table, each a list of
//!    [`Row`]s that pair a typed record with its [`RowPos`] (line and byte offset), plus every
//!    problem found. Nothing stops at the first problem; a row with a problem is reported and
//!    left out of the table, never silently dropped or altered.
//!
//! Records are split by the `csv` crate's parser (`csv_core`, which `csv::Reader` wraps), over
//! the file's bytes in place: `csv::Reader` copies every record and keeps every field's end,
//! its line numbers are wrong for CRLF files and after blank lines, and its field ranges are
//! not file offsets, while diagnostics need lines and cell spans in the file. So the parser
//! says where each record ends, and ingest counts lines and finds cell spans in the raw bytes.
//! Text is borrowed from the file's bytes, validated as UTF-8 once per block. Large files are
//! cut into blocks at line breaks outside quotes (and after the empty lines that follow) and
//! parsed on all cores.
//!
//! Memory stays bounded on hostile input: a record keeps at most a few times the header's
//! number of field spans, and at most [`MAX_LISTED`] problems of one kind are kept per file,
//! the rest counted ([`Table::unlisted_problems`]).

pub mod canonical;
pub mod dialect;
mod disk;
mod error;
mod header;
mod repairs;
mod scan;
mod sheet;
mod table;

use std::ops::Range;
use std::path::Path;

use model::{
    Country, Exception, Record, Relation, Resident, Source, TableId, TradeCommodity, TradeTotal, Visit,
    VisitParticipant,
};

pub use diagnostic::Diagnostic;
use diagnostic::Snippet;
pub use error::{ErrorKind, csv_cell};
pub use sheet::{Sheet, SheetRow};

use error::Problem;
pub use table::{DEFAULT_BLOCK_SIZE, MAX_LISTED, RowsRead};

/// The largest file ingest reads. Positions are stored as 32-bit offsets.
pub const MAX_FILE_SIZE: u64 = u32::MAX as u64;

/// The files of a data folder, loaded into memory: one [`SourceFile`] for every table, in
/// [`TableId::ALL`] order, whatever was found.
#[derive(Debug)]
pub struct DataDir {
    files: Vec<SourceFile>,
    problems: Vec<Diagnostic>,
    other_files: Vec<String>,
    /// The size of the blocks a large file is cut into to be parsed on all cores; a file of
    /// more than twice this size is cut. [`DEFAULT_BLOCK_SIZE`] unless changed: findings never
    /// depend on it, and tests set a few bytes so that small files span many blocks.
    block_size: usize,
}

/// One table's file.
#[derive(Debug)]
pub struct SourceFile {
    /// The table the file holds.
    pub table: TableId,
    /// The file's name as shown to users, e.g. `data/visits.csv`.
    pub name: String,
    /// The file's bytes; `None` when it could not be read, or when it is read from the disk
    /// block by block ([`read_dir_streaming`]; [`SourceFile::is_read`] tells them apart).
    pub bytes: Option<Vec<u8>>,
    /// Where the file is on disk when it is read from there block by block.
    on_disk: Option<disk::OnDisk>,
    /// The offset in the file of `bytes[0]`: 0 for a whole file, a block's start for a block.
    base: usize,
}

impl SourceFile {
    /// A file held in memory whole.
    fn held(table: TableId, name: String, bytes: Option<Vec<u8>>) -> SourceFile {
        SourceFile { table, name, bytes, on_disk: None, base: 0 }
    }

    /// A file read whole (`None` when it could not be read), in the dialect the parser reads:
    /// a spreadsheet's export is converted, with its `file/dialect` diagnostic in `problems`.
    fn loaded(table: TableId, name: String, bytes: Option<Vec<u8>>, problems: &mut Vec<Diagnostic>) -> SourceFile {
        let bytes = bytes.map(|bytes| {
            let (bytes, converted) = dialect::normalise(table, &name, bytes);
            problems.extend(converted);
            bytes
        });
        SourceFile::held(table, name, bytes)
    }

    /// Whether the file could be read: it is held, or read from the disk block by block.
    pub fn is_read(&self) -> bool {
        self.bytes.is_some() || self.on_disk.is_some()
    }

    /// The file's size in bytes; 0 when it could not be read.
    pub fn len(&self) -> usize {
        match (&self.on_disk, &self.bytes) {
            (Some(disk), _) => disk.len,
            (None, Some(bytes)) => bytes.len(),
            (None, None) => 0,
        }
    }

    /// Whether the file is empty or could not be read.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The bytes the header is read from: the whole file, or its first bytes when it is read
    /// from the disk.
    fn head(&self) -> Option<&[u8]> {
        match &self.on_disk {
            Some(disk) => Some(&disk.head),
            None => self.bytes.as_deref(),
        }
    }
}

/// Loads the file of every table from `dir`.
///
/// Returns an error only when `dir` is not a readable folder. Files are named as `dir` was
/// given joined with the file name, so diagnostics show paths the user recognises.
pub fn read_dir(dir: &Path) -> std::io::Result<DataDir> {
    read_dir_as(dir, &dir.to_string_lossy())
}

/// Like [`read_dir`], but files are shown as `shown` joined with the file name, e.g. `data`
/// for a copy of the data folder in a temporary place.
pub fn read_dir_as(dir: &Path, shown: &str) -> std::io::Result<DataDir> {
    read_dir_with(dir, shown, None)
}

/// Like [`read_dir`], but the file of [`STREAMED`] is left on the disk when it is plain CSV
/// (UTF-8, commas): [`parse_streaming`] and [`Table::stream`] then read it block by block, so
/// that a check never holds it whole. For a check; [`parse`] reads such a file whole.
pub fn read_dir_streaming(dir: &Path) -> std::io::Result<DataDir> {
    read_dir_streaming_as(dir, &dir.to_string_lossy())
}

/// Like [`read_dir_streaming`], with files shown as [`read_dir_as`] shows them.
pub fn read_dir_streaming_as(dir: &Path, shown: &str) -> std::io::Result<DataDir> {
    read_dir_with(dir, shown, Some(STREAMED))
}

fn read_dir_with(dir: &Path, shown: &str, streamed: Option<TableId>) -> std::io::Result<DataDir> {
    let metadata = std::fs::metadata(dir)?;
    if !metadata.is_dir() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotADirectory,
            format!("{} is not a folder", dir.display()),
        ));
    }
    let root = dir.canonicalize()?;
    let shown = shown.trim_end_matches('/').to_owned();
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for &table in TableId::ALL {
        let name = if shown.is_empty() { table.file().to_owned() } else { format!("{shown}/{}", table.file()) };
        let path = dir.join(table.file());
        let (bytes, problem) = read_file(&root, &path, &name, streamed == Some(table));
        problems.extend(problem.map(|p| p.into_diagnostic(Some(table))));
        let file = match bytes {
            Content::OnDisk(on_disk) => SourceFile { table, name, bytes: None, on_disk: Some(on_disk), base: 0 },
            Content::Held(bytes) => SourceFile::loaded(table, name, bytes, &mut problems),
        };
        files.push(file);
    }
    let other_files = other_files(dir, &shown);
    Ok(DataDir { files, problems, other_files, block_size: DEFAULT_BLOCK_SIZE })
}

/// The names of the entries of `dir` that are neither a table's file nor a folder, shown as
/// `shown` joined with the name. The listing only informs a warning, so an entry that cannot
/// be listed is passed over: the tables are read by name all the same.
fn other_files(dir: &Path, shown: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .flatten()
        .filter(|entry| !std::fs::metadata(entry.path()).is_ok_and(|m| m.is_dir()))
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| TableId::from_file(name).is_none())
        .map(|name| if shown.is_empty() { name } else { format!("{shown}/{name}") })
        .collect();
    names.sort();
    names
}

impl DataDir {
    /// A data folder held in memory: `content` gives each table's bytes, `None` for a missing
    /// file. Files are shown as `shown` joined with the file name. For tests, fuzzing, and
    /// reading an older version of the data from git.
    pub fn from_memory(shown: &str, mut content: impl FnMut(TableId) -> Option<Vec<u8>>) -> DataDir {
        let shown = shown.trim_end_matches('/');
        let mut files = Vec::new();
        let mut problems = Vec::new();
        for &table in TableId::ALL {
            let name = if shown.is_empty() { table.file().to_owned() } else { format!("{shown}/{}", table.file()) };
            let bytes = content(table);
            if bytes.is_none() {
                let problem = Problem {
                    kind: ErrorKind::MissingFile,
                    file: name.clone(),
                    line: 0,
                    column: None,
                    key: None,
                    span: None,
                    message: "the file is missing".to_owned(),
                    help: Some(format!("create it with the header line: {}", table::expected_header(table.def()))),
                    snippet: None,
                    fix: None,
                };
                problems.push(problem.into_diagnostic(Some(table)));
            }
            files.push(SourceFile::loaded(table, name, bytes, &mut problems));
        }
        DataDir { files, problems, other_files: Vec::new(), block_size: DEFAULT_BLOCK_SIZE }
    }

    /// Every table's file, in [`TableId::ALL`] order.
    pub fn files(&self) -> &[SourceFile] {
        &self.files
    }

    /// The file of `table`.
    pub fn file(&self, table: TableId) -> &SourceFile {
        // Both constructors push one file per table in `TableId::ALL` order.
        &self.files[table as usize]
    }

    /// Problems with the files themselves: missing, unreadable, too large.
    pub fn problems(&self) -> &[Diagnostic] {
        &self.problems
    }

    /// The folder's other files, none of them a table's, named as the tables' files are
    /// (`data/Trade.csv`), sorted. Ingest reads none of them; a rule judges their names.
    pub fn other_files(&self) -> &[String] {
        &self.other_files
    }

    /// The same folder listing `names` as its other files, e.g. for a folder held in memory.
    #[must_use]
    pub fn with_other_files(mut self, mut names: Vec<String>) -> DataDir {
        names.sort();
        self.other_files = names;
        self
    }

    /// The same folder with `table`'s file read whole, as [`read_dir`] reads it, where
    /// [`read_dir_streaming`] left it on the disk: for a file whose stream stopped because it
    /// is not UTF-8 throughout ([`RowsRead::needs_whole_file`]).
    pub fn with_whole_file(&self, table: TableId) -> DataDir {
        let mut problems = self.problems.clone();
        let files = self
            .files
            .iter()
            .map(|file| match &file.on_disk {
                Some(on_disk) if file.table == table => {
                    let bytes = match read_bytes(&on_disk.path) {
                        Ok(bytes) => Some(bytes),
                        Err(e) => {
                            let message = format!("cannot read the file: {e}");
                            let problem = Problem::of_file(ErrorKind::Unreadable, &file.name, message, None);
                            problems.push(problem.into_diagnostic(Some(table)));
                            None
                        }
                    };
                    SourceFile::loaded(file.table, file.name.clone(), bytes, &mut problems)
                }
                _ => SourceFile {
                    table: file.table,
                    name: file.name.clone(),
                    bytes: file.bytes.clone(),
                    on_disk: file.on_disk.clone(),
                    base: file.base,
                },
            })
            .collect();
        DataDir { files, problems, other_files: self.other_files.clone(), block_size: self.block_size }
    }

    /// The same folder, parsed in blocks of `bytes` (at least 1); findings never depend on it.
    #[must_use]
    pub fn with_block_size(mut self, bytes: usize) -> DataDir {
        self.block_size = bytes.max(1);
        self
    }
}

/// What [`read_file`] read.
enum Content {
    /// The whole file; `None` when it could not be read.
    Held(Option<Vec<u8>>),
    /// A plain CSV file left on the disk, to be read block by block.
    OnDisk(disk::OnDisk),
}

fn read_file(root: &Path, path: &Path, name: &str, leave_on_disk: bool) -> (Content, Option<Problem>) {
    let (bytes, problem) = read_whole_file(root, path, name, leave_on_disk);
    (bytes.unwrap_or(Content::Held(None)), problem)
}

fn read_whole_file(root: &Path, path: &Path, name: &str, leave_on_disk: bool) -> (Option<Content>, Option<Problem>) {
    let problem = |kind: ErrorKind, message: String, help: Option<String>| Problem::of_file(kind, name, message, help);
    let link = std::fs::symlink_metadata(path);
    if let Err(e) = &link
        && e.kind() == std::io::ErrorKind::NotFound
    {
        let help = format!("create it with the header line: {}", table_header(name));
        return (None, Some(problem(ErrorKind::MissingFile, "the file is missing".to_owned(), Some(help))));
    }
    if link.as_ref().is_ok_and(|m| m.file_type().is_symlink()) {
        let target = path.canonicalize();
        if let Err(e) = &target
            && e.kind() == std::io::ErrorKind::NotFound
        {
            let points_to = std::fs::read_link(path).map(|t| t.to_string_lossy().into_owned()).unwrap_or_default();
            let message = format!(
                "the file is a symbolic link that leads nowhere: `{}` does not exist",
                diagnostic::text::one_line(&points_to)
            );
            let help = Some("point the link at the table's file, or put the file itself in its place".to_owned());
            return (None, Some(problem(ErrorKind::MissingFile, message, help)));
        }
        let inside = target.is_ok_and(|target| target.starts_with(root));
        if !inside {
            let message = "the file is a symbolic link that leads out of the data folder".to_owned();
            let help = Some("only files inside the data folder are read; copy the file in instead".to_owned());
            return (None, Some(problem(ErrorKind::OutsideDataFolder, message, help)));
        }
    }
    match std::fs::metadata(path) {
        Ok(m) if !m.is_file() => {
            return (None, Some(problem(ErrorKind::Unreadable, "not a regular file".to_owned(), None)));
        }
        Ok(m) if m.len() > MAX_FILE_SIZE => {
            let message = format!("the file has {} bytes; at most {MAX_FILE_SIZE} are read", m.len());
            return (
                None,
                Some(problem(ErrorKind::TooLarge, message, Some("split the table by year or country".to_owned()))),
            );
        }
        _ => {}
    }
    if leave_on_disk && let Ok(Some(on_disk)) = disk::OnDisk::if_plain(path, TableId::from_file(file_name(name))) {
        return (Some(Content::OnDisk(on_disk)), None);
    }
    match read_bytes(path) {
        Ok(bytes) if bytes.len() as u64 > MAX_FILE_SIZE => {
            (None, Some(problem(ErrorKind::TooLarge, "the file is larger than 4 GiB".to_owned(), None)))
        }
        Ok(bytes) => (Some(Content::Held(Some(bytes))), None),
        Err(e) => (None, Some(problem(ErrorKind::Unreadable, format!("cannot read the file: {e}"), None))),
    }
}

/// Files above this size are read in pieces, one per core, at the same time.
const PARALLEL_READ_THRESHOLD: u64 = 8 << 20;

/// Reads a whole file. A large one is read in as many pieces as there are cores, each with a
/// positioned read into its own part of the buffer, so that the kernel's copying, and the page
/// faults of a fresh buffer, are spread over the cores.
fn read_bytes(path: &Path) -> std::io::Result<Vec<u8>> {
    #[cfg(unix)]
    {
        use rayon::prelude::*;
        use std::os::unix::fs::FileExt;

        let file = std::fs::File::open(path)?;
        let len = file.metadata()?.len();
        let pieces = rayon::current_num_threads();
        if len > PARALLEL_READ_THRESHOLD && len <= MAX_FILE_SIZE && pieces > 1 {
            let len = usize::try_from(len).map_err(std::io::Error::other)?;
            let mut bytes = vec![0u8; len];
            let piece = len.div_ceil(pieces);
            bytes
                .par_chunks_mut(piece)
                .enumerate()
                .try_for_each(|(i, chunk)| file.read_exact_at(chunk, (i * piece) as u64))?;
            return Ok(bytes);
        }
    }
    std::fs::read(path)
}

/// A file's name without its folder.
fn file_name(name: &str) -> &str {
    name.rsplit(['/', '\\']).next().unwrap_or(name)
}

fn table_header(name: &str) -> String {
    let file = name.rsplit('/').next().unwrap_or(name);
    TableId::from_file(file).map(|t| table::expected_header(t.def())).unwrap_or_default()
}

/// Where a row is: its first line and the byte offset where it starts in its file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RowPos {
    /// 1-based line of the file; the header is line 1.
    pub line: u32,
    /// Byte offset of the row's first cell in the file.
    pub offset: u32,
}

/// A typed record and where it is.
#[derive(Clone, Debug)]
pub struct Row<R> {
    /// Where the row is.
    pub pos: RowPos,
    /// The row's values.
    pub record: R,
}

/// A table: its file and its typed rows, in file order.
#[derive(Debug)]
pub struct Table<'a, R> {
    /// The file the rows were read from.
    pub file: &'a SourceFile,
    /// The rows that were read without a problem, in file order.
    pub rows: Vec<Row<R>>,
    /// Every data row of the file, including rejected ones (not counting blank lines).
    pub data_rows: usize,
    /// Rows with a problem: reported and not in [`Table::rows`].
    pub rejected_rows: usize,
    /// Problems found in the rows but not listed, by kind: beyond [`MAX_LISTED`] of one kind
    /// in one file, problems are counted rather than kept.
    pub unlisted_problems: Vec<(ErrorKind, usize)>,
    layout: Option<table::Layout>,
    /// Where the rows start, when the header was read.
    body: Option<table::Body>,
    /// The size of the blocks the rows are read in ([`DataDir::with_block_size`]).
    block_size: usize,
    /// Whether [`Table::rows`] holds the rows; `false` for [`STREAMED`] read by
    /// [`parse_streaming`], whose rows are read by [`Table::stream`].
    held: bool,
}

impl<'a, R: Record<'a>> Table<'a, R> {
    /// The file's name as shown to users.
    pub fn name(&self) -> &str {
        &self.file.name
    }

    /// Whether every row of the file is in [`Table::rows`]: the file was read, its header
    /// names every declared column exactly (not by a guess, nor with spaces, invisible
    /// characters or another case) and no row was rejected. Rules that look for something that is *absent* (a
    /// dangling reference) only trust complete tables, so that one bad row does not turn
    /// into many findings elsewhere.
    pub fn is_complete(&self) -> bool {
        self.file.is_read() && self.layout.as_ref().is_some_and(|l| l.typable && l.exact) && self.rejected_rows == 0
    }

    /// Whether [`Table::rows`] holds the table's rows: `false` for a table read by
    /// [`parse_streaming`] whose rows are read block by block by [`Table::stream`].
    pub fn holds_rows(&self) -> bool {
        self.held
    }

    /// Counts the rows of `read` (a [`Table::stream`] of this table) as the table's, and
    /// returns the problems found in them.
    pub fn absorb(&mut self, read: RowsRead) -> Vec<Diagnostic> {
        self.absorb_counts(read).into_iter().map(|p| p.into_diagnostic(Some(R::TABLE))).collect()
    }

    /// The bytes of the file, or of the block of it this table is, and the offset in the file
    /// where they start.
    fn window(&self) -> Option<(&[u8], usize)> {
        Some((self.file.bytes.as_deref()?, self.file.base))
    }

    /// The byte span in the file of a row's cell in a declared column.
    pub fn cell_span(&self, pos: RowPos, column: usize) -> Option<Range<usize>> {
        let (bytes, base) = self.window()?;
        let field = self.layout.as_ref()?.fields.get(column).copied()??;
        let start = (pos.offset as usize).checked_sub(base).filter(|&start| start <= bytes.len())?;
        let raw = scan::scan_record(bytes, start, bytes.len(), field + 1);
        raw.field(field).map(|span| span.start + base..span.end + base)
    }

    /// The text of the cell at `span` (a span from [`Table::cell_span`]) as the file holds it,
    /// unquoted: what an exception's value is compared with, whether the cell was typed or not.
    pub fn raw_cell_text(&self, span: Range<usize>) -> Option<String> {
        let (bytes, base) = self.window()?;
        let bytes = bytes.get(span.start.checked_sub(base)?..span.end.checked_sub(base)?)?;
        Some(scan::unquote(&String::from_utf8_lossy(bytes)).into_owned())
    }

    /// The byte span of a row's cell in the column named `column`.
    pub fn cell_span_by_name(&self, pos: RowPos, column: &str) -> Option<Range<usize>> {
        self.cell_span(pos, R::TABLE.def().column_index(column)?)
    }

    /// The line of the file on which byte `offset` of the row at `pos` lies: the row's first
    /// line plus the line breaks before `offset`. A cell after a multi-line cell is on a later
    /// line than its row starts, and a finding at that cell must say so.
    pub fn line_at(&self, pos: RowPos, offset: usize) -> u32 {
        let Some((bytes, base)) = self.window() else { return pos.line };
        let start = (pos.offset as usize).saturating_sub(base).min(bytes.len());
        let offset = offset.saturating_sub(base).clamp(start, bytes.len());
        pos.line + scan::count_line_breaks(&bytes[start..offset], bytes.get(offset).copied())
    }

    /// The line a finding about the row at `pos` is on: the line `span` (its cell) starts on,
    /// or the row's first line for a finding with no span.
    pub fn line_of(&self, pos: RowPos, span: Option<&Range<usize>>) -> u32 {
        span.map_or(pos.line, |span| self.line_at(pos, span.start))
    }

    /// The lines of a row, ready to render a diagnostic.
    pub fn snippet(&self, pos: RowPos) -> Option<Snippet> {
        let (bytes, base) = self.window()?;
        let start = (pos.offset as usize).checked_sub(base).filter(|&start| start <= bytes.len())?;
        let width = self.layout.as_ref().map_or(1, |l| l.width);
        let raw = scan::scan_record(bytes, start, bytes.len(), width + 1);
        let mut snippet = table::snippet_of(&self.file.name, bytes, start..raw.end, pos.line)?;
        snippet.offset += base;
        Some(snippet)
    }
}

impl<'a> Table<'a, TradeCommodity<'a>> {
    /// Reads the rows of [`STREAMED`] when they are not held ([`Table::holds_rows`]), block by
    /// block on all cores, each block dropped once seen: `look` sees each block, in parallel,
    /// as a table of that block's rows (which gives a finding about one of them its place and
    /// lines), and `take` gets what it returned, in file order, one block at a time, on
    /// whichever core hands the block over (it may use the pool itself). Call
    /// [`Table::absorb`] with the result to count the rows and get the problems found in them.
    ///
    /// A file left on the disk ([`read_dir_streaming`]) is read from there, a block at a
    /// time; a file in memory is read in place. Rows are parsed and typed exactly as [`parse`]
    /// does, and a table whose rows are held is read again all the same.
    pub fn stream<T: Send>(
        &self,
        look: impl for<'b> Fn(&Table<'b, TradeCommodity<'b>>) -> T + Sync,
        mut take: impl FnMut(T) + Send,
    ) -> RowsRead {
        match &self.file.on_disk {
            Some(on_disk) => disk::stream(self, on_disk, look, take),
            None => self.read_rows(|block| look(block), |seen, _| take(seen)),
        }
    }

    /// The table of the rows that `wanted` keeps, in file order, for the few rows whose
    /// findings need them all together: from [`Table::rows`] when they are held, else by
    /// reading the file again (whole, for a file on the disk: only when a finding needs it).
    /// `then` gets that table, which gives a finding its place and lines. The error is the
    /// problem of a file on the disk that cannot be read again, or has changed since.
    pub fn pick<T>(
        &self,
        wanted: impl Fn(&TradeCommodity<'_>) -> bool + Sync,
        then: impl for<'b> FnOnce(&Table<'b, TradeCommodity<'b>>) -> T,
    ) -> Result<T, Box<Diagnostic>> {
        if self.held {
            let picked = self.rows.iter().filter(|row| wanted(&row.record)).cloned().collect();
            return Ok(then(&self.with_rows(picked)));
        }
        fn keep<'l>(
            block: &Table<'l, TradeCommodity<'l>>,
            wanted: &(impl Fn(&TradeCommodity<'_>) -> bool + Sync),
        ) -> Vec<Row<TradeCommodity<'l>>> {
            block.rows.iter().filter(|row| wanted(&row.record)).cloned().collect()
        }
        match &self.file.on_disk {
            None => {
                let mut kept = Vec::new();
                self.read_rows(|block| keep(block, &wanted), |mut some, _| kept.append(&mut some));
                Ok(then(&self.with_rows(kept)))
            }
            Some(on_disk) => {
                let bytes =
                    on_disk.read_again(&self.file.name).map_err(|p| Box::new(p.into_diagnostic(Some(STREAMED))))?;
                let file = SourceFile::held(self.file.table, self.file.name.clone(), Some(bytes));
                let whole: Table<'_, TradeCommodity<'_>> = self.rebased(&file);
                let mut kept = Vec::new();
                whole.read_rows(|block| keep(block, &wanted), |mut some, _| kept.append(&mut some));
                Ok(then(&whole.with_rows(kept)))
            }
        }
    }
}

/// Declares [`Dataset`] with one field per table.
macro_rules! dataset {
    ($($field:ident: $record:ident = $id:ident,)*) => {
        /// Every table of a data folder, typed.
        #[derive(Debug)]
        pub struct Dataset<'a> {
            $(
                #[doc = concat!("`", stringify!($field), ".csv`")]
                pub $field: Table<'a, $record<'a>>,
            )*
            /// The folder's other files: [`DataDir::other_files`].
            pub other_files: &'a [String],
        }

        /// Parses every table of `dir`, in parallel, holding every row. Returns the dataset and
        /// every problem found, including [`DataDir::problems`], sorted by file, line and column.
        /// A file that [`read_dir_streaming`] left on the disk is not held: its table's rows are
        /// left to [`Table::stream`] ([`Table::holds_rows`] is `false`); read the folder with
        /// [`read_dir`] to hold them.
        pub fn parse(dir: &DataDir) -> (Dataset<'_>, Vec<Diagnostic>) {
            let (data, mut errors) = parse_tables(dir, None);
            settle(dir, &mut errors);
            (data, errors)
        }

        /// Parses every table of `dir` as [`parse`] does, except the rows of [`STREAMED`]: its
        /// header is read, and its rows are left to [`Table::stream`], so that they are never
        /// all in memory at once. Returns the dataset and the problems found so far, which
        /// [`settle`] completes and sorts once the streamed problems are added
        /// ([`Table::absorb`]).
        pub fn parse_streaming(dir: &DataDir) -> (Dataset<'_>, Vec<Diagnostic>) {
            parse_tables(dir, Some(STREAMED))
        }

        fn parse_tables(dir: &DataDir, streamed: Option<TableId>) -> (Dataset<'_>, Vec<Diagnostic>) {
            let file = |id: TableId| dir.file(id);
            $(let mut $field = None;)*
            rayon::scope(|scope| {
                $(
                    let slot = &mut $field;
                    let source = file(TableId::$id);
                    let block_size = dir.block_size;
                    let hold = streamed != Some(TableId::$id) && source.on_disk.is_none();
                    scope.spawn(move |_| *slot = Some(table::parse_table::<$record<'_>>(source, block_size, hold)));
                )*
            });
            let mut errors = dir.problems.clone();
            $(
                let ($field, found) = $field.expect("every table was parsed");
                errors.extend(found.into_iter().map(|p| p.into_diagnostic(Some(TableId::$id))));
            )*
            (Dataset { $($field,)* other_files: &dir.other_files }, errors)
        }

        impl<'a> Dataset<'a> {
            /// Calls `visitor` with every table, in [`TableId::ALL`] order.
            pub fn visit_tables(&self, visitor: &mut impl TableVisitor<'a>) {
                $(visitor.visit(&self.$field);)*
            }

            /// Whether `table` was read completely ([`Table::is_complete`]).
            pub fn is_complete(&self, table: TableId) -> bool {
                match table {
                    $(TableId::$id => self.$field.is_complete(),)*
                }
            }

            /// The problems of every file that were counted but not listed (beyond
            /// [`MAX_LISTED`] of one kind in one file): file name, kind, how many.
            pub fn unlisted_problems(&self) -> Vec<(&str, ErrorKind, usize)> {
                let mut all = Vec::new();
                $(all.extend(self.$field.unlisted_problems.iter().map(|&(kind, n)| (self.$field.name(), kind, n)));)*
                all
            }

            /// Row statistics of every table, in [`TableId::ALL`] order.
            pub fn stats(&self) -> Vec<TableStats> {
                vec![$(TableStats {
                    table: TableId::$id,
                    file: self.$field.file.name.clone(),
                    rows: self.$field.data_rows,
                    rejected: self.$field.rejected_rows,
                    bytes: self.$field.file.len(),
                }),*]
            }
        }
    };
}

model::for_each_table!(dataset);

/// The table that grows with the data (a flow's commodity lines, year after year): the one
/// [`parse_streaming`] leaves to [`Table::stream`], so that a check never holds its rows.
/// The other tables are small and are held, so that rules can look up the rows they refer to.
pub const STREAMED: TableId = TableId::TradeCommodities;

/// Completes the problems of a [`parse_streaming`] (with those of [`Table::absorb`]): attaches
/// the fixes that depend on a file's bytes, and sorts them by file, line and column, as
/// [`parse`] returns them.
pub fn settle(dir: &DataDir, problems: &mut Vec<Diagnostic>) {
    // The fixes of a file's lines need its bytes: a file left on the disk is read again for
    // them, only when it has such a problem; if it cannot be, that is a problem too.
    let mut loaded = Vec::new();
    let mut unreadable = Vec::new();
    for file in dir.files() {
        let Some(on_disk) = &file.on_disk else { continue };
        if !problems.iter().any(|p| p.file == file.name && repairs::may_attach(p)) {
            continue;
        }
        match on_disk.read_again(&file.name) {
            Ok(bytes) => loaded.push(SourceFile::held(file.table, file.name.clone(), Some(bytes))),
            Err(problem) => unreadable.push(problem.into_diagnostic(Some(file.table))),
        }
    }
    let files: Vec<&SourceFile> = dir.files().iter().filter(|f| f.on_disk.is_none()).chain(&loaded).collect();
    repairs::attach(&files, problems);
    problems.extend(unreadable);
    problems.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
}

/// Something done to each table of a [`Dataset`], whatever its record type.
pub trait TableVisitor<'a> {
    /// Called once per table by [`Dataset::visit_tables`].
    fn visit<R: Record<'a>>(&mut self, table: &Table<'a, R>);
}

/// How many rows a table has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableStats {
    /// Which table.
    pub table: TableId,
    /// Its file as shown.
    pub file: String,
    /// Data rows in the file.
    pub rows: usize,
    /// Rows rejected with a problem.
    pub rejected: usize,
    /// The file's size.
    pub bytes: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_the_other_files_of_the_folder_and_reads_none_of_them() {
        let scratch = tempfile::Builder::new().prefix("bilat-ingest-listing-").tempdir().unwrap();
        let dir = scratch.path();
        std::fs::create_dir_all(dir.join("old")).unwrap();
        for name in ["Trade.csv", "README.md", ".~lock.trade.csv#"] {
            std::fs::write(dir.join(name), "reporter\n").unwrap();
        }
        let loaded = read_dir_as(dir, "data").unwrap();
        assert_eq!(loaded.other_files(), ["data/.~lock.trade.csv#", "data/README.md", "data/Trade.csv"]);
        assert!(loaded.files().iter().all(|f| !f.name.ends_with("Trade.csv")));
        let (data, _) = parse(&loaded);
        assert_eq!(data.other_files, loaded.other_files());
        scratch.close().unwrap();
    }

    #[cfg(unix)]
    #[test]
    fn a_dangling_symbolic_link_leads_nowhere() {
        let scratch = tempfile::Builder::new().prefix("bilat-ingest-dangling-").tempdir().expect("a temporary folder");
        let dir = scratch.path();
        std::os::unix::fs::symlink("residents-2011.csv", dir.join("residents.csv")).expect("a link");
        let loaded = read_dir_as(dir, "data").expect("the folder is readable");
        let problem = loaded.problems().iter().find(|p| p.file == "data/residents.csv").expect("a problem");
        assert_eq!(problem.rule(), ErrorKind::MissingFile.rule());
        assert_eq!(
            problem.message,
            "the file is a symbolic link that leads nowhere: `residents-2011.csv` does not exist"
        );
        scratch.close().expect("cleaned up");
    }
}
