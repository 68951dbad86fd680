// node:assert, not chai: chai 6 ships no types and @types/chai is not a dependency.
import assert from 'node:assert/strict';
import {
  isBreadcrumbSelected,
  isStreamSelected,
  keyPropertiesOf,
  replicationOf,
  selectedProperties,
  type CatalogEntry,
  type MetadataValues,
} from '../../../singer/catalog.js';

function entry(
  stream: MetadataValues | undefined,
  fields: Record<string, MetadataValues | undefined>,
  extra: Partial<CatalogEntry> = {},
): CatalogEntry {
  const metadata = [];
  if (stream) metadata.push({ breadcrumb: [], metadata: stream });
  for (const [name, values] of Object.entries(fields))
    if (values) metadata.push({ breadcrumb: ['properties', name], metadata: values });
  return {
    tap_stream_id: 'allocation',
    stream: 'allocation',
    schema: {
      type: 'object',
      properties: { id: { type: 'integer' }, qty: { type: 'number' }, note: { type: 'string' } },
    },
    metadata,
    ...extra,
  };
}

describe('singer/catalog: field selection follows the SDK rules (_breadcrumb_is_selected)', () => {
  // [description, stream metadata, field metadata, expected field selected]
  const table: [string, MetadataValues, MetadataValues | undefined, boolean][] = [
    ['automatic is always selected', { selected: true }, { inclusion: 'automatic' }, true],
    ['automatic ignores selected:false', { selected: true }, { inclusion: 'automatic', selected: false }, true],
    ['unsupported is never selected', { selected: true }, { inclusion: 'unsupported' }, false],
    ['unsupported ignores selected:true', { selected: true }, { inclusion: 'unsupported', selected: true }, false],
    ['available + selected:true', { selected: true }, { inclusion: 'available', selected: true }, true],
    ['available + selected:false', { selected: true }, { inclusion: 'available', selected: false }, false],
    [
      'selected wins over selected-by-default',
      { selected: true },
      { inclusion: 'available', selected: false, 'selected-by-default': true },
      false,
    ],
    [
      'selected-by-default:true when user said nothing',
      { selected: true },
      { inclusion: 'available', 'selected-by-default': true },
      true,
    ],
    [
      'selected-by-default:false when user said nothing',
      { selected: true },
      { inclusion: 'available', 'selected-by-default': false },
      false,
    ],
    ['no field entry: parent value (selected)', { selected: true }, undefined, true],
    ['no selection keys: parent value (selected)', { selected: true }, { inclusion: 'available' }, true],
    ['parent deselected deselects an automatic child', { selected: false }, { inclusion: 'automatic' }, false],
    [
      'parent deselected deselects a selected child',
      { selected: false },
      { inclusion: 'available', selected: true },
      false,
    ],
    ['parent not selected by default deselects child', { 'selected-by-default': false }, { selected: true }, false],
    ['parent selected by default passes through', { 'selected-by-default': true }, {}, true],
    ['parent with no selection keys is not selected', { 'table-key-properties': ['id'] }, { selected: true }, false],
  ];
  for (const [description, stream, field, expected] of table) {
    it(description, () => {
      assert.equal(isBreadcrumbSelected(entry(stream, { qty: field }), ['properties', 'qty']), expected);
    });
  }
});

describe('singer/catalog: stream selection', () => {
  const table: [string, CatalogEntry, boolean][] = [
    ['no metadata at all ⇒ selected', { ...entry(undefined, {}), metadata: undefined }, true],
    ['empty metadata list ⇒ selected', entry(undefined, {}), true],
    ['stream selected:true', entry({ selected: true }, {}), true],
    ['stream selected:false', entry({ selected: false }, {}), false],
    [
      'stream without selection keys ⇒ not selected (streams are opt-in)',
      entry({ 'table-key-properties': ['id'] }, {}),
      false,
    ],
    [
      'only field metadata, no stream entry ⇒ not selected',
      entry(undefined, { id: { inclusion: 'automatic' } }),
      false,
    ],
    ['stream selected-by-default:true', entry({ 'selected-by-default': true }, {}), true],
    ['stream inclusion unsupported', entry({ inclusion: 'unsupported', selected: true }, {}), false],
    [
      'legacy schema selected:true with metadata saying nothing',
      { ...entry({ 'table-key-properties': ['id'] }, {}), schema: { selected: true, properties: {} } },
      true,
    ],
    [
      'metadata selected:false beats legacy schema selected:true',
      { ...entry({ selected: false }, {}), schema: { selected: true, properties: {} } },
      false,
    ],
    [
      'legacy schema selected:false without metadata',
      { ...entry(undefined, {}), metadata: undefined, schema: { selected: false, properties: {} } },
      false,
    ],
  ];
  for (const [description, catalogEntry, expected] of table) {
    it(description, () => assert.equal(isStreamSelected(catalogEntry), expected));
  }
});

