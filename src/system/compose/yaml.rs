//! Compose YAML read into a small tree with positions, from the parser's events.
//!
//! Small on purpose: a node is its position and its text, items or entries, so a
//! Compose file's tree takes a few times the file's size, not the hundreds a general
//! YAML document model takes. Anchors and aliases are expanded and merge keys (`<<`)
//! applied as Compose does, within a budget: a file whose aliases would expand beyond
//! [`Budget`] is refused ("excessive aliasing", as compose-go says), so a few hundred
//! bytes cannot grow into gigabytes. Nesting deeper than [`MAX_DEPTH`] is refused too
//! (the tree is walked recursively).
//!
//! Plain scalars are read with YAML 1.2's core schema where Compose cares: `null`,
//! `~` and nothing are null; `true`/`false` in any case are booleans (written
//! `true`/`false`); integers in decimal, hex (`0x`) and octal (`0o`) are written in
//! decimal. Everything else keeps its text. Compose's merge tags (`!reset`, `!override`)
//! are kept on the node ([`Tag`]) for the merge to apply; other tags are ignored.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle, Span};

/// How deep a document may nest.
pub const MAX_DEPTH: usize = 200;

/// One node of the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// One-based line where it starts.
    pub line: u32,
    /// One-based column where it starts.
    pub col: u32,
    /// Compose's merge tag on it, if any.
    pub tag: Tag,
    /// Which file it was written in, for a tree put together from several files: an
    /// index the tree's owner gives meaning to (0: the file that was parsed).
    pub origin: u16,
    /// What it holds.
    pub data: Data,
}

/// Compose's merge tags: how a value merges into the one it overrides or extends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tag {
    /// No tag: lists are appended, anything else replaced.
    #[default]
    None,
    /// `!reset`: the key is removed, in this file and from what it overrides.
    Reset,
    /// `!override`: the value replaces what it overrides, lists included.
    Override,
}

impl Tag {
    fn of(tag: Option<&saphyr_parser::Tag>) -> Tag {
        match tag {
            Some(t) if t.handle == "!" && t.suffix == "reset" => Tag::Reset,
            Some(t) if t.handle == "!" && t.suffix == "override" => Tag::Override,
            _ => Tag::None,
        }
    }
}

/// What a node holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Data {
    /// Null (`~`, `null`, nothing).
    Null,
    /// A scalar's text (see the module documentation for plain scalars).
    Scalar(Box<str>),
    /// A sequence's items.
    Seq(Vec<Node>),
    /// A mapping's entries, in file order, merge keys applied.
    Map(Vec<(Node, Node)>),
}

/// Why a text is not YAML this module reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    /// One-based line.
    pub line: usize,
    /// One-based column.
    pub col: usize,
    /// What is wrong.
    pub message: String,
}

/// How many nodes a document may expand to, counting every copy an alias or a merge
/// key makes: four per event of the text, and at least 100,000.
pub struct Budget;

impl Budget {
    fn for_events(events: usize) -> usize {
        events.saturating_mul(4).max(100_000)
    }
}

impl Node {
    fn new(span: &Span, data: Data) -> Node {
        Node {
            line: u32::try_from(span.start.line()).unwrap_or(u32::MAX),
            col: u32::try_from(span.start.col() + 1).unwrap_or(u32::MAX),
            tag: Tag::None,
            origin: 0,
            data,
        }
    }

    /// How many nodes this one is (itself and everything inside).
    fn count(&self) -> usize {
        1 + match &self.data {
            Data::Seq(items) => items.iter().map(Node::count).sum(),
            Data::Map(entries) => entries.iter().map(|(k, v)| k.count() + v.count()).sum(),
            _ => 0,
        }
    }

    /// The scalar's text, if it is one.
    pub fn text(&self) -> Option<&str> {
        match &self.data {
            Data::Scalar(s) => Some(s),
            _ => None,
        }
    }
}

/// A collection being built.
enum Frame {
    Seq {
        start: Node,
        anchor: usize,
        items: Vec<Node>,
    },
    Map {
        start: Node,
        anchor: usize,
        entries: Vec<(Node, Node)>,
        key: Option<Node>,
        /// Scalar keys seen so far, with their lines: a second one is an error, as
        /// in go-yaml (and so in Compose).
        seen: HashMap<String, usize>,
    },
}

/// Reads a plain scalar with the core schema (see the module documentation).
fn plain(text: &str) -> Data {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Data::Null,
        "true" | "True" | "TRUE" => return Data::Scalar("true".into()),
        "false" | "False" | "FALSE" => return Data::Scalar("false".into()),
        _ => {}
    }
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.strip_prefix('+').unwrap_or(text)),
    };
    let parsed = if let Some(hex) = digits.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok()
    } else if let Some(octal) = digits.strip_prefix("0o") {
        i64::from_str_radix(octal, 8).ok()
    } else if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse::<i64>().ok()
    } else {
        None
    };
    match parsed {
        Some(n) if sign == "-" => Data::Scalar(format!("-{n}").into()),
        Some(n) => Data::Scalar(n.to_string().into()),
        None => Data::Scalar(text.into()),
    }
}

