//! The request id: every response carries `x-request-id` (an incoming
//! well-formed one is kept, a malformed one replaced), and a log line
//! emitted inside a handler carries the id, through the request span.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::*;
use std::io::Write;
use std::sync::{Arc, Mutex};
use tower::ServiceExt;

/// A tracing writer into a shared buffer.
#[derive(Clone, Default)]
struct Buf(Arc<Mutex<Vec<u8>>>);

impl Write for Buf {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Buf {
    type Writer = Buf;
    fn make_writer(&'a self) -> Buf {
        self.clone()
    }
}

fn header(r: &axum::response::Response) -> String {
    r.headers()
        .get("x-request-id")
        .expect("x-request-id")
        .to_str()
        .expect("ascii")
        .to_string()
}

#[tokio::test]
async fn responses_carry_the_request_id_header() {
    let t = relais_testkit::TestDb::sqlite().await;
    let router = router(t.db.clone());
    let res = router
        .clone()
        .oneshot(Request::get("/connexion").body(Body::empty()).expect("req"))
        .await
        .expect("res");
    assert_eq!(res.status(), StatusCode::OK);
    let made = header(&res);
    assert!(!made.is_empty());
    // A proxy's well-formed id is kept.
    let res = router
        .clone()
        .oneshot(
            Request::get("/route-inconnue")
                .header("x-request-id", "proxy-42.abc_DEF")
                .body(Body::empty())
                .expect("req"),
        )
        .await
        .expect("res");
    assert_eq!(header(&res), "proxy-42.abc_DEF");
    // A malformed one is replaced.
    let res = router
        .oneshot(
            Request::get("/connexion")
                .header("x-request-id", "a b<script>")
                .body(Body::empty())
                .expect("req"),
        )
        .await
        .expect("res");
    let got = header(&res);
    assert_ne!(got, "a b<script>");
    assert!(got.bytes().all(|b| b.is_ascii_alphanumeric()), "{got}");
}

#[tokio::test]
async fn a_log_line_inside_a_handler_carries_the_request_id() {
    let buf = Buf::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(buf.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let router = axum::Router::new()
        .route(
            "/t",
            axum::routing::get(|| async {
                tracing::info!("inside the handler");
                "ok"
            }),
        )
        .layer(axum::middleware::from_fn(relais_web::error::request_id));
    let res = router
        .clone()
        .oneshot(Request::get("/t").body(Body::empty()).expect("req"))
        .await
        .expect("res");
    let id = header(&res);
    let res = router
        .oneshot(
            Request::get("/t")
                .header("x-request-id", "from-the-proxy-7")
                .body(Body::empty())
                .expect("req"),
        )
        .await
        .expect("res");
    assert_eq!(header(&res), "from-the-proxy-7");
    let logs = String::from_utf8(buf.0.lock().expect("lock").clone()).expect("utf8");
    let lines: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains("inside the handler"))
        .collect();
    assert_eq!(lines.len(), 2, "{logs}");
    assert!(lines[0].contains(&format!("request_id={id}")), "{logs}");
    assert!(lines[1].contains("request_id=from-the-proxy-7"), "{logs}");
}
