//! `log export` under abuse: hostile bodies and base URLs, each export run by its real interpreter
//! (bash, python3, node) with the network call stubbed. Nothing but the stub may run (a command in
//! the data would create `pwned`), and the body must arrive byte for byte.

use crate::support::Cli;
use bucket_console::client::Exchange;
use serde_json::{Value, json};
use std::path::Path;
use std::process::Command;

const KEY: &str = "trCqx4DGo1lk3Lcct5NHLjWy";
const SECRET: &str = "sec_exportTest_0123456789abcdef";
const PUBLISHABLE: &str = "pub_exportTest_0123456789";
const SAFE_BASE: &str = "http://127.0.0.1:9";
const HOSTILE_BASE: &str = "http://127.0.0.1:9/$(touch pwned)/`touch pwned`/${HOME}'\"\\!x";

/// Bodies that would run `touch pwned` if pasted in as code anywhere, or lose bytes on the way.
fn bodies() -> Vec<String> {
    let mut list = vec![
        json!({
            "event": "it's \"q\" ''' \"\"\" `touch pwned` $(touch pwned) ${process.exit(9)} \\ \n \u{0}",
            "userId": "'''+__import__('os').system('touch pwned')+'''",
            "companyId": "\u{2028}\u{2029}\u{202e}\u{1b}]52;c;aGk=\u{7}",
            "attributes": {"`${x}`": "'; touch pwned; '", "n": 12_345_678_901_234_567_890_u128.to_string()}
        })
        .to_string(),
        r"{'event': 'x'} '''+__import__('os').system('touch pwned')+'''".to_owned(),
        "'''\nimport os; os.system('touch pwned')\n'''".to_owned(),
        r#"1}); (await import("node:child_process")).execSync("touch pwned"); ({"#.to_owned(),
        r#"`; (await import("node:child_process")).execSync("touch pwned"); `${(await import("node:child_process")).execSync("touch pwned")}"#
            .to_owned(),
        r#"'$(touch pwned)'"$(touch pwned)"`touch pwned`'\''; touch pwned; echo '"#.to_owned(),
        "-d @/etc/passwd %s%n%% \\x41\\101\\u0041 \\".to_owned(),
        "nul\u{0}1 esc\u{1b}[2J bel\u{7} cr\r tab\t c1\u{9b}31m\u{85} bidi\u{202e}\u{2066} ls\u{2028}ps\u{2029} end\\"
            .to_owned(),
        "{\"event\":\"ok\",\n \"userId\": \"u1\" }".to_owned(),
    ];
    list.push(format!("{}\"", list[0]));
    list
}

fn exchange(base: &str, method: &str, body: &str) -> Exchange {
    serde_json::from_value(json!({
        "startedAt": "2024-05-01T12:00:00.000Z", "profile": "hostile", "baseUrl": base,
        "url": format!("{base}/…/{method}"), "keyMasked": "…", "keyFingerprint": "#000000",
        "method": method, "requestBody": body, "attempts": [], "response": null,
        "outcome": "delivered", "possiblyDuplicated": false, "latencyMs": 1.0
    }))
    .unwrap()
}

fn have(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// JSON with the whitespace between tokens removed (the exports lay JSON bodies out on lines).
fn minified(text: &str) -> String {
    let (mut out, mut in_string, mut escaped) = (String::new(), false, false);
    for c in text.chars() {
        if in_string {
            in_string = escaped || c != '"';
            escaped = !escaped && c == '\\';
        } else if matches!(c, ' ' | '\n' | '\t' | '\r') {
            continue;
        } else {
            in_string = c == '"';
        }
        out.push(c);
    }
    out
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Stand-ins for curl, HTTPie, requests, fetch and the SDK: each writes what it was given to files
/// in the working directory and does nothing else.
fn stubs(dir: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let curl = r#"#!/bin/bash
while [ $# -gt 0 ]; do case "$1" in
  --data-raw) printf '%s' "$2" > body; shift 2;;
  --data-binary) [ "$2" = "@-" ] && cat > body; shift 2;;
  -H) case "$2" in Authorization:*) printf '%s' "$2" > auth;; esac; shift 2;;
  -X) shift 2;;
  -sS) shift;;
  *) printf '%s' "$1" > url; shift;;
