import type { Adapter, AdapterFactory, AdapterPayload } from 'oidc-provider';
import * as z from 'zod';
import { readPrivateJson, writePrivateJson } from '../../shared/config/private-json-file.js';

const stateFile = z.object({
  records: z.record(z.string(), z.object({ payload: z.looseObject({}), expiresAt: z.number().optional() })),
});

type StoredRecord = z.infer<typeof stateFile>['records'][string];

/**
 * oidc-provider's storage adapter for one dev process: records live in memory and every change is
 * written to one private JSON file (mode 0600, atomic replace), so that dynamically registered clients,
 * grants, refresh tokens and browser sessions survive a restart, like the signing keys. A single process
 * owns the file; production deployments use an external identity provider instead.
 */
export async function createFileAdapter(path: string): Promise<AdapterFactory> {
  const loaded = await readPrivateJson(path, (value) => stateFile.parse(value));
  const records = new Map<string, StoredRecord>(Object.entries(loaded?.records ?? {}));
  let writes: Promise<void> = Promise.resolve();

  const live = (key: string): StoredRecord | undefined => {
    const record = records.get(key);
    if (record?.expiresAt !== undefined && record.expiresAt <= Date.now()) {
      records.delete(key);
      return undefined;
    }
    return record;
  };

  const keysOf = (model: string) => [...records.keys()].filter((key) => key.startsWith(`${model}:`));

  const findWhere = (model: string, matches: (payload: AdapterPayload) => boolean): AdapterPayload | undefined => {
    for (const key of keysOf(model)) {
      const record = live(key);
      if (record && matches(record.payload)) return structuredClone(record.payload);
    }
    return undefined;
  };

  /** Persist the current records; writes are serialized (a failed one does not block the next), expired records dropped. */
  const save = (): Promise<void> => {
    writes = writes
      .catch(() => undefined)
      .then(() => {
        for (const key of [...records.keys()]) live(key);
        return writePrivateJson(path, { records: Object.fromEntries(records) });
      });
    return writes;
  };

  return (model: string): Adapter => ({
    async upsert(id, payload, expiresIn) {
      const expiresAt = typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 : undefined;
      records.set(`${model}:${id}`, { payload: structuredClone(payload), ...(expiresAt === undefined ? {} : { expiresAt }) });
      await save();
    },
    async find(id) {
      const record = live(`${model}:${id}`);
      return record ? structuredClone(record.payload) : undefined;
    },
    async findByUid(uid) {
      return findWhere(model, (payload) => payload.uid === uid);
    },
    async findByUserCode(userCode) {
      return findWhere(model, (payload) => payload.userCode === userCode);
    },
    async consume(id) {
      const record = live(`${model}:${id}`);
      if (!record) return;
      record.payload.consumed = Math.floor(Date.now() / 1000);
      await save();
    },
    async destroy(id) {
      if (records.delete(`${model}:${id}`)) await save();
    },
    async revokeByGrantId(grantId) {
      const revoked = keysOf(model).filter((key) => records.get(key)?.payload.grantId === grantId);
      for (const key of revoked) records.delete(key);
      if (revoked.length > 0) await save();
    },
  });
}
