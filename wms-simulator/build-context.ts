import type { VirtualTable } from './virtual-table.js';

/** What entity builders may know about the tenant while wiring their generators. */
export interface BuildContext {
  readonly seed: number;
  /** Resolved lazily: generators run after every table exists. */
  table(name: string): VirtualTable;
  rowCount(name: string): number;
  /** Zone of the facility at this facility row index. */
  facilityZone(facilityIndex: number): string;
  /** Zone of rows that belong to no facility (company, item, uom). */
  readonly defaultZone: string;
}