esac; done
"#;
    let http = r#"#!/bin/bash
raw=0
while [ $# -gt 0 ]; do case "$1" in
  --raw) printf '%s' "$2" > body; raw=1; shift 2;;
  POST|Content-Type:application/json) shift;;
  Authorization:*) printf '%s' "$1" > auth; shift;;
  *) printf '%s' "$1" > url; shift;;
esac; done
[ $raw = 1 ] || cat > body
"#;
    for (name, text) in [("curl", curl), ("http", http)] {
        let path = dir.join("bin").join(name);
        write(&path, text);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    write(
        &dir.join("py/requests.py"),
        "class _Answer:\n    def raise_for_status(self):\n        pass\n\n\
         def post(url, data=None, headers=None):\n    open('url', 'w', encoding='utf-8').write(url)\n    \
         open('body', 'wb').write(data)\n    \
         if headers and 'Authorization' in headers:\n        \
         open('auth', 'w', encoding='utf-8').write('Authorization: ' + headers['Authorization'])\n    \
         return _Answer()\n",
    );
    write(
        &dir.join("stub.mjs"),
        "import { writeFileSync } from 'node:fs';\n\
         globalThis.fetch = async (url, init) => { writeFileSync('url', String(url)); \
         writeFileSync('body', init.body); \
         if (init.headers && init.headers.Authorization) writeFileSync('auth', 'Authorization: ' + init.headers.Authorization); \
         return { ok: true }; };\n",
    );
    for name in ["node-sdk", "browser-sdk"] {
        let sdk = dir.join("node_modules/@reflag").join(name);
        write(
            &sdk.join("package.json"),
            &format!(r#"{{"name":"@reflag/{name}","type":"module","main":"index.js"}}"#),
        );
        write(
            &sdk.join("index.js"),
            "import { appendFileSync } from 'node:fs';\n\
             const rec = (...a) => appendFileSync('calls', JSON.stringify(a) + '\\n');\n\
             export class ReflagClient {\n  constructor(o) { rec('new', o); }\n  \
             async initialize() { rec('initialize'); }\n  async updateUser(...a) { rec('updateUser', ...a); }\n  \
             async updateCompany(...a) { rec('updateCompany', ...a); }\n  async track(...a) { rec('track', ...a); }\n  \
             async feedback(...a) { rec('feedback', ...a); }\n  async flush() { rec('flush'); }\n}\n",
        );
    }
    let sdk = dir.join("node_modules/@bucketco/tracking-sdk");
    write(
        &sdk.join("package.json"),
        r#"{"name":"@bucketco/tracking-sdk","type":"module","main":"index.js"}"#,
    );
    write(
        &sdk.join("index.js"),
        "import { appendFileSync } from 'node:fs';\n\
         const record = (name) => (...args) => appendFileSync('calls', JSON.stringify([name, ...args]) + '\\n');\n\
         export default { init: record('init'), user: record('user'), company: record('company'), \
         track: record('track'), feedback: record('feedback') };\n",
    );
}

/// Runs an export where its stubs are; returns what the stub received as (url, body).
fn run_export(dir: &Path, format: &str, code: &str) -> (String, Vec<u8>) {
    for name in ["url", "body", "calls", "pwned", "auth"] {
        let _ = std::fs::remove_file(dir.join(name));
    }
    let (program, file, args): (&str, &str, Vec<&str>) = match format {
        "curl" | "httpie" => ("bash", "export.sh", vec!["export.sh"]),
        "python" => ("python3", "export.py", vec!["export.py"]),
        _ => (
            "node",
            "export.mjs",
            vec!["--import", "./stub.mjs", "export.mjs"],
        ),
    };
    write(&dir.join(file), code);
    let path = format!(
        "{}:{}",
        dir.join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new(program)
        .args(&args)
        .current_dir(dir)
        .env("PATH", path)
        .env("PYTHONPATH", dir.join("py"))
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .env("BUCKET_TRACKING_KEY", KEY)
        .env("REFLAG_SECRET_KEY", SECRET)
        .env("REFLAG_PUBLISHABLE_KEY", PUBLISHABLE)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{format} failed: {}\n{code}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !dir.join("pwned").exists(),
        "{format}: the data ran as code:\n{code}"
    );
    let read = |name: &str| std::fs::read(dir.join(name)).unwrap_or_default();
    (String::from_utf8(read("url")).unwrap(), read("body"))
}

#[test]
fn every_export_carries_hostile_bodies_and_urls_as_data() {
    let missing: Vec<_> = ["bash", "python3", "node"]
        .into_iter()
        .filter(|p| !have(p))
        .collect();
    if !missing.is_empty() {
        eprintln!(
            "SKIPPED: exports are run by their interpreters, and {missing:?} are not installed"
        );
        return;
    }
    let cli = Cli::new();
    let mut history = bucket_console::history::History::open(
        &cli.data_dir().join("bucket-console/history.sqlite3"),
        1000,
    )
    .unwrap();
    let mut cases = Vec::new();
    for (i, body) in bodies().into_iter().enumerate() {
        let base = if i % 2 == 0 { HOSTILE_BASE } else { SAFE_BASE };
        cases.push((base, "event", body));
    }
    cases.push((SAFE_BASE, "event$(touch pwned)'\"`", "{}".to_owned()));
    let mut exchanges: Vec<_> = cases
        .iter()
        .map(|(b, m, body)| exchange(b, m, body))
        .collect();
    history.append(&mut exchanges).unwrap();
    drop(history);
    let work = tempfile::tempdir().unwrap();
    stubs(work.path());

    for ((base, method, body), ex) in cases.iter().zip(&exchanges) {
        let id = ex.id.unwrap().to_string();
        for format in ["curl", "httpie", "python", "fetch", "sdk"] {
            let out = cli.run(&["log", "export", &id, "--as", format]);
            assert_eq!(out.code, 0, "{out:?}");
            let code = &out.stdout;
            assert!(
                !code.chars().any(|c| c != '\n'
                    && (c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))),
                "{format} prints a control or bidi character raw:\n{code:?}"
            );
            let (url, received) = run_export(work.path(), format, code);
            if format == "sdk" {
                sdk_calls_match(work.path(), method, body, code);
                continue;
            }
            assert_eq!(url, format!("{base}/{KEY}/{method}"), "{format}:\n{code}");
            let received = String::from_utf8(received).unwrap();
            let is_json = serde_json::from_str::<Value>(body).is_ok();
            if is_json && matches!(format, "python" | "fetch") {
                assert_eq!(minified(&received), minified(body), "{format}:\n{code}");
            } else {
                assert_eq!(&received, body, "{format}:\n{code}");
            }
        }
    }
    let curl = cli.run(&["log", "curl", &exchanges[7].id.unwrap().to_string()]);
    let (url, received) = run_export(work.path(), "curl", &curl.stdout);
    assert_eq!(
        (url, received),
        (
            format!("{SAFE_BASE}/{KEY}/event"),
            cases[7].2.clone().into_bytes()
        )
    );
}

