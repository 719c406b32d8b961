/**
 * A local certificate authority and a server certificate whose subjectAltName lists the DNS names
 * and IP addresses gateways use to reach this machine (what the seed system's openssl san.cnf did).
 * ECDSA P-256 through @peculiar/x509 on Node's WebCrypto: no openssl needed.
 */
// @peculiar/x509 resolves its algorithms through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { webcrypto } from 'node:crypto';
import { REPO_ROOT } from './repoRoot';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
const DAY = 86_400_000;

export const DEFAULT_CERT_DIR = join(REPO_ROOT, '.certs');

export interface CertFiles {
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
}

export function certFiles(dir: string): CertFiles {
  return {
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    serverCert: join(dir, 'server.crt'),
    serverKey: join(dir, 'server.key'),
  };
}

async function exportKey(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key as webcrypto.CryptoKey);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

async function importKey(pem: string): Promise<CryptoKeyPair> {
  const der = x509.PemConverter.decode(pem)[0]!;
  const privateKey = (await webcrypto.subtle.importKey('pkcs8', der, ALGORITHM, true, ['sign'])) as CryptoKey;
  // The public half is re-derived from the JWK (x, y) of the private key.
  const jwk = await webcrypto.subtle.exportKey('jwk', privateKey as webcrypto.CryptoKey);
  const publicKey = (await webcrypto.subtle.importKey(
    'jwk',
    { ...jwk, d: undefined, key_ops: ['verify'] },
    ALGORITHM,
    true,
    ['verify'],
  )) as CryptoKey;
  return { privateKey, publicKey };
}

/**
 * Creates the CA once and reuses it afterwards, so gateways that already trust it keep working when
 * the server certificate is reissued with other names.
 */
export async function issueCertificates(
  dir: string,
  names: { dns: string[]; ips: string[] },
): Promise<{ files: CertFiles; createdCa: boolean; sans: string[] }> {
  for (const ip of names.ips) if (!isIP(ip)) throw new Error(`"${ip}" is not an IP address`);
  mkdirSync(dir, { recursive: true });
  const files = certFiles(dir);

  let caKeys: CryptoKeyPair;
  let caCert: x509.X509Certificate;
  const createdCa = !(existsSync(files.caCert) && existsSync(files.caKey));
  if (createdCa) {
    caKeys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
    caCert = await x509.X509CertificateGenerator.createSelfSigned({
      name: 'CN=Telemetry Ingest Local CA, O=Telemetry Ingest (development)',
      keys: caKeys,
      notBefore: new Date(Date.now() - DAY),
      notAfter: new Date(Date.now() + 10 * 365 * DAY),
      signingAlgorithm: ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
      ],
    });
    writeFileSync(files.caCert, caCert.toString('pem') + '\n');
    writeFileSync(files.caKey, await exportKey(caKeys.privateKey), { mode: 0o600 });
  } else {
    caCert = new x509.X509Certificate(readFileSync(files.caCert, 'utf8'));
    caKeys = await importKey(readFileSync(files.caKey, 'utf8'));
  }

  const dns = [...new Set(['localhost', ...names.dns])];
  const ips = [...new Set(['127.0.0.1', '::1', ...names.ips])];
  const serverKeys = (await webcrypto.subtle.generateKey(ALGORITHM, true, [
    'sign',
    'verify',
  ])) as CryptoKeyPair;
  const server = await x509.X509CertificateGenerator.create({
    subject: `CN=${dns[1] ?? dns[0]}`,
    issuer: caCert.subject,
    publicKey: serverKeys.publicKey,
    signingKey: caKeys.privateKey,
    notBefore: new Date(Date.now() - DAY),
    // 397 days: the longest validity browsers and many TLS stacks accept for a server certificate.
    notAfter: new Date(Date.now() + 397 * DAY),
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([
        ...dns.map((value) => ({ type: 'dns' as const, value })),
        ...ips.map((value) => ({ type: 'ip' as const, value })),
      ]),
      await x509.SubjectKeyIdentifierExtension.create(serverKeys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  writeFileSync(files.serverCert, server.toString('pem') + '\n');
  writeFileSync(files.serverKey, await exportKey(serverKeys.privateKey), { mode: 0o600 });
  return { files, createdCa, sans: [...dns.map((d) => `DNS:${d}`), ...ips.map((i) => `IP:${i}`)] };
}

/** The TLS options for node:https when the certificate files exist. */
export function loadServerTls(dir: string): { cert: Buffer; key: Buffer } | undefined {
  const files = certFiles(dir);
  if (!existsSync(files.serverCert) || !existsSync(files.serverKey)) return undefined;
  return { cert: readFileSync(files.serverCert), key: readFileSync(files.serverKey) };
}
