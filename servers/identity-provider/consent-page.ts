import type { Request, Response } from 'express';
import { errors, type default as Provider, type Interaction } from 'oidc-provider';
import { SCOPES } from '../../shared/auth/scopes.js';
import { formToken } from './form-tokens.js';
import { escapeHtml, PAGE_HEADERS, renderPage } from './html.js';
import type { ProtectedResource } from './options.js';
import type { RememberedConsents } from './remembered-consents.js';
import { PUBLIC_CLIENT_ID } from './seed.js';

export interface ConsentSettings {
  provider: Provider;
  resources: readonly ProtectedResource[];
  consents: RememberedConsents;
  /** Key of the consent forms' anti-CSRF tokens. */
  formKey: string;
  log: (line: string, fields?: Record<string, unknown>) => void;
}

interface MissingConsent {
  missingOIDCScope?: string[];
  missingOIDCClaims?: string[];
  missingResourceScopes?: Record<string, string[]>;
}

const SCOPE_MEANINGS: Readonly<Record<string, string>> = {
  [SCOPES.controlPlaneRead]: 'read platform resources: projects, components, releases, builds',
  [SCOPES.controlPlaneWrite]: 'change platform resources as you: create, deploy, scale, delete',
  [SCOPES.observabilityRead]: 'read logs, metrics, traces, alerts and incidents',
  [SCOPES.observabilityWrite]: 'acknowledge and resolve incidents as you',
  openid: 'learn your user name and groups',
  offline_access: 'keep access while you are away',
};

/** The seeded clients people need not approve: the provider's own public client (service clients never reach a browser). */
export function isFirstPartyClient(clientId: string): boolean {
  return clientId === PUBLIC_CLIENT_ID;
}

export const consentFormToken = (key: string, details: Interaction) => formToken(key, 'consent', details.uid, accountIdOf(details));

/**
 * The consent page for a client that is not first-party: who asks (name, id, unverified), for whom,
 * on which server (the token audience), for which scopes, and where the browser goes next. Everything
 * the client chose is escaped; the form is bound to this interaction and person.
 */
export async function sendConsentPage(res: Response, settings: ConsentSettings, details: Interaction): Promise<void> {
  const clientId = String(details.params.client_id);
  const client = await settings.provider.Client.find(clientId);
  const servers = requestedResources(details, settings.resources);
  const target = redirectTarget(String(details.params.redirect_uri ?? ''));
  const scopes = [...new Set([...requestedOidcScopes(details), ...servers.flatMap((server) => server.scopes)])];
  const action = `/interaction/${encodeURIComponent(details.uid)}/consent`;
  const body = `<h1>Allow access?</h1>
<p><strong>${escapeHtml(client?.clientName ?? 'An unnamed application')}</strong> wants to act as
<strong>${escapeHtml(accountIdOf(details))}</strong> on:</p>
<ul>${servers.map((server) => `<li><strong>${escapeHtml(server.name)}</strong> <span class="muted">${escapeHtml(server.uri)}</span></li>`).join('')}</ul>
<p>It may:</p>
<ul>${scopes.map((scope) => `<li>${escapeHtml(SCOPE_MEANINGS[scope] ?? scope)} <code>${escapeHtml(scope)}</code></li>`).join('')}</ul>
<p>If you allow it, your browser goes on to <strong>${escapeHtml(target.label)}</strong>${
    target.local ? '.' : ', with a code that gives it this access. <span class="error">Allow only if you expected that.</span>'
  }</p>
<form method="post" action="${escapeHtml(action)}">
<input type="hidden" name="csrf" value="${escapeHtml(consentFormToken(settings.formKey, details))}">
<button type="submit" name="decision" value="approve">Allow</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>
<p class="muted">Client <code>${escapeHtml(clientId)}</code> registered itself with this provider: its name is not verified.
Your answer is remembered for this client; withdraw it at <a href="/consents">/consents</a>.</p>`;
  res.status(200).set(PAGE_HEADERS).type('html').send(renderPage('Allow access?', body));
}

/**
 * Record the consent and return to the authorization flow: exactly what the authorization request asked
 * and the client and resource allow, as oidc-provider computed it in the prompt details. A person's
 * approval is remembered per person and client; a first-party client's consent is implied, not remembered.
 */
export async function grantConsent(
  req: Request,
  res: Response,
  settings: ConsentSettings,
  details: Interaction,
  by: 'person' | 'first-party',
): Promise<void> {
  const { provider } = settings;
  const accountId = accountIdOf(details);
  const clientId = String(details.params.client_id);
  const existing = details.grantId ? await provider.Grant.find(details.grantId) : undefined;
  const grant = existing ?? new provider.Grant({ accountId, clientId });
  const missing = details.prompt.details as MissingConsent;
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
    grant.addResourceScope(resource, scopes.join(' '));
  }
  const grantId = await grant.save();
  if (by === 'person') await settings.consents.remember(accountId, clientId, grantId);
  settings.log('identity provider: consent granted', {
    user: accountId,
    clientId,
    by,
    resources: Object.keys(missing.missingResourceScopes ?? {}),
  });
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

export async function denyConsent(req: Request, res: Response, settings: ConsentSettings, details: Interaction): Promise<void> {
  settings.log('identity provider: consent denied', { user: accountIdOf(details), clientId: String(details.params.client_id) });
  const result = { error: 'access_denied', error_description: 'the user did not allow this application' };
  await settings.provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
}

function accountIdOf(details: Interaction): string {
  const accountId = details.session?.accountId;
  if (!accountId) throw new errors.InvalidRequest('consent requested without a signed-in user');
  return accountId;
}

/** The servers the request names, each with the scopes it asks for there (requested, or still missing from the grant). */
function requestedResources(details: Interaction, resources: readonly ProtectedResource[]) {
  const named = ([] as unknown[]).concat(details.params.resource ?? []).map(String);
  const requested = new Set(String(details.params.scope ?? '').split(' '));
  const missing = (details.prompt.details as MissingConsent).missingResourceScopes ?? {};
  return resources
    .filter((resource) => named.includes(resource.uri) || resource.uri in missing)
    .map((resource) => ({
      name: resource.name,
      uri: resource.uri,
      scopes: resource.scopes.filter((scope) => requested.has(scope) || missing[resource.uri]?.includes(scope)),
    }));
}

function requestedOidcScopes(details: Interaction): string[] {
  const requested = String(details.params.scope ?? '').split(' ');
  return ['openid', 'offline_access'].filter((scope) => requested.includes(scope));
}

/** Where the browser goes after consent, as a person should read it. */
function redirectTarget(uri: string): { label: string; local: boolean } {
  const url = URL.parse(uri);
  if (!url) return { label: 'an address the application gave', local: false };
  if (url.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
    return { label: `this computer (${url.host})`, local: true };
  }
  if (url.protocol === 'http:' || url.protocol === 'https:') return { label: url.host, local: false };
  return { label: `the application that opens ${url.protocol}//${url.host} links`, local: false };
}
