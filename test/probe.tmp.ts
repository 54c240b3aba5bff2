import { startTestIdentityProvider } from './support/identity.js';
const idp = await startTestIdentityProvider();
for (const [m, p, body, ct] of [
  ['GET', '/nope'],
  ['POST', '/token', 'x'.repeat(5_000_000), 'application/x-www-form-urlencoded'],
  ['POST', '/reg', '{"redirect_uris":', 'application/json'],
  ['POST', '/interaction/abc/login', 'username=' + 'a'.repeat(10000), 'application/x-www-form-urlencoded'],
  ['GET', '/interaction/abc'],
  ['GET', '/auth?client_id=nope'],
  ['POST', '/reg', JSON.stringify({ redirect_uris: ['http://evil.example/cb'] }), 'application/json'],
  ['POST', '/reg', JSON.stringify({ redirect_uris: ['https://evil.example/cb'], client_name: 'x' }), 'application/json'],
] as const) {
  const r = await fetch(idp.issuer + p, { method: m, body, headers: ct ? { 'content-type': ct } : {} });
  console.log(m, p, r.status, r.headers.get('content-type'), (await r.text()).slice(0, 250).replace(/\n/g, ' '));
}
await idp.close();
