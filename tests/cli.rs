//! End to end through the real binary: exit codes, output formats, bad inputs, walking rules,
//! determinism across thread counts, and that input files are never altered.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn copydesk(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_copydesk"))
        .args(args)
        .current_dir(cwd)
        .env_remove("CI")
        .output()
        .expect("run copydesk")
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

const CLEAN: &str = "Council approves new budget\n\nThe council approved the budget on Tuesday after a long debate. Members said the plan would fund schools.\n";

#[test]
fn seeds_lint_on_a_fresh_checkout() {
    let o = copydesk(&["lint", "seeds/", "--format", "json"], root());
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json output");
    let errors = json["summary"]["errors"].as_u64().unwrap();
    assert_eq!(json["summary"]["files"], 1);
    assert_eq!(
        o.status.code(),
        Some(i32::from(errors > 0)),
        "{}",
        stderr(&o)
    );
    let human = copydesk(&["lint", "seeds/"], root());
    assert!(stdout(&human).contains("seeds/000_9b82e2ada17d45fb.txt"));
    assert!(
        stderr(&human).contains("1 file (1 document checked)"),
        "{}",
        stderr(&human)
    );
}

#[test]
fn fail_on_sets_the_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.txt",
        b"Headline here today\n\nHe walked to the the station.\n",
    );
    let p = dir.path();
    assert_eq!(
        copydesk(&["lint", "a.txt"], p).status.code(),
        Some(0),
        "warnings pass by default"
    );
    assert_eq!(
        copydesk(&["lint", "a.txt", "--fail-on", "warning"], p)
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        copydesk(&["lint", "a.txt", "--fail-on", "info"], p)
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        copydesk(
            &[
                "lint",
                "a.txt",
                "--fail-on",
                "never",
                "--select",
                "doubled-word"
            ],
            p
        )
        .status
        .code(),
        Some(0)
    );
    let o = copydesk(
        &[
            "lint",
            "a.txt",
            "--fail-on",
            "warning",
            "--ignore",
            "doubled-word",
        ],
        p,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn bad_inputs_are_reported_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    write(
        p,
        "corpus/latin1.txt",
        b"Price rise\n\nIt costs \xa3300 now.\n",
    );
    write(p, "corpus/binary.txt", b"PK\x03\x04\x00\x00\x01");
    write(p, "corpus/empty.txt", b"");
    write(p, "corpus/blank.md", b"  \n\n");
    write(p, "corpus/ok.txt", CLEAN.as_bytes());
    let o = copydesk(&["lint", "corpus", "missing-folder", "--format", "json"], p);
    assert_eq!(o.status.code(), Some(2), "a missing path is an I/O error");
    assert!(
        stderr(&o).contains("missing-folder: no such file or directory"),
        "{}",
        stderr(&o)
    );
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let diags = json["diagnostics"].as_array().unwrap();
    let find = |rule: &str| {
        diags
            .iter()
            .filter(|d| d["rule"] == rule)
            .collect::<Vec<_>>()
    };
    let utf8 = find("invalid-utf8");
    assert_eq!(utf8.len(), 1);
    assert_eq!(utf8[0]["path"], "corpus/latin1.txt");
    assert_eq!(utf8[0]["span"]["start"], 21);
    assert!(
        utf8[0]["message"]
            .as_str()
            .unwrap()
            .contains("0xA3 at offset 21")
    );
    assert_eq!(
        (
            utf8[0]["span"]["line"].as_u64(),
            utf8[0]["span"]["column"].as_u64()
        ),
        (Some(3), Some(10))
    );
    let empty: Vec<_> = find("empty-document")
        .iter()
        .map(|d| d["path"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(empty, vec!["corpus/blank.md", "corpus/empty.txt"]);
    assert_eq!(json["summary"]["files"], 5);
    assert_eq!(json["summary"]["skipped"], 2);
    assert_eq!(json["summary"]["documents"], 3);
    let human = copydesk(&["lint", "corpus"], p);
    assert!(
        stderr(&human).contains("2 skipped: 1 binary"),
        "{}",
        stderr(&human)
    );
    assert_eq!(
        human.status.code(),
        Some(1),
        "invalid UTF-8 is an error finding"
    );
}

#[test]
fn no_documents_found_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "notes.rst", b"Not linted by default\n");
    let o = copydesk(&["lint", "."], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no documents found"), "{}", stderr(&o));
    // Named explicitly, any extension is linted.
    let o = copydesk(&["lint", "notes.rst"], dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn walking_honours_ignore_files_and_config() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    for name in [
        "keep.txt",
        "b/keep.md",
        "skip-git.txt",
        "skip-cd.txt",
        "drafts/x.txt",
        "other.rst",
        ".hidden.txt",
    ] {
        write(p, name, CLEAN.as_bytes());
    }
    write(p, ".gitignore", b"skip-git.txt\n");
    write(p, ".copydeskignore", b"skip-cd.txt\n");
    write(p, "copydesk.toml", b"ignore = [\"drafts/\"]\n");
    let o = copydesk(&["lint", ".", "--format", "json"], p);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json["summary"]["files"], 2, "{}", stderr(&o));
    let o = copydesk(&["lint", ".", "--no-config", "--format", "json"], p);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(
        json["summary"]["files"], 3,
        "without the config, drafts/ is linted"
    );
}

#[test]
fn output_is_identical_whatever_the_thread_count() {
    let fixtures = root().join("tests/fixtures");
    let args = |jobs: &'static str| {
        vec![
            "lint",
            "tests/fixtures",
            "seeds",
            "--format",
            "json",
            "--jobs",
            jobs,
        ]
    };
    let one = copydesk(&args("1"), root());
    let eight = copydesk(&args("8"), root());
    assert!(fixtures.is_dir());
    assert!(!one.stdout.is_empty());
    assert_eq!(stdout(&one), stdout(&eight));
}

