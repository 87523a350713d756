//! CSV import and export of institutions and contacts.
