// Drives the published @reflag/browser-sdk, unmodified (its built bundle from node_modules), in
// headless Chromium against a `serve` the Rust test started (tests/integration/sdk_browser.rs).
// The page comes from another origin (a second port on 127.0.0.1), as an app's page would, so
// CORS is part of what is tested. The test checks what was stored; this script proves every
// call the SDK made was answered 2xx and nothing went anywhere but `serve`.
//
// Input (environment): SDK_SERVE_URL, SDK_PUBLISHABLE_KEY, SDK_CHROMIUM (default /usr/bin/chromium).
// Output: one JSON line on stdout, {"calls": {...}, "requests": [...], "problems": [...]};
// exit 1 when any problem.
"use strict";

const fs = require("node:fs");
const http = require("node:http");
const os = require("node:os");
const path = require("node:path");
const { chromium } = require("playwright-core");

const serve = new URL(requiredEnv("SDK_SERVE_URL"));
const publishableKey = requiredEnv("SDK_PUBLISHABLE_KEY");
const executablePath = process.env.SDK_CHROMIUM || "/usr/bin/chromium";
// The package exports only its entry points, so the built bundle is found from the package root.
const bundle = path.join(__dirname, "node_modules/@reflag/browser-sdk/dist/reflag-browser-sdk.umd.js");

// What the page does: an app's start-up with a user and a company, an event, feedback by flag
// key, a flag check, then stop() (which flushes the SDK's /bulk queue). Every option the SDK
// would otherwise point at reflag.com points at `serve`; everything else is the SDK's default.
const PAGE = `<!doctype html><meta charset="utf-8"><title>browser-sdk against serve</title>
<script src="/sdk.js"></script>
<script>
window.run = async (serve, publishableKey) => {
  const calls = {};
  const client = new ReflagBrowserSDK.ReflagClient({
    publishableKey,
    apiBaseUrl: serve,
    sseBaseUrl: serve,
    appBaseUrl: serve,
    user: { id: "u-browser", name: "Browser Tester" },
    company: { id: "c-browser", name: "Browser Co" },
  });
  await client.initialize();
  calls.track = (await client.track("browser-sdk-event", { step: 1 })).status;
  calls.feedback = (await client.feedback({ flagKey: "huddle", score: 4, comment: "from the browser" })).status;
  calls.flag = client.getFlag("huddle").isEnabled;
  await client.stop();
  return calls;
};
</script>`;

const requests = [];
const problems = [];
let pageOrigin = "";
let done = false;

async function main() {
  const pages = await startPageServer();
  pageOrigin = pages.origin;
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "sdk-chromium-"));
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        // Belt and braces: whatever the page or the browser asks for, no name but these resolves.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
      ],
    });
    watch(context);
    const page = context.pages()[0] || (await context.newPage());
    page.on("console", (msg) => {
      if (msg.type() === "error" || msg.type() === "warning") {
        problems.push(`console ${msg.type()}: ${redact(msg.text())}`);
      }
    });
    page.on("pageerror", (err) => problems.push(`page error: ${redact(err.message)}`));
    await page.goto(`${pages.origin}/`);
    const calls = await page.evaluate(([s, k]) => window.run(s, k), [serve.origin, publishableKey]);
    done = true;
    for (const [name, status] of Object.entries(calls)) {
      if (typeof status === "number" && (status < 200 || status > 299)) {
        problems.push(`${name} answered ${status}`);
      }
    }
    // serve --flags turns it on for this company: the SDK read serve's evaluation.
    if (calls.flag !== true) problems.push(`flag "huddle" read ${calls.flag}, not serve's evaluation (on for c-browser)`);
    return calls;
  } finally {
    done = true;
    if (context) await context.close();
    pages.server.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

// Every request of the browser, from the page or not: any that is not for the page's own server
// or `serve`, any answer from `serve` outside 2xx, and any that failed before the page finished
// (the idle SSE streams are cut when the browser closes: that is not a failure).
function watch(context) {
  context.on("request", (req) => {
    const url = new URL(req.url());
    if (url.origin !== serve.origin && url.origin !== pageOrigin && url.protocol.startsWith("http")) {
      problems.push(`the browser tried to reach ${url.origin}`);
    }
  });
  context.on("response", (res) => {
    const url = new URL(res.url());
    if (url.origin !== serve.origin) return;
    requests.push({ method: res.request().method(), path: url.pathname, status: res.status() });
    if (res.status() < 200 || res.status() > 299) {
      problems.push(`${res.request().method()} ${url.pathname} answered ${res.status()}`);
    }
  });
  context.on("requestfailed", (req) => {
    if (done) return;
    const url = new URL(req.url());
    problems.push(`${req.method()} ${url.origin}${url.pathname} failed: ${req.failure()?.errorText}`);
  });
}

// The app's origin: the page and the SDK's bundle, nothing else.
function startPageServer() {
  const server = http.createServer((req, res) => {
    if (req.url === "/") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      res.end(PAGE);
    } else if (req.url === "/sdk.js") {
      res.writeHead(200, { "content-type": "text/javascript" });
      fs.createReadStream(bundle).pipe(res);
    } else if (req.url === "/favicon.ico") {
      // Chromium asks for one; a 404 would be logged as a console error, which fails the run.
      res.writeHead(204);
      res.end();
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      resolve({ server, origin: `http://127.0.0.1:${server.address().port}` });
    });
  });
}

main()
  .then((calls) => report(calls))
  .catch((err) => {
    problems.push(`threw: ${redact(err.message)}`);
    report(null);
  });

function report(calls) {
  process.stdout.write(`${JSON.stringify({ calls, requests, problems })}\n`);
  process.exitCode = problems.length === 0 ? 0 : 1;
}

function requiredEnv(name) {
  const value = process.env[name];
  if (!value) {
    process.stderr.write(`${name} is not set\n`);
    process.exit(2);
  }
  return value;
}

// A publishable key is not a secret, but it has no business in a test log either.
function redact(text) {
  return String(text).split(publishableKey).join("pub_…");
}