#[test]
fn streamed_output_spans_many_chunks_and_is_deterministic() {
    // More files than one chunk of the engine (1024), with document findings spread over all of
    // them and corpus findings (duplicate bodies) that tie the first chunk to the last.
    let dir = tempfile::tempdir().unwrap();
    let body = "The council approved the budget on Tuesday after a long debate about schools, \
                roads and the new library. Members said the plan would fund twelve new teachers, \
                repair three bridges and open the library on Sundays for the first time since \
                the town was founded, and the mayor thanked the residents who came to speak.";
    for i in 0..2500 {
        let text = if i % 500 == 0 {
            format!("Council approves budget\n\n{body}\n")
        } else {
            format!("Story number {i}\n\nReport {i} says the the river rose {i} centimetres.\n")
        };
        write(
            dir.path(),
            &format!("d{:02}/{i:05}.txt", i % 7),
            text.as_bytes(),
        );
    }
    let run = |jobs: &str| {
        copydesk(
            &[
                "lint",
                ".",
                "--format",
                "json",
                "--jobs",
                jobs,
                "--select",
                "doubled-word",
                "--select",
                "duplicate-document",
            ],
            dir.path(),
        )
    };
    let one = run("1");
    let two = run("2");
    assert_eq!(stdout(&one), stdout(&two));
    let json: serde_json::Value = serde_json::from_slice(&one.stdout).expect("json output");
    let diagnostics = json["diagnostics"].as_array().unwrap();
    let rules: Vec<&str> = diagnostics
        .iter()
        .map(|d| d["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules.iter().filter(|r| **r == "doubled-word").count(), 2495);
    assert_eq!(
        rules.iter().filter(|r| **r == "duplicate-document").count(),
        4
    );
    // Each file's findings in walk order (folders, then files, by name); corpus findings last.
    let first_corpus = rules
        .iter()
        .position(|r| *r == "duplicate-document")
        .unwrap();
    assert!(
        rules[first_corpus..]
            .iter()
            .all(|r| *r == "duplicate-document")
    );
    let paths: Vec<&str> = diagnostics[..first_corpus]
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    let mut sorted = paths.clone();
    sorted.sort_unstable();
    assert_eq!(paths, sorted);
    assert_eq!(json["summary"]["files"], 2500);
}

#[test]
fn input_files_are_never_altered() {
    let dir = tempfile::tempdir().unwrap();
    let text = "Headline words here\n\nIt was a threat.With the the end near.\n";
    write(dir.path(), "a.txt", text.as_bytes());
    for format in ["human", "json", "sarif", "github", "concise", "jsonl"] {
        copydesk(&["lint", "a.txt", "--format", format], dir.path());
    }
    assert_eq!(
        std::fs::read_to_string(dir.path().join("a.txt")).unwrap(),
        text
    );
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let body = "He saw the the end. ".repeat(20_000);
    write(
        dir.path(),
        "big.txt",
        format!("Headline words here\n\n{body}\n").as_bytes(),
    );
    let mut child = Command::new(env!("CARGO_BIN_EXE_copydesk"))
        .args(["lint", "big.txt", "--format", "concise"])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    assert!(
        !err.contains("panicked") && !err.to_lowercase().contains("broken pipe"),
        "{err}"
    );
    assert_ne!(out.status.code(), Some(101));
}

#[test]
fn config_mistakes_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "a.txt", CLEAN.as_bytes());
    write(
        dir.path(),
        "copydesk.toml",
        b"disable = [\"doubled-wrd\"]\n",
    );
    let o = copydesk(&["lint", "a.txt"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("did you mean `doubled-word`?"),
        "{}",
        stderr(&o)
    );
    let o = copydesk(
        &["lint", "a.txt", "--no-config", "--select", "doubled-wrd"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o)
            .contains("unknown rule `doubled-wrd` in --select (did you mean `doubled-word`?)"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn extra_rules_and_config_overrides_apply() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    write(
        p,
        "a.txt",
        b"Headline words here\n\nWe will utilise the tools.\n",
    );
    write(
        p,
        "house/utilise.toml",
        b"check = \"pattern\"\nseverity = \"error\"\nmessage = \"use 'use', not '{match}'\"\ndescription = \"Plain words.\"\npattern = '(?-u:\\b)utili[sz]e(?-u:\\b)'\nreplacement = 'use'\n\n[[examples]]\ntext = \"H\\n\\nutilise\"\nfindings = [\"utilise\"]\n\n[[examples]]\ntext = \"H\\n\\nuse\"\nfindings = []\n",
    );
    let o = copydesk(
        &["lint", "a.txt", "--rules", "house", "--format", "json"],
        p,
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let d = &json["diagnostics"][0];
    assert_eq!(d["rule"], "utilise");
    assert_eq!(d["fix"]["edits"][0]["replacement"], "use");
    write(
        p,
        "copydesk.toml",
        b"rule-dirs = [\"house\"]\n[rules.utilise]\nseverity = \"info\"\n",
    );
    let o = copydesk(&["lint", "a.txt", "--format", "json"], p);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(json["diagnostics"][0]["severity"], "info");
}

#[test]
fn rules_and_explain() {
    let o = copydesk(&["rules", "--format", "json"], root());
    let rules: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let ids: Vec<&str> = rules
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    for id in [
        "doubled-word",
        "duplicate-document",
        "invalid-utf8",
        "empty-document",
        "internal-error",
    ] {
        assert!(ids.contains(&id), "{id} missing from {ids:?}");
    }
    let dd = rules
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "duplicate-document")
        .unwrap();
    assert_eq!(dd["scope"], "corpus");
    assert_eq!(dd["source"], "rules/duplicate-document.toml (built in)");
    let o = copydesk(&["explain", "missing-space-after-period"], root());
    let text = stdout(&o);
    assert!(
        text.contains("check:     pattern")
            && text.contains("Examples:")
            && text.contains("pattern = "),
        "{text}"
    );
    let o = copydesk(&["explain", "doubled-word"], root());
    let text = stdout(&o);
    assert!(
        text.contains("check:     repetition")
            && text.contains("words = [\"the\", ")
            && text.contains("ignore-case = true"),
        "{text}"
    );
    let o = copydesk(&["explain", "doubled-wrod"], root());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("did you mean `doubled-word`?"));
}

#[test]
fn standard_input_is_linted_under_the_given_name() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_copydesk"))
        .args([
            "lint",
            "-",
            "--stdin-filename",
            "notes/draft.md",
            "--format",
            "concise",
            "--no-config",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all(b"# Budget passes\n\nThe council passed the the budget.\n")
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        stdout(&out),
        "notes/draft.md:3:20: warning[doubled-word]: doubled word 'the the'\n",
        "{}",
        stderr(&out)
    );
}

#[test]
fn statistics_count_findings_per_rule() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.txt",
        b"Headline words here\n\nThe the end. And and so on. It was over.Then the the rest.\n",
    );
    let o = copydesk(
        &["lint", "a.txt", "--statistics", "--no-config"],
        dir.path(),
    );
    assert_eq!(
        stdout(&o),
        "      3  warning  doubled-word\n      1  warning  missing-space-after-period\n"
    );
}

