import type { TSchema } from '@sinclair/typebox';
import { configSchema } from '../core/config.js';

interface Row {
  path: string;
  type: string;
  defaultValue: string;
  description: string;
}

function typeOf(schema: Record<string, unknown>): string {
  if (Array.isArray(schema.anyOf)) {
    const members = schema.anyOf as Record<string, unknown>[];
    if (members.every((m) => 'const' in m)) return members.map((m) => String(m.const)).join(' \\| ');
    return members.map((m) => typeOf(m)).join(' \\| ');
  }
  if (schema.type === 'array') return `${typeOf((schema.items ?? {}) as Record<string, unknown>)}[]`;
  if ('const' in schema) return String(schema.const);
  return String(schema.type ?? 'any');
}

function walk(schema: Record<string, unknown>, path: string, rows: Row[]): void {
  const properties = schema.properties as Record<string, Record<string, unknown>> | undefined;
  if (properties !== undefined && schema.type === 'object') {
    for (const [key, child] of Object.entries(properties)) walk(child, path ? `${path}.${key}` : key, rows);
    return;
  }
  if (schema.type === 'array' && typeof schema.items === 'object' && schema.items !== null) {
    const items = schema.items as Record<string, unknown>;
    const members = Array.isArray(items.anyOf) ? (items.anyOf as Record<string, unknown>[]) : [items];
    if (members.every((m) => m.type === 'object')) {
      rows.push({
        path,
        type: 'list',
        defaultValue: schema.default === undefined ? '—' : `\`${JSON.stringify(schema.default)}\``,
        description: String(schema.description ?? '').replace(/\|/g, '\\|'),
      });
      for (const member of members) {
        const kind = (member.properties as Record<string, Record<string, unknown>> | undefined)?.type?.const;
        walk(member, `${path}[]${kind === undefined ? '' : `(type=${String(kind)})`}`, rows);
      }
      return;
    }
  }
  const secret = schema.secret === true ? ' (secret: never logged or printed)' : '';
  rows.push({
    path,
    type: typeOf(schema),
    defaultValue: schema.default === undefined ? '—' : `\`${JSON.stringify(schema.default)}\``,
    description: `${String(schema.description ?? '').replace(/\|/g, '\\|')}${secret}`,
  });
}

/** Every configuration option as a Markdown table, generated from the schema (the README embeds it). */
export function configReference(schema: TSchema = configSchema): string {
  const rows: Row[] = [];
  walk(schema as unknown as Record<string, unknown>, '', rows);
  const lines = ['| option | type | default | meaning |', '|---|---|---|---|'];
  for (const r of rows) lines.push(`| \`${r.path}\` | ${r.type} | ${r.defaultValue} | ${r.description} |`);
  return lines.join('\n') + '\n';
}
