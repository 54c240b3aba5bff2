import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The key material one throw-away API server needs, written into its work folder: a test CA and a
 * serving certificate it signs (so clients verify TLS against a CA bundle we hand out), the key pair
 * service-account tokens are signed and verified with, and a static admin token in `system:masters`.
 * Certificates are made with the openssl CLI (Node can parse X.509 but not issue it).
 */

export interface ApiServerCredentials {
  caFile: string;
  caPem: string;
  servingCertFile: string;
  servingKeyFile: string;
  serviceAccountPrivateKeyFile: string;
  serviceAccountPublicKeyFile: string;
  tokenAuthFile: string;
  admin: AdminCredentials;
}

export interface AdminCredentials {
  /** Bearer token of the static admin user (kube-apiserver --token-auth-file). */
  token: string;
  user: string;
  groups: string[];
}

const ADMIN_USER = 'plane-test-admin';
const ADMIN_GROUPS = ['system:masters'];
/** The names the serving certificate is valid for: loopback, and the in-cluster names of the API. */
const SERVING_NAMES = 'IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc';

function openssl(args: string[], cwd: string): void {
  try {
    execFileSync('openssl', args, { cwd, stdio: 'pipe' });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`openssl ${args[0]} failed (the Kubernetes test server needs the openssl CLI): ${stderr || String(error)}`, {
      cause: error,
    });
  }
}

export function writeApiServerCredentials(dir: string): ApiServerCredentials {
  const file = (name: string) => join(dir, name);
  const newEcKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  const caExtensions = ['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'];
  openssl(
    ['req', '-x509', ...newEcKey, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '7', '-subj', '/CN=plane-mcp-test-ca', ...caExtensions],
    dir,
  );
  openssl(['req', ...newEcKey, '-keyout', 'apiserver.key', '-out', 'apiserver.csr', '-subj', '/CN=kube-apiserver'], dir);
  const servingExtensions = `subjectAltName=${SERVING_NAMES}\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n`;
  writeFileSync(file('apiserver.ext'), servingExtensions);
  const signWithCa = ['-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial'];
  openssl(['x509', '-req', '-in', 'apiserver.csr', ...signWithCa, '-out', 'apiserver.crt', '-days', '7', '-extfile', 'apiserver.ext'], dir);

  const serviceAccountKeys = generateKeyPairSync('ec', {
    namedCurve: 'prime256v1',
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  writeFileSync(file('service-account.key'), serviceAccountKeys.privateKey, { mode: 0o600 });
  writeFileSync(file('service-account.pub'), serviceAccountKeys.publicKey);

  const admin: AdminCredentials = { token: randomBytes(24).toString('hex'), user: ADMIN_USER, groups: ADMIN_GROUPS };
  // token,user,uid,"group1,group2"
  writeFileSync(file('tokens.csv'), `${admin.token},${admin.user},${admin.user},"${admin.groups.join(',')}"\n`, { mode: 0o600 });

  return {
    caFile: file('ca.crt'),
    caPem: readFileSync(file('ca.crt'), 'utf8'),
    servingCertFile: file('apiserver.crt'),
    servingKeyFile: file('apiserver.key'),
    serviceAccountPrivateKeyFile: file('service-account.key'),
    serviceAccountPublicKeyFile: file('service-account.pub'),
    tokenAuthFile: file('tokens.csv'),
    admin,
  };
}
