/** Prints the README's configuration table from the config schema: `node --import tsx scripts/config-table.ts`. */
import { ConfigSchema } from '../src/config.js';

const rows = Object.entries(ConfigSchema.properties).map(([key, schema]) => {
  const s = schema as { default?: unknown; anyOf?: { const: string }[]; type?: string; minimum?: number };
  const type = s.anyOf ? s.anyOf.map((a) => a.const).join(' \\| ') : s.type;
  const def = s.default === '' ? '(empty)' : String(s.default);
  return `| \`${key}\` | ${type} | \`${def}\` |`;
});
console.log(['| variable | type | default |', '|---|---|---|', ...rows].join('\n'));
