import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, inject, test } from 'vitest';
import { runPsql } from '../../stack/psql.js';
import { closeStore, connectStore } from '../../store/connect-store.js';
import type { Store } from '../../store/connect-store.js';

// FerretDB turns each MongoDB database into a PostgreSQL schema of the same name.
const databaseName = `store_twins_${randomBytes(4).toString('hex')}`;
let store: Store;

beforeAll(async () => {
  const url = new URL(inject('mongoUrl'));
  url.pathname = `/${databaseName}`;
  store = await connectStore({ url: url.toString() });
});

afterAll(async () => {
  await store?.db.dropDatabase();
  await closeStore(store);
});

async function profileIndexes(): Promise<{ name: string; definition: string }[]> {
  const output = await runPsql({
    url: inject('postgresUrl'),
    sql: `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = '${databaseName}' AND tablename LIKE 'profiles_%' ORDER BY indexname`,
  });
  return output
    .trim()
    .split('\n')
    .map((line) => {
      const [name = '', definition = ''] = line.split('|');
      return { name, definition };
    });
}

test.each(['_id', 'external_id', 'custom_identifier', 'email', 'phone_number'])(
  'profiles index on %s has a GIN twin',
  async (field) => {
    const indexes = await profileIndexes();
    const btree = indexes.find((index) =>
      index.definition.includes(`USING btree (((_jsonb -> '${field}'::text)))`),
    );

    expect(btree, `btree index on ${field}`).toBeDefined();
    const twin = indexes.find((index) => index.name === `${btree!.name}_gin`);
    expect(twin, `twin of ${btree!.name}`).toBeDefined();
    expect(twin!.definition).toContain(`USING gin (((_jsonb -> '${field}'::text)) jsonb_path_ops)`);
  },
);

test('identifier indexes are unique', async () => {
  const indexes = await store.profiles.indexes();
  const byName = new Map(indexes.map((index) => [index.name, index]));

  for (const field of ['external_id', 'custom_identifier', 'email', 'phone_number']) {
    expect(byName.get(`${field}_unique`)?.unique, field).toBe(true);
  }
});
