import * as z from 'zod';
import { InvalidInputError } from '../../../../shared/errors/plane-errors.js';
import type { ResourceKind, ResourceOf } from '../../domain/resources.js';
import type { ListQuery, ResourceStore } from '../../store/resource-store.js';

const cursorState = z.object({ after: z.string().min(1).max(253) });

function encodeCursor(after: string): string {
  return Buffer.from(JSON.stringify({ after })).toString('base64url');
}

function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  try {
    return cursorState.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))).after;
  } catch {
    throw new InvalidInputError(
      'cursor is not one this server issued',
      'Pass next_cursor from the previous page unchanged, or omit it to start over.',
    );
  }
}

/**
 * A page of the objects the caller may see. Items are checked one by one after fetching, so the store
 * is read in batches until the page is full or the list ends; the cursor resumes after the last item
 * examined, so pages neither repeat nor skip items.
 */
export async function listVisible<K extends ResourceKind>(
  store: ResourceStore,
  query: Omit<ListQuery, 'after' | 'limit'> & { kind: K },
  isVisible: (item: ResourceOf<K>) => boolean,
  page: { limit: number; cursor?: string | undefined },
  keep: (item: ResourceOf<K>) => boolean = () => true,
): Promise<{ items: ResourceOf<K>[]; nextCursor?: string }> {
  const items: ResourceOf<K>[] = [];
  let after = decodeCursor(page.cursor);
  const batch = Math.max(page.limit, 50);
  for (;;) {
    const result = await store.list({ ...query, limit: batch, ...(after ? { after } : {}) });
    for (const item of result.items) {
      after = item.metadata.name;
      if (keep(item) && isVisible(item)) items.push(item);
      if (items.length === page.limit) {
        const more = result.next !== undefined || item !== result.items[result.items.length - 1];
        return { items, ...(more ? { nextCursor: encodeCursor(after) } : {}) };
      }
    }
    if (result.next === undefined) return { items };
  }
}
