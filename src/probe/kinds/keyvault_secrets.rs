//! `keyvault-secrets`: the named secrets exist in an Azure Key Vault, are enabled, are
//! valid now, and (with `max_age`) were updated within the rotation window.
//!
//! It lists the vault's secret metadata (`GET /secrets`, following `nextLink`) and never
//! reads a value. Without a `vault` parameter it uses the vault that the production
//! environment's credentials come from, then `AZURE_KEYVAULT_URL`; with none of those
//! the probe is skipped.

use std::sync::Arc;
use time::OffsetDateTime;

use crate::base::duration::HumanDuration;
use crate::base::timestamp::Timestamp;
use crate::checklist::params::{ParamError, ParamSpec, ParamType, Params};
use crate::config::VaultUrl;
use crate::probe::catalog::KindInfo;
use crate::probe::{Evidence, Probe, ProbeContext, ProbeFuture, ProbeOutcome};
use crate::system::keyvault::{SecretMeta, unusable};

/// The guide's secrets.
/// The kind's catalog entry.
pub const KIND: KindInfo = KindInfo {
    name: "keyvault-secrets",
    summary: "Named secrets exist in Azure Key Vault, enabled, not expired, and updated within the rotation window (metadata only).",
    params: &[
        ParamSpec {
            name: "vault",
            ty: ParamType::String,
            required: false,
            default: None,
            doc: "The vault: https://NAME.vault.azure.net or NAME. Default: the vault the production credentials come from, else AZURE_KEYVAULT_URL.",
        },
        ParamSpec {
            name: "secrets",
            ty: ParamType::StringList,
            required: false,
            default: Some("[\"db-host\", \"db-port\", \"db-name\", \"db-user\", \"db-password\"]"),
            doc: "The secret names that must exist; `[]` checks only that the vault can be listed.",
        },
        ParamSpec {
            name: "max_age",
            ty: ParamType::Duration,
            required: false,
            default: None,
            doc: "Each secret must have been updated within this window, e.g. \"90d\".",
        },
    ],
    build: |p| Ok(Arc::new(KeyVaultSecretsProbe::from_params(p)?)),
};

/// The configured probe.
#[derive(Debug)]
pub struct KeyVaultSecretsProbe {
    vault: Option<VaultUrl>,
    secrets: Vec<String>,
    max_age: Option<HumanDuration>,
}

impl KeyVaultSecretsProbe {
    fn from_params(p: &Params) -> Result<Self, ParamError> {
        let vault = p
            .string("vault")?
            .map(|v| VaultUrl::parse(v).map_err(|e| ParamError::new("vault", e.to_string())))
            .transpose()?;
        let secrets = p.string_list_or_default("secrets")?;
        Ok(KeyVaultSecretsProbe {
            vault,
            secrets,
            max_age: p.human_duration("max_age")?,
        })
    }

    /// The vault to check and where that choice came from.
    fn vault(&self, ctx: &ProbeContext) -> Result<Option<(VaultUrl, String)>, String> {
        if let Some(vault) = &self.vault {
            return Ok(Some((vault.clone(), "the checklist".to_string())));
        }
        // The run's environment (`--env`, production by default).
        let env = &ctx.environment;
        let configured = ctx
            .config
            .environment(env, &ctx.project_dir)
            .and_then(|spec| spec.vault_secrets().into_iter().next());
        if let Some((vault, _)) = configured {
            return Ok(Some((vault, format!("the {env} environment"))));
        }
        match ctx.vars.get("AZURE_KEYVAULT_URL").filter(|v| !v.is_empty()) {
            Some(text) => VaultUrl::parse(text)
                .map(|v| Some((v, "AZURE_KEYVAULT_URL".to_string())))
                .map_err(|e| format!("AZURE_KEYVAULT_URL: {e}")),
            None => Ok(None),
        }
    }

