import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

// A stand-in identity provider for tests: signing keys, tokens signed the way Better Auth's JWT
// plugin or an OIDC provider signs them, and a JWKS endpoint on 127.0.0.1 that counts what it is
// asked and can be told to misbehave.

export type Alg = 'RS256' | 'ES256' | 'EdDSA';

export interface SigningKey {
  alg: Alg;
  kid: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  jwk: JWK;
}

export async function signingKey(alg: Alg, kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = alg === 'EdDSA' ? await generateKeyPair('EdDSA', { crv: 'Ed25519' }) : await generateKeyPair(alg);
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { alg, kid, privateKey, publicKey, jwk };
}

/** A token as an identity provider would sign it; `kid: null` leaves the key id out. */
export async function providerToken(
  key: SigningKey,
  sub: string | undefined,
  opts: { kid?: string | null; expiresIn?: string | number; claims?: JWTPayload; issuer?: string; audience?: string } = {},
): Promise<string> {
  const header = opts.kid === null ? { alg: key.alg, typ: 'JWT' } : { alg: key.alg, typ: 'JWT', kid: opts.kid ?? key.kid };
  let jwt = new SignJWT(opts.claims ?? {}).setProtectedHeader(header).setIssuedAt().setExpirationTime(opts.expiresIn ?? '1h');
  if (sub !== undefined) jwt = jwt.setSubject(sub);
  if (opts.issuer) jwt = jwt.setIssuer(opts.issuer);
  if (opts.audience) jwt = jwt.setAudience(opts.audience);
  return jwt.sign(key.privateKey);
}

export type Behaviour = 'keys' | 'garbage' | 'error' | 'hang';

export interface Provider {
  url: string;
  /** How many times the JWKS was requested. */
  hits: number;
  behaviour: Behaviour;
  stop(): Promise<void>;
}

export async function startProvider(keys: JWK[], behaviour: Behaviour = 'keys'): Promise<Provider> {
  const server = http.createServer((_req, res) => {
    provider.hits += 1;
    switch (provider.behaviour) {
      case 'keys':
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
        return;
      case 'garbage':
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys": [ this is not json');
        return;
      case 'error':
        res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error');
        return;
      case 'hang':
        return; // never answers
    }
  });
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  const { port } = server.address() as AddressInfo;
  const provider: Provider = {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    hits: 0,
    behaviour,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return provider;
}

/** A URL on a port where nothing listens (it was free a moment ago, and nothing here reuses it). */
export async function deadUrl(): Promise<string> {
  const server = http.createServer();
  server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/.well-known/jwks.json`;
}
