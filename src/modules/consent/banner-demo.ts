/**
 * A sample site showing the consent banner (`/consent-demo`, only with CUSTOS_CONSENT_BANNER_DEMO=true).
 * It runs under the server's own strict Content-Security-Policy (scripts and styles from 'self' only), as
 * a careful site would. Its tagged script runs once the visitor allows `analytics`.
 */
export function bannerDemoPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Example Shop — consent banner demo</title>
<script src="/consent.js" async></script>
</head>
<body>
<header><h1>Example Shop</h1></header>
<main>
<p>A sample page with the Custos consent banner. Mark purposes as <em>website</em> purposes in the console
(for example one with the key <code>analytics</code>) to see them here.</p>
<p id="analytics-status">Analytics has not run.</p>
<p><a href="#" data-custos-open>Privacy settings</a></p>
<script type="text/plain" data-custos-purpose="analytics" src="/consent-demo/analytics.js"></script>
</main>
</body>
</html>
`;
}

/** What the demo's tagged script does when it may run: says so on the page. */
export const bannerDemoScript = `document.getElementById('analytics-status').textContent = 'Analytics ran.';
document.body.setAttribute('data-analytics', 'ran');
`;
