import express, { type NextFunction, type Request, type Response } from 'express';
import type { default as Provider } from 'oidc-provider';
import { authenticate } from './accounts.js';
import { formToken, tokensMatch } from './form-tokens.js';
import { escapeHtml, PAGE_HEADERS, renderPage } from './html.js';
import { sendPageError } from './http-errors.js';
import { revokeConsent, type RememberedConsents } from './remembered-consents.js';

export interface ConsentsPageSettings {
  provider: Provider;
  consents: RememberedConsents;
  formKey: string;
  log: (line: string, fields?: Record<string, unknown>) => void;
}

/** How long the revoke buttons of a rendered list stay usable. */
const REVOKE_FORM_TTL_SECONDS = 15 * 60;

/**
 * `/consents`: a person sees the applications they allowed and withdraws any of them. The person is the
 * one signed in at the provider in this browser, or signs in on the page itself. Each revoke button
 * carries a token bound to the person, the client and an expiry, so no other site can post one.
 */
export function createConsentsRoutes(settings: ConsentsPageSettings): express.Router {
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '4kb' });

  router.get('/consents', async (req, res, next) => {
    try {
      const accountId = await signedInAccount(settings.provider, req, res);
      if (accountId) await sendConsentList(res, settings, accountId);
      else sendSignIn(res, 200, '');
    } catch (error) {
      next(error);
    }
  });

  router.post('/consents', form, async (req, res, next) => {
    try {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const user = authenticate(String(body.username ?? '').trim(), String(body.password ?? ''));
      if (user) await sendConsentList(res, settings, user.name);
      else sendSignIn(res, 400, 'Invalid user name or password.');
    } catch (error) {
      next(error);
    }
  });

  router.post('/consents/revoke', form, async (req, res, next) => {
    try {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const [accountId, clientId, expires] = [String(body.account ?? ''), String(body.client ?? ''), String(body.expires ?? '')];
      const valid =
        Number(expires) > Date.now() / 1000 && tokensMatch(body.token, revokeToken(settings.formKey, accountId, clientId, expires));
      if (!valid) {
        sendSignIn(res, 400, 'That page has expired. Sign in again.');
        return;
      }
      await revokeConsent(settings.provider, settings.consents, accountId, clientId);
      settings.log('identity provider: consent revoked', { user: accountId, clientId });
      await sendConsentList(res, settings, accountId, 'Withdrawn. The application must ask you again.');
    } catch (error) {
      next(error);
    }
  });

  router.use('/consents', (error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    settings.log('identity provider: consents page failed', { error: error instanceof Error ? error.name : typeof error });
    sendPageError(req, res, 400, 'Applications you allowed', 'The request could not be completed. Open /consents again.');
  });

  return router;
}

async function signedInAccount(provider: Provider, req: Request, res: Response): Promise<string | undefined> {
  const session = await provider.Session.get(provider.createContext(req, res));
  return session.accountId;
}

function revokeToken(key: string, accountId: string, clientId: string, expires: string): string {
  return formToken(key, 'revoke', accountId, clientId, expires);
}

async function sendConsentList(res: Response, settings: ConsentsPageSettings, accountId: string, notice = ''): Promise<void> {
  const consents = await settings.consents.list(accountId);
  const expires = String(Math.floor(Date.now() / 1000) + REVOKE_FORM_TTL_SECONDS);
  const rows = await Promise.all(
    consents.map(async ({ clientId, approvedAt }) => {
      const client = await settings.provider.Client.find(clientId);
      const fields = { account: accountId, client: clientId, expires, token: revokeToken(settings.formKey, accountId, clientId, expires) };
      return `<li><strong>${escapeHtml(client?.clientName ?? 'An unnamed application')}</strong> <code>${escapeHtml(clientId)}</code>
<span class="muted">allowed ${escapeHtml(new Date(approvedAt * 1000).toISOString().slice(0, 16).replace('T', ' '))} UTC</span>
<form method="post" action="/consents/revoke">${Object.entries(fields)
        .map(([name, value]) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`)
        .join('')}<button type="submit">Withdraw</button></form></li>`;
    }),
  );
  const body = `<h1>Applications you allowed</h1>
<p class="muted">Signed in as <strong>${escapeHtml(accountId)}</strong>.</p>
${notice ? `<p role="status">${escapeHtml(notice)}</p>` : ''}
${rows.length ? `<ul>${rows.join('')}</ul>` : '<p>None.</p>'}
<p class="muted">Withdrawing revokes the application's refresh tokens at once; an access token it already holds stays valid until it expires (at most an hour by default).</p>`;
  res.status(200).set(PAGE_HEADERS).type('html').send(renderPage('Applications you allowed', body));
}

function sendSignIn(res: Response, status: number, error: string): void {
  const body = `<h1>Applications you allowed</h1>
<p class="muted">Sign in to see and withdraw them.</p>
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/consents" autocomplete="off">
<label for="username">User name</label>
<input id="username" name="username" required autocapitalize="none" spellcheck="false">
<label for="password">Password</label>
<input id="password" name="password" type="password" required>
<button type="submit">Sign in</button>
</form>`;
  res.status(status).set(PAGE_HEADERS).type('html').send(renderPage('Applications you allowed', body));
}
