// Certificates: the one X.509 library seam (@peculiar/x509 over Node's WebCrypto), shared by the
// Connect CA (src/core/connect), `consul tls ca/cert create` (agent-certs.ts, signer.ts, verify.ts)
// and TLS listeners. Owns key generation, CA and leaf issuance, CSRs and certificate inspection;
// and the agent's TLS material (agent-tls.ts: certificates from the `tls` config and the node:tls
// options of the HTTPS and RPC listeners and of the RPC dialer). Must not import agent or server code.
export * from './x509.js';
export * from './agent-tls.js';
export * from './pem.js';
export * from './signer.js';
export * from './agent-certs.js';
export * from './verify.js';
