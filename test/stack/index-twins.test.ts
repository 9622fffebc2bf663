import { randomBytes } from 'node:crypto';

import { MongoClient, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

import { runPsql } from '../../stack/psql.js';

/** Documents inserted, enough for PostgreSQL to prefer an index over a full scan. */
const documentCount = 3000;

const postgresUrl = inject('postgresUrl');

function emailOf(index: number): string {
  return `person${index}@example.com`;
}

interface PgIndex {
  name: string;
  definition: string;
}

describe('index twins on FerretDB', () => {
  // FerretDB turns each MongoDB database into a PostgreSQL schema of the same name.
  const databaseName = `index_twins_${randomBytes(4).toString('hex')}`;
  let client: MongoClient;
  let db: Db;

  beforeAll(async () => {
    client = new MongoClient(inject('mongoUrl'));
    db = client.db(databaseName);

    const profiles = db.collection<{ _id: string; email: string; name: string }>('profiles');
    await profiles.createIndex({ email: 1 }, { unique: true, sparse: true });
    await profiles.insertMany(
      Array.from({ length: documentCount }, (_, index) => ({
        _id: `profile-${index}`,
        email: emailOf(index),
        name: `Person ${index}`,
      })),
    );
  });

  afterAll(async () => {
    await db?.dropDatabase();
    await client?.close();
  });

  async function listIndexes(): Promise<PgIndex[]> {
    const output = await runPsql({
      url: postgresUrl,
      sql: `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = '${databaseName}' ORDER BY indexname`,
    });
    return output
      .trim()
      .split('\n')
      .map((line) => {
        const [name = '', definition = ''] = line.split('|');
        return { name, definition };
      });
  }

  async function findEmailIndex(): Promise<PgIndex> {
    const emailIndex = (await listIndexes()).find(
      (index) => index.definition.includes('USING btree') && index.definition.includes(`'email'::text`),
    );
    expect(emailIndex, 'FerretDB btree index over email').toBeDefined();
    return emailIndex!;
  }

  it('gives the email index a GIN twin', async () => {
    const emailIndex = await findEmailIndex();
    const twin = (await listIndexes()).find((index) => index.name === `${emailIndex.name}_gin`);

    expect(twin, `twin ${emailIndex.name}_gin`).toBeDefined();
    expect(twin!.definition).toContain('USING gin');
    expect(twin!.definition).toContain(`((_jsonb -> 'email'::text)) jsonb_path_ops`);
    expect(twin!.definition).toContain('fastupdate=off');
  });

  it('gives the _id index a GIN twin', async () => {
    const indexes = (await listIndexes()).filter((index) => index.name.startsWith('profiles_'));
    const idIndex = indexes.find((index) => index.definition.includes(`btree (((_jsonb -> '_id'::text)))`));

    expect(idIndex).toBeDefined();
    expect(indexes.map((index) => index.name)).toContain(`${idIndex!.name}_gin`);
  });

  it('plans equality on email with the twin', async () => {
    const emailIndex = await findEmailIndex();
    const table = /ON \S+\.(\S+) USING/.exec(emailIndex.definition)?.[1];
    expect(table).toBeDefined();

    // The statement FerretDB 1.24.2 prepares for find({email}) (internal/backends/postgresql/query.go),
    // prepared without parameter types as its driver does, then run with bound values.
    const plan = await runPsql({
      url: postgresUrl,
      sql:
        `PREPARE find_by_field AS SELECT _jsonb FROM "${databaseName}".${table} WHERE _jsonb->$1 @> $2; ` +
        `EXPLAIN (COSTS OFF) EXECUTE find_by_field('email', '"${emailOf(42)}"')`,
    });

    expect(plan).toContain('Bitmap Index Scan');
    expect(plan).toContain(`${emailIndex.name}_gin`);
  });

  it('needs custom plans to use the twin', async () => {
    const emailIndex = await findEmailIndex();
    const table = /ON \S+\.(\S+) USING/.exec(emailIndex.definition)?.[1];

    // A generic plan is made before the field name is bound, so it cannot match the twin's
    // expression and falls back to reading the whole table.
    const plan = await runPsql({
      url: postgresUrl,
      sql:
        'SET plan_cache_mode = force_generic_plan; ' +
        `PREPARE find_by_field AS SELECT _jsonb FROM "${databaseName}".${table} WHERE _jsonb->$1 @> $2; ` +
        `EXPLAIN (COSTS OFF) EXECUTE find_by_field('email', '"${emailOf(42)}"')`,
    });

    expect(plan).toContain('Seq Scan');
    expect(plan).not.toContain('_gin');
  });

  it('runs the FerretDB database with custom plans', async () => {
    const setting = await runPsql({ url: postgresUrl, sql: 'SHOW plan_cache_mode' });

    expect(setting.trim()).toBe('force_custom_plan');
  });

  it('finds a profile by email through the driver', async () => {
    const found = await db.collection('profiles').findOne({ email: emailOf(1234) });

    expect(found).toEqual({ _id: 'profile-1234', email: emailOf(1234), name: 'Person 1234' });
  });

  it('drops the twin with its index', async () => {
    const scratch = db.collection('scratch');
    await scratch.createIndex({ code: 1 }, { name: 'code_1' });
    const before = (await listIndexes()).filter((index) => index.name.startsWith('scratch_'));
    expect(
      before.some((index) => index.name.endsWith('_gin') && index.definition.includes(`'code'::text`)),
    ).toBe(true);

    await scratch.dropIndex('code_1');
    const after = (await listIndexes()).filter((index) => index.name.startsWith('scratch_'));

    expect(after.some((index) => index.definition.includes(`'code'::text`))).toBe(false);
  });

  it('skips compound and nested indexes', async () => {
    const other = db.collection('other');
    await other.createIndex({ a: 1, b: 1 });
    await other.createIndex({ 'address.city': 1 });

    const indexes = (await listIndexes()).filter((index) => index.name.startsWith('other_'));

    expect(indexes.filter((index) => index.definition.includes('USING btree'))).toHaveLength(3);
    // Only the _id index gets a twin.
    expect(indexes.filter((index) => index.definition.includes('USING gin'))).toHaveLength(1);
  });
});
