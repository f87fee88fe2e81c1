//! The generator: a complete, consistent dataset from [`Params`].

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::ops::{Range, RangeInclusive};
use std::path::Path;

use model::TableId;

use crate::rng::Rng;

/// What to generate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Params {
    /// Partner countries of Norway, at most [`MAX_PARTNERS`].
    pub partners: usize,
    /// The years of trade and residents figures.
    pub years: RangeInclusive<u16>,
    /// Commodity lines of each flow (partner, year, export or import).
    pub commodities: usize,
    /// The seed: the same parameters give the same bytes.
    pub seed: u64,
}

/// The countries of ISO 3166-1 other than Norway.
pub const MAX_PARTNERS: usize = model::IsoCountry::COUNT - 1;

impl Default for Params {
    /// About a million commodity lines: 200 partners × 36 years × 2 flows × 70 lines.
    fn default() -> Params {
        Params { partners: 200, years: 1988..=2023, commodities: 70, seed: 1 }
    }
}

impl Params {
    /// Checks the parameters, so that generation cannot fail later.
    pub fn validate(&self) -> Result<(), String> {
        if self.partners == 0 || self.partners > MAX_PARTNERS {
            return Err(format!("--partners must be from 1 to {MAX_PARTNERS}"));
        }
        if self.years.is_empty() || *self.years.start() < 1100 || *self.years.end() > 9000 {
            return Err("--years must be a range A..B with 1100 <= A <= B <= 9000".to_owned());
        }
        if self.commodities == 0 || self.commodities > 10_000 {
            return Err("--commodities must be from 1 to 10000".to_owned());
        }
        Ok(())
    }

    /// The number of years.
    pub fn year_count(&self) -> usize {
        usize::from(self.years.end() - self.years.start()) + 1
    }

    /// How many commodity lines the dataset has.
    pub fn commodity_rows(&self) -> usize {
        self.partners * self.year_count() * 2 * self.commodities
    }

    /// Parameters for about `rows` commodity lines: the default years and lines per flow,
    /// and as many partners as it takes; beyond [`MAX_PARTNERS`], more lines per flow.
    pub fn for_rows(rows: usize, seed: u64) -> Params {
        let mut params = Params { seed, ..Params::default() };
        let flows = params.year_count() * 2;
        if rows > MAX_PARTNERS * flows * params.commodities {
            params.commodities = rows.div_ceil(MAX_PARTNERS * flows).min(10_000);
        }
        params.partners = rows.div_ceil(flows * params.commodities).clamp(1, MAX_PARTNERS);
        params
    }
}

/// A row of a table other than `trade_commodities.csv`, as cell texts; `None` once deleted.
pub(crate) type Cells = Option<Vec<String>>;

/// One commodity line, stored compactly: a million of them are generated.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Line {
    pub(crate) partner: u16,
    pub(crate) year: u16,
    pub(crate) export: bool,
    pub(crate) rank: u16,
    pub(crate) name: u16,
    pub(crate) value_tenths: u64,
    pub(crate) share_tenths: u64,
}

/// A generated dataset, held in memory until written.
#[derive(Debug)]
pub struct Dataset {
    /// The parameters it was made from.
    pub params: Params,
    /// The partners' codes, in file order.
    pub(crate) codes: Vec<String>,
    /// Rows of every table but the commodity lines, in [`TableId::ALL`] order.
    pub(crate) tables: Vec<(TableId, Vec<Cells>)>,
    pub(crate) lines: Vec<Line>,
    /// Commodity lines replaced (or, with `None`, deleted) by the injector.
    pub(crate) line_overrides: BTreeMap<usize, Cells>,
    /// Per partner: the year diplomatic relations were established.
    pub(crate) established: Vec<u16>,
    /// Per partner: its rows of `visits.csv`.
    pub(crate) visits_of: Vec<Range<usize>>,
    /// Per visit: its rows of `visit_participants.csv`.
    pub(crate) participants_of: Vec<Range<usize>>,
    /// Per (partner, year, flow): the trade total in NOK million.
    pub(crate) values: Vec<u64>,
}