#[test]
fn suppression_directives_silence_findings() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.txt",
        b"Headline words here\n\n<!-- copydesk-disable-next-line doubled-word -->\nThe the end.\n\nAnd and so on.\n",
    );
    let o = copydesk(
        &["lint", "a.txt", "--format", "concise", "--no-config"],
        dir.path(),
    );
    assert_eq!(
        stdout(&o),
        "a.txt:6:1: warning[doubled-word]: doubled word 'And and'\n"
    );
}

#[test]
fn a_baseline_hides_known_findings_and_reports_fixed_ones() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    write(
        p,
        "a.txt",
        b"Headline words here\n\nThe the end. It was a threat.With more.\n",
    );
    let o = copydesk(
        &[
            "lint",
            "a.txt",
            "--no-config",
            "--write-baseline",
            "base.json",
        ],
        p,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // An edit above the known findings moves them; a new one appears.
    write(p, "a.txt", b"Headline words here\n\nA new first line and and more.\n\nThe the end. It was a threat.With more.\n");
    let args = [
        "lint",
        "a.txt",
        "--no-config",
        "--baseline",
        "base.json",
        "--format",
        "concise",
        "--fail-on",
        "warning",
    ];
    let o = copydesk(&args, p);
    assert_eq!(
        stdout(&o),
        "a.txt:3:18: warning[doubled-word]: doubled word 'and and'\n"
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("baseline: 2 known finding(s) hidden"),
        "{}",
        stderr(&o)
    );
    // Fixing a known finding makes its entry stale.
    write(
        p,
        "a.txt",
        b"Headline words here\n\nThe end. It was a threat.With more.\n",
    );
    let o = copydesk(&args, p);
    assert_eq!(stdout(&o), "");
    assert!(
        stderr(&o).contains("1 entry no longer found"),
        "{}",
        stderr(&o)
    );
}

