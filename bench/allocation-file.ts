/**
 * The benches' input: a Singer file of allocation-shaped RECORDs (the columns and value shapes the tap emits for
 * allocation), `rows` of them, with a STATE every 10,000 rows. The first record is the exactness probe: a decimal with 20 significant
 * digits and an instant with microseconds and a +14:00 offset, read back by the side-by-side report.
 */
import { createWriteStream } from 'node:fs';

/** The probe's id and the values every exact target stores for it. */
export const PROBE = { id: 1, decimal: '12345678901234567.891', instant: '2024-06-30T23:59:59.123456+14:00' } as const;

const SCHEMA = {
  type: 'SCHEMA',
  stream: 'allocation',
  key_properties: ['id'],
  schema: {
    type: 'object',
    properties: {
      id: { type: 'integer' },
      facility_id_id: { type: ['integer', 'null'] },
      facility_id_key: { type: ['string', 'null'], maxLength: 64 },
      company_id_id: { type: ['integer', 'null'] },
      company_id_key: { type: ['string', 'null'], maxLength: 64 },
      order_dtl_id_id: { type: ['integer', 'null'] },
      item_id_key: { type: ['string', 'null'], maxLength: 64 },
      status_id: { type: ['integer', 'null'] },
      alloc_qty: { type: ['number', 'null'] },
      packed_qty: { type: ['number', 'null'] },
      uom_qty: { type: ['number', 'null'] },
      task_id_key: { type: ['string', 'null'], maxLength: 64 },
      is_picking_flg: { type: ['boolean', 'null'] },
      create_user: { type: ['string', 'null'], maxLength: 64 },
      create_ts: { type: ['string', 'null'], format: 'date-time' },
      mod_ts: { type: ['string', 'null'], format: 'date-time' },
    },
  },
};

export async function writeAllocationFile(file: string, rows: number): Promise<void> {
  const out = createWriteStream(file);
  const write = (line: string) =>
    out.write(line) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r()));
  await write(`${JSON.stringify(SCHEMA)}\n`);
  const probe = { id: PROBE.id, alloc_qty: 0, mod_ts: PROBE.instant, create_ts: PROBE.instant };
  await write(
    `{"type":"RECORD","stream":"allocation","record":${JSON.stringify(probe).replace('"alloc_qty":0', `"alloc_qty":${PROBE.decimal}`)}}\n`,
  );
  let chunk = '';
  for (let i = 2; i <= rows; i += 1) {
    const micro = String(i % 1_000_000).padStart(6, '0');
    const record = {
      id: 1_000_000_000_000 + i,
      facility_id_id: 100 + (i % 7),
      facility_id_key: `FAC${i % 7}`,
      company_id_id: 1,
      company_id_key: 'COMPANY1',
      order_dtl_id_id: 5_000_000 + Math.floor(i / 3),
      item_id_key: `ITEM-${i % 50_000}`,
      status_id: 90 + (i % 4),
      alloc_qty: `${i % 1000}.${String(i % 10_000).padStart(4, '0')}`,
      packed_qty: (i % 1000) / 4,
      uom_qty: 1,
      task_id_key: `TASK-${Math.floor(i / 25)}`,
      is_picking_flg: i % 2 === 0,
      create_user: 'wms_user',
      create_ts: `2024-03-10T01:${String(i % 60).padStart(2, '0')}:59.${micro}-05:00`,
      mod_ts: `2024-06-30T23:59:${String(i % 60).padStart(2, '0')}.${micro}+14:00`,
    };
    // Decimals arrive as JSON numbers (the tap turns WMS decimal strings into exact numbers).
    chunk += `{"type":"RECORD","stream":"allocation","record":${JSON.stringify(record).replace(/"alloc_qty":"([0-9.]+)"/, '"alloc_qty":$1')}}\n`;
    if (i % 10_000 === 0) {
      chunk += `{"type":"STATE","value":{"bookmarks":{"allocation":{"replication_key":"mod_ts","replication_key_value":"${record.mod_ts}"}}}}\n`;
      await write(chunk);
      chunk = '';
    }
  }
  await write(chunk);
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
}
