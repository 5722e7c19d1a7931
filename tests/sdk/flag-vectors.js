// Differential vectors for the flag evaluator: random contexts and valid flag sets evaluated by
// @reflag/flag-evaluation itself (pinned in package.json), with the clock and TZ=UTC pinned.
//
//   node tests/sdk/flag-vectors.js SEED [OUT]   (OUT defaults to stdout)
//
// Regenerate the committed file with: node tests/sdk/flag-vectors.js 23 tests/flags/vectors.json
// Date strings are drawn only from ECMAScript's ISO 8601 forms (and a few invalid ones), because
// other strings V8 reads as dates are out of the evaluator's scope.
"use strict";
// The library logs every non-numeric GT/LT and invalid date; thousands of those say nothing here.
console.error = () => {};
process.env.TZ = "UTC";
const fs = require("fs");
const { newEvaluator } = require("@reflag/flag-evaluation");

const seed = Number(process.argv[2] ?? 1) >>> 0;
let state = seed || 1;
function rand() {
  // mulberry32
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const int = (n) => Math.floor(rand() * n);
const pick = (xs) => xs[int(xs.length)];

const NOW = Date.UTC(2020, 0, 1) + int(10 * 365) * 86400000 + int(86400000);
const RealDate = Date;
globalThis.Date = class extends RealDate {
  constructor(...args) {
    if (args.length === 0) super(NOW);
    else super(...args);
  }
  static now() {
    return NOW;
  }
};

const TEXT = ["", "1e2", " 12", "12", "0x10", "-5", "3.5", "Infinity", "-Infinity", "1_000", ".5",
  "abc", "Acme", "acme", "ACME Corp", "ü", "Ünïcødé", "日本", "İstanbul", "ΟΔΟΣ", "true", "false",
  "enterprise", "Enterprise", "pro", "0", "-0", "1e400", "\t7\n", "0b101", "0o17", "NaN", "  "];
const DATES = ["2024-01-01", "2024-06-15T10:30:00Z", "2024-06-15T10:30", "2024-06-15T10:30:00.250+02:00",
  "2026-11-30", "2026-12-01T23:59:59Z", "2019-12-31T23:59:59.999Z", "2025-02-29", "2030", "2027-07",
  "+002025-03-01", "2024-01-01T24:00:00Z", "", "never", "2024-13-01", "2024-01-01T10:00:00-05:30"];
const DAYS = ["0", "1", "30", "1.5", "-2", "1e2", " 7", "", "abc", "0x10", "365", "100000000"];
const TEXT_FIELDS = ["user.id", "user.name", "user.age", "company.id", "company.plan", "company.seats",
  "company.tags.0", "company.tags.1", "other.flag", "other.n", "user.missing"];
const DATE_FIELDS = ["user.createdAt", "company.signedUpAt"];
const OPS = ["IS", "IS_NOT", "ANY_OF", "NOT_ANY_OF", "CONTAINS", "NOT_CONTAINS", "GT", "LT", "AFTER",
  "BEFORE", "DATE_AFTER", "DATE_BEFORE", "SET", "NOT_SET", "IS_TRUE", "IS_FALSE"];
const NUMBERS = [0, 1, 12, -5, 3.5, 100, 1e21, 1.5e-7, 0.1, 123456789012, 2 ** 53 + 2];

function scalar() {
  const r = rand();
  if (r < 0.65) return pick(TEXT);
  if (r < 0.85) return pick(NUMBERS);
  if (r < 0.93) return rand() < 0.5;
  return null;
}

function context() {
  const ctx = { user: { id: scalar() }, company: { id: scalar() } };
  if (rand() < 0.6) ctx.user.name = scalar();
  if (rand() < 0.6) ctx.user.age = scalar();
  if (rand() < 0.6) ctx.user.createdAt = pick(DATES);
  if (rand() < 0.7) ctx.company.plan = scalar();
  if (rand() < 0.5) ctx.company.seats = scalar();
  if (rand() < 0.6) ctx.company.signedUpAt = pick(DATES);
  if (rand() < 0.4) ctx.company.tags = rand() < 0.2 ? [] : [scalar(), scalar()];
  if (rand() < 0.3) ctx.other = rand() < 0.2 ? {} : { flag: scalar(), n: scalar() };
  if (rand() < 0.05) return {};
  return ctx;
}

function contextFilter() {
  const operator = pick(OPS);
  const dated = ["AFTER", "BEFORE", "DATE_AFTER", "DATE_BEFORE"].includes(operator);
  const field = dated ? pick(DATE_FIELDS) : pick(TEXT_FIELDS.concat(DATE_FIELDS));
  const pool = operator === "AFTER" || operator === "BEFORE" ? DAYS : operator.startsWith("DATE_") ? DATES : TEXT;
  const min = operator.includes("CONTAINS") ? 1 : 0;
  const values = Array.from({ length: min + int(3) }, () => pick(pool));
  const f = { type: "context", field, operator };
  if (values.length > 0 || rand() < 0.5) f.values = values;
  return f;
}

function filter(depth) {
  const r = rand();
  if (depth < 3 && r < 0.15)
    return { type: "group", operator: pick(["and", "or"]), filters: Array.from({ length: int(4) }, () => filter(depth + 1)) };
  if (depth < 3 && r < 0.22) return { type: "negation", filter: filter(depth + 1) };
  if (r < 0.3) return { type: "constant", value: rand() < 0.5 };
  if (r < 0.45) {
    const f = { type: "rolloutPercentage", partialRolloutAttribute: pick(["company.id", "user.id", "user.missing"]),
      partialRolloutThreshold: pick([0, 100000, int(100001), 50000]) };
    const key = pick(["flag-a", "", "ü-key", undefined]);
    if (key !== undefined) f.key = key;
    return f;
  }
  return contextFilter();
}

function flag(i) {
  const f = { key: `f${i}`, targeting: { version: int(20), rules: Array.from({ length: int(5) }, () => ({ filter: filter(0) })) } };
  if (rand() < 0.5)
    f.config = { version: int(9), variants: Array.from({ length: int(4) }, (_, j) => ({ filter: filter(0), key: `v${j}`, payload: { n: j } })) };
  return f;
}

const bits = (rs) => rs.map((r) => (r ? "1" : "0")).join("");
const sets = [];
for (let s = 0; s < 40; s++) {
  const flags = Array.from({ length: 5 }, (_, i) => flag(i));
  const enabled = flags.map((f) => newEvaluator(f.targeting.rules.map((r) => ({ filter: r.filter, value: true }))));
  const configs = flags.map((f) => f.config && newEvaluator(f.config.variants.map((v) => ({ filter: v.filter, value: v.key }))));
  const cases = [];
  for (let c = 0; c < 50; c++) {
    const ctx = context();
    const results = flags.map((f, i) => {
      const e = enabled[i](ctx, f.key);
      const out = [!!e.value, bits(e.ruleEvaluationResults), e.missingContextFields];
      if (configs[i]) {
        const v = configs[i](ctx, f.key);
        out.push(v.value ?? null, bits(v.ruleEvaluationResults), v.missingContextFields);
      }
      return out;
    });
    cases.push({ context: ctx, results });
  }
  sets.push({ features: flags, cases });
}

const doc = JSON.stringify({ library: "@reflag/flag-evaluation@1.0.1", seed, now: NOW, sets });
if (process.argv[3]) fs.writeFileSync(process.argv[3], doc + "\n");
else process.stdout.write(doc + "\n");
