//! Shell command lines, with exact byte spans: what a POSIX shell (bash) would split a
//! script into, without running anything.
//!
//! [`commands`] splits a text into simple commands and each command into words, the way the
//! shell does before it expands anything: quotes (`'...'`, `"..."`, `$'...'`), backslash
//! escapes, line continuations (`\` at the end of a line), comments, control operators (`;`,
//! `&`, `&&`, `|`, `||`, newlines, parentheses), redirections (`> out`, `2>&1`, `<<EOF` with
//! its here-document skipped). A word's value is its text after quote removal; what the shell
//! would expand (`$VAR`, `${VAR:-x}`, `$(cmd)`, `` `cmd` ``, a leading `~`) stays as written
//! but is marked unknown ([`Word::known`] gives `None` over it), and every byte of the value
//! maps back to the byte of the text that spelled it ([`Word::span_of`]). The commands inside
//! a command substitution are commands of their own (listed before the command holding them).
//!
//! Two dialects change how text reaches the shell:
//! - [`Dialect::Make`], a Makefile recipe: `$$` is the shell's `$`, `$(NAME)` and `${NAME}` are
//!   make variables (unknown), and the tab that starts a continued recipe line is not text.
//! - [`Dialect::Docker`], a Dockerfile `RUN` line: lines that are blank or comments inside a
//!   continued instruction are removed before the shell sees it.
//!
//! [`files`] finds the shell text in a Makefile or a Dockerfile, and [`parse`] gives a file's
//! commands as a [`Document`]: one string node per command, its source text as written.
//! Nothing here knows about Atlas.

mod env;
pub mod files;
mod lexer;

use super::{Document, Limits, Node, ParseError, Span, Value};

/// How the text reaches the shell (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dialect {
    /// A shell script (`*.sh`, a shebang), a CI step's script.
    Sh,
    /// A Makefile.
    Make,
    /// A Dockerfile (or Containerfile).
    Docker,
    /// An environment file (`.env`, `*.env`): `KEY=value` lines, read as a mapping (see
    /// [`env`]), not as commands: dotenv values are not shell words (`GREETING=It's here`).
    Env,
    /// A Jenkins pipeline (`Jenkinsfile`): the scripts of its `sh` steps.
    Jenkins,
    /// A Java properties file (`application.properties`): `key=value` lines, read as a
    /// mapping like [`Dialect::Env`] (see [`env::parse_properties`]).
    Properties,
}

impl Dialect {
    /// The tag [`parse`] puts on a document's root, which says how to read its commands again
    /// ([`Dialect::of_tag`]).
    pub fn tag(self) -> &'static str {
        match self {
            Dialect::Sh => "shell:sh",
            Dialect::Make => "shell:make",
            Dialect::Docker => "shell:docker",
            Dialect::Env => "shell:env",
            Dialect::Jenkins => "shell:jenkins",
            Dialect::Properties => "shell:properties",
        }
    }

    /// Whether it is a settings file read as one mapping ([`Dialect::Env`],
    /// [`Dialect::Properties`]), not commands.
    pub fn is_settings(self) -> bool {
        matches!(self, Dialect::Env | Dialect::Properties)
    }

    /// The dialect of a root tagged by [`parse`].
    pub fn of_tag(tag: &str) -> Option<Dialect> {
        [
            Dialect::Sh,
            Dialect::Make,
            Dialect::Docker,
            Dialect::Jenkins,
        ]
        .into_iter()
        .find(|d| d.tag() == tag)
    }
}

/// The POSIX-like shells: a shebang naming one makes a file a script; one run with `-c` runs
/// its command string.
pub const SHELLS: &[&str] = &["sh", "bash", "dash", "ksh", "zsh", "ash", "mksh"];