/// Applies merge keys to a mapping's entries: keys written in the mapping win, then
/// earlier merged mappings over later ones.
fn merge(entries: Vec<(Node, Node)>) -> Result<Vec<(Node, Node)>, String> {
    if !entries.iter().any(|(k, _)| k.text() == Some("<<")) {
        return Ok(entries);
    }
    let mut own = Vec::with_capacity(entries.len());
    let mut merged = Vec::new();
    for (k, v) in entries {
        if k.text() == Some("<<") {
            match v.data {
                Data::Seq(items) => merged.extend(items),
                _ => merged.push(v),
            }
        } else {
            own.push((k, v));
        }
    }
    for source in merged {
        match source.data {
            Data::Map(extra) => {
                for (k, v) in extra {
                    let present = own
                        .iter()
                        .any(|(known, _): &(Node, Node)| known.data == k.data);
                    if !present {
                        own.push((k, v));
                    }
                }
            }
            Data::Null => {}
            _ => return Err("a merge key (`<<`) must name a mapping".to_string()),
        }
    }
    Ok(own)
}

/// The first document of `text` as a tree; `None` for an empty stream.
pub fn parse(text: &str) -> Result<Option<Node>, YamlError> {
    Ok(parse_documents(text)?.into_iter().next())
}

/// Every document of `text` (Compose reads them all and merges them), a leading
/// byte-order mark ignored.
///
/// go-yaml and libyaml accept a flow collection's closing `]` or `}` at the indent of
/// the key that opened it (getsentry/self-hosted writes `test: [` … `]` so); the parser
/// used here calls that invalid indentation. Such a line is indented one more space and
/// the text read again, at most [`MAX_FLOW_FIXES`] times.
pub fn parse_documents(text: &str) -> Result<Vec<Node>, YamlError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut fixed: Option<String> = None;
    for _ in 0..=MAX_FLOW_FIXES {
        let current = fixed.as_deref().unwrap_or(text);
        match parse_stream(current) {
            Err(e) if e.message.contains("invalid indentation") => {
                let lines: Vec<&str> = current.split('\n').collect();
                let Some(bad) = e.line.checked_sub(1).and_then(|i| lines.get(i)) else {
                    return Err(e);
                };
                if !bad.trim_start().starts_with([']', '}']) {
                    return Err(e);
                }
                let mut out = String::with_capacity(current.len() + 1);
                for (i, line) in lines.iter().enumerate() {
                    if i > 0 {
                        out.push('\n');
                    }
                    if i + 1 == e.line {
                        out.push(' ');
                    }
                    out.push_str(line);
                }
                fixed = Some(out);
            }
            other => return other,
        }
    }
    parse_stream(fixed.as_deref().unwrap_or(text))
}

/// How many closing brackets [`parse_documents`] re-indents before giving up.
const MAX_FLOW_FIXES: usize = 16;

