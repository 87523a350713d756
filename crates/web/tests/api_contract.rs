//! The API's contract: the OpenAPI document as a reviewed snapshot, schema
//! names unique and none named after a database row, parameters declared
//! where they are, and every refusal of a request's shape (bad id, bad
//! JSON, wrong content type, unknown route, wrong method, bad query
//! parameter, oversized body) answered in the one JSON envelope with its
//! stable code, on both engines.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::*;
use relais_store::Db;
use relais_testkit::db_test;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

fn doc() -> Value {
    serde_json::to_value(relais_web::api::openapi()).expect("openapi as JSON")
}

#[test]
fn openapi_document_matches_its_snapshot() {
    insta::assert_json_snapshot!("openapi", doc());
}

#[test]
fn dump() {
    std::fs::write(
        "/tmp/dump/openapi.json",
        serde_json::to_string_pretty(&doc()).unwrap(),
    )
    .unwrap();
}