/// One word of a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The text after quote removal, expansions as written.
    pub value: String,
    /// The word as written in the text (quotes included).
    pub span: Span,
    /// `(value offset, text offset)` wherever the value stops following the text byte for
    /// byte (a quote or an escape left out): value byte `v` comes from text byte `t + (v - v0)`
    /// for the last mark `(v0, t)` with `v0 <= v`.
    marks: Vec<(u32, u32)>,
    /// Value ranges `[start, end)` that the shell would expand: unknown before it runs.
    unknown: Vec<(u32, u32)>,
}

impl Word {
    /// The whole value, when nothing in it is expanded.
    pub fn known(&self) -> Option<&str> {
        self.unknown.is_empty().then_some(self.value.as_str())
    }

    /// The part `[start, end)` of the value, when nothing in it is expanded.
    pub fn known_part(&self, start: usize, end: usize) -> Option<&str> {
        let (s, e) = (to_u32(start), to_u32(end));
        if self.unknown.iter().any(|&(a, b)| a < e && s < b) {
            return None;
        }
        self.value.get(start..end)
    }

    /// Whether the value holds an expansion.
    pub fn has_expansion(&self) -> bool {
        !self.unknown.is_empty()
    }

    /// The variable, when the whole word is one: `$NAME`, `${NAME}` (quoted or not).
    pub fn variable(&self) -> Option<&str> {
        let name = match self.value.strip_prefix("${") {
            Some(rest) => rest.strip_suffix('}')?,
            None => self.value.strip_prefix('$')?,
        };
        let simple = !name.is_empty()
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            && !name.starts_with(|c: char| c.is_ascii_digit());
        (simple && self.unknown.len() == 1).then_some(name)
    }

    /// The text offset of value byte `at` (the end of the word for the end of the value).
    fn text_offset(&self, at: usize) -> u32 {
        let at = to_u32(at);
        if at >= to_u32(self.value.len()) {
            return self.span.end;
        }
        let i = self.marks.partition_point(|&(v, _)| v <= at);
        match i.checked_sub(1).and_then(|i| self.marks.get(i)) {
            Some(&(v, t)) => t + (at - v),
            None => self.span.start,
        }
    }

    /// Where the value part `[start, end)` is spelled in the text: from the byte that spells
    /// its first value byte to just after the byte that spells its last.
    pub fn span_of(&self, start: usize, end: usize) -> Span {
        if end <= start {
            let at = self.text_offset(start);
            return Span { start: at, end: at };
        }
        // Each value byte comes from one text byte (multi-byte characters byte by byte).
        let first = self.text_offset(start);
        let last = self.text_offset(end - 1);
        Span {
            start: first,
            end: (last + 1).max(first),
        }
    }
}

/// A simple command: its words (assignments before the command name included; redirections
/// left out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub words: Vec<Word>,
    /// From the first word to the last.
    pub span: Span,
    /// How many command substitutions hold it (0: a command of the script itself).
    pub depth: u32,
}

/// Deepest nesting of command substitutions read as commands; deeper ones are skipped whole
/// (as unknown values).
const MAX_DEPTH: u32 = 32;

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The commands of `text[start..end]` (offsets in spans are offsets in `text`), in order;
/// commands inside a command substitution come before the command that holds them. An
/// unterminated quote or substitution is an error at where it opens.
pub fn commands_in(
    text: &str,
    start: usize,
    end: usize,
    dialect: Dialect,
) -> Result<Vec<Command>, ParseError> {
    let end = end.min(text.len());
    lexer::run(
        text.as_bytes().get(..end).unwrap_or(&[]),
        start.min(end),
        dialect,
    )
}

/// [`commands_in`], with the spans of the here-documents' bodies.
fn commands_and_bodies_in(
    text: &str,
    start: usize,
    end: usize,
    dialect: Dialect,
) -> Result<(Vec<Command>, Vec<Span>), ParseError> {
    let end = end.min(text.len());
    lexer::run_with_bodies(
        text.as_bytes().get(..end).unwrap_or(&[]),
        start.min(end),
        dialect,
    )
}

