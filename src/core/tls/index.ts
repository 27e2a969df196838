// Certificates: the one X.509 library seam (@peculiar/x509 over Node's WebCrypto), shared by the
// Connect CA (src/core/connect), `consul tls ca/cert create` (agent-certs.ts) and TLS listeners. Owns key generation,
// CA and leaf issuance, CSRs and certificate inspection. Must not import agent or server code.
export * from './x509.js';
export * from './pem.js';
export * from './signer.js';
export * from './agent-certs.js';
export * from './verify.js';
