//! The application state and its one mutator, [`App::update`]: actions in, effects out.
//!
//! Nothing here touches the terminal, the clock, the ledger file or a probe: time
//! arrives in [`Action::Tick`], probe events and ledger contents arrive as actions, and
//! what must happen outside (run probes, record a sign-off, write a report) leaves as
//! [`Effect`]s that the event loop carries out. So every behaviour is testable by
//! feeding actions.

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

use super::dialog::{Dialog, NoteDialog, NoteKind, Reply, Then, TrustCommandsDialog, WaiveDialog};
use super::dialog::{ExportDialog, MessageDialog};
use super::input::TextInput;
use super::layout::Areas;
use crate::base::text::safe_line;
use crate::base::timestamp::Timestamp;
use crate::checklist::{Checklist, Tier};
use crate::probe::ProbeStatus;
use crate::probe::consent::{CommandLine, Origin};
use crate::probe::events::RunEvent;
use crate::probe::{ItemResult, ItemStatus, ProbeResult};
use crate::report::ReportFormat;
use crate::report::{ItemReport, Report, SignoffInput};
use crate::signoff::recording::refusal;
use crate::signoff::{Contents, Identity, Intent, ItemSignoff, State, evidence_digest};

/// Something that happened.
#[derive(Debug, Clone)]
pub enum Action {
    /// A key was pressed.
    Key(KeyEvent),
    /// The mouse was used.
    Mouse(MouseEvent),
    /// The terminal has a new size.
    Resize(u16, u16),
    /// Time passed (drives spinners and time-dependent states).
    Tick(Timestamp),
    /// A probe of run `run` started or finished.
    Probe {
        /// The run.
        run: u64,
        /// What happened.
        event: RunEvent,
    },
    /// The ledger was (re)read.
    Ledger(Result<Contents, String>),
    /// The ledger changed under the UI (another terminal, another person, git) and
    /// was read again.
    LedgerChanged(Result<Contents, String>),
    /// A sign-off was recorded (the message says what) or refused (why).
    Recorded(Result<String, String>),
    /// A report was written (its path) or not (why).
    Exported(Result<String, String>),
    /// Run every item's probes (the first run, or `R`).
    RunAll,
    /// What the held items waited for is ready (`Ok`, with a message), or will never
    /// be (`Err`, why): they run now either way, and say what they find.
    Released(Result<String, String>),
    /// Run `run` of the matrix (see [`Effect::Survey`]) finished with these results.
    Surveyed {
        /// The run.
        run: u64,
        /// Every item's results in that run's environment.
        results: Vec<ItemResult>,
    },
    /// Leave now (SIGTERM, SIGHUP, the terminal gone).
    Quit,
    /// Leave now because of SIGINT (the process exits 130, as a shell expects).
    Interrupt,
}

/// Something the event loop must do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// Run the probes of these items as run `run` (earlier runs of them are superseded).
    Run {
        /// The run id.
        run: u64,
        /// Checklist indexes.
        items: Vec<usize>,
        /// The user allowed this session to run the checklist's `command` probes
        /// (without it they run only if the checklist is trusted anyway).
        allow_commands: bool,
        /// The environment the probes check.
        env: String,
    },
    /// Record a sign-off for an item, with its current results.
    Record {
        /// What.
        intent: Intent,
        /// The item's results the record is based on.
        result: ItemResult,
        /// The note.
        note: Option<String>,
        /// The environment the record is about.
        env: String,
    },
    /// Write a report.
    Export(ReportFormat),
    /// Run every item's probes against another environment for the matrix, as run
    /// `run`, without progress events: its results come back as
    /// [`Action::Surveyed`].
    Survey {
        /// The run id.
        run: u64,
        /// Checklist indexes (every item).
        items: Vec<usize>,
        /// As in [`Effect::Run`].
        allow_commands: bool,
        /// The environment.
        env: String,
    },
}

/// The items × environments matrix (`m`): besides the environment shown, what every
/// other configured environment's probes say of each item.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Matrix {
    /// One column per configured environment, in configuration order.
    pub columns: Vec<Column>,
}

/// One environment's column of the matrix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The environment.
    pub env: String,
    /// The run surveying it (none for the environment shown: its column is the list's
    /// own results).
    pub run: Option<u64>,
    /// Each item's status once its run finished (checklist order).
    pub statuses: Option<Vec<Option<ItemStatus>>>,
}

/// Which pane has the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    /// The item list.
    List,
    /// The selected item's details.
    Detail,
}

/// Which items the list shows, cycled with `f`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    /// Every item.
    All,
    /// Items whose probes fail or error.
    Failing,
    /// Items that keep the release from production.
    Blocking,
    /// Items that pass.
    Passing,
    /// Items without probes.
    Manual,
}

