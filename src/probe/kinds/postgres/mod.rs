//! The PostgreSQL probe kinds, one module each; what they share (parameters, targets,
//! sessions) is in [`crate::probe::shared::postgres`].

pub mod code;
pub mod connect;
pub mod hba;
pub mod locations;
pub mod login_rejected;
pub mod privileges;
pub mod roles;
pub mod settings;
pub mod tls;
