// Certificates: the one X.509 library seam (@peculiar/x509 over Node's WebCrypto), shared by the
// Connect CA (src/core/connect) and, later, `consul tls` and TLS listeners. Owns key generation,
// CA and leaf issuance, CSRs and certificate inspection. Must not import agent or server code.
export * from './x509.js';