impl StatusFilter {
    fn next(self) -> StatusFilter {
        match self {
            StatusFilter::All => StatusFilter::Failing,
            StatusFilter::Failing => StatusFilter::Blocking,
            StatusFilter::Blocking => StatusFilter::Passing,
            StatusFilter::Passing => StatusFilter::Manual,
            StatusFilter::Manual => StatusFilter::All,
        }
    }

    /// Its name.
    pub fn label(self) -> &'static str {
        match self {
            StatusFilter::All => "all",
            StatusFilter::Failing => "failing",
            StatusFilter::Blocking => "blocking",
            StatusFilter::Passing => "passing",
            StatusFilter::Manual => "manual",
        }
    }
}

/// The screen's mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mode {
    /// Browsing.
    Normal,
    /// Typing a filter.
    Filter,
    /// A dialog is open.
    Dialog(Dialog),
    /// The help overlay.
    Help,
}

/// One probe's progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeState {
    /// Not started.
    Waiting,
    /// Running.
    Running,
    /// Finished.
    Done(ProbeResult),
}

/// One item's progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemProgress {
    /// The run whose results count for this item.
    pub run: u64,
    /// Its probes.
    pub probes: Vec<ProbeState>,
    /// Its results, when every probe finished.
    pub result: Option<ItemResult>,
}

/// A row of the item list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    /// A checklist heading (an index into its parts), when the run has several.
    Checklist(usize),
    /// A tier heading.
    Tier(Tier),
    /// An item (checklist index).
    Item(usize),
}

/// A transient message in the status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// An error (red) or information.
    pub error: bool,
    /// The text.
    pub text: String,
}

/// The whole application state.
#[derive(Debug, Clone)]
pub struct App {
    /// The checklist.
    pub checklist: Arc<Checklist>,
    /// The environment the probes check and sign-offs are about.
    pub env: String,
    /// The environments `E` switches between (those configured; the current one
    /// among them).
    pub environments: Vec<String>,
    /// Who signs from this session.
    pub identity: Identity,
    /// The ledger's path, for people.
    pub ledger_path: String,
    /// The ledger as last read.
    pub ledger: Contents,
    /// Per item, in checklist order.
    pub progress: Vec<ItemProgress>,
    /// The report over what has finished, rebuilt whenever results or the ledger change.
    pub report: Report,
    /// Checklist index → index into `report.items`.
    pub report_index: Vec<Option<usize>>,
    /// The list's rows after filtering.
    pub rows: Vec<Row>,
    /// The selected item (checklist index).
    pub selected: Option<usize>,
    /// The first visible row of the list.
    pub list_offset: usize,
    /// Which pane has the keyboard.
    pub focus: Pane,
    /// Scroll of the detail pane, in lines.
    pub detail_scroll: u16,
    /// The text filter.
    pub filter: TextInput,
    /// The status filter.
    pub status_filter: StatusFilter,
    /// The mode.
    pub mode: Mode,
    /// The latest run id handed out.
    pub run: u64,
    /// Terminal size.
    pub size: (u16, u16),
    /// Spinner frame counter.
    pub tick: u64,
    /// Now, as of the last tick.
    pub now: Timestamp,
    /// The status line.
    pub message: Option<Message>,
    /// Set when the app should exit.
    pub should_quit: bool,
    /// Set when it exits because of Ctrl-C or SIGINT (the process then exits 130).
    pub interrupted: bool,
    /// Set when it exits to run `preflight init` (from the welcome).
    pub init_requested: bool,
    /// Only items of this tier (`t` cycles), or every tier.
    pub tier_filter: Option<Tier>,
    /// How far the help is scrolled (a small terminal cannot show every key at once).
    pub help_scroll: u16,
    /// Whether to use colour (off with `NO_COLOR`).
    pub color: bool,
    /// The commands the checklist's `command` probes would run, when the checklist is
    /// not trusted: the user is asked before the first run. Empty otherwise.
    pub untrusted_commands: Vec<CommandLine>,
    /// The user's answer: `None` until asked.
    pub commands_allowed: Option<bool>,
    /// The items × environments matrix, while shown (`m`).
    pub matrix: Option<Matrix>,
    /// Items whose probes wait for something before they may run (the demo's
    /// database while it starts), and what, for people.
    pub held: Option<Held>,
}

/// Items held back from runs until [`Action::Released`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    /// Checklist indexes.
    pub items: Vec<usize>,
    /// What they wait for, e.g. "starting the demo database…".
    pub why: String,
}