/// Commodity labels, as a source page might write them: some hold commas and quotes, so that
/// the writer's quoting is exercised.
const COMMODITIES: &[&str] = &[
    "Sjømatprodukter og bearbeidede sjømatprodukter",
    "Kjemiske produkter",
    "Metaller, unntatt jern og stål",
    "Maskiner og transportmidler",
    "Biler",
    "Elektriske maskiner og apparater",
    "Råolje",
    "Naturgass",
    "Laks, fersk eller kjølt",
    "Ørret",
    "Fiskeolje",
    "Aluminium",
    "Nikkel",
    "Ferrolegeringer",
    "Papir og papp",
    "Trelast",
    "Gjødsel",
    "Plast i primærform",
    "Legemidler",
    "Instrumenter og apparater",
    "Klær og skotøy",
    "Møbler",
    "Leketøy og sportsartikler",
    "Kaffe, te og krydder",
    "Frukt og grønnsaker",
    "Vin og brennevin",
    "Tobakk",
    "Tekstiler",
    "Jern og stål",
    "Skip og båter",
    "Fly og deler til fly",
    "Datamaskiner",
    "Telekommunikasjonsutstyr",
    "Halvledere",
    "Optiske instrumenter",
    "Medisinsk utstyr",
    "Kosmetikk",
    "Såpe og vaskemidler",
    "Gummivarer",
    "Glass og glassvarer",
    "Keramiske produkter",
    "Sement",
    "Kobber",
    "Sink",
    "Silisium",
    "Olje- og gassutstyr",
    "Pumper og kompressorer",
    "Motorer og turbiner",
    "Landbruksmaskiner",
    "Verktøy",
    "Husholdningsapparater",
    "Lamper og belysning",
    "Ur og klokker",
    "Smykker",
    "Bøker og trykksaker",
    "Reservedeler",
    "Dekk",
    "Sykler",
    "Kjøtt",
    "Meieriprodukter",
    "Korn og mel",
    "Sukker og sukkervarer",
    "Kakao og sjokolade",
    "Ris",
    "Dyrefôr",
    "Fisk, \"tørket\" eller saltet",
    "Reker",
    "Krabbe og hummer",
    "Torsk",
    "Sild",
    "Makrell",
    "Kunstgjødsel",
    "Maling og lakk",
    "Lim",
    "Sprengstoff",
    "Fotografisk utstyr",
    "Musikkinstrumenter",
    "Vindturbiner",
    "Solcellepaneler",
    "Batterier",
];

const TITLES: &[&str] =
    &["statsminister", "utenriksminister", "næringsminister", "statssekretær", "ambassadør", "HKH Kronprins"];

/// The label of a table's row generator, so that each table draws from its own stream and a
/// change to one table leaves the others' bytes alone.
fn stream(table: TableId) -> u64 {
    TableId::ALL.iter().position(|t| *t == table).unwrap_or(0) as u64 + 1
}

