//! The identity preflight uses for Key Vault: a chain of the Azure SDK's credentials,
//! tried in a fixed order, each under a time limit.
//!
//! 1. **Environment**: a client secret from `AZURE_TENANT_ID`, `AZURE_CLIENT_ID` and
//!    `AZURE_CLIENT_SECRET` (`AZURE_AUTHORITY_HOST` for other clouds).
//! 2. **Workload identity**: `AZURE_FEDERATED_TOKEN_FILE` with the tenant and client ids
//!    (Kubernetes).
//! 3. **Managed identity** where the platform announces it (`IDENTITY_ENDPOINT` or
//!    `MSI_ENDPOINT`: App Service, Functions, Container Apps).
//! 4. **Developer tools**: the Azure CLI (`az login`), then the Azure Developer CLI.
//! 5. **Managed identity** through the virtual machine metadata endpoint, last because
//!    off Azure it can only time out.
//!
//! `AZURE_TOKEN_CREDENTIALS` narrows the chain like the other Azure SDKs: `dev`
//! (developer tools), `prod` (environment, workload and managed identity), or one name
//! (`EnvironmentCredential`, `WorkloadIdentityCredential`, `ManagedIdentityCredential`,
//! `AzureCliCredential`, `AzureDeveloperCliCredential`).
//!
//! A configured environment or workload identity that is rejected ends the chain with
//! its error, rather than falling through to an identity the user did not mean.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use azure_core::credentials::{AccessToken, TokenCredential, TokenRequestOptions};
use azure_core::error::ErrorKind;
use azure_core::http::ClientOptions;
use azure_identity::{
    AzureCliCredential, AzureDeveloperCliCredential, ClientAssertionCredentialOptions,
    ClientSecretCredential, ClientSecretCredentialOptions, ManagedIdentityCredential,
    ManagedIdentityCredentialOptions, UserAssignedId, WorkloadIdentityCredential,
    WorkloadIdentityCredentialOptions,
};

use crate::config::EnvVars;

/// The time one credential may take to produce a token.
const PER_SOURCE: Duration = Duration::from_secs(10);

/// The metadata endpoint answers at once on Azure; elsewhere it only times out.
const IMDS_LIMIT: Duration = Duration::from_secs(2);

/// One link of the chain.
struct Link {
    name: &'static str,
    credential: Result<Arc<dyn TokenCredential>, String>,
    limit: Duration,
    /// A rejection ends the chain (the user configured this identity on purpose).
    decisive: bool,
}

/// The credential chain (see the module documentation).
pub struct Chain {
    links: Vec<Link>,
    /// Why some credentials were left out, for the error when none works.
    left_out: Vec<String>,
}

impl fmt::Debug for Chain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.links.iter().map(|l| l.name))
            .finish()
    }
}

/// Which credentials `AZURE_TOKEN_CREDENTIALS` allows.
fn allowed(vars: &EnvVars, name: &str) -> bool {
    const DEV: [&str; 2] = ["AzureCliCredential", "AzureDeveloperCliCredential"];
    match vars.get("AZURE_TOKEN_CREDENTIALS").map(str::trim) {
        None | Some("") => true,
        Some(choice) if choice.eq_ignore_ascii_case("dev") => DEV.contains(&name),
        Some(choice) if choice.eq_ignore_ascii_case("prod") => !DEV.contains(&name),
        Some(choice) => choice.eq_ignore_ascii_case(name),
    }
}

