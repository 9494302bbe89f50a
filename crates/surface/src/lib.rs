//! The analyst's surface over what detectors find: incidents, the HTTP API and dashboard
//! (`vigie serve`), STIX 2.1, GEXF and CSV exports, and HTML case reports. Everything here is
//! generic over [`vigie_core::Alert`]: a new detector's alerts appear with no change.

pub mod graph;
pub mod html;
pub mod incidents;
pub mod report;
pub mod stix;
pub mod table;
pub mod web;