/// Generates the dataset of `params` (call [`Params::validate`] first).
pub fn generate(params: &Params) -> Dataset {
    let root = Rng::new(params.seed);
    let (first, last) = (*params.years.start(), *params.years.end());
    let years = params.year_count();
    let n = params.partners;

    // Partners: a seeded choice of the countries of ISO 3166-1, listed in alphabetical order.
    let mut all_countries: Vec<(String, String)> = model::IsoCountry::all()
        .filter(|c| c.alpha2.as_str() != "NO")
        .map(|c| (c.alpha2.to_string(), c.alpha3.to_string()))
        .collect();
    root.fork(100).shuffle(&mut all_countries);
    let mut partners: Vec<(String, String)> = all_countries.into_iter().take(n).collect();
    partners.sort();
    let codes: Vec<String> = partners.iter().map(|(code, _)| code.clone()).collect();
    let lower: Vec<String> = codes.iter().map(|c| c.to_ascii_lowercase()).collect();
    let source_of = |p: usize| format!("syn-{}", lower[p]);
    let updated = format!("{}-03-15", last + 1);

    let mut countries = vec![Some(cells(&["NO", "NOR", "Norway", "Norge"]))];
    for (code, iso3) in &partners {
        countries.push(Some(vec![
            code.clone(),
            iso3.clone(),
            format!("Partner {code}"),
            format!("Partnerland {code}"),
        ]));
    }

    let mut sources = Vec::with_capacity(n);
    for p in 0..n {
        let url = if p % 2 == 0 { format!("https://example.org/{}/bilateral", lower[p]) } else { String::new() };
        sources.push(Some(vec![
            source_of(p),
            format!("Bilaterale forbindelser {}", codes[p]),
            "Norway's official websites abroad".to_owned(),
            "nb".to_owned(),
            updated.clone(),
            String::new(),
            url,
            format!("Norway's official websites abroad: page on Norway–{} relations", codes[p]),
        ]));
    }

    let mut rng = root.fork(stream(TableId::Relations));
    let mut relations = Vec::with_capacity(3 * n);
    let mut established = Vec::with_capacity(n);
    for p in 0..n {
        let since = first.saturating_sub(1 + rng.below(60) as u16).max(1000);
        established.push(since);
        let id = |k: u32| format!("{}-rel-{k}", lower[p]);
        relations.push(Some(vec![
            id(1),
            codes[p].clone(),
            "diplomatic_relations".to_owned(),
            since.to_string(),
            "stated".to_owned(),
            String::new(),
            String::new(),
            String::new(),
            "Diplomatic relations established".to_owned(),
            source_of(p),
        ]));
        let opened = (since + 1 + rng.below(20) as u16).min(last);
        let closed = (opened + 1 + rng.below(10) as u16).min(last);
        relations.push(Some(vec![
            id(2),
            codes[p].clone(),
            "honorary_consulate".to_owned(),
            opened.to_string(),
            "stated".to_owned(),
            closed.to_string(),
            format!("Capital of {}", codes[p]),
            String::new(),
            "Norwegian honorary consulate in the capital, as the source lists it".to_owned(),
            source_of(p),
        ]));
        let third = if n > 1 { codes[(p + 1) % n].clone() } else { "NO".to_owned() };
        relations.push(Some(vec![
            id(3),
            codes[p].clone(),
            "consular_representation".to_owned(),
            String::new(),
            String::new(),
            String::new(),
            format!("Capital of {third}"),
            third,
            "Consular matters are handled by the embassy in a neighbouring country".to_owned(),
            source_of(p),
        ]));
    }

    let mut rng = root.fork(stream(TableId::Visits));
    let mut visits = Vec::new();
    let mut participants = Vec::new();
    let mut visits_of = Vec::with_capacity(n);
    let mut participants_of = Vec::new();
    for p in 0..n {
        let start = visits.len();
        let count = 2 + years / 8;
        let earliest = first.max(established[p]);
        // A visit id's number counts the visits of its host, guest and year.
        let mut numbers: BTreeMap<(bool, u16), u32> = BTreeMap::new();
        for k in 1..=count {
            let year = earliest + rng.below(u64::from(last - earliest) + 1) as u16;
            let month = 1 + rng.below(11) as u8;
            let date = match rng.below(10) {
                0..=4 => format!("{year}-{month:02}"),
                5..=7 => format!("{year}-{month:02}-{:02}", 1 + rng.below(28)),
                _ => format!("{year}-{month:02}/{year}-{:02}", month + 1),
            };
            let (host, guest) = if k % 2 == 0 { ("NO", codes[p].as_str()) } else { (codes[p].as_str(), "NO") };
            let number = numbers.entry((k % 2 == 0, year)).or_default();
            *number += 1;
            let id = format!("{}{}-{year}-{number}", host.to_ascii_lowercase(), guest.to_ascii_lowercase());
            let occasion = if rng.chance(50) { "Official visit".to_owned() } else { String::new() };
            let place = if rng.chance(50) { format!("Capital of {host}") } else { String::new() };
            let state = if rng.chance(10) { "true" } else { "false" };
            visits.push(Some(vec![
                id.clone(),
                host.to_owned(),
                guest.to_owned(),
                date,
                place,
                occasion,
                state.to_owned(),
                source_of(p),
            ]));
            let first_participant = participants.len();
            for seq in 1..=2 + rng.below(2) {
                let title = TITLES[rng.index(TITLES.len())];
                let name = if rng.chance(70) { format!("Person {}-{k}-{seq}", codes[p]) } else { String::new() };
                participants.push(Some(vec![id.clone(), seq.to_string(), title.to_owned(), name, String::new()]));
            }
            participants_of.push(first_participant..participants.len());
        }
        visits_of.push(start..visits.len());
    }

    // Trade totals: each partner's figure, and Norway's total of each year and flow, which
    // every partner's share of it implies.
    let mut rng = root.fork(stream(TableId::Trade));
    let floor = 200 + 2 * params.commodities as u64;
    let mut values = Vec::with_capacity(n * years * 2);
    for _ in 0..n {
        let base = 300 + rng.below(30_000);
        for _ in 0..years * 2 {
            values.push((base * (80 + rng.below(40)) / 100).max(floor));
        }
    }
    let mut reporter_totals = vec![0u64; years * 2];
    for (i, value) in values.iter().enumerate() {
        reporter_totals[i % (years * 2)] += value;
    }
    for total in &mut reporter_totals {
        *total += *total * (20 + rng.below(40)) / 100 + 1;
    }
    let mut trade = Vec::with_capacity(values.len());
    for p in 0..n {
        for y in 0..years {
            for f in 0..2 {
                let value = values[(p * years + y) * 2 + f];
                let total = reporter_totals[y * 2 + f];
                let share_milli = round_div(value * 100_000, total);
                trade.push(Some(vec![
                    "NO".to_owned(),
                    codes[p].clone(),
                    (first + y as u16).to_string(),
                    flow(f == 0).to_owned(),
                    value.to_string(),
                    "NOK million".to_owned(),
                    "exact".to_owned(),
                    format!("{}.{:03}", share_milli / 1000, share_milli % 1000),
                    source_of(p),
                ]));
            }
        }
    }

    // Commodity lines: each flow's lines take 60–95 % of its total, largest first, and each
    // share is its value over the total, rounded to the tenth it is written to.
    let mut rng = root.fork(stream(TableId::TradeCommodities));
    let k = params.commodities;
    let mut lines = Vec::with_capacity(params.commodity_rows());
    let mut weights = vec![0u64; k];
    let mut names: Vec<u16> = (0..COMMODITIES.len() as u16).collect();
    for p in 0..n {
        for y in 0..years {
            for f in 0..2 {
                let value = values[(p * years + y) * 2 + f];
                let budget = value * 10 * (60 + rng.below(36)) / 100;
                for w in &mut weights {
                    *w = 1 + rng.below(1000);
                }
                weights.sort_unstable_by(|a, b| b.cmp(a));
                let sum: u64 = weights.iter().sum();
                rng.shuffle(&mut names);
                for (i, w) in weights.iter().enumerate() {
                    let value_tenths = (w * budget / sum).max(1);
                    lines.push(Line {
                        partner: p as u16,
                        year: first + y as u16,
                        export: f == 0,
                        rank: (i + 1) as u16,
                        name: names[i % names.len()],
                        value_tenths,
                        share_tenths: round_div(value_tenths * 100, value),
                    });
                }
            }
        }
    }

    let mut rng = root.fork(stream(TableId::Residents));
    let mut residents = Vec::with_capacity(n * years);
    for (p, code) in codes.iter().enumerate() {
        let mut count = 50 + rng.below(5000);
        for y in 0..years {
            residents.push(Some(vec![
                "NO".to_owned(),
                code.clone(),
                (first + y as u16).to_string(),
                count.to_string(),
                source_of(p),
            ]));
            let change = count * rng.below(13) / 100;
            count = if rng.chance(50) { count + change } else { count - change };
        }
    }

    let tables = vec![
        (TableId::Countries, countries),
        (TableId::Sources, sources),
        (TableId::Relations, relations),
        (TableId::Visits, visits),
        (TableId::VisitParticipants, participants),
        (TableId::Trade, trade),
        (TableId::TradeCommodities, Vec::new()),
        (TableId::Residents, residents),
        (TableId::Exceptions, Vec::new()),
    ];
    Dataset {
        params: params.clone(),
        codes,
        tables,
        lines,
        line_overrides: BTreeMap::new(),
        established,
        visits_of,
        participants_of,
        values,
    }
}

