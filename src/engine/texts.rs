//! The texts reporting needs: kept only for files with findings or directives, read again at
//! the end of a run, and never stale.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use super::{Options, map_maybe_parallel};
use crate::document::{self, Span};
use crate::outcome::Outcome;
use crate::source;

/// A digest of a file's text, to tell whether it changed before it is read again (not
/// against an adversary: someone who can rewrite the file can change the findings anyway).
/// FxHash's mixing over 8-byte words: a fraction of SipHash's cost on every spec read.
pub(super) fn digest(text: &str) -> u64 {
    const K: u64 = 0x517c_c1b7_2722_0a95;
    let bytes = text.as_bytes();
    let mut h = (bytes.len() as u64).wrapping_mul(K);
    let mut words = bytes.chunks_exact(8);
    for w in &mut words {
        let mut buf = [0u8; 8];
        buf.copy_from_slice(w);
        h = (h.rotate_left(5) ^ u64::from_le_bytes(buf)).wrapping_mul(K);
    }
    for &b in words.remainder() {
        h = (h.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
    }
    h
}

/// The files a finding is reported in: its place, where the value is used, its labels.
fn files_of(f: &crate::rules::Finding) -> impl Iterator<Item = u32> + '_ {
    std::iter::once(f.loc.file)
        .chain(f.used_at.as_deref().map(|l| l.file))
        .chain(f.related.iter().map(|l| l.loc.file))
}

/// Keep the texts that reporting needs, and only those: the files with findings (with fixes,
/// unless [`Options::all_texts`]) or `atlasgov-lint:` directives (the filtering stage reports
/// on those) and the config file.
/// Files on disk were not kept while the run went on (that would hold every spec of a
/// monorepo in memory at once): they are read again here, and a file that changed in the
/// meantime (its digest differs) is reported without snippets rather than with wrong ones.
pub(super) fn load_texts(outcome: &mut Outcome, digests: &HashMap<u32, u64>, options: &Options) {
    let directives = outcome.directives.iter().map(|d| d.loc.file);
    // foldhash: a report can hold tens of thousands of findings, each hashed here.
    let with_findings = || -> foldhash::HashSet<u32> {
        outcome
            .findings
            .iter()
            .flat_map(files_of)
            .chain(directives.clone())
            .collect()
    };
    let mut needed = if options.all_texts {
        with_findings()
    } else {
        // Only what fixes edit: the files of findings with fixes, and the files their edits
        // are in (where those have findings: the texts a fix could always resolve against).
        let mut fixed = outcome
            .findings
            .iter()
            .filter_map(|f| Some((f, f.fix.as_ref()?)))
            .peekable();
        let mut needed = foldhash::HashSet::default();
        if fixed.peek().is_some() {
            let with_findings = with_findings();
            needed.extend(
                fixed
                    .flat_map(|(f, fix)| files_of(f).chain(fix.edits.iter().map(|e| e.loc.file)))
                    .filter(|file| with_findings.contains(file)),
            );
        }
        needed.extend(directives);
        needed
    };
    needed.extend(outcome.config_file);
    outcome.texts.retain(|file, _| needed.contains(file));
    let missing: Vec<(u32, u64)> = needed
        .iter()
        .filter(|file| !outcome.texts.contains_key(file))
        .filter_map(|file| Some((*file, *digests.get(file)?)))
        .collect();
    let reread = map_maybe_parallel(&missing, |_, &(file, expected)| {
        let text = options.read(outcome.path(file)).ok()?;
        (digest(&text) == expected).then(|| (file, Arc::from(text)))
    });
    outcome.texts.extend(reread.into_iter().flatten());
    // Secrets travel with the texts that may be shown.
    let texts = &outcome.texts;
    outcome.secrets.retain(|file, _| texts.contains_key(file));
}

/// Where the secrets of a text that the per-file pass did not parse are (a file only a
/// multi-file step read, the config file): `None` when it does not parse (reporters then read
/// its text).
pub(super) fn secrets_of_text(path: &Path, text: &str, options: &Options) -> Option<Vec<Span>> {
    if !options.secrets {
        return None;
    }
    let syntax = source::kind_for(path, text).syntax;
    let doc = document::parse(text, syntax, &options.limits).ok()?;
    Some(super::ingest::secrets_of(&doc, text, syntax))
}

#[cfg(test)]
mod text_tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::super::{check_inputs, file_id};
    use super::*;
    use crate::source::walk;

    const AZURE: &str = r#"{"name": "a", "clusterType": "REPLICASET", "replicationSpecs": [{"regionConfigs": [{"providerName": "AZURE", "regionName": "US_GOV_WEST_1", "priority": 7, "electableSpecs": {"instanceSize": "M30", "nodeCount": 3}}]}]}"#;
    const GOV: &str = r#"{"name": "b", "clusterType": "REPLICASET", "replicationSpecs": [{"regionConfigs": [{"providerName": "AWS", "regionName": "US_GOV_WEST_1", "priority": 7, "electableSpecs": {"instanceSize": "M30", "nodeCount": 3}}]}]}"#;

    #[test]
    fn texts_are_kept_only_for_files_with_findings_and_never_stale() {
        let dir = tempfile::tempdir().unwrap();
        let bad = dir.path().join("bad.json");
        std::fs::write(&bad, AZURE).unwrap();
        std::fs::write(dir.path().join("good.json"), GOV).unwrap();
        let options = Options::default();
        let (inputs, _) = walk::collect(&[dir.path().to_path_buf()]);
        let outcome = check_inputs(&inputs, &[], &options);
        let bad_id = outcome
            .files
            .iter()
            .position(|f| f.path == bad)
            .map(file_id)
            .unwrap();
        assert!(!outcome.findings.is_empty());
        assert!(outcome.findings.iter().all(|f| f.loc.file == bad_id));
        // The clean file's text is not kept; the violating one is read again, unchanged.
        assert_eq!(
            outcome.texts.keys().copied().collect::<Vec<_>>(),
            vec![bad_id]
        );
        assert_eq!(outcome.text(bad_id), Some(AZURE));

        // A file that changed after it was checked gets no text (no wrong snippet).
        let mut stale = outcome;
        stale.texts.clear();
        load_texts(
            &mut stale,
            &HashMap::from([(bad_id, digest(GOV))]),
            &options,
        );
        assert_eq!(stale.text(bad_id), None);
        load_texts(
            &mut stale,
            &HashMap::from([(bad_id, digest(AZURE))]),
            &options,
        );
        assert_eq!(stale.text(bad_id), Some(AZURE));
        // One changed byte anywhere changes the digest.
        for i in 0..AZURE.len() {
            let mut changed = AZURE.as_bytes().to_vec();
            changed[i] ^= 1;
            let changed = String::from_utf8(changed).unwrap();
            assert_ne!(digest(&changed), digest(AZURE), "byte {i}");
        }
        assert_ne!(digest("a"), digest("a\0"));
    }
}
