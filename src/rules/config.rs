//! The project config, `copydesk.toml`: found by walking up from the current directory (or
//! given with `--config`). It adds rule folders, overrides rules by id, disables rules, chooses
//! file extensions and ignores paths.
//!
//! ```toml
//! rule-dirs = ["house-rules"]          # relative to this file
//! extensions = ["txt", "md"]
//! ignore = ["drafts/", "*.tmp.txt"]    # gitignore syntax, relative to this file
//! disable = ["doubled-word"]
//!
//! [rules.headline-mismatch]
//! severity = "warning"
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use toml::Spanned;
use toml::de::DeValue;

use super::{
    ConfigError, FileId, Override, TomlFiles, did_you_mean, leak, parse_table, wrong_type,
};

pub const CONFIG_FILE: &str = "copydesk.toml";
const KEYS: &[&str] = &["rule-dirs", "extensions", "ignore", "disable", "rules"];

#[derive(Debug, Clone)]
pub struct Config {
    /// The config file, when one was read.
    pub file: Option<FileId>,
    pub path: Option<PathBuf>,
    /// Extra rule folders, resolved against the config's folder.
    pub rule_dirs: Vec<PathBuf>,
    /// File extensions linted when walking folders.
    pub extensions: Vec<String>,
    /// Gitignore-style patterns, relative to `root`.
    pub ignore: Vec<String>,
    /// The folder holding the config file.
    pub root: Option<PathBuf>,
    pub disable: Vec<Spanned<String>>,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            file: None,
            path: None,
            rule_dirs: Vec::new(),
            extensions: vec!["txt".into(), "md".into()],
            ignore: Vec::new(),
            root: None,
            disable: Vec::new(),
        }
    }
}

/// The nearest `copydesk.toml` in `from` or one of its ancestors.
pub fn discover(from: &Path) -> Option<PathBuf> {
    from.ancestors()
        .map(|d| d.join(CONFIG_FILE))
        .find(|p| p.is_file())
}

pub(super) fn load(
    path: &Path,
    files: &mut TomlFiles,
    errors: &mut Vec<ConfigError>,
) -> (Config, BTreeMap<String, Override>) {
    let mut config = Config::default();
    let mut overrides = BTreeMap::new();
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            errors.push(ConfigError::unplaced(format!(
                "cannot read config `{}`: {e}",
                path.display()
            )));
            return (config, overrides);
        }
    };
    let file = files.add(path.display().to_string(), leak(text));
    config.file = Some(file);
    config.path = Some(path.to_path_buf());
    let dir = path
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let dir = if dir.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        dir
    };
    config.root = Some(dir.clone());

    let table = match parse_table(files, file) {
        Ok(t) => t.into_inner(),
        Err(e) => {
            errors.push(e);
            return (config, overrides);
        }
    };
    for (key, value) in table {
        match key.get_ref().as_ref() {
            "rule-dirs" => {
                config.rule_dirs = strings(file, &value, errors)
                    .into_iter()
                    .map(|s| dir.join(s.get_ref()))
                    .collect();
            }
            "extensions" => {
                config.extensions = strings(file, &value, errors)
                    .into_iter()
                    .map(|s| s.into_inner().trim_start_matches('.').to_string())
                    .collect();
            }
            "ignore" => {
                config.ignore = strings(file, &value, errors)
                    .into_iter()
                    .map(Spanned::into_inner)
                    .collect();
            }
            "disable" => config.disable = strings(file, &value, errors),
            "rules" => match value.into_inner() {
                DeValue::Table(rules) => {
                    for (id, body) in rules {
                        let span = id.span();
                        match body.get_ref() {
                            DeValue::Table(_) => {
                                let DeValue::Table(t) = body.into_inner() else {
                                    unreachable!()
                                };
                                overrides.insert(id.get_ref().to_string(), (file, span, t));
                            }
                            _ => errors.push(wrong_type(
                                file,
                                &body,
                                "a table of settings for this rule",
                            )),
                        }
                    }
                }
                other => errors.push(wrong_type(
                    file,
                    &Spanned::new(key.span(), other),
                    "a table of `[rules.<id>]` tables",
                )),
            },
            other => {
                let mut e = ConfigError::new(file, key.span(), format!("unknown key `{other}`"))
                    .label("not a copydesk.toml setting");
                if let Some(s) = did_you_mean(other, KEYS.iter().copied()) {
                    e = e.note(format!("did you mean `{s}`?"));
                }
                errors.push(e.note(format!("valid keys: {}", KEYS.join(", "))));
            }
        }
    }
    (config, overrides)
}

fn strings(
    file: FileId,
    value: &Spanned<DeValue<'static>>,
    errors: &mut Vec<ConfigError>,
) -> Vec<Spanned<String>> {
    let Some(items) = value.get_ref().as_array() else {
        errors.push(wrong_type(file, value, "an array of strings"));
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        match item.get_ref().as_str() {
            Some(s) => out.push(Spanned::new(item.span(), s.to_string())),
            None => errors.push(wrong_type(file, item, "a string")),
        }
    }
    out
}
