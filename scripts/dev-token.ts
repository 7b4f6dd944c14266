import '../src/supported-node';
import '../src/core/env-file';
import { SignJWT } from 'jose';
import { resolveJwtSecret } from '../src/auth/secret';
import { loadConfig } from '../src/core/config';

// npm run dev:token -- <user_id> [--ttl 24h]
// Prints a development JWT for <user_id>, signed with the service's secret (JWT_SECRET, or the
// one generated in DATA_DIR). The token asks the service to create the user on first use, which
// it honours only outside NODE_ENV=production, so the walk-through works before accounts exist.

async function main() {
  const args = process.argv.slice(2);
  const ttlAt = args.indexOf('--ttl');
  const ttl = ttlAt >= 0 ? args.splice(ttlAt, 2)[1] : '24h';
  const userId = args[0];
  if (!userId || userId.length > 255) {
    console.error('usage: npm run dev:token -- <user_id> [--ttl 24h]');
    process.exit(2);
  }
  const config = loadConfig();
  if (config.env === 'production') {
    console.error('dev:token is for development; production tokens come from your identity provider');
    process.exit(2);
  }
  let jwt = new SignJWT({ dev_provision: true })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(userId)
    .setIssuedAt()
    .setExpirationTime(ttl);
  if (config.jwt.issuer) jwt = jwt.setIssuer(config.jwt.issuer);
  if (config.jwt.audience) jwt = jwt.setAudience(config.jwt.audience);
  console.log(await jwt.sign(resolveJwtSecret(config)));
}

void main();
