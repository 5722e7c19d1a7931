// Drives the published @reflag/node-sdk, unmodified, against a `serve` the Rust test started
// (tests/integration/sdk_node.rs). The test, not this script, checks what was stored; this script
// proves the SDK itself saw no failure and sent nothing anywhere but `serve`.
//
// Input (environment): SDK_SERVE_URL (http://127.0.0.1:PORT), SDK_SECRET_KEY.
// Output: one JSON line on stdout, {"requests": [...], "problems": [...]}; exit 1 when any problem.
"use strict";

const { requiredEnv, isolate, describer } = require("./node-support");

const serve = new URL(requiredEnv("SDK_SERVE_URL"));
const secretKey = requiredEnv("SDK_SECRET_KEY");
const describe = describer(secretKey);

isolate();

const requests = [];
const problems = [];

// Every request the SDK makes goes through the global fetch (its HTTP client and its push
// channel alike). Anything aimed elsewhere than `serve` is refused before it leaves, so a test
// run can never reach the live service with a key, and the refusal fails the run.
const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  const method = (init && init.method) || (input instanceof Request ? input.method : "GET");
  const entry = { method: method.toUpperCase(), path: url.pathname, status: null };
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

// The SDK reports every failure it swallows (a refused batch, a failed fetch, a push channel
// that would not open) as a warning or an error: any of them fails the run.
const logger = {
  debug: () => {},
  info: () => {},
  warn: (...args) => problems.push(`warn: ${describe(args)}`),
  error: (...args) => problems.push(`error: ${describe(args)}`),
};

const { ReflagClient } = require("@reflag/node-sdk");

async function main() {
  const client = new ReflagClient({
    secretKey,
    apiBaseUrl: serve.origin,
    // Left alone, the push channel opens https://front.reflag.com/sse/server whatever apiBaseUrl says.
    flagsPushUrl: `${serve.origin}/sse/server`,
    offline: false,
    logger,
  });
  await client.initialize();

  const user = { id: "u-node", name: "Node Tester", plan: "pro" };
  const company = { id: "c-node", name: "Node Co" };
  await client.updateUser(user.id, { attributes: { name: user.name, plan: user.plan } });
  await client.updateCompany(company.id, { userId: user.id, attributes: { name: company.name } });
  await client.track(user.id, "node-sdk-event", { companyId: company.id, attributes: { step: 1 } });
  // Reading isEnabled is what queues a flag check (action "check") for /bulk.
  const enabled = client.getFlag({ user, company }, "huddle").isEnabled;
  // serve --flags defines it, on for this company: the SDK evaluated serve's definitions.
  if (enabled !== true) problems.push(`flag "huddle" read ${enabled}, not serve's definition (on for c-node)`);

  // Everything above sits in the batch buffer until this one POST /bulk.
  await client.flush();
  client.destroy();
}

main()
  .catch((err) => problems.push(`threw: ${describe([err])}`))
  .finally(() => {
    process.stdout.write(`${JSON.stringify({ requests, problems })}\n`);
    process.exitCode = problems.length === 0 ? 0 : 1;
    // destroy() closed the push channel, so node ends by itself (and the SDK's exit flush finds
    // nothing left); should a retry timer linger after a failure, the verdict is in already.
    setTimeout(() => process.exit(), 5000).unref();
  });
