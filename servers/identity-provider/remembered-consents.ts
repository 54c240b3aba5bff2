import { interactionPolicy, type Adapter, type default as Provider, type Grant, type KoaContextWithOIDC } from 'oidc-provider';
import * as z from 'zod';

const consentRecord = z.object({
  clients: z.record(z.string(), z.object({ grantId: z.string(), approvedAt: z.number() })),
});

/** How long a person's consent record is kept after the last approval (each consent also ends with its grant). */
const RECORD_TTL_SECONDS = 365 * 24 * 60 * 60;

export interface RememberedConsent {
  clientId: string;
  grantId: string;
  /** Seconds since the epoch. */
  approvedAt: number;
}

/**
 * The consents people gave on the consent page, per person and client, so that a person who approved a
 * client once is not asked again in another browser session (until the grant expires or the consent is
 * revoked). Each points at the oidc-provider Grant holding what was approved; kept in the provider's own
 * storage (one record per person), so they survive a restart.
 */
export class RememberedConsents {
  constructor(private readonly adapter: Adapter) {}

  async list(accountId: string): Promise<RememberedConsent[]> {
    const clients = await this.#clientsOf(accountId);
    return Object.entries(clients).map(([clientId, consent]) => ({ clientId, ...consent }));
  }

  async grantIdFor(accountId: string, clientId: string): Promise<string | undefined> {
    return (await this.#clientsOf(accountId))[clientId]?.grantId;
  }

  async remember(accountId: string, clientId: string, grantId: string): Promise<void> {
    const clients = await this.#clientsOf(accountId);
    clients[clientId] = { grantId, approvedAt: Math.floor(Date.now() / 1000) };
    await this.adapter.upsert(accountId, { clients }, RECORD_TTL_SECONDS);
  }

  async forget(accountId: string, clientId: string): Promise<void> {
    const clients = await this.#clientsOf(accountId);
    if (!(clientId in clients)) return;
    delete clients[clientId];
    await this.adapter.upsert(accountId, { clients }, RECORD_TTL_SECONDS);
  }

  async #clientsOf(accountId: string): Promise<z.infer<typeof consentRecord>['clients']> {
    const parsed = consentRecord.safeParse(await this.adapter.find(accountId));
    return parsed.success ? parsed.data.clients : {};
  }
}

/**
 * oidc-provider's `loadExistingGrant`: the grant this authorization request continues — the one just
 * approved, the one this browser session holds for the client, or the one the person approved earlier
 * in another session. A grant that no longer exists (revoked, expired) is skipped, so the consent page
 * appears again.
 */
export function loadExistingGrant(consents: RememberedConsents) {
  return async (ctx: KoaContextWithOIDC): Promise<Grant | undefined> => {
    const { provider, client, account, session, result } = ctx.oidc;
    if (!client) return undefined;
    const candidates = [
      (result?.consent as { grantId?: string } | undefined)?.grantId,
      session?.grantIdFor(client.clientId),
      account ? await consents.grantIdFor(account.accountId, client.clientId) : undefined,
    ];
    for (const grantId of candidates) {
      const grant = grantId ? await provider.Grant.find(grantId) : undefined;
      if (grant && grant.clientId === client.clientId && grant.accountId === account?.accountId) return grant;
    }
    return undefined;
  };
}

/**
 * Withdraw a person's consent for a client: forget it, and revoke its grant with the refresh tokens and
 * authorization codes issued under it. Access tokens already issued are JWTs checked offline by the MCP
 * servers; they stay valid until they expire (PLANE_ACCESS_TOKEN_TTL_SECONDS).
 */
export async function revokeConsent(
  provider: Provider,
  consents: RememberedConsents,
  accountId: string,
  clientId: string,
): Promise<boolean> {
  const grantId = await consents.grantIdFor(accountId, clientId);
  await consents.forget(accountId, clientId);
  if (!grantId) return false;
  await Promise.all([provider.RefreshToken.revokeByGrantId(grantId), provider.AuthorizationCode.revokeByGrantId(grantId)]);
  const grant = await provider.Grant.find(grantId);
  await grant?.destroy();
  return true;
}

/**
 * oidc-provider's interaction policy with one change: its `native_client_prompt` check sends every
 * authorization of a native client (loopback or private-use redirect) through the consent step, even
 * when the person approved that client before (RFC 8252 §8.6 advice, as such a redirect proves little
 * about the client). Here it asks until the person has approved the client once; the consent page is
 * shown again after a revocation, for a new server or scope, or when the client sends `prompt=consent`.
 */
export function rememberingInteractionPolicy() {
  const policy = interactionPolicy.base();
  const checks = policy.get('consent')!.checks;
  const position = checks.findIndex((check) => check.reason === 'native_client_prompt');
  checks.remove('native_client_prompt');
  checks.add(
    new interactionPolicy.Check(
      'native_client_prompt',
      'native clients require End-User interaction until the End-User approved them',
      'interaction_required',
      (ctx) => {
        const { oidc } = ctx;
        const approvedBefore = oidc.entities.Grant?.jti !== undefined;
        return (
          oidc.client?.applicationType === 'native' && oidc.params?.response_type !== 'none' && !oidc.result?.consent && !approvedBefore
        );
      },
    ),
    position,
  );
  return policy;
}