impl App {
    /// A new app at time `now`, with the ledger read; no probe has run yet
    /// ([`Action::RunAll`] starts them).
    pub fn new(
        checklist: Arc<Checklist>,
        env: &str,
        identity: Identity,
        ledger_path: &str,
        ledger: Contents,
        now: Timestamp,
        size: (u16, u16),
    ) -> App {
        let progress = checklist
            .items
            .iter()
            .map(|item| ItemProgress {
                run: 0,
                probes: vec![ProbeState::Waiting; item.probes.len()],
                result: None,
            })
            .collect();
        let mut app = App {
            env: env.to_string(),
            environments: vec![env.to_string()],
            identity,
            ledger_path: ledger_path.to_string(),
            ledger,
            progress,
            report: Report::new(&checklist, &[], now, None),
            report_index: Vec::new(),
            rows: Vec::new(),
            selected: None,
            list_offset: 0,
            focus: Pane::List,
            detail_scroll: 0,
            filter: TextInput::default(),
            status_filter: StatusFilter::All,
            mode: Mode::Normal,
            run: 0,
            size,
            tick: 0,
            now,
            message: None,
            should_quit: false,
            init_requested: false,
            interrupted: false,
            tier_filter: None,
            help_scroll: 0,
            color: true,
            untrusted_commands: Vec::new(),
            commands_allowed: None,
            matrix: None,
            held: None,
            checklist,
        };
        app.refresh();
        app.selected = app.first_item();
        app
    }

    /// Asks before the first run whether these commands (of a checklist that is not
    /// trusted) may run; until the user answers, nothing runs.
    pub fn ask_before_commands(&mut self, commands: Vec<CommandLine>) {
        self.untrusted_commands = commands;
        self.commands_allowed = None;
    }

    /// Whether every program waiting for the user's yes is a checklist's `command`
    /// (none is the project's own code).
    pub fn consent_is_for_checklist_only(&self) -> bool {
        self.untrusted_commands
            .iter()
            .all(|c| c.origin == Origin::Checklist)
    }