    /// Judges the listing at `now`.
    fn judge(
        &self,
        vault: &VaultUrl,
        found: &std::collections::BTreeMap<String, SecretMeta>,
        now: OffsetDateTime,
    ) -> ProbeOutcome {
        let mut problems = Vec::new();
        let mut evidence = Vec::new();
        for name in &self.secrets {
            let Some(meta) = found.get(name) else {
                problems.push(format!("{name} missing"));
                evidence.push(Evidence::note(format!("{name}: not in the vault")));
                continue;
            };
            if let Some(problem) = unusable(meta, now) {
                problems.push(format!("{name} {problem}"));
                evidence.push(Evidence::note(format!("{name}: {problem}")));
                continue;
            }
            let changed = meta.updated.or(meta.created);
            let age = changed.map(|at| (now - at).max(time::Duration::ZERO));
            let age_text = age
                .map(|a| {
                    let a = std::time::Duration::try_from(a).unwrap_or_default();
                    format!("updated {} ago", crate::base::duration::describe_coarse(a))
                })
                .unwrap_or_else(|| "no update time".to_string());
            match (self.max_age, age) {
                (Some(max), Some(age)) if age > max.duration => {
                    problems.push(format!("{name} older than {max}"));
                    evidence.push(Evidence::note(format!(
                        "{name}: {age_text}, on {}; rotate it (limit {max})",
                        Timestamp::from_datetime(now - age).date(),
                    )));
                }
                (Some(max), None) => {
                    problems.push(format!("{name} has no update time"));
                    evidence.push(Evidence::note(format!(
                        "{name}: the vault gives no update time, so rotation within {max} cannot be shown"
                    )));
                }
                _ => {
                    let expiry = meta
                        .expires
                        .map(|at| format!(", expires {}", Timestamp::from_datetime(at).date()))
                        .unwrap_or_default();
                    evidence.push(Evidence::note(format!(
                        "{name}: enabled, {age_text}{expiry}"
                    )));
                }
            }
        }
        if self.secrets.is_empty() {
            ProbeOutcome::pass(format!("{vault} answers: {} secrets listed", found.len()))
        } else if problems.is_empty() {
            ProbeOutcome::pass(format!(
                "{} present and valid in {vault}",
                crate::probe::shared::every(self.secrets.len(), "secret", "secrets")
            ))
        } else {
            ProbeOutcome::fail(format!("{vault}: {}", problems.join(", ")))
        }
        .with_evidence(evidence)
    }
}

impl Probe for KeyVaultSecretsProbe {
    fn run(self: Arc<Self>, ctx: Arc<ProbeContext>) -> ProbeFuture {
        Box::pin(async move {
            let (vault, origin) = match self.vault(&ctx) {
                Ok(Some(found)) => found,
                Ok(None) => {
                    return ProbeOutcome::skipped(
                        "no vault configured (set `vault` on the probe, a keyvault source for production, or AZURE_KEYVAULT_URL)",
                    );
                }
                Err(e) => return ProbeOutcome::error(e),
            };
            let access = match ctx.vaults.access().await {
                Ok(access) => access,
                Err(e) => return ProbeOutcome::error(format!("cannot reach Key Vault: {e}")),
            };
            match access.list(&vault).await {
                Ok(found) => self
                    .judge(&vault, &found, OffsetDateTime::now_utc())
                    .with_evidence([Evidence::note(format!(
                        "vault {vault} (from {origin}): {} secrets listed",
                        found.len()
                    ))]),
                Err(e) => ProbeOutcome::error(e.to_string()),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;
    use std::time::Duration;
    use time::macros::datetime;

    fn probe(max_age: Option<&str>) -> KeyVaultSecretsProbe {
        KeyVaultSecretsProbe {
            vault: None,
            secrets: vec!["a".into(), "b".into()],
            max_age: max_age.map(|m| m.parse().unwrap()),
        }
    }

    fn meta(updated: OffsetDateTime) -> SecretMeta {
        SecretMeta {
            enabled: true,
            expires: None,
            not_before: None,
            created: Some(updated),
            updated: Some(updated),
        }
    }

    #[test]
    fn rotation_window_is_inclusive() {
        let now = datetime!(2026-11-22 12:00 UTC);
        let vault = VaultUrl::parse("example").unwrap();
        let window = Duration::from_secs(90 * 86_400);
        let found = BTreeMap::from([
            ("a".to_string(), meta(now - window)),
            ("b".to_string(), meta(now)),
        ]);
        let outcome = probe(Some("90d")).judge(&vault, &found, now);
        assert_eq!(
            outcome.status,
            crate::probe::ProbeStatus::Pass,
            "{outcome:?}"
        );
        let found = BTreeMap::from([
            ("a".to_string(), meta(now - window - time::Duration::SECOND)),
            ("b".to_string(), meta(now)),
        ]);
        let outcome = probe(Some("90d")).judge(&vault, &found, now);
        assert_eq!(
            outcome.summary,
            "https://example.vault.azure.net: a older than 90d"
        );
    }

    #[test]
    fn vault_urls_normalise() {
        assert_eq!(
            VaultUrl::parse("contextforge-prod-vault").unwrap().as_str(),
            "https://contextforge-prod-vault.vault.azure.net/"
        );
        assert_eq!(
            VaultUrl::parse("https://x.vault.azure.net:8443")
                .unwrap()
                .as_str(),
            "https://x.vault.azure.net:8443/"
        );
        assert!(VaultUrl::parse("http://x.vault.azure.net").is_err());
        assert!(VaultUrl::parse("https://x.vault.azure.net/secrets/a").is_err());
    }
}