describe('singer/catalog: nested breadcrumbs and selectedProperties', () => {
  const nested: CatalogEntry = {
    tap_stream_id: 'order',
    stream: 'order',
    schema: { properties: { id: {}, ship_to: { properties: { city: {}, zip: {} } }, note: {} } },
    metadata: [
      { breadcrumb: [], metadata: { selected: true } },
      { breadcrumb: ['properties', 'id'], metadata: { inclusion: 'automatic' } },
      { breadcrumb: ['properties', 'ship_to'], metadata: { inclusion: 'available', selected: false } },
      { breadcrumb: ['properties', 'ship_to', 'properties', 'city'], metadata: { inclusion: 'automatic' } },
      { breadcrumb: ['properties', 'note'], metadata: { inclusion: 'available', selected: true } },
    ],
  };

  it('a deselected object deselects its automatic grandchild', () => {
    assert.equal(isBreadcrumbSelected(nested, ['properties', 'ship_to', 'properties', 'city']), false);
  });

  it('a grandchild without metadata inherits a selected parent', () => {
    const selectedParent = {
      ...nested,
      metadata: nested.metadata!.map((m) =>
        m.breadcrumb[1] === 'ship_to' && m.breadcrumb.length === 2 ? { ...m, metadata: { selected: true } } : m,
      ),
    };
    assert.equal(isBreadcrumbSelected(selectedParent, ['properties', 'ship_to', 'properties', 'zip']), true);
  });

  it('selectedProperties lists automatic and selected top-level fields only', () => {
    assert.deepEqual(selectedProperties(nested), ['id', 'note']);
  });

  it('legacy catalogs: selected in the schema per field; a deselected stream deselects every field', () => {
    const legacy: CatalogEntry = {
      tap_stream_id: 't',
      stream: 't',
      schema: { selected: true, properties: { a: { selected: false }, b: {} } },
    };
    assert.deepEqual(selectedProperties(legacy), ['b']);
    const off: CatalogEntry = { ...legacy, schema: { ...legacy.schema, selected: false } };
    assert.deepEqual(selectedProperties(off), []);
  });
});

describe('singer/catalog: replication and keys', () => {
  const table: [string, MetadataValues, Partial<CatalogEntry>, ReturnType<typeof replicationOf>][] = [
    ['nothing said ⇒ FULL_TABLE', {}, {}, { method: 'FULL_TABLE' }],
    [
      'user replication-method + replication-key (ignored by the SDK, honoured here)',
      { 'replication-method': 'INCREMENTAL', 'replication-key': 'mod_ts' },
      {},
      { method: 'INCREMENTAL', replicationKey: 'mod_ts' },
    ],
    [
      'user FULL_TABLE drops the key',
      { 'replication-method': 'FULL_TABLE', 'replication-key': 'mod_ts' },
      { replication_key: 'mod_ts' },
      { method: 'FULL_TABLE' },
    ],
    [
      'forced-replication-method wins over the user',
      { 'forced-replication-method': 'FULL_TABLE', 'replication-method': 'INCREMENTAL', 'replication-key': 'mod_ts' },
      {},
      { method: 'FULL_TABLE' },
    ],
    [
      'forced INCREMENTAL wins over user FULL_TABLE',
      {
        'forced-replication-method': 'INCREMENTAL',
        'replication-method': 'FULL_TABLE',
        'valid-replication-keys': ['mod_ts'],
      },
      {},
      { method: 'INCREMENTAL', replicationKey: 'mod_ts' },
    ],
    [
      'top-level replication_key implies INCREMENTAL (SDK catalog)',
      {},
      { replication_key: 'mod_ts' },
      { method: 'INCREMENTAL', replicationKey: 'mod_ts' },
    ],
    [
      'metadata replication-method beats top-level replication_method',
      { 'replication-method': 'INCREMENTAL' },
      { replication_method: 'FULL_TABLE', replication_key: 'id' },
      { method: 'INCREMENTAL', replicationKey: 'id' },
    ],
    [
      'metadata replication-key beats top-level replication_key',
      { 'replication-method': 'INCREMENTAL', 'replication-key': 'mod_ts' },
      { replication_key: 'create_ts' },
      { method: 'INCREMENTAL', replicationKey: 'mod_ts' },
    ],
  ];
  for (const [description, stream, extra, expected] of table) {
    it(description, () => assert.deepEqual(replicationOf(entry(stream, {}, extra)), expected));
  }

  it('key properties: table-key-properties metadata, then top-level key_properties, then none', () => {
    assert.deepEqual(keyPropertiesOf(entry({ 'table-key-properties': ['id'] }, {}, { key_properties: ['other'] })), [
      'id',
    ]);
    assert.deepEqual(keyPropertiesOf(entry({}, {}, { key_properties: ['other'] })), ['other']);
    assert.deepEqual(keyPropertiesOf(entry({}, {})), []);
  });
});
