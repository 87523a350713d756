//! A real SMTP server for mail tests: `crates/mail/tests/smtp_sink.py`
//! (aiosmtpd, installed by scripts/test.sh) on a free loopback port, each
//! received message written as a file in `dir`. Stopped and cleaned on drop.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

pub struct SmtpSink {
    child: Child,
    /// The loopback port it listens on.
    pub port: u16,
    /// Where each received message is written.
    pub dir: PathBuf,
}

impl SmtpSink {
    /// Starts the server and waits for its `READY` line.
    pub fn start() -> SmtpSink {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .expect("port")
            .local_addr()
            .expect("addr")
            .port();
        let dir = std::env::temp_dir().join(format!("relais-smtp-{}-{port}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let script =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../mail/tests/smtp_sink.py");
        let mut child =
            Command::new(std::env::var("RELAIS_TEST_PYTHON").unwrap_or_else(|_| "python3".into()))
                .arg(script)
                .arg(port.to_string())
                .arg(&dir)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn()
                .expect("python3 for the SMTP test server (scripts/test.sh installs aiosmtpd)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("ready");
        assert_eq!(line.trim(), "READY", "aiosmtpd did not start");
        SmtpSink { child, port, dir }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
