// What the node SDK scripts share: their inputs, a clean environment, and problems spelled out
// with the key never in them.
"use strict";

function requiredEnv(name) {
  const value = process.env[name];
  if (!value) {
    process.stderr.write(`${name} is not set\n`);
    process.exit(2);
  }
  return value;
}

// The SDK reads its configuration from REFLAG_* variables, a reflag.config.json and NODE_ENV
// (NODE_ENV=test means offline): none of the developer's settings may steer a run.
function isolate() {
  for (const name of Object.keys(process.env)) {
    if (name.startsWith("REFLAG_") || name === "NODE_ENV") delete process.env[name];
  }
  process.chdir(__dirname);
}

// Errors with causes (the SDK wraps them) are spelled out, and `secretKey` never is.
function describer(secretKey) {
  return (args) => {
    const text = args
      .map((a) => {
        if (a instanceof Error) {
          let out = a.message;
          for (let c = a.cause; c; c = c.cause) out += ` (cause: ${c instanceof Error ? c.message : safeJson(c)})`;
          return out;
        }
        return typeof a === "string" ? a : safeJson(a);
      })
      .join(" ");
    return text.split(secretKey).join("sec_…");
  };
}

function safeJson(value) {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

module.exports = { requiredEnv, isolate, describer };