    /// The question the header asks while the first run waits for an answer.
    pub fn consent_question(&self) -> &'static str {
        if self.consent_is_for_checklist_only() {
            "run this checklist's commands"
        } else {
            "run the programs listed"
        }
    }

    /// Whether the first run waits for the user to allow or refuse the commands.
    pub fn awaiting_command_answer(&self) -> bool {
        self.commands_allowed.is_none() && !self.untrusted_commands.is_empty()
    }

    /// Whether probes of the latest runs are still out.
    pub fn running(&self) -> bool {
        self.progress.iter().any(|p| p.result.is_none())
    }

    /// Probes finished and total, over the whole checklist.
    pub fn probe_counts(&self) -> (usize, usize) {
        let total = self.progress.iter().map(|p| p.probes.len()).sum();
        let done = self
            .progress
            .iter()
            .flat_map(|p| &p.probes)
            .filter(|p| matches!(p, ProbeState::Done(_)))
            .count();
        (done, total)
    }

    /// The report entry of an item, once its probes finished.
    pub fn item_report(&self, item: usize) -> Option<&ItemReport> {
        self.report_index
            .get(item)
            .copied()
            .flatten()
            .and_then(|i| self.report.items.get(i))
    }

    /// Screen areas for the current size.
    pub fn areas(&self) -> Areas {
        Areas::with_focus(
            self.size.0,
            self.size.1,
            self.focus == Pane::Detail,
            self.matrix.is_some(),
        )
    }

    /// Applies an action; returns what must happen outside.
    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Key(key) => return self.on_key(key),
            Action::Mouse(mouse) => self.on_mouse(mouse),
            Action::Resize(w, h) => {
                self.size = (w, h);
                self.keep_selection_visible();
            }
            Action::Tick(now) => {
                self.tick = self.tick.wrapping_add(1);
                if now != self.now {
                    self.now = now;
                    self.refresh();
                }
            }
            Action::Probe { run, event } => self.on_probe(run, event),
            Action::Ledger(Ok(contents)) => {
                self.ledger = contents;
                self.refresh();
            }
            Action::Ledger(Err(why)) => self.error(why),
            Action::LedgerChanged(Ok(contents)) => {
                if let Some(what) = self.news(&contents) {
                    self.info(what);
                }
                self.ledger = contents;
                self.refresh();
            }
            Action::LedgerChanged(Err(why)) => self.error(format!("the ledger changed: {why}")),
            Action::Recorded(Ok(what)) => self.info(what),
            Action::Recorded(Err(why)) => self.error(why),
            Action::Exported(Ok(path)) => self.info(format!("wrote {path}")),
            Action::Exported(Err(why)) => self.error(why),
            Action::RunAll if self.awaiting_command_answer() => {
                self.mode = Mode::Dialog(Dialog::TrustCommands(TrustCommandsDialog { scroll: 0 }));
            }
            Action::RunAll => {
                let mut effects = self.rerun((0..self.checklist.items.len()).collect());
                // A full rerun refreshes the other environments' columns too.
                if self.matrix.is_some() {
                    effects.extend(self.survey());
                }
                return effects;
            }
            Action::Surveyed { run, results } => self.on_surveyed(run, &results),
            Action::Released(outcome) => {
                let Some(held) = self.held.take() else {
                    return Vec::new();
                };
                match outcome {
                    Ok(what) => self.info(what),
                    Err(why) => self.error(why),
                }
                return self.rerun(held.items);
            }
            Action::Quit => self.should_quit = true,
            Action::Interrupt => {
                self.should_quit = true;
                self.interrupted = true;
            }
        }
        Vec::new()
    }

    /// What `contents` holds that the ledger shown does not: "Sam Reviewer approved
    /// `x`", or a count when several records arrived.
    fn news(&self, contents: &Contents) -> Option<String> {
        let known: std::collections::HashSet<&str> = self
            .ledger
            .records
            .iter()
            .map(|r| r.hash.as_str())
            .collect();
        let new: Vec<&crate::signoff::Record> = contents
            .records
            .iter()
            .filter(|r| !known.contains(r.hash.as_str()))
            .collect();
        match new.as_slice() {
            [] => None,
            [r] => Some(format!(
                "ledger: {} {} `{}` in {} (record {})",
                r.by,
                crate::signoff::past_tense(r.action),
                r.item,
                r.env,
                r.pos
            )),
            [.., last] => Some(format!(
                "ledger: {} new records, the latest by {} ({} `{}`)",
                new.len(),
                last.by,
                crate::signoff::past_tense(last.action),
                last.item
            )),
        }
    }

    fn info(&mut self, text: String) {
        self.say(false, text);
    }

    fn error(&mut self, text: String) {
        self.say(true, text);
    }

    /// Opens a first screen (an explanation, whole, in a box; `i` leaves to run
    /// `preflight init`, any other key closes it) unless something else is open.
    pub fn welcome(&mut self, text: &str) {
        if self.mode == Mode::Normal {
            self.mode = Mode::Dialog(Dialog::Message(MessageDialog {
                error: false,
                text: safe_line(text),
                offers_init: true,
            }));
        }
    }

    /// A message in the status line; one longer than the line opens whole in a box
    /// (when nothing else is open), so that its way out is never cut off.
    fn say(&mut self, error: bool, text: String) {
        let text = safe_line(&text);
        let room = usize::from(self.size.0.saturating_sub(2));
        if text.chars().count() > room && self.mode == Mode::Normal {
            self.message = None;
            self.mode = Mode::Dialog(Dialog::Message(MessageDialog {
                error,
                text,
                offers_init: false,
            }));
        } else {
            self.message = Some(Message { error, text });
        }
    }

    fn on_probe(&mut self, run: u64, event: RunEvent) {
        let (id, state) = match event {
            RunEvent::Started(id) => (id, ProbeState::Running),
            RunEvent::Finished(id, result) => (id, ProbeState::Done(result)),
        };
        let Some(progress) = self.progress.get_mut(id.item) else {
            return;
        };
        // Results of a superseded run are dropped.
        if progress.run != run {
            return;
        }
        if let Some(slot) = progress.probes.get_mut(id.probe) {
            *slot = state;
        }
        let done: Option<Vec<ProbeResult>> = progress
            .probes
            .iter()
            .map(|p| match p {
                ProbeState::Done(r) => Some(r.clone()),
                _ => None,
            })
            .collect();
        if let Some(probes) = done {
            let status = ItemStatus::from_outcomes(probes.iter().map(|p| &p.outcome.status));
            progress.result = Some(ItemResult {
                item: id.item,
                probes,
                status,
            });
            self.refresh();
        }
    }

    /// Holds `items` back from every run until [`Action::Released`], saying why.
    pub fn hold(&mut self, items: Vec<usize>, why: &str) {
        self.held = Some(Held {
            items,
            why: why.to_string(),
        });
    }

    /// What item `item` waits for before its probes may run, if it is held.
    pub fn held_for(&self, item: usize) -> Option<&str> {
        self.held
            .as_ref()
            .filter(|h| h.items.contains(&item))
            .map(|h| h.why.as_str())
    }

    /// Starts a new run of `items`, superseding earlier runs of them; held items wait
    /// (they show as pending until released).
    fn rerun(&mut self, items: Vec<usize>) -> Vec<Effect> {
        self.run += 1;
        if let Some(held) = &self.held {
            for &i in &held.items {
                if let Some(p) = self.progress.get_mut(i) {
                    p.probes.iter_mut().for_each(|s| *s = ProbeState::Waiting);
                    p.result = None;
                }
            }
        }
        let items: Vec<usize> = items
            .into_iter()
            .filter(|i| self.held_for(*i).is_none())
            .collect();
        if items.is_empty() {
            if let Some(held) = &self.held {
                let why = held.why.clone();
                self.info(format!("it runs when ready: {why}"));
            }
            self.refresh();
            return Vec::new();
        }
        for &i in &items {
            if let Some(p) = self.progress.get_mut(i) {
                p.run = self.run;
                p.probes.iter_mut().for_each(|s| *s = ProbeState::Waiting);
                // An item without probes is complete at once.
                p.result = p.probes.is_empty().then(|| ItemResult {
                    item: i,
                    probes: Vec::new(),
                    status: ItemStatus::Manual,
                });
            }
        }
        self.refresh();
        vec![Effect::Run {
            run: self.run,
            items,
            allow_commands: self.commands_allowed == Some(true),
            env: self.env.clone(),
        }]
    }

    /// Rebuilds the report and the rows from the results, the ledger and the filters.
    pub fn refresh(&mut self) {
        let results: Vec<ItemResult> = self
            .progress
            .iter()
            .filter_map(|p| p.result.clone())
            .collect();
        self.report = Report::new(
            &self.checklist,
            &results,
            self.now,
            Some(SignoffInput {
                env: &self.env,
                ledger: &self.ledger,
                ledger_path: &self.ledger_path,
            }),
        );
        self.report_index = vec![None; self.checklist.items.len()];
        for (ri, r) in results.iter().enumerate() {
            if let Some(slot) = self.report_index.get_mut(r.item) {
                *slot = Some(ri);
            }
        }
        self.rows = self.filtered_rows();
        if self
            .selected
            .is_none_or(|s| !self.rows.contains(&Row::Item(s)))
        {
            self.selected = self.first_item();
            self.detail_scroll = 0;
        }
        self.keep_selection_visible();
    }

    /// Whether the terminal is too narrow for both panes (one shows at a time).
    pub fn single_pane(&self) -> bool {
        self.size.0 < crate::tui::layout::SINGLE_PANE_BELOW
    }

    /// Whether any filter narrows the list.
    pub fn filtered(&self) -> bool {
        !self.filter.text().trim().is_empty()
            || self.status_filter != StatusFilter::All
            || self.tier_filter.is_some()
    }

    /// Whether the search text is in the item: its id, title, section or tier, or what
    /// its probes said (summaries, evidence and the files they name).
    fn search_finds(&self, index: usize, needle: &str) -> bool {
        let item = &self.checklist.items[index];
        let found = |text: &str| text.to_lowercase().contains(needle);
        found(&item.id)
            || (self.checklist.is_combined() && found(&self.checklist.part_of(item).id))
            || found(&item.title)
            || item.section.as_deref().is_some_and(found)
            || found(item.tier.as_str())
            || self.item_report(index).is_some_and(|r| {
                r.probes.iter().any(|p| {
                    found(&p.summary)
                        || p.evidence
                            .iter()
                            .any(|e| found(&e.message) || e.file.as_deref().is_some_and(found))
                })
            })
    }

    fn matches(&self, index: usize) -> bool {
        let item = &self.checklist.items[index];
        let needle = self.filter.text().trim().to_lowercase();
        if !needle.is_empty() && !self.search_finds(index, &needle) {
            return false;
        }
        if self.tier_filter.is_some_and(|t| t != item.tier) {
            return false;
        }
        let report = self.item_report(index);
        let status = report.map(|r| r.status);
        match self.status_filter {
            StatusFilter::All => true,
            StatusFilter::Failing => matches!(status, Some(ItemStatus::Fail | ItemStatus::Error)),
            StatusFilter::Blocking => report.is_some_and(|r| r.blocking.is_some()),
            StatusFilter::Passing => status == Some(ItemStatus::Pass),
            StatusFilter::Manual => item.is_manual(),
        }
    }

    /// The list's rows: items under their tier, and with several checklists, tiers
    /// under their checklist.
    fn filtered_rows(&self) -> Vec<Row> {
        let mut rows = Vec::new();
        let combined = self.checklist.is_combined();
        for part in 0..self.checklist.parts.len() {
            let mut heading = combined.then_some(Row::Checklist(part));
            for tier in Tier::ALL {
                let items: Vec<usize> = (0..self.checklist.items.len())
                    .filter(|&i| {
                        let item = &self.checklist.items[i];
                        item.part == part && item.tier == tier && self.matches(i)
                    })
                    .collect();
                if !items.is_empty() {
                    rows.extend(heading.take());
                    rows.push(Row::Tier(tier));
                    rows.extend(items.into_iter().map(Row::Item));
                }
            }
        }
        rows
    }

    fn first_item(&self) -> Option<usize> {
        self.rows.iter().find_map(|r| match r {
            Row::Item(i) => Some(*i),
            Row::Tier(_) | Row::Checklist(_) => None,
        })
    }

    fn selected_row(&self) -> Option<usize> {
        let s = self.selected?;
        self.rows.iter().position(|r| *r == Row::Item(s))
    }

    /// Moves the selection by `delta` items (skipping tier headings).
    fn move_selection(&mut self, delta: isize) {
        let items: Vec<usize> = self
            .rows
            .iter()
            .filter_map(|r| match r {
                Row::Item(i) => Some(*i),
                Row::Tier(_) | Row::Checklist(_) => None,
            })
            .collect();
        if items.is_empty() {
            return;
        }
        let current = self
            .selected
            .and_then(|s| items.iter().position(|i| *i == s))
            .unwrap_or(0);
        let next = (current as isize + delta).clamp(0, items.len() as isize - 1) as usize;
        if self.selected != Some(items[next]) {
            self.selected = Some(items[next]);
            self.detail_scroll = 0;
        }
        self.keep_selection_visible();
    }

    fn keep_selection_visible(&mut self) {
        let height = usize::from(self.areas().list_rows());
        let Some(row) = self.selected_row() else {
            self.list_offset = 0;
            return;
        };
        // Keep the headings above the first item of a tier (or checklist) in view.
        let mut top = row;
        while top > 0 && !matches!(self.rows[top - 1], Row::Item(_)) {
            top -= 1;
        }
        if top < self.list_offset {
            self.list_offset = top;
        } else if height > 0 && row >= self.list_offset + height {
            self.list_offset = row + 1 - height;
        }
        let max_offset = self.rows.len().saturating_sub(height);
        self.list_offset = self.list_offset.min(max_offset);
    }

    fn on_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        if key.kind != crossterm::event::KeyEventKind::Press {
            return Vec::new();
        }
        if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
            return self.update(Action::Interrupt);
        }
        match std::mem::replace(&mut self.mode, Mode::Normal) {
            Mode::Normal => self.on_normal_key(key),
            // Arrows scroll the help when it is taller than the screen; any other key
            // closes it.
            Mode::Help => {
                match key.code {
                    KeyCode::Down | KeyCode::Char('j') | KeyCode::PageDown => {
                        self.help_scroll = self.help_scroll.saturating_add(1);
                        self.mode = Mode::Help;
                    }
                    KeyCode::Up | KeyCode::Char('k') | KeyCode::PageUp => {
                        self.help_scroll = self.help_scroll.saturating_sub(1);
                        self.mode = Mode::Help;
                    }
                    _ => {}
                }
                Vec::new()
            }
            Mode::Filter => {
                match key.code {
                    KeyCode::Enter => {}
                    KeyCode::Esc => self.filter = TextInput::default(),
                    _ => {
                        self.filter.handle(&key);
                        self.mode = Mode::Filter;
                    }
                }
                self.refresh();
                Vec::new()
            }
            Mode::Dialog(dialog) => self.on_dialog_key(dialog, key),
        }
    }

    fn on_normal_key(&mut self, key: KeyEvent) -> Vec<Effect> {
        self.message = None;
        let page = i32::from(self.areas().detail_rows().max(2) - 1);
        match key.code {
            KeyCode::Char('q') => self.should_quit = true,
            // On a narrow terminal Enter opens the details in place of the list.
            KeyCode::Enter if self.single_pane() && self.selected.is_some() => {
                self.focus = Pane::Detail;
            }
            // Esc undoes the innermost thing, and never quits.
            KeyCode::Esc if self.single_pane() && self.focus == Pane::Detail => {
                self.focus = Pane::List;
                self.keep_selection_visible();
            }
            KeyCode::Esc if self.filtered() => {
                self.filter = TextInput::default();
                self.status_filter = StatusFilter::All;
                self.tier_filter = None;
                self.refresh();
                self.info("filters cleared".into());
            }
            KeyCode::Esc => self.info("q quits".into()),
            KeyCode::Char('E') => return self.switch_environment(),
            KeyCode::Char('m') if self.matrix.is_some() => self.matrix = None,
            KeyCode::Char('m') if self.environments.len() < 2 => self.info(
                "the matrix compares environments, and only one is configured (add more in preflight.toml, or run `preflight init`)"
                    .into(),
            ),
            KeyCode::Char('m') if self.awaiting_command_answer() => {
                self.error("answer the question about commands first".into())
            }
            KeyCode::Char('m') if self.held.is_some() => {
                let why = self.held.as_ref().map(|h| h.why.clone()).unwrap_or_default();
                self.error(format!("the matrix waits until the held items can run: {why}"))
            }
            KeyCode::Char('m') => return self.survey(),
            KeyCode::Char('t') => {
                self.tier_filter = match self.tier_filter {
                    None => Some(Tier::Critical),
                    Some(Tier::Critical) => Some(Tier::Recommended),
                    Some(Tier::Recommended) => Some(Tier::Optional),
                    Some(Tier::Optional) => None,
                };
                self.refresh();
            }
            KeyCode::Char('?') => {
                self.help_scroll = 0;
                self.mode = Mode::Help;
            }
            KeyCode::Tab | KeyCode::BackTab => {
                self.focus = match self.focus {
                    Pane::List => Pane::Detail,
                    Pane::Detail => Pane::List,
                }
            }
            KeyCode::Down | KeyCode::Char('j') => match self.focus {
                Pane::List => self.move_selection(1),
                Pane::Detail => self.scroll_detail(1),
            },
            KeyCode::Up | KeyCode::Char('k') => match self.focus {
                Pane::List => self.move_selection(-1),
                Pane::Detail => self.scroll_detail(-1),
            },
            KeyCode::Home | KeyCode::Char('g') => self.move_selection(isize::MIN / 2),
            KeyCode::End | KeyCode::Char('G') => self.move_selection(isize::MAX / 2),
            KeyCode::PageDown => self.scroll_detail(page),
            KeyCode::PageUp => self.scroll_detail(-page),
            KeyCode::Char('r') => {
                if let Some(i) = self.selected {
                    return self.rerun(vec![i]);
                }
            }
            KeyCode::Char('R') => return self.update(Action::RunAll),
            KeyCode::Char('a') => self.open_note(NoteKind::Attest),
            KeyCode::Char('A') => self.open_note(NoteKind::Approve),
            KeyCode::Char('u') => self.open_note(NoteKind::Revoke),
            KeyCode::Char('w') => {
                if let Some(item) = self.selected {
                    self.mode = Mode::Dialog(Dialog::Waive(WaiveDialog::new(item)));
                }
            }
            KeyCode::Char('/') => self.mode = Mode::Filter,
            KeyCode::Char('f') => {
                self.status_filter = self.status_filter.next();
                self.refresh();
            }
            KeyCode::Char('e') if self.running() => {
                self.error("wait for the probes to finish before exporting a report".into())
            }
            KeyCode::Char('e') => {
                self.mode = Mode::Dialog(Dialog::Export(ExportDialog { selected: 0 }))
            }
            _ => {}
        }
        Vec::new()
    }

    /// Checks the next configured environment: its sign-offs are shown and every
    /// probe runs again against it.
    fn switch_environment(&mut self) -> Vec<Effect> {
        if self.environments.len() < 2 {
            self.info(
                "only one environment is configured (add more in preflight.toml, or run `preflight init`)"
                    .into(),
            );
            return Vec::new();
        }
        let at = self.environments.iter().position(|e| *e == self.env);
        let next = at.map_or(0, |i| (i + 1) % self.environments.len());
        self.env = self.environments[next].clone();
        let mut effects = self.rerun((0..self.checklist.items.len()).collect());
        if self.matrix.is_some() {
            effects.extend(self.survey());
        }
        self.info(format!("checking {}: every probe runs again", self.env));
        effects
    }

    /// Opens the matrix (or refreshes it): every environment but the one shown is
    /// checked again, in runs of its own.
    fn survey(&mut self) -> Vec<Effect> {
        let mut effects = Vec::new();
        let mut columns = Vec::new();
        for env in self.environments.clone() {
            let run = (env != self.env).then(|| {
                self.run += 1;
                effects.push(Effect::Survey {
                    run: self.run,
                    items: (0..self.checklist.items.len()).collect(),
                    allow_commands: self.commands_allowed == Some(true),
                    env: env.clone(),
                });
                self.run
            });
            columns.push(Column {
                env,
                run,
                statuses: None,
            });
        }
        self.matrix = Some(Matrix { columns });
        effects
    }

    fn on_surveyed(&mut self, run: u64, results: &[ItemResult]) {
        let items = self.checklist.items.len();
        // A run superseded by a newer survey (or a closed matrix) is dropped.
        let Some(column) = self
            .matrix
            .as_mut()
            .and_then(|m| m.columns.iter_mut().find(|c| c.run == Some(run)))
        else {
            return;
        };
        let mut statuses = vec![None; items];
        for r in results {
            if let Some(slot) = statuses.get_mut(r.item) {
                *slot = Some(r.status);
            }
        }
        column.statuses = Some(statuses);
    }

    /// What the matrix shows for `item` in column `column`: its status, or `None`
    /// while its probes run.
    pub fn matrix_cell(&self, column: &Column, item: usize) -> Option<ItemStatus> {
        if column.env == self.env {
            return self
                .item_report(item)
                .filter(|_| !self.item_running(item))
                .map(|r| r.status);
        }
        column.statuses.as_ref()?.get(item).copied().flatten()
    }

    fn scroll_detail(&mut self, by: i32) {
        let next = (i32::from(self.detail_scroll) + by).clamp(0, i32::from(u16::MAX));
        self.detail_scroll = u16::try_from(next).unwrap_or(0);
    }

    fn open_note(&mut self, kind: NoteKind) {
        let Some(item) = self.selected else {
            return;
        };
        if self.item_report(item).is_none() {
            self.error(
                "wait for the item's probes to finish: a sign-off records their evidence".into(),
            );
            return;
        }
        let intent = match kind {
            NoteKind::Attest => Intent::Attest,
            NoteKind::Approve => Intent::Approve,
            NoteKind::Revoke => Intent::Revoke,
        };
        // Refused before anything is typed, with the reason and the way out.
        if let Some(why) = self.refusal(item, &intent) {
            self.error(why);
            return;
        }
        self.mode = Mode::Dialog(Dialog::Note(NoteDialog::new(kind, item)));
    }

    /// Why `intent` on `item` would be refused, from its results and records as this
    /// session knows them (the recording checks again, with signatures, when it writes).
    pub fn refusal(&self, item: usize, intent: &Intent) -> Option<String> {
        self.refusals(item, std::slice::from_ref(intent))?
            .pop()
            .flatten()
    }

    /// [`App::refusal`] for several intents, with the item's sign-off derived once;
    /// `None` until the item's probes have finished.
    pub fn refusals(&self, item: usize, intents: &[Intent]) -> Option<Vec<Option<String>>> {
        let result = self.progress.get(item)?.result.as_ref()?;
        let it = self.checklist.items.get(item)?;
        let state = ItemSignoff::derive(
            self.checklist.part_of(it),
            it,
            &self.env,
            &self.ledger.records,
            &it.digest(),
            &evidence_digest(&result.probes),
            self.now,
        );
        Some(
            intents
                .iter()
                .map(|intent| refusal(&it.id, &self.env, intent, result, &state, &self.identity))
                .collect(),
        )
    }

    /// The item's results, once its probes finished.
    pub fn result_of(&self, item: usize) -> Option<ItemResult> {
        self.progress.get(item)?.result.clone()
    }

    /// Lets the open dialog handle a key, then applies its reply.
    fn on_dialog_key(&mut self, dialog: Dialog, key: KeyEvent) -> Vec<Effect> {
        let Reply { dialog, then } = dialog.on_key(&key, self);
        self.mode = dialog.map_or(Mode::Normal, Mode::Dialog);
        match then {
            Then::Nothing => Vec::new(),
            Then::Effects(effects) => effects,
            Then::Error(why) => {
                self.error(why);
                Vec::new()
            }
            Then::CommandsAllowed(yes) => {
                self.commands_allowed = Some(yes);
                if yes {
                    let what = if self.consent_is_for_checklist_only() {
                        "this checklist's"
                    } else {
                        "the allowed"
                    };
                    self.info(format!(
                        "running {what} {} command(s) for this session",
                        self.untrusted_commands.len()
                    ));
                } else {
                    self.info(
                        "command probes skipped: restart with --allow-commands to run them".into(),
                    );
                }
                self.update(Action::RunAll)
            }
            Then::Quit => {
                self.should_quit = true;
                Vec::new()
            }
            Then::Init => {
                self.should_quit = true;
                self.init_requested = true;
                Vec::new()
            }
        }
    }

    fn on_mouse(&mut self, mouse: MouseEvent) {
        let areas = self.areas();
        let inside = |r: ratatui::layout::Rect| {
            mouse.column >= r.x
                && mouse.column < r.x + r.width
                && mouse.row >= r.y
                && mouse.row < r.y + r.height
        };
        match mouse.kind {
            MouseEventKind::Down(MouseButton::Left) if self.mode == Mode::Normal => {
                if inside(areas.list_inner()) {
                    self.focus = Pane::List;
                    let row = self.list_offset + usize::from(mouse.row - areas.list_inner().y);
                    if let Some(Row::Item(i)) = self.rows.get(row) {
                        if self.selected != Some(*i) {
                            self.detail_scroll = 0;
                        }
                        self.selected = Some(*i);
                    }
                } else if inside(areas.detail) {
                    self.focus = Pane::Detail;
                }
            }
            MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
                let by = if mouse.kind == MouseEventKind::ScrollDown {
                    1
                } else {
                    -1
                };
                if inside(areas.list) {
                    self.move_selection(by as isize);
                } else if inside(areas.detail) {
                    self.scroll_detail(by * 3);
                }
            }
            _ => {}
        }
    }

    /// The sign-off state of an item, when its probes finished.
    pub fn state_of(&self, item: usize) -> Option<State> {
        self.item_report(item)
            .and_then(|r| r.signoff.as_ref())
            .map(|s| s.state)
    }

    /// Whether any probe of the item is running or waiting.
    pub fn item_running(&self, item: usize) -> bool {
        self.progress.get(item).is_some_and(|p| p.result.is_none())
    }

    /// The status of a finished probe, for the list's symbol.
    pub fn probe_status(&self, item: usize, probe: usize) -> Option<ProbeStatus> {
        match self.progress.get(item)?.probes.get(probe)? {
            ProbeState::Done(r) => Some(r.outcome.status),
            _ => None,
        }
    }
}