/// [`parse_documents`] without the leniency.
fn parse_stream(text: &str) -> Result<Vec<Node>, YamlError> {
    let mut parser = Parser::new_from_str(text);
    let mut documents: Vec<Node> = Vec::new();
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, Node> = HashMap::new();
    let mut events = 0usize;
    let mut nodes = 0usize;
    let error = |span: &Span, message: String| YamlError {
        line: span.start.line(),
        col: span.start.col() + 1,
        message,
    };
    while let Some(next) = parser.next_event() {
        let (event, span) = next.map_err(|e| YamlError {
            line: e.marker().line(),
            col: e.marker().col() + 1,
            message: format!("invalid YAML: {}", e.info()),
        })?;
        events += 1;
        let (node, anchor) = match event {
            Event::StreamStart | Event::DocumentStart(_) | Event::Nothing | Event::DocumentEnd => {
                continue;
            }
            Event::StreamEnd => break,
            Event::Scalar(value, style, anchor, tag) => {
                let keep = tag.as_ref().is_some_and(|t| t.suffix == "str");
                let data = if style == ScalarStyle::Plain && !keep {
                    plain(&value)
                } else {
                    Data::Scalar(value.as_ref().into())
                };
                let mut node = Node::new(&span, data);
                node.tag = Tag::of(tag.as_deref());
                (node, anchor)
            }
            Event::Alias(id) => {
                let Some(target) = anchors.get(&id) else {
                    return Err(error(&span, "an alias names no anchor".to_string()));
                };
                nodes = nodes.saturating_add(target.count());
                if nodes > Budget::for_events(events) {
                    return Err(error(
                        &span,
                        "excessive aliasing: the aliases expand to far more than the file holds"
                            .to_string(),
                    ));
                }
                (target.clone(), 0)
            }
            Event::SequenceStart(anchor, ref tag) | Event::MappingStart(anchor, ref tag) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(error(
                        &span,
                        format!("nested more than {MAX_DEPTH} levels deep"),
                    ));
                }
                let mut start = Node::new(&span, Data::Null);
                start.tag = Tag::of(tag.as_deref());
                stack.push(if matches!(event, Event::SequenceStart(..)) {
                    Frame::Seq {
                        start,
                        anchor,
                        items: Vec::new(),
                    }
                } else {
                    Frame::Map {
                        start,
                        anchor,
                        entries: Vec::new(),
                        key: None,
                        seen: HashMap::new(),
                    }
                });
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Frame::Seq {
                    start,
                    anchor,
                    items,
                }) => (
                    Node {
                        data: Data::Seq(items),
                        ..start
                    },
                    anchor,
                ),
                Some(Frame::Map {
                    start,
                    anchor,
                    entries,
                    ..
                }) => {
                    let entries = merge(entries).map_err(|m| error(&span, m))?;
                    (
                        Node {
                            data: Data::Map(entries),
                            ..start
                        },
                        anchor,
                    )
                }
                None => return Err(error(&span, "unbalanced YAML".to_string())),
            },
        };
        nodes = nodes.saturating_add(1);
        if anchor > 0 {
            nodes = nodes.saturating_add(node.count());
            anchors.insert(anchor, node.clone());
        }
        if nodes > Budget::for_events(events) {
            return Err(error(
                &span,
                "excessive aliasing: the aliases expand to far more than the file holds"
                    .to_string(),
            ));
        }
        match stack.last_mut() {
            None => documents.push(node),
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries, key, seen, ..
            }) => match key.take() {
                None => {
                    if let Some(text) = node.text().filter(|t| *t != "<<")
                        && let Some(first) = seen.insert(text.to_string(), node.line as usize)
                    {
                        return Err(error(
                            &span,
                            format!("duplicate key `{text}` (first at line {first})"),
                        ));
                    }
                    *key = Some(node);
                }
                Some(k) => entries.push((k, node)),
            },
        }
    }
    Ok(documents)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(text: &str) -> Node {
        parse(text).unwrap().unwrap()
    }

    fn get<'a>(node: &'a Node, key: &str) -> &'a Node {
        match &node.data {
            Data::Map(entries) => {
                &entries
                    .iter()
                    .find(|(k, _)| k.text() == Some(key))
                    .unwrap()
                    .1
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn reads_scalars_as_compose_does() {
        let r = root(
            "a: ~\nb: True\nc: 0x1538\nd: \"0x1538\"\ne: 5434:5432\nf: !!str 007\ng: 0o17\nh: -3\ni:\n",
        );
        assert_eq!(get(&r, "a").data, Data::Null);
        assert_eq!(get(&r, "b").text(), Some("true"));
        assert_eq!(get(&r, "c").text(), Some("5432"));
        assert_eq!(get(&r, "d").text(), Some("0x1538"));
        assert_eq!(get(&r, "e").text(), Some("5434:5432"));
        assert_eq!(get(&r, "f").text(), Some("007"));
        assert_eq!(get(&r, "g").text(), Some("15"));
        assert_eq!(get(&r, "h").text(), Some("-3"));
        assert_eq!(get(&r, "i").data, Data::Null);
        assert_eq!((get(&r, "e").line, get(&r, "e").col), (5, 4));
    }

    #[test]
    fn merge_keys_let_own_keys_win_and_earlier_sources_over_later() {
        let r = root(
            "x: &x {image: a, ports: [p]}\ny: &y {image: b, user: u}\ns:\n  <<: [*x, *y]\n  image: own\n",
        );
        let s = get(&r, "s");
        assert_eq!(get(s, "image").text(), Some("own"));
        assert_eq!(get(s, "user").text(), Some("u"));
        match &get(s, "ports").data {
            Data::Seq(items) => assert_eq!(items[0].text(), Some("p")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn an_alias_bomb_is_refused_quickly() {
        let mut text = String::from("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        let mut previous = 'a';
        for name in "bcdefghi".chars() {
            let aliases = vec![format!("*{previous}"); 9].join(", ");
            text.push_str(&format!("{name}: &{name} [{aliases}]\n"));
            previous = name;
        }
        let started = std::time::Instant::now();
        let e = parse(&text).unwrap_err();
        assert!(e.message.starts_with("excessive aliasing"), "{e:?}");
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }

    #[test]
    fn deep_nesting_is_refused() {
        // Block mappings, one level per line: ours to refuse.
        let text: String = (0..300)
            .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
            .collect();
        let e = parse(&text).unwrap_err();
        assert!(e.message.contains("nested more than 200"), "{e:?}");
        // Flow collections: the parser's own limit.
        assert!(parse(&"[".repeat(10_000)).is_err());
    }
}
