//! The console as a user drives it, in a pseudo-terminal (tmux on a private socket): fill and send
//! a feedback and find it stored; send an invalid event and see its errors on the fields; switch
//! profiles; and after Ctrl+C, a terminal back in its normal state.

use crate::support::{Cli, KEY, TestServer};
use serde_json::json;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

static SESSIONS: AtomicUsize = AtomicUsize::new(0);

/// A tmux server of its own, running one command in a WxH window.
pub struct Tmux {
    socket: String,
}

impl Tmux {
    pub fn start(cli: &Cli, args: &str, width: u16, height: u16) -> Self {
        assert!(
            Command::new("tmux")
                .arg("-V")
                .output()
                .is_ok_and(|o| o.status.success()),
            "these tests need tmux on the PATH"
        );
        let socket = format!(
            "bc-e2e-{}-{}",
            std::process::id(),
            SESSIONS.fetch_add(1, Ordering::SeqCst)
        );
        let program = format!(
            "env XDG_CONFIG_HOME={} XDG_DATA_HOME={} HOME={} TERM=xterm-256color {} {args}; echo EXIT=$?; stty -a; echo STTY-END; sleep 600",
            cli.config_dir().display(),
            cli.data_dir().display(),
            cli.home.path().display(),
            crate::support::binary()
        );
        let status = Command::new("tmux")
            .args([
                "-L",
                &socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-s",
                "t",
                "-x",
                &width.to_string(),
                "-y",
                &height.to_string(),
                &program,
            ])
            .status()
            .unwrap();
        assert!(status.success());
        Self { socket }
    }

