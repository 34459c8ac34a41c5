// A real OpenID Connect provider (the certified npm `oidc-provider`) on loopback, for the
// browser tests. `cargo xtask test` starts it before the app and points the app at it.
//
//   OIDC_PORT=… APP_URL=http://127.0.0.1:… OIDC_CLIENT_SECRET=… node oidc-provider.mjs
//
// Its built-in development login page accepts any password; the login name picks the account.
import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT ?? 3900);
const appUrl = process.env.APP_URL ?? 'http://127.0.0.1:3000';
const secret = process.env.OIDC_CLIENT_SECRET ?? 'local-dev-secret';

// login name → claims. Unlisted names get an address the provider did not verify.
const accounts = {
  'new-person': { email: 'new.person@oidc.example', email_verified: true, name: 'Nova Person' },
  ann: { email: 'ann@olivine.test', email_verified: true, name: 'Ann at Test ID' },
};

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [
    {
      client_id: 'olivine-e2e',
      client_secret: secret,
      redirect_uris: [`${appUrl}/auth/oidc/testid/callback`],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
  ],
  pkce: { required: () => true },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  // Put the scope's claims in the ID token too (we read the ID token, not userinfo).
  conformIdTokenClaims: false,
  async findAccount(_ctx, id) {
    const claims = accounts[id] ?? { email: `${id}@unverified.example`, email_verified: false };
    return { accountId: id, claims: async () => ({ sub: id, ...claims }) };
  },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['end-to-end-tests-only'] },
});
provider.proxy = false;
provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on http://127.0.0.1:${port}`);
});
