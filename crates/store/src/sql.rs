//! A tiny builder for queries whose WHERE clause depends on filters: it
//! numbers `$n` placeholders itself, since sqlx's QueryBuilder would emit the
//! placeholder style of the `Any` driver rather than of the engine behind it.

use crate::{Conn, Result, StoreError};
use sqlx::any::AnyArguments;
use sqlx::Arguments;
use sqlx::FromRow;

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

// Query helpers shared by the store modules (same on both engines).

/// An optional text argument (NULL when absent).
pub(crate) fn opt(v: &Option<String>) -> Arg {
    v.clone().map(Arg::Text).unwrap_or(Arg::NullText)
}

pub(crate) fn bind_list(q: &mut Sql, args: Vec<Arg>) {
    for (i, a) in args.into_iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.bind(a);
    }
}

pub(crate) async fn exec(c: &mut Conn, q: &Sql) -> Result<u64> {
    Ok(sqlx::query_with(&q.sql, q.arguments())
        .execute(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?
        .rows_affected())
}

pub(crate) async fn fetch_all<T>(c: &mut Conn, q: &Sql) -> Result<Vec<T>>
where
    T: for<'r> FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    sqlx::query_as_with::<_, T, _>(&q.sql, q.arguments())
        .fetch_all(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)
}

pub(crate) async fn fetch_one<T>(c: &mut Conn, q: &Sql) -> Result<T>
where
    T: for<'r> FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    sqlx::query_as_with::<_, T, _>(&q.sql, q.arguments())
        .fetch_optional(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?
        .ok_or(StoreError::NotFound)
}

pub(crate) async fn count(c: &mut Conn, q: &Sql) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as_with(&q.sql, q.arguments())
        .fetch_one(&mut *c)
        .await
        .map_err(StoreError::from_sqlx)?;
    Ok(n)
}
