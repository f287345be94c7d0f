#!/usr/bin/env node
// Mints a dev user token for the edge worker from .dev.vars' TOKEN_SECRET:
//   node scripts/mint-token.mjs alice [ttl_seconds]   → prints the bearer token
// Format (inplay_engine::signing): <user_id>.<expiry unix ms>.<kid>.<hex HMAC-SHA-256(TOKEN_SECRET, "<user_id>.<expiry>.<kid>")>,
// kid = TOKEN_KID from .dev.vars or the environment, default k1 (the Worker's default).
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [user, ttl = '86400'] = process.argv.slice(2);
if (!user || !/^[A-Za-z0-9_-]{1,64}$/.test(user)) {
  console.error('usage: node scripts/mint-token.mjs <user_id [A-Za-z0-9_-]{1,64}> [ttl_seconds]');
  process.exit(2);
}
const vars = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', '.dev.vars'), 'utf8');
const secret = vars.match(/^TOKEN_SECRET="?([^"\n]*)"?$/m)?.[1];
if (!secret) {
  console.error('no TOKEN_SECRET in .dev.vars (run scripts/dev-vars.sh)');
  process.exit(1);
}
const kid = process.env.TOKEN_KID ?? vars.match(/^TOKEN_KID="?([^"\n]*)"?$/m)?.[1] ?? 'k1';
const claims = `${user}.${Date.now() + Number(ttl) * 1000}.${kid}`;
console.log(`${claims}.${createHmac('sha256', secret).update(claims).digest('hex')}`);
