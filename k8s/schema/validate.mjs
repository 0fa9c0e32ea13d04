// node k8s/schema/validate.mjs RENDERED.json: validate rendered Kubernetes objects offline against
// Kubernetes' published API schemas, as packaged (pinned) in kubernetes-models. RENDERED.json is
// {"<overlay>": [objects...], ...}; all overlays go through one TypeScript program (one start-up).
//
// Two passes over every object, because neither catches everything alone:
//  1. kubernetes-models' validators, generated from the Kubernetes OpenAPI spec: types, required
//     fields, enums and formats (a string where a boolean belongs, a container without a name).
//     They accept unknown fields, as the API server's non-strict decoding does.
//  2. TypeScript's excess-property check against the same package's declarations: every object is
//     written as a typed object literal, so a field the API does not have (a misspelt
//     readOnlyRootFileSystem, restartPolicy on an old API) is an error, like kubectl's
//     --validate=strict.
// Prints one line per problem and exits 1, or prints "ok".
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const ts = require("typescript");

const rendered = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const problems = [];

// apiVersion "apps/v1" -> "apps/v1", core "v1" -> "v1": kubernetes-models' module layout.
const modulePath = (o) => `kubernetes-models/${o.apiVersion}/${o.kind}`;
const label = new Map(); // object -> overlay
const describe = (o) => `${label.get(o)}: ${o.kind}/${o.metadata?.name}`;

const typed = [];
let count = 0;
for (const [overlay, objs] of Object.entries(rendered)) for (const o of objs) label.set(o, overlay);
for (const [i, o] of Object.values(rendered).flat().entries()) {
  count++;
  let Model;
  try {
    Model = (await import(modulePath(o)))[o.kind];
  } catch {
    problems.push(`${describe(o)}: no schema for apiVersion ${o.apiVersion} kind ${o.kind}`);
    continue;
  }
  try {
    new Model(o).validate();
  } catch (e) {
    problems.push(`${describe(o)}: ${e.message}`);
  }
  typed.push({ i, o });
}

// One virtual TypeScript file: an import per kind, a typed literal per object.
const lines = [];
const owner = []; // line -> object, to name the object in a diagnostic
const kinds = new Map();
for (const { o } of typed) kinds.set(`I${o.kind}`, modulePath(o));
for (const [iface, mod] of kinds) {
  lines.push(`import type { ${iface} } from "${mod}";`);
  owner.push(null);
}
for (const { i, o } of typed) {
  const body = JSON.stringify(o, null, 1).split("\n");
  body[0] = `export const m${i}: I${o.kind} = ${body[0]}`;
  body[body.length - 1] += ";";
  for (const l of body) {
    lines.push(l);
    owner.push(o);
  }
}
const virtual = path.join(here, "rendered.ts");
const text = lines.join("\n") + "\n";
const options = {
  noEmit: true,
  strict: true,
  skipLibCheck: true,
  types: [],
  module: ts.ModuleKind.Node16,
  moduleResolution: ts.ModuleResolutionKind.Node16,
  target: ts.ScriptTarget.ES2022,
};
const host = ts.createCompilerHost(options);
const getSourceFile = host.getSourceFile.bind(host);
host.getSourceFile = (name, lang, ...rest) =>
  name === virtual ? ts.createSourceFile(name, text, lang) : getSourceFile(name, lang, ...rest);
const fileExists = host.fileExists.bind(host);
host.fileExists = (name) => name === virtual || fileExists(name);
const readFile = host.readFile.bind(host);
host.readFile = (name) => (name === virtual ? text : readFile(name));
const program = ts.createProgram([virtual], options, host);
for (const d of ts.getPreEmitDiagnostics(program)) {
  const msg = ts.flattenDiagnosticMessageText(d.messageText, " ");
  if (d.file && d.file.fileName === virtual && d.start !== undefined) {
    const { line } = d.file.getLineAndCharacterOfPosition(d.start);
    const o = owner[line];
    problems.push(`${o ? describe(o) : "imports"}: ${msg} (at: ${lines[line].trim()})`);
  } else {
    problems.push(msg);
  }
}

if (problems.length) {
  for (const p of problems) console.log(`FAIL schema: ${p}`);
  process.exit(1);
}
console.log(`ok: ${count} objects of ${Object.keys(rendered).join(", ")} valid against the Kubernetes API schemas`);
