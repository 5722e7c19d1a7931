// Opens a `run --report-html` page in headless Chromium (tests/integration/cli_report_html.rs)
// and reports what a reader sees: how many calls show under each verdict filter (clicking the
// filter's label, as a person would: CSS alone does the filtering), whether any script ran or
// anything was requested besides the page itself.
//
// Input (environment): REPORT_PATH, SDK_CHROMIUM (default /usr/bin/chromium).
// Output: one JSON line on stdout: {"visible": {"all": n, "passed": n, ...}, "scripts": n,
// "dialogs": n, "requests": [...], "problems": [...]}.
"use strict";

const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { pathToFileURL } = require("node:url");
const { chromium } = require("playwright-core");

const report = process.env.REPORT_PATH;
const executablePath = process.env.SDK_CHROMIUM || "/usr/bin/chromium";

async function main() {
  const page_url = pathToFileURL(report).href;
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "report-chromium-"));
  const out = { visible: {}, scripts: 0, dialogs: 0, requests: [], problems: [] };
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--host-resolver-rules=MAP * ~NOTFOUND",
      ],
    });
    context.on("request", (req) => {
      if (req.url() !== page_url) out.requests.push(req.url());
    });
    const page = context.pages()[0] || (await context.newPage());
    page.on("dialog", async (d) => {
      out.dialogs += 1;
      await d.dismiss();
    });
    page.on("pageerror", (err) => out.problems.push(`page error: ${err.message}`));
    await page.goto(page_url);
    out.scripts = await page.evaluate(() => document.scripts.length);
    const shown = () =>
      page.evaluate(() => [...document.querySelectorAll("section.call")].filter((s) => s.checkVisibility()).length);
    out.visible.all = await shown();
    for (const verdict of ["passed", "failed", "refused", "undelivered", "all"]) {
      await page.click(`label[for=show-${verdict}]`);
      out.visible[verdict] = await shown();
    }
  } catch (e) {
    out.problems.push(String(e && e.message ? e.message : e));
  } finally {
    if (context) await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  process.stdout.write(JSON.stringify(out) + "\n");
  process.exit(out.problems.length ? 1 : 0);
}

main();
