//! The page kit: the generic pieces every page is built from, so that no
//! feature page defines a type another page needs.
//!
//! A handler parses its request with [`request`] (`FormData`, `path_id`,
//! `nonempty`), calls one use case of `relais_app`, maps its error with
//! [`pe`], fills one of the page types below and answers with [`render`]
//! (or [`form_reply`] for forms: 422 when refused).
//!
//! | Need                                   | Type / function                     |
//! |----------------------------------------|-------------------------------------|
//! | a filtered, paginated list             | [`ListPage`], [`ListQuery`], [`pager`] |
//! | a create/edit form                     | [`FormPage`], [`IntroFormPage`]     |
//! | a record with facts and tables         | [`DetailPage`], [`Section`]         |
//! | a record with buttons and action rows  | [`ActionPage`], [`Action`], [`ActionTable`], [`SmallForm`] |
//! | a page of titled sections with a chart | [`SectionsPage`], [`Sect`], [`bar_chart`] |
//! | a user's Markdown                      | [`render_markdown`]                 |
//! | a change history                       | [`history_table`]                   |
//! | an upload, a download               | [`files`]                           |
//! | select choices (institutions, products), the agency-only institution filter | [`institution_options`], [`product_options`], [`institution_filter`] |
//! | dates in Paris time                    | [`fr_datetime`], [`paris`]          |
//!
//! The layout (`Base`), tables (`Table`, `Cell`), fields and flash messages
//! live in [`crate::view`].

pub mod actions;
pub mod chart;
pub mod detail;
pub mod files;
pub mod form;
pub mod history;
pub mod institution_360;
pub mod lang;
pub mod list;
pub mod markdown;
pub mod options;
pub mod relation;
pub mod reply;
pub mod request;
pub mod sections;
pub mod time;

pub use actions::{
    Action, ActionPage, ActionRow, ActionTable, AttendanceForm, AttendanceRow, SmallForm,
};
pub use chart::{bar_chart, described_bar_chart};
pub use detail::{DetailPage, Section};
pub use form::{FormPage, IntroFormPage};
pub use history::{history_section, history_table};
pub use lang::search_kind_label;
pub use list::{pager, ListPage, ListQuery, PAGE_SIZE};
pub use markdown::render_markdown;
pub use options::{institution_filter, institution_options, product_options};
pub use reply::{form_reply, pe, render};
pub use request::{nonempty, path_id, FormData};
pub use sections::{PageForm, Sect, SectionsPage};
pub use time::{fr_datetime, paris};
