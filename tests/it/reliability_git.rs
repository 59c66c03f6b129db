//! Team collaboration through git: a study repository is cloned by two coders and a person
//! refining the codebook; each works on their own clone, commits, pulls and pushes; everything
//! merges without a conflict, the merged study checks clean, and `thema agree` compares both
//! coders. Then the coders pick up the refined codebook and carry on.
//!
//! Skipped (with a message) when `git` is not installed, unless `CI` is set: then it fails.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use thema::study::Study;

const LW7: &str = "[Interview with LW7, first year]\n\nInterviewer: How are referrals going?\n\n[00:01:10] LW7: Honestly the referrals are a mixed bag. Some people come to us in a housing crisis and we cannot fix that in twelve weeks.\n\nInterviewer: And transport?\n\nLW7: The 42 bus stops at six, so the lunch club in Ashby is out of reach for half my clients.\n";
const V3: &str = "Interviewer: Why did you volunteer?\n\nV3: After my wife died I needed somewhere to be on a Tuesday. Befriending gave me that. The training was long but the other volunteers made it worth it.\n";

struct Team {
    _dir: tempfile::TempDir,
    home: PathBuf,
    base: PathBuf,
}

impl Team {
    fn path(&self, name: &str) -> PathBuf {
        self.base.join(name)
    }

