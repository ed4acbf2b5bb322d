/**
 * Console sign-in with an OpenID Connect provider, through openid-client (v6, the
 * certified relying-party library of the OpenID Foundation's member; ESM, no native parts): the
 * authorization code flow with PKCE, state and nonce. The provider proves who the person is;
 * Kairos decides what they may do: the person must be a Kairos user, matched by the provider's
 * subject once bound, or on the first sign-in by `preferred_username` (or a verified `email`)
 * equal to the username of a user an admin created without a password.
 */
import type * as OpenidClient from 'openid-client';
import type { Config } from '../config.js';
import type { Store } from '../store/store.js';
import type { UserRecord } from '../store/access-records.js';

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string;
}

/** The provider the server's settings name, when they name all three parts of it. */
export function oidcSettingsOf(
  config: Pick<Config, 'oidcIssuer' | 'oidcClientId' | 'oidcClientSecret'>,
): OidcSettings | undefined {
  const { oidcIssuer: issuer, oidcClientId: clientId, oidcClientSecret: clientSecret } = config;
  return issuer && clientId && clientSecret ? { issuer, clientId, clientSecret } : undefined;
}

/** What the browser keeps (in a short-lived HttpOnly cookie) between the redirect and the callback. */
export interface PendingSignIn {
  state: string;
  nonce: string;
  verifier: string;
}

type Library = typeof OpenidClient;
let library: Promise<Library> | undefined;
/** openid-client, loaded at the first sign-in: a server without OIDC never holds it. */
const openidClient = (): Promise<Library> => (library ??= import('openid-client'));

export class OidcSignIn {
  private configuration: Promise<OpenidClient.Configuration> | undefined;

  constructor(
    private readonly settings: OidcSettings,
    private readonly store: Store,
  ) {}

  /** Discovered once, at the first sign-in (a provider down at start does not stop the server). */
  private config(oidc: Library): Promise<OpenidClient.Configuration> {
    const issuer = new URL(this.settings.issuer);
    this.configuration ??= oidc
      .discovery(issuer, this.settings.clientId, this.settings.clientSecret, undefined, {
        // A provider on plain http (a test's, one on loopback) is allowed only when configured so.
        execute: issuer.protocol === 'http:' ? [oidc.allowInsecureRequests] : [],
      })
      .catch((error: unknown) => {
        this.configuration = undefined;
        throw error;
      });
    return this.configuration;
  }

  async start(redirectUri: string): Promise<{ url: string; pending: PendingSignIn }> {
    const oidc = await openidClient();
    const config = await this.config(oidc);
    const pending = {
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
      verifier: oidc.randomPKCECodeVerifier(),
    };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid profile email',
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    return { url: url.href, pending };
  }

  /** Checks the provider's answer and finds the Kairos user; a string says why not. */
  async finish(callbackUrl: URL, pending: PendingSignIn): Promise<UserRecord | string> {
    const oidc = await openidClient();
    const config = await this.config(oidc);
    const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: pending.verifier,
      expectedState: pending.state,
      expectedNonce: pending.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    if (!claims) return 'the provider sent no ID token';
    const issuer = claims.iss;
    const bound = await this.store.getUserByOidc(issuer, claims.sub);
    if (bound) return bound;
    // Providers often keep profile claims out of the ID token: then they are asked at userinfo.
    const profile =
      typeof claims.preferred_username === 'string' || typeof claims.email === 'string'
        ? claims
        : await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    const name =
      typeof profile.preferred_username === 'string'
        ? profile.preferred_username
        : typeof profile.email === 'string' && profile.email_verified === true
          ? profile.email
          : undefined;
    const user = name === undefined ? undefined : await this.store.getUserByUsername(name);
    if (!user || user.deletedAt !== null || user.passwordHash !== null || user.oidcSubject !== null) {
      return `no Kairos user for ${name ?? claims.sub}: an admin creates one without a password, named ${name ?? 'after your username'}`;
    }
    return (await this.store.bindUserOidc(user.id, issuer, claims.sub)) ?? 'the user was deleted meanwhile';
  }
}