fn with_stdin(args: &[&str], cwd: &Path, input: &[u8]) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_copydesk"))
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn regression_stdin_is_decoded_like_a_file_and_needs_a_dash() {
    let dir = tempfile::tempdir().unwrap();
    let o = with_stdin(
        &["lint", "-", "--format", "concise", "--no-config"],
        dir.path(),
        b"Headline words\n\nPrice \xa3300 the the.\n",
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("error[invalid-utf8]: file is not valid UTF-8: byte 0xA3 at offset 22"),
        "{}",
        stdout(&o)
    );
    let o = with_stdin(
        &["lint", "--stdin-filename", "a.md", "--no-config"],
        dir.path(),
        b"x",
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("add `-` to the paths"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn regression_stdin_replaces_the_walked_file_of_the_same_name() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "d/a.txt",
        b"Headline words here\n\nThe the saved text.\n",
    );
    let args = [
        "lint",
        "d",
        "-",
        "--stdin-filename",
        "d/a.txt",
        "--format",
        "concise",
        "--no-config",
    ];
    let o = with_stdin(
        &args,
        dir.path(),
        b"Headline words here\n\n\n\nThe unsaved buffer and and more.\n",
    );
    assert_eq!(
        stdout(&o),
        "d/a.txt:5:20: warning[doubled-word]: doubled word 'and and'\n"
    );
}

#[test]
fn regression_one_file_named_two_ways_is_linted_once() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "d/a.txt",
        b"Headline words here\n\nThe the end.\n",
    );
    let o = copydesk(
        &["lint", "./d", "d", "--format", "concise", "--no-config"],
        dir.path(),
    );
    assert_eq!(
        stdout(&o),
        "d/a.txt:3:1: warning[doubled-word]: doubled word 'The the'\n"
    );
}

#[test]
fn regression_a_baseline_is_not_written_when_files_could_not_be_read() {
    let dir = tempfile::tempdir().unwrap();
    let o = copydesk(
        &[
            "lint",
            "missing",
            "--write-baseline",
            "b.json",
            "--no-config",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(!dir.path().join("b.json").exists());
}
