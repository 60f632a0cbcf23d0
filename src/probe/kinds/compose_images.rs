//! `compose-images`: every image in the project's Compose files is pinned: a tag that
//! is not `latest`, or a digest (`@sha256:...`, which passes whatever the tag says).
//! A service without `image:` is built locally and is listed, not judged.

use std::sync::Arc;

use crate::base::pathglob::PathGlobs;
use crate::checklist::params::{ParamError, Params};
use crate::probe::catalog::KindInfo;
use crate::probe::shared::compose::{FILES_PARAM, load_compose_files};
use crate::probe::shared::holds_secret;
use crate::probe::{BlockingProbe, Evidence, ProbeContext, ProbeOutcome};
use crate::system::compose::scalar_text;

/// The kind's catalog entry.
pub const KIND: KindInfo = KindInfo {
    name: "compose-images",
    summary: "Every image in the Compose files is pinned: a tag other than `latest`, or a digest.",
    params: &[FILES_PARAM],
    build: |p| Ok(Arc::new(ComposeImagesProbe::from_params(p)?)),
};

/// The configured probe.
#[derive(Debug)]
pub struct ComposeImagesProbe {
    files: PathGlobs,
}

impl ComposeImagesProbe {
    fn from_params(p: &Params) -> Result<Self, ParamError> {
        Ok(ComposeImagesProbe {
            files: p.globs_or_default("files")?,
        })
    }
}

/// How an image reference is pinned.
#[derive(Debug, PartialEq, Eq)]
pub enum Pin {
    /// `name@sha256:...`: immutable.
    Digest,
    /// `name:tag` with a tag other than `latest`.
    Tag(String),
    /// `name:latest`.
    Latest,
    /// `name` alone, which means `latest`.
    Missing,
}

/// How `reference` (`[registry[:port]/]name[:tag][@digest]`) is pinned.
pub fn pin(reference: &str) -> Pin {
    if reference.contains('@') {
        return Pin::Digest;
    }
    let last = reference.rsplit('/').next().unwrap_or(reference);
    match last.split_once(':') {
        Some((_, "latest")) => Pin::Latest,
        Some((_, tag)) if !tag.is_empty() => Pin::Tag(tag.to_string()),
        _ => Pin::Missing,
    }
}

impl BlockingProbe for ComposeImagesProbe {
    fn check(&self, ctx: &ProbeContext) -> ProbeOutcome {
        let (files, mut problems) = match load_compose_files(ctx, &self.files) {
            Ok(loaded) => loaded,
            Err(skipped) => return skipped,
        };
        let mut bad = Vec::new();
        let mut good = Vec::new();
        let mut images = 0;
        for file in &files {
            for service in &file.services {
                let Some(node) = service.get("image") else {
                    if service.get("build").is_some() {
                        good.push(Evidence::note(format!(
                            "{}: service `{}` is built from source (no image to pin)",
                            file.file, service.name
                        )));
                    }
                    continue;
                };
                images += 1;
                let (source, line, column) = file.at(node);
                let written = scalar_text(node).unwrap_or_default();
                let image = match file.variables.interpolate(&written) {
                    Ok(image) => image,
                    Err(e) => {
                        problems.push(Evidence::at(
                            source,
                            line,
                            column,
                            format!("service `{}`: {e}", service.name),
                        ));
                        continue;
                    }
                };
                let shown = if image == written {
                    format!("`{image}`")
                } else if holds_secret(&image) {
                    format!("`{written}` (resolved value hidden: it holds a secret)")
                } else {
                    format!("`{written}` (= `{image}`)")
                };
                let at = |message: String| Evidence::at(source, line, column, message);
                match pin(&image) {
                    Pin::Digest => good.push(at(format!("service `{}`: {shown} pinned by digest", service.name))),
                    Pin::Tag(tag) => good.push(at(format!("service `{}`: {shown} pinned to tag {tag}", service.name))),
                    Pin::Latest => bad.push(at(format!(
                        "service `{}`: {shown} uses `latest`, which changes under you: pin a version (`postgres:16.4`) or a digest",
                        service.name
                    ))),
                    Pin::Missing => bad.push(at(format!(
                        "service `{}`: {shown} has no tag, which means `latest`: pin a version or a digest",
                        service.name
                    ))),
                }
            }
        }
        let checked = images;
        if !bad.is_empty() {
            ProbeOutcome::fail(format!(
                "{} of {checked} image{} not pinned",
                bad.len(),
                if checked == 1 { "" } else { "s" }
            ))
            .with_evidence(bad.into_iter().chain(problems).chain(good))
        } else if !problems.is_empty() {
            ProbeOutcome::error(format!(
                "{} Compose file(s) could not be read",
                problems.len()
            ))
            .with_evidence(problems.into_iter().chain(good))
        } else if checked == 0 {
            ProbeOutcome::skipped("no service names an `image:` (services built from source only)")
                .with_evidence(good)
        } else {
            ProbeOutcome::pass(format!("all {checked} images pinned")).with_evidence(good)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_reference_form() {
        assert_eq!(pin("postgres"), Pin::Missing);
        assert_eq!(pin("postgres:latest"), Pin::Latest);
        assert_eq!(pin("postgres:16.4"), Pin::Tag("16.4".into()));
        assert_eq!(pin("registry.local:5000/team/postgres"), Pin::Missing);
        assert_eq!(
            pin("registry.local:5000/team/postgres:16"),
            Pin::Tag("16".into())
        );
        assert_eq!(pin("postgres:latest@sha256:0123abcd"), Pin::Digest);
        assert_eq!(pin("postgres@sha256:0123abcd"), Pin::Digest);
    }
}