impl Chain {
    /// The chain for these environment variables; HTTP goes through `client_options`.
    pub fn from_environment(vars: &EnvVars, client_options: ClientOptions) -> Chain {
        super::install_crypto_provider();
        let var = |name: &str| vars.get(name).filter(|v| !v.is_empty()).map(str::to_string);
        let mut chain = Chain {
            links: Vec::new(),
            left_out: Vec::new(),
        };
        let options = || {
            let mut options = client_options.clone();
            if let Some(host) = var("AZURE_AUTHORITY_HOST") {
                let mut custom = azure_core::cloud::CustomConfiguration::default();
                custom.authority_host = host;
                options.cloud = Some(Arc::new(custom.into()));
            }
            options
        };
        let error = |e: azure_core::Error| crate::base::diagnostic::error_chain(&e);

        let (tenant, client) = (var("AZURE_TENANT_ID"), var("AZURE_CLIENT_ID"));
        if allowed(vars, "EnvironmentCredential") {
            match (&tenant, &client, var("AZURE_CLIENT_SECRET")) {
                (Some(tenant), Some(client), Some(secret)) => chain.links.push(Link {
                    name: "environment (AZURE_CLIENT_SECRET)",
                    credential: ClientSecretCredential::new(
                        tenant,
                        client.clone(),
                        secret.into(),
                        Some(ClientSecretCredentialOptions {
                            client_options: options(),
                        }),
                    )
                    .map(|c| c as Arc<dyn TokenCredential>)
                    .map_err(error),
                    limit: PER_SOURCE,
                    decisive: true,
                }),
                _ => chain.left_out.push(
                    "environment: AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET are not all set"
                        .to_string(),
                ),
            }
        }
        if allowed(vars, "WorkloadIdentityCredential") {
            match (&tenant, &client, var("AZURE_FEDERATED_TOKEN_FILE")) {
                (Some(tenant), Some(client), Some(file)) => chain.links.push(Link {
                    name: "workload identity",
                    credential: WorkloadIdentityCredential::new(Some(
                        WorkloadIdentityCredentialOptions {
                            credential_options: ClientAssertionCredentialOptions {
                                client_options: options(),
                            },
                            client_id: Some(client.clone()),
                            tenant_id: Some(tenant.clone()),
                            token_file_path: Some(PathBuf::from(file)),
                        },
                    ))
                    .map(|c| c as Arc<dyn TokenCredential>)
                    .map_err(error),
                    limit: PER_SOURCE,
                    decisive: true,
                }),
                _ => chain
                    .left_out
                    .push("workload identity: AZURE_FEDERATED_TOKEN_FILE is not set".to_string()),
            }
        }
        let managed = || Link {
            name: "managed identity",
            credential: ManagedIdentityCredential::new(Some(ManagedIdentityCredentialOptions {
                user_assigned_id: client.clone().map(UserAssignedId::ClientId),
                client_options: options(),
            }))
            .map(|c| c as Arc<dyn TokenCredential>)
            .map_err(error),
            limit: PER_SOURCE,
            decisive: false,
        };
        let platform = var("IDENTITY_ENDPOINT").is_some() || var("MSI_ENDPOINT").is_some();
        let use_managed = allowed(vars, "ManagedIdentityCredential");
        if use_managed && platform {
            chain.links.push(managed());
        }
        if allowed(vars, "AzureCliCredential") {
            chain.links.push(Link {
                name: "Azure CLI",
                credential: AzureCliCredential::new(None)
                    .map(|c| c as Arc<dyn TokenCredential>)
                    .map_err(error),
                limit: PER_SOURCE,
                decisive: false,
            });
        }
        if allowed(vars, "AzureDeveloperCliCredential") {
            chain.links.push(Link {
                name: "Azure Developer CLI",
                credential: AzureDeveloperCliCredential::new(None)
                    .map(|c| c as Arc<dyn TokenCredential>)
                    .map_err(error),
                limit: PER_SOURCE,
                decisive: false,
            });
        }
        if use_managed && !platform {
            chain.links.push(Link {
                limit: IMDS_LIMIT,
                ..managed()
            });
        }
        chain
    }

    /// The names of the credentials that will be tried, in order.
    pub fn names(&self) -> Vec<&'static str> {
        self.links.iter().map(|l| l.name).collect()
    }
}

#[async_trait::async_trait]
impl TokenCredential for Chain {
    async fn get_token(
        &self,
        scopes: &[&str],
        options: Option<TokenRequestOptions<'_>>,
    ) -> azure_core::Result<AccessToken> {
        let mut tried = Vec::new();
        for link in &self.links {
            let credential = match &link.credential {
                Ok(c) => c,
                Err(reason) => {
                    tried.push(format!("{}: {reason}", link.name));
                    continue;
                }
            };
            let attempt =
                tokio::time::timeout(link.limit, credential.get_token(scopes, options.clone()))
                    .await;
            match attempt {
                Ok(Ok(token)) => return Ok(token),
                Ok(Err(e)) if link.decisive => {
                    return Err(azure_core::Error::with_message(
                        ErrorKind::Credential,
                        format!(
                            "{} was rejected: {}",
                            link.name,
                            crate::base::diagnostic::error_chain(&e)
                        ),
                    ));
                }
                Ok(Err(e)) => tried.push(format!("{}: {}", link.name, first_line(&e))),
                Err(_) => tried.push(format!(
                    "{}: no token within {} s",
                    link.name,
                    link.limit.as_secs()
                )),
            }
        }
        tried.extend(self.left_out.iter().cloned());
        Err(azure_core::Error::with_message(
            ErrorKind::Credential,
            format!(
                "no Azure identity available (sign in with `az login`, or set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET): {}",
                tried.join("; ")
            ),
        ))
    }
}

/// The first line of an error: CLI credentials quote whole tool outputs.
fn first_line(e: &azure_core::Error) -> String {
    let text = crate::base::diagnostic::error_chain(e);
    text.lines().next().unwrap_or_default().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(vars: &[(&str, &str)]) -> Vec<&'static str> {
        let vars: EnvVars = vars.iter().copied().collect();
        Chain::from_environment(&vars, ClientOptions::default()).names()
    }

    #[test]
    fn orders_the_chain_by_what_is_configured() {
        assert_eq!(
            chain(&[]),
            ["Azure CLI", "Azure Developer CLI", "managed identity"]
        );
        assert_eq!(
            chain(&[
                ("AZURE_TENANT_ID", "t"),
                ("AZURE_CLIENT_ID", "c"),
                ("AZURE_CLIENT_SECRET", "s"),
                ("IDENTITY_ENDPOINT", "http://127.0.0.1:1"),
            ]),
            [
                "environment (AZURE_CLIENT_SECRET)",
                "managed identity",
                "Azure CLI",
                "Azure Developer CLI"
            ]
        );
    }

    #[test]
    fn azure_token_credentials_narrows_the_chain() {
        assert_eq!(
            chain(&[("AZURE_TOKEN_CREDENTIALS", "dev")]),
            ["Azure CLI", "Azure Developer CLI"]
        );
        assert_eq!(
            chain(&[("AZURE_TOKEN_CREDENTIALS", "prod")]),
            ["managed identity"]
        );
        assert!(chain(&[("AZURE_TOKEN_CREDENTIALS", "EnvironmentCredential")]).is_empty());
    }
}