fn cells(texts: &[&str]) -> Vec<String> {
    texts.iter().map(|t| (*t).to_owned()).collect()
}

fn flow(export: bool) -> &'static str {
    if export { "export" } else { "import" }
}

/// `a / b` rounded half up.
fn round_div(a: u64, b: u64) -> u64 {
    (2 * a + b) / (2 * b)
}

impl Line {
    /// The line's cells as text.
    pub(crate) fn cells(&self, codes: &[String]) -> Vec<String> {
        vec![
            "NO".to_owned(),
            codes[usize::from(self.partner)].clone(),
            self.year.to_string(),
            flow(self.export).to_owned(),
            self.rank.to_string(),
            COMMODITIES[usize::from(self.name)].to_owned(),
            format!("{}.{}", self.value_tenths / 10, self.value_tenths % 10),
            "NOK million".to_owned(),
            format!("{}.{}", self.share_tenths / 10, self.share_tenths % 10),
            format!("syn-{}", codes[usize::from(self.partner)].to_ascii_lowercase()),
        ]
    }

    /// Writes the line as CSV, without building its cells.
    fn write(&self, codes: &[String], out: &mut Vec<u8>) {
        let code = codes[usize::from(self.partner)].as_bytes();
        out.extend_from_slice(b"NO,");
        out.extend_from_slice(code);
        let _ = write!(out, ",{},{},{},", self.year, flow(self.export), self.rank);
        push_cell(out, COMMODITIES[usize::from(self.name)]);
        let _ = write!(
            out,
            ",{}.{},NOK million,{}.{},syn-",
            self.value_tenths / 10,
            self.value_tenths % 10,
            self.share_tenths / 10,
            self.share_tenths % 10
        );
        out.extend(code.iter().map(u8::to_ascii_lowercase));
        out.push(b'\n');
    }
}

