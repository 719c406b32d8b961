/**
 * `npm run cert -- --dns gateway.example --ip 10.0.0.5`: a local CA and a server certificate for
 * `npm start`'s HTTPS listener, with those names in subjectAltName (localhost, 127.0.0.1, ::1 always).
 */
import { parseArgs } from 'node:util';
import { DEFAULT_CERT_DIR, issueCertificates } from '../lib/certs';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dns: { type: 'string', multiple: true, default: [] },
      ip: { type: 'string', multiple: true, default: [] },
      out: { type: 'string', default: DEFAULT_CERT_DIR },
    },
  });
  const { files, createdCa, sans } = await issueCertificates(values.out, { dns: values.dns, ips: values.ip });
  console.log(`${createdCa ? 'Created' : 'Reused'} the local CA: ${files.caCert}`);
  console.log(`Server certificate: ${files.serverCert} (key ${files.serverKey})`);
  console.log(`subjectAltName: ${sans.join(', ')}`);
  console.log(`
npm start now also serves https://localhost:7443/api/... (HTTPS_PORT to change; TLS 1.2 minimum).

Trust the CA on a gateway (never copy ca.key anywhere):
  Debian/Ubuntu:  sudo cp ca.crt /usr/local/share/ca-certificates/telemetry-ingest-local.crt && sudo update-ca-certificates
  RHEL/Alpine:    sudo cp ca.crt /etc/pki/ca-trust/source/anchors/ && sudo update-ca-trust   (Alpine: update-ca-certificates)
  curl only:      curl --cacert ${files.caCert} https://<name-or-ip>:7443/api/health
  Node.js:        NODE_EXTRA_CA_CERTS=${files.caCert}
The gateway must reach this machine by one of the names above, or the TLS check fails (by design).`);
}

main().catch((err: unknown) => {
  console.error(`cert: ${(err as Error).message}`);
  process.exit(1);
});
