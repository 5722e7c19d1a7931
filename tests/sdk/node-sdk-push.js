// The published @reflag/node-sdk in its default sync mode, push, against a `serve --flags` the
// Rust test started (tests/integration/sdk_node_push.rs): once the SDK is running, this script
// saves a new definitions file and waits for the SDK to see the new flag. In push mode the SDK
// never polls, so seeing it proves the `flags-updated` message on /sse/server reached it.
//
// Input (environment): SDK_SERVE_URL, SDK_SECRET_KEY, SDK_FLAGS_FILE (the file serve watches)
// and SDK_FLAGS_EDIT (what to save there).
// Output: one JSON line on stdout, {"requests": [...], "problems": [...], "seenAfterMs": N};
// exit 1 when any problem.
"use strict";

const { requiredEnv, isolate, describer } = require("./node-support");

const fs = require("fs");

const serve = new URL(requiredEnv("SDK_SERVE_URL"));
const secretKey = requiredEnv("SDK_SECRET_KEY");
const describe = describer(secretKey);
const flagsFile = requiredEnv("SDK_FLAGS_FILE");
const edit = requiredEnv("SDK_FLAGS_EDIT");

isolate();

// Waiting longer than this means the push never came (the SDK does not poll in push mode): a
// hung run, not a slow one.
const GIVE_UP_MS = 60000;

const requests = [];
const problems = [];

// Every request goes through the global fetch; anything aimed elsewhere than serve is refused.
const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  const method = (init && init.method) || (input instanceof Request ? input.method : "GET");
  const entry = { method: method.toUpperCase(), path: url.pathname + url.search, status: null };
  requests.push(entry);
  if (url.origin !== serve.origin) {
    entry.status = "refused";
    problems.push(`the SDK tried to reach ${url.origin}, not serve`);
    throw new Error(`refused: ${url.origin} is not the server under test`);
  }
  const response = await realFetch(input, init);
  entry.status = response.status;
  return response;
};

const logger = {
  debug: () => {},
  info: () => {},
  warn: (...args) => problems.push(`warn: ${describe(args)}`),
  error: (...args) => problems.push(`error: ${describe(args)}`),
};

const { ReflagClient } = require("@reflag/node-sdk");

let seenAfterMs = null;

async function main() {
  const client = new ReflagClient({
    secretKey,
    apiBaseUrl: serve.origin,
    flagsPushUrl: `${serve.origin}/sse/server`,
    flagsSyncMode: "push",
    offline: false,
    logger,
  });
  // Resolves once the definitions are fetched and the push channel is open.
  await client.initialize();
  // No tracking: this run is about definitions only, so nothing is queued for /bulk.
  const context = { user: { id: "u-push" }, company: { id: "c-node" }, enableTracking: false };
  if (client.getFlag(context, "huddle").isEnabled !== true) {
    problems.push("flag huddle is not on for c-node before the edit");
  }
  if (client.getFlag(context, "huddle-live").isEnabled !== false) {
    problems.push("flag huddle-live is on before it is defined");
  }

  const saving = `${flagsFile}.saving`;
  fs.writeFileSync(saving, edit);
  fs.renameSync(saving, flagsFile);
  const saved = Date.now();
  while (Date.now() - saved < GIVE_UP_MS) {
    if (client.getFlag(context, "huddle-live").isEnabled === true) {
      seenAfterMs = Date.now() - saved;
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  if (seenAfterMs === null) problems.push(`the SDK never saw the edit in ${GIVE_UP_MS} ms`);
  client.destroy();
}

main()
  .catch((err) => problems.push(`threw: ${describe([err])}`))
  .finally(() => {
    process.stdout.write(`${JSON.stringify({ requests, problems, seenAfterMs })}\n`);
    process.exitCode = problems.length === 0 ? 0 : 1;
    setTimeout(() => process.exit(), 5000).unref();
  });