    /// Runs git in `dir` with no global or system configuration.
    fn git(&self, dir: &Path, args: &[&str]) -> Output {
        let out = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("HOME", &self.home)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {} in {}: {}{}",
            args.join(" "),
            dir.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// Runs git in `dir` and returns its output whether or not it succeeded.
    fn try_git(&self, dir: &Path, args: &[&str]) -> Output {
        Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("HOME", &self.home)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    /// Runs thema inside a clone, as the person whose `git config user.name` it has.
    fn thema(&self, dir: &Path, args: &[&str]) -> Output {
        let out = Command::new(env!("CARGO_BIN_EXE_thema"))
            .args(args)
            .current_dir(dir)
            .env("HOME", &self.home)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env_remove("THEMA_CODER")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "thema {} in {}: {}{}",
            args.join(" "),
            dir.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// Clones the shared repository as `person`, with their name set in the clone only.
    fn clone(&self, person: &str) -> PathBuf {
        let dir = self.path(person);
        self.git(
            &self.base,
            &[
                "clone",
                "-q",
                self.path("origin.git").to_str().unwrap(),
                person,
            ],
        );
        self.configure(&dir, person);
        dir
    }

    fn configure(&self, dir: &Path, person: &str) {
        self.git(dir, &["config", "user.name", person]);
        self.git(
            dir,
            &["config", "user.email", &format!("{person}@example.org")],
        );
        self.git(dir, &["config", "pull.rebase", "false"]);
    }

    /// Commits everything and shares it: pull (merge), then push.
    fn share(&self, dir: &Path, message: &str) {
        self.git(dir, &["add", "-A"]);
        self.git(dir, &["commit", "-q", "-m", message]);
        self.pull(dir);
        self.git(dir, &["push", "-q", "origin", "HEAD"]);
    }

    fn pull(&self, dir: &Path) {
        self.git(dir, &["pull", "-q", "--no-edit", "origin", "main"]);
        let unmerged = self.git(dir, &["diff", "--name-only", "--diff-filter=U"]);
        assert!(
            unmerged.stdout.is_empty(),
            "merge conflicts in {}: {}",
            dir.display(),
            String::from_utf8_lossy(&unmerged.stdout)
        );
    }
}

fn team() -> Option<Team> {
    if !git_available() {
        assert!(
            std::env::var_os("CI").is_none(),
            "git is not installed, and CI is set: this test must run in CI"
        );
        eprintln!("skipping: git is not installed");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let team = Team {
        home: dir.path().join("home"),
        base: dir.path().to_path_buf(),
        _dir: dir,
    };
    std::fs::create_dir_all(&team.home).unwrap();
    Some(team)
}

/// A shared study with two codes, committed to `origin.git`; `extra` runs before the commit.
fn shared_study(team: &Team, extra: impl FnOnce(&Path)) {
    let seed = team.path("seed");
    Study::init(&seed, "Link workers").unwrap();
    std::fs::write(seed.join("transcripts/LW7-y1.txt"), LW7).unwrap();
    team.git(&seed, &["init", "-q", "-b", "main"]);
    team.configure(&seed, "lead");
    team.thema(&seed, &["codebook", "add", "Challenges/Referrals"]);
    team.thema(&seed, &["codebook", "add", "Challenges/Transport"]);
    extra(&seed);
    team.git(&seed, &["add", "-A"]);
    team.git(&seed, &["commit", "-q", "-m", "Study"]);
    team.git(&team.base, &["clone", "-q", "--bare", "seed", "origin.git"]);
}

/// Two people rename different codes on their own clones at the same time.
fn refine_at_once(team: &Team) -> (PathBuf, Output) {
    let x = team.clone("x");
    let y = team.clone("y");
    team.thema(
        &x,
        &[
            "codebook",
            "rename",
            "Challenges/Referrals",
            "Inappropriate referrals",
        ],
    );
    team.thema(
        &y,
        &[
            "codebook",
            "rename",
            "Challenges/Transport",
            "Transport and distance",
        ],
    );
    team.share(&x, "x: rename");
    team.git(&y, &["add", "-A"]);
    team.git(&y, &["commit", "-q", "-m", "y: rename"]);
    let pulled = team.try_git(&y, &["pull", "-q", "--no-edit", "origin", "main"]);
    (y, pulled)
}

#[test]
fn concurrent_refinements_conflict_only_in_the_history_and_the_union_rule_merges_it() {
    let Some(team) = team() else { return };
    // without the union rule `thema init` writes into .gitattributes, the history conflicts
    shared_study(&team, |seed| {
        std::fs::remove_file(seed.join(".gitattributes")).unwrap();
    });
    let (y, pulled) = refine_at_once(&team);
    assert!(
        !pulled.status.success(),
        "the history log is expected to conflict"
    );
    let unmerged = team.git(&y, &["diff", "--name-only", "--diff-filter=U"]);
    assert_eq!(
        String::from_utf8_lossy(&unmerged.stdout).trim(),
        "codebooks/codebook.log.jsonl",
        "only the history conflicts; the codebook itself merges"
    );

    // with `merge=union` on the history (docs/team-workflow.md), the same work merges cleanly
    let Some(team) = self::team() else { return };
    shared_study(&team, |seed| {
        std::fs::write(
            seed.join(".gitattributes"),
            "codebooks/*.log.jsonl merge=union\n",
        )
        .unwrap();
    });
    let (y, pulled) = refine_at_once(&team);
    assert!(
        pulled.status.success(),
        "{}",
        String::from_utf8_lossy(&pulled.stderr)
    );
    let out = team.thema(&y, &["check"]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(!said.contains("error:"), "{said}");
    assert!(
        !said.contains("log.jsonl"),
        "the merged history replays to the codebook: {said}"
    );
    let study = Study::open(&y).unwrap();
    assert!(study
        .resolve_code("Challenges/Inappropriate referrals", None)
        .is_ok());
    assert!(study
        .resolve_code("Challenges/Transport and distance", None)
        .is_ok());
}

#[test]
fn temporary_files_left_by_a_crash_are_not_committed() {
    let Some(team) = team() else { return };
    shared_study(&team, |_| {});
    let r1 = team.clone("r1");
    // what a process killed between writing the temporary file and renaming it leaves behind
    std::fs::create_dir_all(r1.join("codings")).unwrap(); // git keeps no empty folder
    std::fs::write(r1.join("codings/.thema-a1b2c3.tmp"), "{\"id\":").unwrap();
    std::fs::write(r1.join("codebooks/.thema-d4e5f6.tmp"), "{").unwrap();
    let status = team.git(&r1, &["status", "--porcelain", "--untracked-files=all"]);
    assert_eq!(
        String::from_utf8_lossy(&status.stdout),
        "",
        "git sees crash debris"
    );
}

fn git_available() -> bool {
    Command::new("git")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn code(team: &Team, dir: &Path, transcript: &str, quote: &str, code: &str) {
    team.thema(dir, &["code", transcript, "--quote", quote, code]);
}

#[test]
fn two_coders_and_a_codebook_editor_merge_through_git_without_conflicts() {
    let Some(team) = team() else { return };

    // the lead sets up the study and shares it
    let seed = team.path("seed");
    Study::init(&seed, "Link workers").unwrap();
    std::fs::write(seed.join("transcripts/LW7-y1.txt"), LW7).unwrap();
    std::fs::write(seed.join("transcripts/V3.txt"), V3).unwrap();
    std::fs::write(
        seed.join("transcripts/attributes.csv"),
        "transcript,participant,role\nLW7-y1,LW7,link worker\nV3,V3,volunteer\n",
    )
    .unwrap();
    team.git(&seed, &["init", "-q", "-b", "main"]);
    team.configure(&seed, "lead");
    for path in [
        "Challenges/Referrals",
        "Challenges/Transport",
        "Volunteering/Motivation",
        "Volunteering/Training",
    ] {
        team.thema(&seed, &["codebook", "add", path]);
    }
    team.git(&seed, &["add", "-A"]);
    team.git(&seed, &["commit", "-q", "-m", "Study with first codebook"]);
    team.git(&team.base, &["clone", "-q", "--bare", "seed", "origin.git"]);

    let r1 = team.clone("r1");
    let r2 = team.clone("r2");
    let lead = team.clone("lead");

    // two coders code the same transcripts independently; the lead refines the codebook
    code(
        &team,
        &r1,
        "LW7-y1",
        "Honestly the referrals are a mixed bag.",
        "Challenges/Referrals",
    );
    code(
        &team,
        &r1,
        "LW7-y1",
        "The 42 bus stops at six",
        "Challenges/Transport",
    );
    code(
        &team,
        &r1,
        "V3",
        "After my wife died",
        "Volunteering/Motivation",
    );
    code(
        &team,
        &r1,
        "V3",
        "The training was long",
        "Volunteering/Training",
    );
    code(
        &team,
        &r2,
        "LW7-y1",
        "Some people come to us in a housing crisis",
        "Challenges/Referrals",
    );
    code(
        &team,
        &r2,
        "LW7-y1",
        "The 42 bus stops at six, so the lunch club in Ashby is out of reach",
        "Challenges/Transport",
    );
    code(
        &team,
        &r2,
        "V3",
        "Befriending gave me that.",
        "Volunteering/Motivation",
    );
    team.thema(
        &lead,
        &[
            "codebook",
            "rename",
            "Challenges/Transport",
            "Transport and distance",
            "--why",
            "meeting 1",
        ],
    );
    team.thema(
        &lead,
        &[
            "codebook",
            "add",
            "Challenges/Funding",
            "--description",
            "Money, short-term contracts",
        ],
    );
    team.thema(&lead, &["codebook", "add", "Support"]);
    team.thema(
        &lead,
        &["codebook", "move", "Volunteering/Training", "Support"],
    );
    team.thema(
        &lead,
        &[
            "codebook",
            "describe",
            "Challenges/Referrals",
            "--include",
            "who is sent and why",
        ],
    );

    // everyone shares in turn; each pull merges without a conflict
    team.share(&r1, "r1: first coding pass");
    team.share(&r2, "r2: first coding pass");
    team.share(&lead, "Codebook: meeting 1 refinements");
    team.pull(&r1);
    team.pull(&r2);

    for clone in [&r1, &r2, &lead] {
        let out = team.thema(clone, &["check"]);
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(!said.contains("error:"), "{said}");
        let study = Study::open(clone).unwrap();
        assert_eq!(study.layer("r1").unwrap().len(), 4);
        assert_eq!(study.layer("r2").unwrap().len(), 3);
        assert_eq!(
            study.code_path(&study.layer("r1").unwrap()[1].code),
            "Challenges/Transport and distance",
            "segments follow the renamed code"
        );
        assert!(study.resolve_code("Support/Training", None).is_ok());
    }
    let out = team.thema(&r1, &["agree", "--json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let shown = report.to_string();
    assert!(
        shown.contains("\"r1\"") && shown.contains("\"r2\""),
        "{shown}"
    );
    assert!(shown.contains("krippendorff_alpha"), "{shown}");

    // the coders carry on with the refined codebook; the lead keeps refining
    code(
        &team,
        &r2,
        "V3",
        "the other volunteers made it worth it",
        "Support/Training",
    );
    code(
        &team,
        &r1,
        "LW7-y1",
        "we cannot fix that in twelve weeks",
        "Challenges/Funding",
    );
    team.thema(
        &lead,
        &["codebook", "rename", "Support", "Support for volunteers"],
    );
    team.share(&r2, "r2: second pass");
    team.share(&r1, "r1: second pass");
    team.share(&lead, "Codebook: meeting 2");
    team.pull(&r1);
    let study = Study::open(&r1).unwrap();
    assert_eq!(study.layer("r1").unwrap().len(), 5);
    assert_eq!(study.layer("r2").unwrap().len(), 4);
    assert!(study
        .resolve_code("Support for volunteers/Training", None)
        .is_ok());
    let out = team.thema(&r1, &["check"]);
    assert!(!String::from_utf8_lossy(&out.stdout).contains("error:"));
    let log = team.git(&r1, &["log", "--oneline"]);
    assert!(String::from_utf8_lossy(&log.stdout).lines().count() >= 7);
}
