import { afterAll } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';
import { describeControlPlaneTools } from './tool-suite.js';

let database: TestDatabase | undefined;
afterAll(() => database?.drop());

describeControlPlaneTools('PostgreSQL', async () => {
  database = await createTestDatabase();
  return { PLANE_STORE: 'postgres', PLANE_DATABASE_URL: database.url };
});
