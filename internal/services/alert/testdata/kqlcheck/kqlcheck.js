#!/usr/bin/env node
// kqlcheck.js: binds KQL queries with Microsoft's Kusto.Language (npm @kusto/language-service-next, pinned in
// package-lock.json) against the Log Analytics tables in schema.json, and reports every diagnostic.
// Test-only: internal/services/alert/kql_test.go runs it; `make kql-deps` installs its one dependency.
//
//   node kqlcheck.js --batch [--schema FILE] < queries.jsonl
//
// stdin: one JSON object per line, {"id": "...", "query": "..."}.
// stdout: one JSON object per input line, in input order:
//   {"id": "...", "ok": true|false, "diagnostics": [{"severity","code","message","line","col","text"}]}
//   ok is false when at least one diagnostic is an error (warnings are reported but do not fail).
// stderr: a last line "kqlcheck: N queries, F failed, load X ms, analyze Y ms".
// Only the columns of schema.json's "tables" (Microsoft's table docs) bind; its "extendedColumns" (newer columns
// from a third-party dump) are ignored on purpose, so a query cannot come to rely on an undocumented column.
// Exit code: 0 all ok, 1 some query failed, 2 usage, input or setup problem.
'use strict';
const fs = require('fs');
const path = require('path');

function die(msg) {
  process.stderr.write('kqlcheck: ' + msg + '\n');
  process.exit(2);
}

let schemaPath = path.join(__dirname, 'schema.json');
let batch = false;
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--batch') batch = true;
  else if (args[i] === '--schema' && i + 1 < args.length) schemaPath = args[++i];
  else die('usage: node kqlcheck.js --batch [--schema FILE] < queries.jsonl (bad argument ' + JSON.stringify(args[i]) + ')');
}
if (!batch) die('only --batch mode is supported');

let schema;
try {
  schema = JSON.parse(fs.readFileSync(schemaPath, 'utf8'));
} catch (e) {
  die('cannot read schema ' + schemaPath + ': ' + e.message);
}

const t0 = process.hrtime.bigint();
try {
  // bridge.js defines the Bridge.NET runtime (global System); Kusto.Language.Bridge.js then defines global Kusto.
  require('@kusto/language-service-next/bridge.js');
  require('@kusto/language-service-next/Kusto.Language.Bridge.js');
} catch (e) {
  die('cannot load @kusto/language-service-next (run `make kql-deps`): ' + e.message);
}
const K = global.Kusto.Language;
const t1 = process.hrtime.bigint();

// A table is declared as a schema string "(['col']:type, ...)", which TableSymbol parses.
const tables = Object.keys(schema.tables || {}).map((name) => {
  const seen = new Set();
  const decl = schema.tables[name]
    .filter((c) => !seen.has(c.name) && seen.add(c.name))
    .map((c) => "['" + c.name.replace(/\\/g, '\\\\').replace(/'/g, "\\'") + "']:" + c.type)
    .join(', ');
  return new K.Symbols.TableSymbol.$ctor7(name, '(' + decl + ')', null);
});
if (tables.length === 0) die('schema ' + schemaPath + ' declares no tables');
const globals = K.GlobalState.Default.WithDatabase(new K.Symbols.DatabaseSymbol.ctor(schema.database || 'LogAnalytics', tables));

function analyze(text) {
  const list = K.KustoCode.ParseAndAnalyze(text, globals).GetDiagnostics();
  const n = System.Array.getCount(list, K.Diagnostic);
  const diagnostics = [];
  let ok = true;
  for (let i = 0; i < n; i++) {
    const d = System.Array.getItem(list, i, K.Diagnostic);
    const at = d.HasLocation ? position(text, d.Start) : { line: 0, col: 0 };
    diagnostics.push({ severity: d.Severity, code: d.Code, message: d.Message, line: at.line, col: at.col,
      text: d.HasLocation ? text.substr(d.Start, d.Length) : '' });
    if (d.Severity === 'Error') ok = false;
  }
  return { ok, diagnostics };
}

function position(text, offset) {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, col: before[before.length - 1].length + 1 };
}

let input;
try {
  input = fs.readFileSync(0, 'utf8');
} catch (e) {
  die('cannot read stdin: ' + e.message);
}
let count = 0;
let failed = 0;
const lines = input.split('\n');
for (let i = 0; i < lines.length; i++) {
  if (lines[i].trim() === '') continue;
  let item;
  try {
    item = JSON.parse(lines[i]);
  } catch (e) {
    die('line ' + (i + 1) + ' is not JSON: ' + e.message);
  }
  if (item === null || typeof item.query !== 'string') die('line ' + (i + 1) + ' has no "query" string');
  const r = analyze(item.query);
  count++;
  if (!r.ok) failed++;
  process.stdout.write(JSON.stringify({ id: item.id === undefined ? null : item.id, ok: r.ok, diagnostics: r.diagnostics }) + '\n');
}
const ms = (a, b) => (Number(b - a) / 1e6).toFixed(0);
process.stderr.write(`kqlcheck: ${count} queries, ${failed} failed, load ${ms(t0, t1)} ms, analyze ${ms(t1, process.hrtime.bigint())} ms\n`);
process.exit(failed === 0 ? 0 : 1);
