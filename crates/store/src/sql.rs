//! A tiny builder for queries whose WHERE clause depends on filters: it
//! numbers `$n` placeholders itself, since sqlx's QueryBuilder would emit the
//! placeholder style of the `Any` driver rather than of the engine behind it.

use sqlx::any::AnyArguments;
use sqlx::Arguments;

#[derive(Debug, Clone)]
pub enum Arg {
    Text(String),
    Int(i64),
    NullText,
    NullInt,
}

#[derive(Debug, Default)]
pub struct Sql {
    pub sql: String,
    args: Vec<Arg>,
}

impl Sql {
    pub fn new(head: &str) -> Self {
        Sql {
            sql: head.to_string(),
            args: Vec::new(),
        }
    }
    pub fn push(&mut self, s: &str) -> &mut Self {
        self.sql.push_str(s);
        self
    }
    /// Appends a placeholder bound to `arg`.
    pub fn bind(&mut self, arg: Arg) -> &mut Self {
        self.args.push(arg);
        self.sql.push('$');
        self.sql.push_str(&self.args.len().to_string());
        self
    }
    pub fn bind_text(&mut self, s: impl Into<String>) -> &mut Self {
        self.bind(Arg::Text(s.into()))
    }
    pub fn bind_int(&mut self, n: i64) -> &mut Self {
        self.bind(Arg::Int(n))
    }
    pub fn arguments(&self) -> AnyArguments<'static> {
        let mut a = AnyArguments::default();
        for arg in &self.args {
            // Adding to AnyArguments only fails for unsupported types, which
            // this closed enum never produces.
            let _ = match arg {
                Arg::Text(s) => a.add(s.clone()),
                Arg::Int(n) => a.add(*n),
                Arg::NullText => a.add(Option::<String>::None),
                Arg::NullInt => a.add(Option::<i64>::None),
            };
        }
        a
    }
}
