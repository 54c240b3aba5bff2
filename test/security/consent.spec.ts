import { decodeJwt } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_CLIENT_ID } from '../../servers/identity-provider/seed.js';
import { authorizationRequest, rawRequest, redeem, registerPublicClient } from '../support/authorization.js';
import {
  CookieJar,
  oauthErrorCode,
  parseForm,
  signInThroughLoginPage,
  startTestIdentityProvider,
  TEST_RESOURCES,
  type TestIdentityProvider,
} from '../support/identity.js';

/**
 * Item 1 of the security review: a freshly registered client got a person's code without the person
 * being asked. Now every client but the seeded public one gets a consent page, and the answer is
 * remembered per person and client until it is withdrawn at /consents.
 */
let idp: TestIdentityProvider;
const resource = TEST_RESOURCES.controlPlane;
const scope = 'controlplane:read controlplane:write';
const dev = { username: 'dev', password: 'dev' };

beforeAll(async () => {
  idp = await startTestIdentityProvider();
});
afterAll(() => idp?.close());

/** A browser that has already signed in once, through the seeded public client (no consent needed). */
async function signedInBrowser(credentials = dev): Promise<CookieJar> {
  const jar = new CookieJar();
  const request = await authorizationRequest(idp.issuer, PUBLIC_CLIENT_ID, {
    redirect_uri: 'http://127.0.0.1:41000/callback',
    resource,
    scope,
  });
  const outcome = await signInThroughLoginPage(request.url, credentials, { jar });
  expect(outcome.redirect?.searchParams.get('code')).toEqual(expect.any(String));
  return jar;
}

const observabilityRequest = (redirect_uri: string) => ({
  redirect_uri,
  resource: TEST_RESOURCES.observabilityPlane,
  scope: 'observability:read',
});

const loopbackClient = (name = 'An assistant') =>
  registerPublicClient(idp.issuer, { client_name: name, application_type: 'native', redirect_uris: ['http://127.0.0.1/callback'] });

