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
    /// Public address of Relais, for links in mail.
    pub base_url: String,
    /// SMTP relay for notifications; empty disables sending (jobs wait).
    pub smtp_host: String,
    pub smtp_port: u16,
    pub smtp_tls: bool,
    pub smtp_user: String,
    pub smtp_password: String,
    /// Sender of notifications, e.g. `Relais <support@relais.test>`.
    pub mail_from: String,
    /// Support mailbox; replies go to signed `+ticket` variants of it.
    pub reply_address: String,
    /// Secret signing reply addresses; empty: generated once into the data folder.
    pub reply_secret: String,
    /// A mail answering a ticket closed less than this many days ago
    /// reopens it; later, it opens a new ticket linked to the closed one.
    pub mail_reopen_days: i64,
    /// Longest mail text kept whole, in characters; above it the mail is
    /// held in quarantine and the sender told why.
    pub mail_max_body_chars: usize,
    /// `authserv-id` of the receiving MTA whose topmost `Authentication-Results`
    /// fields are believed (the MTA must strip incoming ones with this id);
    /// empty: DKIM is checked by Relais itself.
    pub mail_trusted_authserv_id: String,
    /// PEM private key (RSA or Ed25519) signing outgoing mail with DKIM;
    /// empty: no signature. Needs `dkim_selector` and `dkim_domain`.
    pub dkim_key_file: String,
    pub dkim_selector: String,
    pub dkim_domain: String,
    /// Reverse proxies (IP addresses) whose `X-Forwarded-For` names the
    /// client; empty: the client is the socket's peer.
    pub trusted_proxies: Vec<String>,
    /// IMAP mailboxes polled by `serve` and `relais mail-poll` (`[[imap]]`
    /// tables: host, port, tls, user, password | password_file |
    /// oauth2_token_file, folder, route, on_done, done_folder,
    /// held_folder, poll_secs, idle, ca_file).
    pub imap: Vec<relais_app::mail_poll::ImapMailbox>,
    /// Single sign-on providers, one `[[oidc]]` table each (id, display_name,
    /// issuer, client_id, client_secret, scopes, acr_values, trust_email).
    #[serde(default)]
    pub oidc: Vec<relais_app::sso::ProviderConfig>,
    /// On SIGTERM/SIGINT, how long requests in flight and the running job
    /// may take before the process exits anyway.
    pub shutdown_grace_seconds: u64,
    /// How often this node's search index looks for new changes in the
    /// change log when it is current, in milliseconds.
    #[serde(default = "default_index_poll_ms")]
    pub index_poll_ms: u64,
}

fn default_index_poll_ms() -> u64 {
    200
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("data"),
            database_url: String::new(),
            bind: "127.0.0.1:8080".into(),
            secure_cookies: true,
            log: "info,sqlx=warn".into(),
            base_url: "http://127.0.0.1:8080".into(),
            smtp_host: String::new(),
            smtp_port: 25,
            smtp_tls: false,
            smtp_user: String::new(),
            smtp_password: String::new(),
            mail_from: "Relais <support@relais.test>".into(),
            reply_address: "support@relais.test".into(),
            reply_secret: String::new(),
            mail_reopen_days: 30,
            mail_max_body_chars: 500_000,
            mail_trusted_authserv_id: String::new(),
            dkim_key_file: String::new(),
            dkim_selector: String::new(),
            dkim_domain: String::new(),
            trusted_proxies: Vec::new(),
            imap: Vec::new(),
            oidc: Vec::new(),
            shutdown_grace_seconds: 20,
            index_poll_ms: default_index_poll_ms(),
        }
    }
}

impl Config {
    /// Mail settings; the reply-address secret is created on first use and
    /// kept in the data folder (mode 0600) so signed addresses survive restarts.
    pub fn mail(&self) -> anyhow::Result<relais_app::mail_io::MailSettings> {
        self.mail_with_secret("")
    }

    /// Mail settings with a given reply-address secret (`""`: the
    /// configured or generated one), for runs that must not create files in
    /// the data folder.
    pub fn mail_with_secret(
        &self,
        given: &str,
    ) -> anyhow::Result<relais_app::mail_io::MailSettings> {
        let secret = if !given.is_empty() {
            given.to_string()
        } else if self.reply_secret.is_empty() {
            let path = self.data_dir.join("reply-secret");
            match std::fs::read_to_string(&path) {
                Ok(s) if s.trim().len() >= 32 => s.trim().to_string(),
                _ => {
                    std::fs::create_dir_all(&self.data_dir)?;
                    let s = relais_app::accounts::random_token();
                    std::fs::write(&path, &s)?;
                    #[cfg(unix)]
                    {
                        use std::os::unix::fs::PermissionsExt;
                        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
                    }
                    s
                }
            }
        } else {
            self.reply_secret.clone()
        };
        Ok(relais_app::mail_io::MailSettings {
            smtp: relais_mail::SmtpConfig {
                host: self.smtp_host.clone(),
                port: self.smtp_port,
                tls: self.smtp_tls,
                username: (!self.smtp_user.is_empty()).then(|| self.smtp_user.clone()),
                password: (!self.smtp_password.is_empty()).then(|| self.smtp_password.clone()),
                from: self.mail_from.clone(),
            },
            reply: relais_mail::ReplyAddress::new(secret.as_bytes(), &self.reply_address),
            base_url: self.base_url.clone(),
            auth: relais_app::mail_gate::MailAuth {
                trusted_authserv_id: (!self.mail_trusted_authserv_id.trim().is_empty())
                    .then(|| self.mail_trusted_authserv_id.trim().to_string()),
                dkim: Default::default(),
                signing: self.dkim_signing()?.map(std::sync::Arc::new),
            },
        })
    }

    /// The DKIM signer of outgoing mail, when a key is configured.
    fn dkim_signing(&self) -> anyhow::Result<Option<relais_mail::DkimSigning>> {
        if self.dkim_key_file.trim().is_empty() {
            return Ok(None);
        }
        if self.dkim_selector.trim().is_empty() || self.dkim_domain.trim().is_empty() {
            anyhow::bail!("dkim_key_file demande aussi dkim_selector et dkim_domain");
        }
        let pem = std::fs::read_to_string(self.dkim_key_file.trim())
            .map_err(|e| anyhow::anyhow!("clé DKIM {} : {e}", self.dkim_key_file))?;
        Ok(Some(relais_mail::DkimSigning::from_pem(
            &pem,
            &self.dkim_domain,
            &self.dkim_selector,
        )?))
    }

    /// The trusted proxies as addresses; a typo is an error at start-up,
    /// not a silently ignored proxy.
    pub fn trusted_proxies(&self) -> anyhow::Result<Vec<std::net::IpAddr>> {
        self.trusted_proxies
            .iter()
            .map(|p| {
                p.trim()
                    .parse()
                    .map_err(|_| anyhow::anyhow!("trusted_proxies : adresse IP invalide « {p} »"))
            })
            .collect()
    }

    /// The polled mailboxes, each checked (a wrong one stops start-up
    /// with its reason rather than failing quietly for ever).
    pub fn imap(&self) -> anyhow::Result<Vec<relais_app::mail_poll::ImapMailbox>> {
        for m in &self.imap {
            m.check().map_err(|e| anyhow::anyhow!(e))?;
        }
        Ok(self.imap.clone())
    }

    pub fn database_url(&self) -> String {
        if self.database_url.is_empty() {
            format!("sqlite://{}", self.data_dir.join("relais.db").display())
        } else {
            self.database_url.clone()
        }
    }
}

pub fn load(
    file: Option<&Path>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
) -> anyhow::Result<Config> {
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
