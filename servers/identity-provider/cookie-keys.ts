import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import * as z from 'zod';
import { loadOrCreatePrivateJson } from '../../shared/config/private-json-file.js';

const cookieKeys = z.object({ keys: z.array(z.string().min(32)).min(1) });

/**
 * Load the keys that sign the provider's session and interaction cookies from
 * `<directory>/cookie-keys.json`, or generate one (mode 0600) on first start. Nothing is hard-coded,
 * and browser sessions survive a restart. To rotate, prepend a new key: the first signs, all verify.
 */
export async function loadOrCreateCookieKeys(directory: string): Promise<string[]> {
  const file = await loadOrCreatePrivateJson(
    join(directory, 'cookie-keys.json'),
    (value) => cookieKeys.parse(value),
    async () => ({ keys: [randomBytes(32).toString('base64url')] }),
  );
  return file.keys;
}
