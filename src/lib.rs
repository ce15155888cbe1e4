//! Tahto: a citizen's health decisions, saved for sure.
//!
//! Where things are:
//! - `domain/`: the citizen's decisions as plain types and their FHIR mapping (native tests).
//! - `fhir/`: FHIR resource types, the REST client, [`fhir::FhirError`].
//! - `auth/`: signing the citizen in (SMART App Launch), tokens in memory only.
//! - `save/`: the save pipeline. Every write goes through [`save`]; start reading there.
//! - `i18n/`: every user-visible string in fi, sv and en.
//! - `ui/`, `pages/`, `app`: Leptos components (browser only).

pub mod auth;
pub mod config;
pub mod domain;
pub mod embed;
pub mod fhir;
pub mod i18n;
pub mod ids;
pub mod json;
pub mod save;
pub mod sections;
pub mod text;

#[cfg(target_arch = "wasm32")]
pub mod app;
#[cfg(target_arch = "wasm32")]
pub mod context;
#[cfg(target_arch = "wasm32")]
pub mod notice_gate;
#[cfg(target_arch = "wasm32")]
pub mod pages;
#[cfg(target_arch = "wasm32")]
pub mod rest;
#[cfg(target_arch = "wasm32")]
pub mod router;
#[cfg(target_arch = "wasm32")]
pub mod ui;
#[cfg(target_arch = "wasm32")]
pub mod web;

#[cfg(target_arch = "wasm32")]
pub use app::mount;

/// Talc instead of the default dlmalloc: a few KB smaller, and faster.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();
