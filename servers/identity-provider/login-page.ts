import express, { type NextFunction, type Request, type Response } from 'express';
import { errors, type default as Provider, type Interaction } from 'oidc-provider';
import { authenticate } from './accounts.js';
import { consentFormToken, denyConsent, grantConsent, isFirstPartyClient, sendConsentPage, type ConsentSettings } from './consent-page.js';
import { tokensMatch } from './form-tokens.js';
import { escapeHtml, PAGE_HEADERS, renderPage } from './html.js';
import { sendPageError } from './http-errors.js';

const INVALID_CREDENTIALS = 'Invalid user name or password.';

/**
 * The interaction routes oidc-provider redirects the browser to (`/interaction/:uid`):
 * - `login`: a plain HTML form (user name + password); a failed attempt re-renders the form with one
 *   message, whatever was wrong;
 * - `consent`: implied for the provider's own public client; any other client gets the consent page
 *   (consent-page.ts), and the person's answer is posted back with the form's anti-CSRF token.
 */
export function createInteractionRoutes(settings: ConsentSettings): express.Router {
  const { provider, log } = settings;
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '4kb' });

  router.get('/interaction/:uid', async (req, res, next) => {
    try {
      const details = await provider.interactionDetails(req, res);
      if (details.prompt.name === 'login') {
        await sendLoginForm(res, provider, details);
      } else if (details.prompt.name === 'consent') {
        if (isFirstPartyClient(String(details.params.client_id))) await grantConsent(req, res, settings, details, 'first-party');
        else await sendConsentPage(res, settings, details);
      } else {
        throw new Error(`unsupported interaction prompt "${details.prompt.name}"`);
      }
    } catch (error) {
      next(error);
    }
  });

  router.post('/interaction/:uid/login', form, async (req, res, next) => {
    try {
      const details = await provider.interactionDetails(req, res);
      if (details.prompt.name !== 'login') throw new errors.InvalidRequest('this sign-in step is already complete');
      const body = (req.body ?? {}) as Record<string, unknown>;
      const userName = typeof body.username === 'string' ? body.username.trim() : '';
      const password = typeof body.password === 'string' ? body.password : '';
      const user = authenticate(userName, password);
      const clientId = String(details.params.client_id);
      if (!user) {
        log('identity provider: sign-in failed', { clientId });
        await sendLoginForm(res, provider, details, { status: 400, error: INVALID_CREDENTIALS, userName });
        return;
      }
      log('identity provider: signed in', { user: user.name, clientId });
      await provider.interactionFinished(req, res, { login: { accountId: user.name } }, { mergeWithLastSubmission: false });
    } catch (error) {
      next(error);
    }
  });

  router.post('/interaction/:uid/consent', form, async (req, res, next) => {
    try {
      const details = await provider.interactionDetails(req, res);
      if (details.prompt.name !== 'consent') throw new errors.InvalidRequest('this consent step is already complete');
      const body = (req.body ?? {}) as Record<string, unknown>;
      if (!tokensMatch(body.csrf, consentFormToken(settings.formKey, details))) {
        throw new errors.InvalidRequest('the consent form did not come from this provider');
      }
      if (body.decision === 'approve') await grantConsent(req, res, settings, details, 'person');
      else await denyConsent(req, res, settings, details);
    } catch (error) {
      next(error);
    }
  });

  router.get('/interaction/:uid/abort', async (req, res, next) => {
    try {
      const result = { error: 'access_denied', error_description: 'the user cancelled the sign-in' };
      await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
    } catch (error) {
      next(error);
    }
  });

  router.use('/interaction', (error: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const expired = error instanceof errors.SessionNotFound;
    // The class and OAuth code only: a form parser's error carries the request body.
    if (!expired) log('identity provider: interaction failed', { error: errorName(error), code: (error as { error?: unknown }).error });
    const message = expired
      ? 'This sign-in request has expired or was already used. Start again from your application.'
      : 'The sign-in could not be completed. Start again from your application.';
    sendPageError(req, res, 400, 'Sign-in error', message);
  });

  return router;
}

async function sendLoginForm(
  res: Response,
  provider: Provider,
  details: Interaction,
  outcome: { status: number; error: string; userName: string } = { status: 200, error: '', userName: '' },
): Promise<void> {
  const clientId = String(details.params.client_id);
  const client = await provider.Client.find(clientId);
  const clientName = client?.clientName ?? clientId;
  const action = `/interaction/${encodeURIComponent(details.uid)}`;
  const body = `<h1>Sign in</h1>
<p class="muted">to continue to <strong>${escapeHtml(clientName)}</strong></p>
${outcome.error ? `<p class="error" role="alert">${escapeHtml(outcome.error)}</p>` : ''}
<form method="post" action="${escapeHtml(`${action}/login`)}" autocomplete="off">
<label for="username">User name</label>
<input id="username" name="username" required autofocus autocapitalize="none" spellcheck="false" value="${escapeHtml(outcome.userName)}">
<label for="password">Password</label>
<input id="password" name="password" type="password" required>
<button type="submit">Sign in</button>
</form>
<p class="muted">Dev mode: users admin, platform, dev, sre, viewer; the password is the user name.
<a href="${escapeHtml(`${action}/abort`)}">Cancel</a></p>`;
  res.status(outcome.status).set(PAGE_HEADERS).type('html').send(renderPage('Sign in', body));
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
