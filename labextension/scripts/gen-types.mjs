// Generate labextension/src/api/types.gen.ts from the Pydantic JSON Schema (the wire contract).
//
//   node labextension/scripts/gen-types.mjs           write the schema and the types
//   node labextension/scripts/gen-types.mjs --check   regenerate in memory; exit 1 if either file drifted
//
// The Python interpreter is $PYTHON, else `python`.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

import { compile } from 'json-schema-to-typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const schemaPath = join(root, 'labextension', 'schema', 'api.schema.json');
const typesPath = join(root, 'labextension', 'src', 'api', 'types.gen.ts');
const check = process.argv.includes('--check');

const BANNER = `/* eslint-disable */
/**
 * Generated from the Pydantic models in matih_workbench/models by \`jlpm gen:types\`.
 * Do not edit: change the models, then run \`jlpm gen:types\` (\`jlpm check:types\` fails on drift).
 */`;

const python = process.env.PYTHON || 'python';
const schemaText = execFileSync(python, ['-m', 'matih_workbench.models.schema'], {
  cwd: root,
  encoding: 'utf-8'
});
const schema = JSON.parse(schemaText);

// Pydantic titles every property ("Run Id"); json-schema-to-typescript would name a type alias after each.
// Keep titles only on the models themselves so fields and maps are inlined.
function untitled(node, isModel = false) {
  if (Array.isArray(node)) {
    return node.map(item => untitled(item));
  }
  if (node === null || typeof node !== 'object') {
    return node;
  }
  const out = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'title' && !isModel) {
      continue;
    }
    if (key === 'properties' || key === '$defs') {
      out[key] = Object.fromEntries(
        Object.entries(value).map(([name, sub]) => [name, untitled(sub, key === '$defs')])
      );
    } else {
      out[key] = untitled(value);
    }
  }
  return out;
}

// One exported declaration per model: make every $def reachable from a root that is itself not emitted.
const defs = Object.keys(schema.$defs ?? {}).sort();
const wrapper = {
  title: 'MatihApiContract',
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries(defs.map(name => [name, { $ref: `#/$defs/${name}` }])),
  $defs: untitled({ $defs: schema.$defs }).$defs
};

let types = await compile(wrapper, 'MatihApiContract', {
  bannerComment: BANNER,
  additionalProperties: false,
  unreachableDefinitions: true,
  strictIndexSignatures: false,
  format: true,
  style: { singleQuote: true, trailingComma: 'none', arrowParens: 'avoid', printWidth: 100 }
});
// Drop the synthetic root interface and the comments pointing at it; keep the models.
types = types
  .replace(/export interface MatihApiContract \{[\s\S]*?\n\}\n\n?/, '')
  .replace(/\/\*\*\n \* This interface was referenced by[^/]*\*\/\n/g, '')
  .replace(/\n \*\n \* This interface was referenced by[^\n]*\n[^\n]*\n/g, '\n');

const outputs = [
  [schemaPath, schemaText.endsWith('\n') ? schemaText : `${schemaText}\n`],
  [typesPath, types]
];

if (check) {
  const drifted = outputs.filter(([path, text]) => !existsSync(path) || readFileSync(path, 'utf-8') !== text);
  for (const [path] of drifted) {
    console.error(`${relative(root, path)} is out of date with the Pydantic models: run \`jlpm gen:types\``);
  }
  if (drifted.length) {
    process.exit(1);
  }
  console.log(`types up to date (${defs.length} models)`);
} else {
  for (const [path, text] of outputs) {
    writeFileSync(path, text);
  }
  console.log(`wrote ${relative(root, typesPath)} (${defs.length} models)`);
}
