//! The pseudo-terminal the end-to-end tests drive the binary in: a tmux server of its own per
//! test (a private socket), keys sent, the screen captured, the terminal's state checked after.

use crate::support::Cli;
use std::process::Command;
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
            "env XDG_CONFIG_HOME={} XDG_DATA_HOME={} HOME={} TERM=xterm-256color BUCKET_LOCAL_LISTEN={} {}{} {args}; echo EXIT=$?; stty -a; echo STTY-END; sleep 600",
            cli.config_dir().display(),
            cli.data_dir().display(),
            cli.home.path().display(),
            cli.local_listen(),
            cli.shell_envs(),
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
        let deadline = Instant::now() + Duration::from_secs(30);
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
    /// Waits until the screen no longer shows `needle`: a key sent right after Escape, before
    /// the console has read it, arrives as one Alt-chord.
    pub fn wait_gone(&self, needle: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.screen().contains(needle) {
            assert!(
                Instant::now() < deadline,
                "`{needle}` never went; the screen:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

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

    /// Whether the program asked for mouse reports (`1`) or not (`0`).
    pub fn mouse_flag(&self) -> String {
        self.format("#{mouse_any_flag}")
    }

    fn format(&self, name: &str) -> String {
        self.tmux(&["display-message", "-p", "-t", "t", name])
            .trim()
            .to_owned()
    }

    /// Ctrl+C, then the terminal is as before: main screen, no mouse tracking, cooked mode.
    pub fn quit_and_check_restored(&self) {
        self.keys(&["C-c"]);
        self.check_restored();
    }

    /// `signal` (TERM, HUP) to the program, then the terminal is as before.
    pub fn signal_and_check_restored(&self, signal: &str) {
        let shell = self.format("#{pane_pid}");
        let status = Command::new("pkill")
            .args([&format!("-{signal}"), "-P", &shell, "bucket-consol"])
            .status()
            .unwrap();
        assert!(
            status.success(),
            "no program under the pane's shell {shell}"
        );
        self.check_restored();
    }

    fn check_restored(&self) {
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