/// The tag of the second root [`parse`] gives a file with here-documents: their bodies, text
/// (an environment file written by `cat > app.env <<EOF`), not commands.
pub const HEREDOCS_TAG: &str = "shell:heredocs";

/// The commands of `text` (see [`commands_in`]).
pub fn commands(text: &str, dialect: Dialect) -> Result<Vec<Command>, ParseError> {
    commands_in(text, 0, text.len(), dialect)
}

/// A file's commands as a document: one root, a sequence with one string node per command of
/// the script itself (not inside a substitution), whose value is the command's text as
/// written and whose span is the command's; the root's tag is the dialect's
/// ([`Dialect::tag`]). For a Makefile only recipes are read, for a Dockerfile `RUN`, `ENV` and
/// `ARG` instructions (see [`files`]).
pub fn parse(text: &str, dialect: Dialect, limits: &Limits) -> Result<Document, ParseError> {
    let mut nodes = Vec::new();
    let mut bodies = Vec::new();
    let mut push = |cmd: &Command| -> Result<(), ParseError> {
        if nodes.len() >= limits.max_nodes {
            return Err(ParseError {
                message: format!("document has more than {} nodes", limits.max_nodes),
                span: cmd.span,
            });
        }
        let source = text
            .get(cmd.span.start as usize..cmd.span.end as usize)
            .unwrap_or("");
        nodes.push(Node::new(Value::String(source.into()), cmd.span));
        Ok(())
    };
    match dialect {
        Dialect::Env => return env::parse(text, limits),
        Dialect::Properties => return env::parse_properties(text, limits),
        Dialect::Sh => {
            let (found, in_bodies) = commands_and_bodies_in(text, 0, text.len(), Dialect::Sh)?;
            for cmd in found.iter().filter(|c| c.depth == 0) {
                push(cmd)?;
            }
            bodies.extend(in_bodies);
        }
        Dialect::Jenkins => {
            // Groovy's interpolation can leave a step's text no shell would take: that step is
            // passed over, not the file.
            for piece in files::jenkins_steps(text) {
                if let Ok((found, in_bodies)) =
                    commands_and_bodies_in(text, piece.start, piece.end, piece.dialect)
                {
                    for cmd in found.iter().filter(|c| c.depth == 0) {
                        push(cmd)?;
                    }
                    bodies.extend(in_bodies);
                }
            }
        }
        Dialect::Make | Dialect::Docker => {
            let pieces = if dialect == Dialect::Make {
                files::make_recipes(text)
            } else {
                files::docker_instructions(text)
            };
            for piece in pieces {
                let (found, in_bodies) =
                    commands_and_bodies_in(text, piece.start, piece.end, piece.dialect)?;
                for cmd in found.iter().filter(|c| c.depth == 0) {
                    push(cmd)?;
                }
                bodies.extend(in_bodies);
            }
        }
    }
    let mut root = Node::new(Value::Seq(nodes), Span::new(0, text.len()));
    root.tag = Some(dialect.tag().into());
    let mut roots = vec![root];
    // Here-documents' bodies: a second root of their texts (see [`HEREDOCS_TAG`]).
    let bodies: Vec<Node> = bodies
        .into_iter()
        .take(limits.max_nodes)
        .map(|span| {
            let body = text
                .get(span.start as usize..span.end as usize)
                .unwrap_or("");
            Node::new(Value::String(body.into()), span)
        })
        .collect();
    if let (Some(first), Some(last)) = (bodies.first(), bodies.last()) {
        let span = Span::new(first.span.start as usize, last.span.end as usize);
        let mut heredocs = Node::new(Value::Seq(bodies), span);
        heredocs.tag = Some(arcstr::literal!(HEREDOCS_TAG));
        roots.push(heredocs);
    }
    Ok(Document {
        roots,
        warnings: Vec::new(),
        aliased: Vec::new(),
    })
}

#[cfg(test)]
mod tests;
