import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathSegment, StateStore } from '../../../orchestrator/state-store.js';

describe('orchestrator state store (real files)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'state-store-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('keeps one file per company/facility/job with readable, collision-free names', () => {
    const store = new StateStore(dir);
    assert.equal(store.fileOf('ACME', 'DC01', 'incremental'), path.join(dir, 'ACME', 'DC01', 'incremental.json'));
    assert.equal(pathSegment('*'), '~2A');
    assert.equal(pathSegment('../x'), '..~2Fx');
    assert.notEqual(pathSegment('A/B'), pathSegment('A_B'));
    assert.ok(!pathSegment('..').includes('/'));
    assert.notEqual(pathSegment('..'), '..');
  });

  it('writes atomically (no temp file left, mode 0600) and reads back exactly', async () => {
    const store = new StateStore(dir);
    assert.equal(await store.read('A', 'F', 'j'), undefined);
    const file = await store.write('A', 'F', 'j', {
      bookmarks: { s: { replication_key_value: '2025-01-01T00:00:00Z' } },
    });
    await store.write('A', 'F', 'j', { bookmarks: { s: { replication_key_value: '2025-01-02T00:00:00Z' } } });
    assert.deepEqual(await store.read('A', 'F', 'j'), {
      bookmarks: { s: { replication_key_value: '2025-01-02T00:00:00Z' } },
    });
    assert.deepEqual(await readdir(path.dirname(file)), ['j.json']);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.match(await readFile(file, 'utf8'), /2025-01-02/);
  });
});