/// The SDK export calls the SDK with the body's fields, whatever they hold.
fn sdk_calls_match(dir: &Path, method: &str, body: &str, code: &str) {
    let calls: Vec<Value> = std::fs::read_to_string(dir.join("calls"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(calls[0], json!(["init", KEY]), "{code}");
    let Ok(body) = serde_json::from_str::<Value>(body) else {
        return;
    };
    if method == "event" && body.get("event").is_some() {
        let attributes = body.get("attributes").cloned().unwrap_or(json!({}));
        let expected = json!([
            "track",
            body["event"],
            attributes,
            body["userId"],
            body["companyId"]
        ]);
        assert_eq!(calls[1], expected, "{code}");
    }
}

/// A Runtime API exchange as recorded: `{base}/{route}`, the key's kind in its masked prefix.
fn runtime_exchange(base: &str, method: &str, body: &str, masked: &str) -> Exchange {
    let mut ex = exchange(base, method, body);
    ex.url = format!("{base}/{method}");
    masked.clone_into(&mut ex.key_masked);
    ex
}

#[test]
fn runtime_exports_send_the_key_only_as_a_bearer_header_from_the_kinds_variable() {
    let missing: Vec<_> = ["bash", "python3", "node"]
        .into_iter()
        .filter(|p| !have(p))
        .collect();
    if !missing.is_empty() {
        eprintln!(
            "SKIPPED: exports are run by their interpreters, and {missing:?} are not installed"
        );
        return;
    }
    let cli = Cli::new();
    let mut history = bucket_console::history::History::open(
        &cli.data_dir().join("bucket-console/history.sqlite3"),
        1000,
    )
    .unwrap();
    let mut cases = Vec::new();
    for (i, body) in bodies().into_iter().enumerate() {
        let base = if i % 2 == 0 { HOSTILE_BASE } else { SAFE_BASE };
        let (masked, key) = if i % 3 == 0 {
            ("pub_…6789", PUBLISHABLE)
        } else {
            ("sec_…cdef", SECRET)
        };
        cases.push((base, body, masked, key));
    }
    let mut exchanges: Vec<_> = cases
        .iter()
        .map(|(b, body, masked, _)| runtime_exchange(b, "event", body, masked))
        .collect();
    history.append(&mut exchanges).unwrap();
    drop(history);
    let work = tempfile::tempdir().unwrap();
    stubs(work.path());
    let mut sdk_runs = 0;
    for ((base, body, _, key), ex) in cases.iter().zip(&exchanges) {
        let id = ex.id.unwrap().to_string();
        for format in ["curl", "httpie", "python", "fetch", "sdk"] {
            let out = cli.run(&["log", "export", &id, "--as", format]);
            assert_eq!(out.code, 0, "{out:?}");
            let code = &out.stdout;
            assert!(!code.contains(key), "{format} wrote the key:\n{code}");
            let (url, received) = run_export(work.path(), format, code);
            if format == "sdk" && code.contains("new ReflagClient") {
                reflag_sdk_called(work.path(), base, key, body, code);
                sdk_runs += 1;
                continue;
            }
            assert_eq!(url, format!("{base}/event"), "{format}:\n{code}");
            let auth = std::fs::read_to_string(work.path().join("auth")).unwrap_or_default();
            assert_eq!(
                auth.replacen(": ", ":", 1),
                format!("Authorization:Bearer {key}"),
                "{format}:\n{code}"
            );
            let received = String::from_utf8(received).unwrap();
            if serde_json::from_str::<Value>(body).is_ok() && !matches!(format, "curl" | "httpie") {
                assert_eq!(minified(&received), minified(body), "{format}:\n{code}");
            } else {
                assert_eq!(&received, body, "{format}:\n{code}");
            }
        }
    }
    // The JSON object bodies, with each kind of key, are written for the SDK.
    assert_eq!(sdk_runs, 2);
}

/// The Reflag SDK export made the client with the key from its variable and the base it went to,
/// and tracked the body's event.
fn reflag_sdk_called(dir: &Path, base: &str, key: &str, body: &str, code: &str) {
    let calls: Vec<Value> = std::fs::read_to_string(dir.join("calls"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let options = &calls[0][1];
    let given = if key.starts_with("sec_") {
        &options["secretKey"]
    } else {
        &options["publishableKey"]
    };
    assert_eq!(given, key, "{code}");
    assert_eq!(options["apiBaseUrl"], base, "{code}");
    let sent: Value = serde_json::from_str(body).unwrap();
    let track = calls.iter().find(|c| c[0] == "track").expect(code);
    assert!(
        track.as_array().unwrap().contains(&sent["event"]),
        "{track}:\n{code}"
    );
    if key.starts_with("sec_") {
        assert_eq!(track[1], sent["userId"], "{code}");
    }
}
