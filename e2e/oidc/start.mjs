// Starts the test OpenID Connect provider (provider.mjs) on a free port and
// resolves once it listens, with its issuer URL and a stop function.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./provider.mjs', import.meta.url));

export function startProvider({ redirectUris, postLogoutUris } = {}) {
  const args = [SCRIPT, '--port', '0'];
  if (redirectUris) args.push('--redirect-uri', redirectUris.join(','));
  if (postLogoutUris) args.push('--post-logout-uri', postLogoutUris.join(','));
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill();
      reject(new Error(`OIDC provider did not start in 60 s\n${out}\n${err}`));
    }, 60_000);
    proc.stderr.on('data', (d) => { err += d; });
    proc.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/OIDC prêt : (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve({ issuer: m[1], proc, stop: () => proc.kill('SIGTERM') });
      }
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`OIDC provider exited with ${code}\n${out}\n${err}`));
    });
  });
}