describe('a client that registered itself', () => {
  it('does not get a code from a browser that signed in before: the person sees who asks, for what, and where the code goes', async () => {
    const clientId = await registerPublicClient(idp.issuer, {
      client_name: 'Totally Legit <b>Tool</b>',
      redirect_uris: ['https://evil.example/cb'],
    });
    const jar = await signedInBrowser();
    const request = await authorizationRequest(idp.issuer, clientId, { redirect_uri: 'https://evil.example/cb', resource, scope });
    const outcome = await signInThroughLoginPage(request.url, dev, { jar, consent: 'stop' });
    expect(outcome.redirect).toBeUndefined();
    const html = outcome.page!.html;
    expect(outcome.page!.status).toBe(200);
    expect(html).toContain('Allow access?');
    expect(html).toContain('Totally Legit &lt;b&gt;Tool&lt;/b&gt;');
    expect(html).not.toContain('<b>Tool</b>');
    expect(html).toContain(clientId);
    expect(html).toContain('<strong>evil.example</strong>');
    expect(html).toContain('control plane');
    expect(html).toContain(resource);
    expect(html).toContain('<code>controlplane:read</code>');
    expect(html).toContain('<code>controlplane:write</code>');
    expect(html).toContain('<strong>dev</strong>');
  });

  it('sends the browser back with access_denied and no code when the person denies', async () => {
    const clientId = await loopbackClient();
    const request = await authorizationRequest(idp.issuer, clientId, { redirect_uri: 'http://127.0.0.1:5001/callback', resource, scope });
    const outcome = await signInThroughLoginPage(request.url, dev, { consent: 'deny' });
    expect(outcome.redirect?.origin).toBe('http://127.0.0.1:5001');
    expect(outcome.redirect?.searchParams.get('error')).toBe('access_denied');
    expect(outcome.redirect?.searchParams.get('code')).toBeNull();
  });

  it('gets a code for exactly what was shown when the person allows it', async () => {
    const clientId = await loopbackClient();
    const request = await authorizationRequest(idp.issuer, clientId, { redirect_uri: 'http://127.0.0.1:5002/callback', resource, scope });
    const outcome = await signInThroughLoginPage(request.url, dev, { consent: 'approve' });
    const tokens = await redeem(request, outcome.redirect!, resource);
    expect(tokens.scope).toBe(scope);
    expect(decodeJwt(tokens.access_token)).toMatchObject({ sub: 'dev', client_id: clientId, aud: resource, scope });
  });

  it('refuses a consent form posted without its token, with another interaction’s token, or from another origin', async () => {
    const clientId = await loopbackClient();
    const jar = await signedInBrowser();
    const first = await authorizationRequest(idp.issuer, clientId, { redirect_uri: 'http://127.0.0.1:5003/callback', resource, scope });
    const page = await signInThroughLoginPage(first.url, dev, { jar, consent: 'stop' });
    const form = parseForm(page.page!.html)!;
    const other = await authorizationRequest(idp.issuer, clientId, { redirect_uri: 'http://127.0.0.1:5003/callback', resource, scope });
    const otherForm = parseForm((await signInThroughLoginPage(other.url, dev, { jar, consent: 'stop' })).page!.html)!;
    const post = (fields: Record<string, string>, origin = idp.issuer) =>
      fetch(new URL(form.action, idp.issuer), {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header(new URL(form.action, idp.issuer)), origin },
        body: new URLSearchParams(fields).toString(),
      });
    const attempts: Record<string, string>[] = [
      { decision: 'approve' },
      { decision: 'approve', csrf: 'forged' },
      { decision: 'approve', csrf: otherForm.hidden.csrf! },
    ];
    for (const fields of attempts) {
      const refused = await post(fields);
      expect(refused.status).toBe(400);
      expect(refused.headers.get('location')).toBeNull();
    }
    const crossSite = await post({ decision: 'approve', csrf: form.hidden.csrf! }, 'http://evil.example');
    expect(crossSite.status).toBe(403);
    // The real form still works afterwards: nothing above consumed the interaction.
    const allowed = await post({ decision: 'approve', csrf: form.hidden.csrf! });
    expect(allowed.status).toBe(303);
  });

  it('remembers an approval per person and client: a new browser session is not asked again, another person is', async () => {
    const clientId = await loopbackClient();
    const ask = () => authorizationRequest(idp.issuer, clientId, { redirect_uri: 'http://127.0.0.1:5004/callback', resource, scope });
    const approved = await signInThroughLoginPage((await ask()).url, dev, { consent: 'approve' });
    expect(approved.redirect?.searchParams.get('code')).toEqual(expect.any(String));

    const laterRequest = await ask();
    const later = await signInThroughLoginPage(laterRequest.url, dev, { consent: 'stop' });
    expect(later.redirect?.searchParams.get('code')).toEqual(expect.any(String));
    expect((await redeem(laterRequest, later.redirect!, resource)).scope).toBe(scope);

    const viewer = await signInThroughLoginPage((await ask()).url, { username: 'viewer', password: 'viewer' }, { consent: 'stop' });
    expect(viewer.page?.html).toContain('Allow access?');
  });

  it('asks again for a server the person has not approved, and when the client asks with prompt=consent', async () => {
    const clientId = await loopbackClient();
    const redirect_uri = 'http://127.0.0.1:5005/callback';
    await signInThroughLoginPage((await authorizationRequest(idp.issuer, clientId, { redirect_uri, resource, scope })).url, dev);
    const observability = await authorizationRequest(idp.issuer, clientId, observabilityRequest(redirect_uri));
    const page = (await signInThroughLoginPage(observability.url, dev, { consent: 'stop' })).page!.html;
    expect(page).toContain('observability plane');
    expect(page).toContain('<code>observability:read</code>');
    expect(page).not.toContain('<code>controlplane:read</code>');
    const again = await authorizationRequest(idp.issuer, clientId, { redirect_uri, resource, scope, prompt: 'consent' });
    expect((await signInThroughLoginPage(again.url, dev, { consent: 'stop' })).page?.html).toContain('Allow access?');

    // Allowing the second server keeps the first: new browser sessions are asked for neither.
    await signInThroughLoginPage((await authorizationRequest(idp.issuer, clientId, { ...observabilityRequest(redirect_uri) })).url, dev);
    for (const parameters of [{ redirect_uri, resource, scope }, observabilityRequest(redirect_uri)]) {
      const outcome = await signInThroughLoginPage((await authorizationRequest(idp.issuer, clientId, parameters)).url, dev, {
        consent: 'stop',
      });
      expect(outcome.redirect?.searchParams.get('code'), parameters.resource).toEqual(expect.any(String));
    }
  });

  it('can be withdrawn at /consents: its refresh token stops working and the consent page comes back', async () => {
    const clientId = await loopbackClient('Withdraw me');
    const ask = () => authorizationRequest(idp.issuer, clientId, { redirect_uri: 'http://127.0.0.1:5006/callback', resource, scope });
    const request = await ask();
    const tokens = await redeem(request, (await signInThroughLoginPage(request.url, dev)).redirect!, resource);

    const signIn = await fetch(`${idp.issuer}/consents`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: idp.issuer },
      body: new URLSearchParams(dev).toString(),
    });
    const list = await signIn.text();
    expect(list).toContain('Withdraw me');
    const revokeForm = [...list.matchAll(/<form method="post" action="\/consents\/revoke">([\s\S]*?)<\/form>/g)]
      .map((match) => parseForm(`<form method="post" action="/consents/revoke">${match[1]}</form>`)!)
      .find((form) => form.hidden.client === clientId)!;
    const forged = await fetch(`${idp.issuer}/consents/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...revokeForm.hidden, client: 'another-client' }).toString(),
    });
    expect(forged.status).toBe(400);
    const withdrawn = await fetch(`${idp.issuer}/consents/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: idp.issuer },
      body: new URLSearchParams(revokeForm.hidden).toString(),
    });
    expect(withdrawn.status).toBe(200);
    expect(await withdrawn.text()).not.toContain('Withdraw me');

    const refresh = await client.refreshTokenGrant(request.configuration, tokens.refresh_token!).catch((error: unknown) => error);
    expect(oauthErrorCode(refresh)).toBe('invalid_grant');
    const asked = await signInThroughLoginPage((await ask()).url, dev, { consent: 'stop' });
    expect(asked.page?.html).toContain('Allow access?');
  });

  it('shows the /consents sign-in to a browser without a session, and refuses a wrong password', async () => {
    const page = await fetch(`${idp.issuer}/consents`);
    expect(await page.text()).toContain('Sign in to see and withdraw them');
    const wrong = await fetch(`${idp.issuer}/consents`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: 'dev', password: 'nope' }).toString(),
    });
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).not.toContain('/consents/revoke');
  });
});

describe('the seeded public client', () => {
  it('is first-party: a signed-in browser goes straight back with a code', async () => {
    const jar = await signedInBrowser();
    const request = await authorizationRequest(idp.issuer, PUBLIC_CLIENT_ID, {
      redirect_uri: 'http://127.0.0.1:41001/callback',
      resource,
      scope,
    });
    const outcome = await signInThroughLoginPage(request.url, dev, { jar, consent: 'stop' });
    expect(outcome.redirect?.searchParams.get('code')).toEqual(expect.any(String));
  });
});

describe('the consent page under the Host check', () => {
  it('is not served for a foreign Host', async () => {
    const response = await rawRequest(`${idp.issuer}/consents`, { headers: { host: 'evil.example' } });
    expect(response.status).toBe(403);
  });
});