    fn tmux(&self, args: &[&str]) -> String {
        let out = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn keys(&self, keys: &[&str]) {
        for key in keys {
            self.tmux(&["send-keys", "-t", "t", key]);
        }
    }

    pub fn text(&self, text: &str) {
        self.tmux(&["send-keys", "-t", "t", "-l", text]);
    }

    pub fn screen(&self) -> String {
        self.tmux(&["capture-pane", "-p", "-t", "t"])
    }

    /// Waits until the screen shows `needle`, and returns the screen.
    pub fn wait_for(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let screen = self.screen();
            if screen.contains(needle) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "`{needle}` never appeared; the screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGKILL to the program (not its shell): nothing of it runs after, no clean-up.
    pub fn kill_program(&self) {
        let shell = self.format("#{pane_pid}");
        let status = Command::new("pkill")
            .args(["-KILL", "-P", &shell, "bucket-consol"])
            .status()
            .unwrap();
        assert!(
            status.success(),
            "no program under the pane's shell {shell}"
        );
        self.wait_for("EXIT=137");
    }

    fn format(&self, name: &str) -> String {
        self.tmux(&["display-message", "-p", "-t", "t", name])
            .trim()
            .to_owned()
    }

    /// Ctrl+C, then the terminal is as before: main screen, no mouse tracking, cooked mode.
    pub fn quit_and_check_restored(&self) {
        self.keys(&["C-c"]);
        self.wait_for("EXIT=0");
        let screen = self.wait_for("STTY-END");
        assert_eq!(
            self.format("#{alternate_on}"),
            "0",
            "left the alternate screen"
        );
        assert_eq!(
            self.format("#{mouse_any_flag}"),
            "0",
            "mouse tracking is off"
        );
        let stty = screen.split("EXIT=0").nth(1).unwrap_or_default();
        assert!(
            stty.contains(" icanon") && stty.contains(" echo ") && !stty.contains("-icanon"),
            "raw mode is off:\n{stty}"
        );
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .output();
    }
}

#[test]
fn a_feedback_is_filled_sent_and_stored() {
    let cli = Cli::new();
    let tmux = Tmux::start(&cli, "--method feedback", 100, 30);
    tmux.wait_for("feedback · * required");
    tmux.wait_for("● answers");
    tmux.text("export");
    tmux.keys(&["Tab"]);
    tmux.text("42");
    tmux.keys(&["Tab", "Tab", "4", "Tab"]);
    tmux.text("Nice, but slow");
    tmux.wait_for("✓ this body passes");
    tmux.keys(&["C-s"]);
    let screen = tmux.wait_for("feedback 200");
    assert!(screen.contains("log · 1"), "{screen}");
    let db = cli.data_dir().join("bucket-console/local-tracking.sqlite3");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let row: (String, String, i64, String) = conn
        .query_row(
            "SELECT feature_id, user_id, score, comment FROM feedback",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(
        row,
        ("export".into(), "42".into(), 4, "Nice, but slow".into())
    );
    tmux.quit_and_check_restored();
}

#[test]
fn an_invalid_event_is_sent_anyway_and_its_400_lands_on_the_fields() {
    let cli = Cli::new();
    let tmux = Tmux::start(&cli, "--method event", 80, 24);
    tmux.wait_for("event · * required");
    tmux.text("Sent message");
    tmux.keys(&["C-s"]);
    tmux.wait_for("send anyway?");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("event 400");
    let lines: Vec<&str> = screen.lines().collect();
    let user_row = lines
        .iter()
        .position(|l| l.contains("userId*"))
        .expect("the userId field");
    assert!(
        lines[user_row + 1].contains("✗ is required: the id of the user who did it"),
        "{screen}"
    );
    tmux.keys(&["C-l", "Enter"]);
    tmux.wait_for("validation errors (Enter: fix in the form)");
    tmux.keys(&["Enter"]);
    tmux.wait_for("loaded into the event form");
    tmux.quit_and_check_restored();
}

#[test]
fn profiles_are_switched_in_the_console() {
    let rt = crate::support::runtime();
    let server = rt.block_on(TestServer::start());
    let cli = Arc::new(Cli::new());
    cli.add_profile("other", &server.base, KEY);
    let tmux = Tmux::start(&cli, "", 100, 30);
    tmux.wait_for("user · * required");
    tmux.keys(&["C-p"]);
    tmux.wait_for("a add · e edit");
    tmux.keys(&["Down", "Enter"]);
    let screen = tmux.wait_for("│ other │");
    assert!(
        screen.contains("…LjWy") && !screen.contains(KEY),
        "the key is masked:\n{screen}"
    );
    tmux.text("e2e");
    tmux.keys(&["C-s"]);
    tmux.wait_for("user 200");
    let stored = rt.block_on(server.inspect("users/e2e"));
    assert_eq!(stored["userId"], json!("e2e"));
    tmux.quit_and_check_restored();
}

#[test]
fn a_profile_is_added_in_the_console_and_used() {
    let rt = crate::support::runtime();
    let server = rt.block_on(TestServer::start());
    let cli = Cli::new();
    let tmux = Tmux::start(&cli, "", 100, 30);
    tmux.wait_for("user · * required");
    tmux.keys(&["C-p"]);
    tmux.wait_for("a add · e edit");
    tmux.keys(&["a"]);
    tmux.wait_for("add profile");
    tmux.text("added");
    tmux.keys(&["Enter", "C-u"]);
    tmux.text(&server.base);
    tmux.keys(&["Enter"]);
    tmux.text(KEY);
    let screen = tmux.wait_for("••••••••••••••••••••••••");
    assert!(
        !screen.contains(KEY),
        "the key is typed into a masked field:\n{screen}"
    );
    tmux.keys(&["C-s"]);
    tmux.wait_for("saved profile added (key …LjWy)");
    let file = cli.config_dir().join("bucket-console/profiles.toml");
    for _ in 0..100 {
        if file.exists() {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(std::fs::read_to_string(&file).unwrap().contains(KEY));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&file).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    tmux.keys(&["Down", "Enter"]);
    tmux.wait_for("│ added │");
    tmux.text("from-console");
    tmux.keys(&["C-s"]);
    tmux.wait_for("user 200");
    assert_eq!(
        rt.block_on(server.inspect("users/from-console"))["userId"],
        json!("from-console")
    );
    tmux.quit_and_check_restored();
}

#[test]
fn the_data_view_shows_what_a_send_changed_and_fills_the_form() {
    let rt = crate::support::runtime();
    let server = rt.block_on(TestServer::start());
    rt.block_on(server.ok("user", json!({"userId": "lonely"})));
    rt.block_on(server.ok(
        "company",
        json!({"companyId": "acme", "userId": "member", "attributes": {"plan": "pro"}}),
    ));
    let cli = Arc::new(Cli::new());
    cli.add_profile("here", &server.base, KEY);
    let tmux = Tmux::start(&cli, "--profile here", 100, 30);
    tmux.wait_for("user · * required");
    tmux.keys(&["F2"]);
    let screen = tmux.wait_for("Users · rows 1–2");
    assert!(screen.contains("⚑ no company"), "{screen}");
    // Open the company, fill the company form from it, send it, and see its last seen move.
    tmux.keys(&["2"]);
    tmux.wait_for("Companies · rows 1–1");
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("members     member");
    assert!(screen.contains("\"plan\""), "{screen}");
    tmux.keys(&["u"]);
    tmux.wait_for("company form filled (companyId)");
    tmux.keys(&["C-s"]);
    tmux.wait_for("company 200");
    tmux.keys(&["F2"]);
    tmux.wait_for("↑ changed by your last send");
    tmux.quit_and_check_restored();
}

#[test]
fn the_traffic_view_shows_an_apps_call_live_and_opens_it_in_the_form() {
    let rt = crate::support::runtime();
    let server = rt.block_on(TestServer::start());
    let cli = Arc::new(Cli::new());
    cli.add_profile("here", &server.base, KEY);
    let tmux = Tmux::start(&cli, "--profile here", 100, 30);
    tmux.wait_for("user · * required");
    tmux.keys(&["F3"]);
    tmux.wait_for("● live");
    tmux.wait_for("No requests yet for this tracking key.");
    // The app: a browser SDK sending a call with a typo.
    let status = rt.block_on(async {
        reqwest::Client::new()
            .post(format!("{}/{KEY}/event", server.base))
            .header("bucket-sdk-version", "browser-sdk/3.1.0")
            .json(&json!({"event": "Sent message", "userID": 42}))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    });
    assert_eq!(status, 400);
    let screen = tmux.wait_for("browser-sdk/3.1.0");
    assert!(
        screen.contains("400") && screen.contains("POST event"),
        "{screen}"
    );
    tmux.keys(&["Enter"]);
    let screen = tmux.wait_for("← ✗ unknown field `userID`; did you mean `userId`?");
    assert!(
        screen.contains("/userId (not in the body): is required"),
        "{screen}"
    );
    tmux.keys(&["o"]);
    tmux.wait_for("loaded into the event form");
    tmux.quit_and_check_restored();
}

#[test]
fn a_profile_added_by_the_cli_while_the_console_runs_is_listed_and_kept() {
    let cli = Cli::new();
    cli.add_profile("demo", "https://tracking.example", KEY);
    let tmux = Tmux::start(&cli, "", 100, 30);
    tmux.wait_for("user · * required");
    // Added elsewhere while the console runs.
    cli.add_profile("app", "https://app.example", "app_key_0123456789abcd");
    tmux.keys(&["C-p"]);
    tmux.wait_for("https://app.example");
    // local, app, demo: edit demo.
    tmux.keys(&["Down", "Down", "e"]);
    tmux.wait_for("edit profile");
    tmux.keys(&["Tab", "Tab", "Tab"]);
    tmux.text("42");
    tmux.keys(&["C-s"]);
    tmux.wait_for("saved profile demo");
    let file = cli.config_dir().join("bucket-console/profiles.toml");
    let mut text = String::new();
    for _ in 0..100 {
        text = std::fs::read_to_string(&file).unwrap();
        if text.contains("user_id") {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(text.contains("[profiles.app]"), "app survives:\n{text}");
    assert!(text.contains("app_key_0123456789abcd"), "with its key");
    assert!(text.contains("user_id = \"42\""), "{text}");
    assert!(text.contains(KEY), "demo keeps its key");
    tmux.quit_and_check_restored();
}
