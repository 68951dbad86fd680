import type { VirtualTable } from './virtual-table.js';

export type RequiredStyle = 'boolean' | 'yn';

/**
 * `GET entity/{name}/describe/`: `parameters` (filterable field names) and `fields` (type, max_length,
 * allow_blank, required, default, min/max). `required` is a JSON boolean as real describes appear to
 * send it [INF, docs/lgfapi.md §3.2]; the "yn" style emits Oracle's documented "Y"/"N" letters instead.
 */
export function renderDescribe(table: VirtualTable, requiredStyle: RequiredStyle): string {
  const parameters: string[] = [];
  const fields: Record<string, unknown> = {};
  for (const field of table.def.fields) {
    if (field.parameter) parameters.push(field.name);
    if (field.describe === null) continue;
    const entry: Record<string, unknown> = { ...field.describe };
    if (requiredStyle === 'yn') entry.required = field.describe.required ? 'Y' : 'N';
    fields[field.name] = entry;
  }
  return JSON.stringify({ parameters, fields });
}
