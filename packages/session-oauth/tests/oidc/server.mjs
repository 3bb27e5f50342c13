// A real OAuth 2.0 / OIDC server (oidc-provider) for session-oauth's tests. Loopback only.
//
//   node server.mjs PORT        prints "READY <issuer>" once it listens on 127.0.0.1:PORT
//
// Environment: AT_TTL (access-token lifetime, s; default 60), DEVICE_TTL (device code
// lifetime, s; default 600). Development-only settings (in-memory store, generated keys,
// devInteractions): never use this configuration outside tests.
//
// Test-only routes under /__test/ (JSON):
//   GET  /__test/stats                 token-endpoint requests: total, by grant type, errors
//   POST /__test/reset                 reset the counters and queued faults
//   POST /__test/faults                [{status, body}] answered by the next POST /token calls
//   POST /__test/device                {user_code, action: "approve"|"deny"} for a pending device code
//   POST /__test/destroy-access-token  {token}: revoke one access token only (grant stays)
import Provider from 'oidc-provider';

const port = Number(process.argv[2] || 3000);
const issuer = `http://127.0.0.1:${port}`;
const accessTtl = Number(process.env.AT_TTL || 60);
const deviceTtl = Number(process.env.DEVICE_TTL || 600);
const noFlows = { response_types: [], redirect_uris: [] };
const allScopes = 'openid offline_access channel:read';

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'conda-cli',
      token_endpoint_auth_method: 'none',
      application_type: 'native',
      grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
      response_types: ['code'],
      redirect_uris: ['http://127.0.0.1/callback'], // any loopback port (RFC 8252 section 7.3)
    },
    { client_id: 'ci-bot', client_secret: 'ci-secret', grant_types: ['client_credentials'], ...noFlows },
    { client_id: 'channel-rs', client_secret: 'rs-secret', grant_types: [], ...noFlows },
  ],
  features: Object.fromEntries(
    ['devInteractions', 'clientCredentials', 'deviceFlow', 'introspection', 'revocation']
      .map((feature) => [feature, { enabled: true }]),
  ),
  scopes: ['openid', 'offline_access', 'channel:read'],
  ttl: {
    AccessToken: accessTtl, ClientCredentials: accessTtl, DeviceCode: deviceTtl,
    RefreshToken: 86400, Grant: 86400, Session: 86400, Interaction: 600,
  },
  pkce: { required: () => true },
  rotateRefreshToken: true,
  issueRefreshToken: async (ctx, client, code) =>
    client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
  loadExistingGrant: async ({ oidc }) => { // auto-consent: tests only fill the login form
    const id = oidc.result?.consent?.grantId || oidc.session.grantIdFor(oidc.client.clientId);
    if (id) return oidc.provider.Grant.find(id);
    const grant = new oidc.provider.Grant({ clientId: oidc.client.clientId, accountId: oidc.session.accountId });
    grant.addOIDCScope(allScopes);
    await grant.save();
    return grant;
  },
});
provider.proxy = false;

const stats = { total: 0, byGrant: {}, errors: {} };
let faults = [];

async function readJson(ctx) {
  const chunks = [];
  for await (const chunk of ctx.req) chunks.push(chunk);
  return chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
}

async function approveDevice(userCode, action) {
  const normalized = String(userCode).toUpperCase().replace(/[^A-Z0-9]/g, '');
  const code = await provider.DeviceCode.findByUserCode(normalized, { ignoreExpiration: true });
  if (!code) return { status: 404, body: { error: 'no such user code' } };
  if (action === 'deny') {
    Object.assign(code, { error: 'access_denied', errorDescription: 'End-User aborted interaction' });
  } else {
    const grant = new provider.Grant({ clientId: code.clientId, accountId: 'tester' });
    grant.addOIDCScope(code.params.scope || allScopes);
    const grantId = await grant.save();
    Object.assign(code, {
      accountId: 'tester', authTime: Math.floor(Date.now() / 1000), grantId,
      scope: code.params.scope || allScopes,
    });
  }
  await code.save();
  return { status: 200, body: { ok: true } };
}

const testRoutes = {
  'GET /__test/stats': async () => ({ status: 200, body: stats }),
  'POST /__test/reset': async () => {
    Object.assign(stats, { total: 0, byGrant: {}, errors: {} });
    faults = [];
    return { status: 200, body: { ok: true } };
  },
  'POST /__test/faults': async (ctx) => {
    faults.push(...(await readJson(ctx)));
    return { status: 200, body: { queued: faults.length } };
  },
  'POST /__test/device': async (ctx) => {
    const { user_code: userCode, action } = await readJson(ctx);
    return approveDevice(userCode, action);
  },
  'POST /__test/destroy-access-token': async (ctx) => {
    const { token } = await readJson(ctx);
    const found = await provider.AccessToken.find(token);
    if (found) await found.destroy();
    return { status: 200, body: { destroyed: Boolean(found) } };
  },
};

provider.use(async (ctx, next) => {
  const route = testRoutes[`${ctx.method} ${ctx.path}`];
  if (route) {
    const { status, body } = await route(ctx);
    ctx.status = status;
    ctx.body = body;
    return;
  }
  const isTokenRequest = ctx.method === 'POST' && ctx.path === '/token';
  if (isTokenRequest && faults.length) {
    const fault = faults.shift();
    stats.total += 1;
    stats.errors[fault.body?.error || String(fault.status)] = (stats.errors[fault.body?.error] || 0) + 1;
    ctx.status = fault.status;
    ctx.body = fault.body;
    return;
  }
  await next();
  if (isTokenRequest) {
    const grantType = ctx.oidc?.params?.grant_type || 'unknown';
    stats.total += 1;
    stats.byGrant[grantType] = (stats.byGrant[grantType] || 0) + 1;
    if (ctx.status >= 400) {
      const error = ctx.body?.error || String(ctx.status);
      stats.errors[error] = (stats.errors[error] || 0) + 1;
    }
  }
});

provider.on('server_error', (ctx, error) => console.error('server_error', ctx.path, error));

provider.listen(port, '127.0.0.1', () => console.log(`READY ${issuer}`));
