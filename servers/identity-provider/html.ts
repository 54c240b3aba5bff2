import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';

/** Escape text for an HTML element or a quoted attribute. Everything echoed into a page goes through it. */
export function escapeHtml(value: unknown): string {
  return String(value ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/**
 * Headers every page of the provider carries: no caching, no framing, no scripts. `form-action` is left
 * out on purpose: browsers apply it to the redirect that follows a form post, and that redirect goes to
 * the client (a loopback port or `cursor://`). `same-origin` referrers: nothing leaves for other sites,
 * and the page's own form posts carry a real `Origin` (under `no-referrer` browsers send `Origin: null`,
 * which the provider's Origin check refuses).
 */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
};

const STYLE = `body{font-family:system-ui,sans-serif;background:#f4f5f7;margin:0}
main{max-width:22rem;margin:4rem auto;background:#fff;padding:1.5rem 2rem;border-radius:6px;box-shadow:0 1px 3px rgba(0,0,0,.2)}
h1{font-size:1.3rem;font-weight:600}label{display:block;margin:.8rem 0 .2rem}
input{width:100%;box-sizing:border-box;padding:.5rem;font-size:1rem}
button{margin-top:1.2rem;width:100%;padding:.6rem;font-size:1rem;cursor:pointer}
.error{color:#b00020}.muted{color:#555;font-size:.9rem}`;

/** A complete page. `title` is escaped here; `body` must already be safe HTML. */
export function renderPage(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><main>${body}</main></body>
</html>`;
}

function setPage(ctx: KoaContextWithOIDC, title: string, body: string): void {
  ctx.set(PAGE_HEADERS);
  ctx.type = 'html';
  ctx.body = renderPage(title, body);
}

/**
 * oidc-provider's error page (errors that cannot be sent back to the client): code and description only.
 * A caller that is not a browser gets the same as an OAuth JSON error.
 */
export const renderError: NonNullable<Configuration['renderError']> = (ctx, out) => {
  if (ctx.accepts('json', 'html') !== 'html') {
    ctx.set('cache-control', 'no-store');
    ctx.type = 'json';
    ctx.body = { error: out.error, ...(out.error_description ? { error_description: out.error_description } : {}) };
    return;
  }
  setPage(
    ctx,
    'Sign-in error',
    `<h1>Something went wrong</h1><p class="error">${escapeHtml(out.error)}</p>` +
      (out.error_description ? `<p>${escapeHtml(out.error_description)}</p>` : ''),
  );
};

type LogoutFeature = NonNullable<NonNullable<Configuration['features']>['rpInitiatedLogout']>;

/** The sign-out confirmation page; `form` is oidc-provider's hidden form (its XSRF token included). */
export const logoutSource: NonNullable<LogoutFeature['logoutSource']> = (ctx, form) => {
  setPage(
    ctx,
    'Sign out',
    `<h1>Sign out of the plane-mcp identity provider?</h1>${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button>
<button type="submit" form="op.logoutForm">Stay signed in</button>`,
  );
};

export const postLogoutSuccessSource: NonNullable<LogoutFeature['postLogoutSuccessSource']> = (ctx) => {
  setPage(ctx, 'Signed out', '<h1>You are signed out</h1><p class="muted">You can close this window.</p>');
};