/// Appends a cell, quoted as RFC 4180 requires: only when it holds a comma, a quote or a line
/// break, with inner quotes doubled.
pub fn push_cell(out: &mut Vec<u8>, text: &str) {
    if text.contains([',', '"', '\n', '\r']) {
        out.push(b'"');
        for byte in text.bytes() {
            if byte == b'"' {
                out.push(b'"');
            }
            out.push(byte);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(text.as_bytes());
    }
}

/// Appends a row of cells and its line break.
pub fn push_row<S: AsRef<str>>(out: &mut Vec<u8>, cells: &[S]) {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_cell(out, cell.as_ref());
    }
    out.push(b'\n');
}

impl Dataset {
    /// The rows of a table other than the commodity lines.
    pub(crate) fn rows_mut(&mut self, table: TableId) -> &mut Vec<Cells> {
        let position = self.tables.iter().position(|(t, _)| *t == table).unwrap_or(0);
        &mut self.tables[position].1
    }

    /// The rows of a table other than the commodity lines.
    pub(crate) fn rows(&self, table: TableId) -> &[Cells] {
        self.tables.iter().find(|(t, _)| *t == table).map_or(&[], |(_, rows)| rows)
    }

    /// The cells of commodity line `i`, as the injector left them.
    pub(crate) fn line_cells(&self, i: usize) -> Cells {
        match self.line_overrides.get(&i) {
            Some(cells) => cells.clone(),
            None => Some(self.lines[i].cells(&self.codes)),
        }
    }

    /// The index of a commodity line.
    pub(crate) fn line_index(&self, partner: usize, year: usize, export: bool, rank: usize) -> usize {
        ((partner * self.params.year_count() + year) * 2 + usize::from(!export)) * self.params.commodities + rank - 1
    }

    /// The 1-based line of row `index` of `table` in its file, counting deleted rows out.
    pub(crate) fn file_line(&self, table: TableId, index: usize) -> u32 {
        let deleted = if table == TableId::TradeCommodities {
            self.line_overrides.range(..index).filter(|(_, cells)| cells.is_none()).count()
        } else {
            self.rows(table)[..index].iter().filter(|cells| cells.is_none()).count()
        };
        u32::try_from(index - deleted + 2).unwrap_or(u32::MAX)
    }

    /// The bytes of one table's file.
    pub fn table_bytes(&self, table: TableId) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_table(table, &mut out);
        out
    }

    fn write_table(&self, table: TableId, out: &mut Vec<u8>) {
        let header: Vec<&str> = table.def().columns.iter().map(|c| c.name).collect();
        push_row(out, &header);
        if table != TableId::TradeCommodities {
            for cells in self.rows(table).iter().flatten() {
                push_row(out, cells);
            }
            return;
        }
        out.reserve(self.lines.len() * 90);
        for (i, line) in self.lines.iter().enumerate() {
            match self.line_overrides.get(&i) {
                None => line.write(&self.codes, out),
                Some(Some(cells)) => push_row(out, cells),
                Some(None) => {}
            }
        }
    }

    /// Writes every table's file into `dir`, which is created if needed.
    pub fn write_dir(&self, dir: &Path) -> io::Result<()> {
        std::fs::create_dir_all(dir)?;
        for &table in TableId::ALL {
            std::fs::write(dir.join(table.file()), self.table_bytes(table))?;
        }
        Ok(())
    }

    /// The dataset as a data folder in memory, its files shown as `shown/<file>`.
    pub fn data_dir(&self, shown: &str) -> ingest::DataDir {
        ingest::DataDir::from_memory(shown, |table| Some(self.table_bytes(table)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_where_needed() {
        let mut out = Vec::new();
        push_row(&mut out, &["a", "b,c", "say \"hi\"", ""]);
        assert_eq!(out, b"a,\"b,c\",\"say \"\"hi\"\"\",\n");
    }

    #[test]
    fn sizes_follow_the_parameters() {
        let params = Params { partners: 3, years: 2000..=2001, commodities: 4, seed: 9 };
        let data = generate(&params);
        assert_eq!(data.lines.len(), params.commodity_rows());
        assert_eq!(data.lines.len(), 3 * 2 * 2 * 4);
        let index = data.line_index(2, 1, false, 3);
        let line = data.lines[index];
        assert_eq!((line.partner, line.year, line.export, line.rank), (2, 2001, false, 3));
        assert_eq!(Params::for_rows(1_000_000, 1).partners, 199);
        assert_eq!(Params::default().commodity_rows(), 1_008_000);
    }
}
