//! Configuration: defaults, then `relais.toml`, then `RELAIS_*` environment
//! variables, then command-line flags. Secrets (the database URL may hold a
//! password) are never logged.

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Config {
    /// Folder for the SQLite database and other local files.
    pub data_dir: PathBuf,
    /// Empty means SQLite in `data_dir`.
    pub database_url: String,
    /// Address to listen on.
    pub bind: String,
    /// `__Host-` Secure cookies (keep on unless behind plain http on a
    /// non-loopback address, which is not supported for production).
    pub secure_cookies: bool,
    /// Log filter (tracing EnvFilter syntax).
    pub log: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("data"),
            database_url: String::new(),
            bind: "127.0.0.1:8080".into(),
            secure_cookies: true,
            log: "info,sqlx=warn".into(),
        }
    }
}

impl Config {
    pub fn database_url(&self) -> String {
        if self.database_url.is_empty() {
            format!("sqlite://{}", self.data_dir.join("relais.db").display())
        } else {
            self.database_url.clone()
        }
    }
}

pub fn load(file: Option<&Path>, data_dir: Option<PathBuf>, database_url: Option<String>) -> anyhow::Result<Config> {
    let mut fig = Figment::from(Serialized::defaults(Config::default()));
    match file {
        Some(f) => {
            if !f.exists() {
                anyhow::bail!("fichier de configuration introuvable : {}", f.display());
            }
            fig = fig.merge(Toml::file(f));
        }
        None => fig = fig.merge(Toml::file("relais.toml")),
    }
    fig = fig.merge(Env::prefixed("RELAIS_"));
    if let Some(d) = data_dir {
        fig = fig.merge(Serialized::default("data_dir", d));
    }
    if let Some(u) = database_url {
        fig = fig.merge(Serialized::default("database_url", u));
    }
    Ok(fig.extract()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_override_environment_and_defaults() {
        let c = load(None, Some("/tmp/x".into()), None).expect("config");
        assert_eq!(c.database_url(), "sqlite:///tmp/x/relais.db");
        let c = load(None, None, Some("postgres://h/db".into())).expect("config");
        assert_eq!(c.database_url(), "postgres://h/db");
    }
}
