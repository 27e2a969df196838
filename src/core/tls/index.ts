// Certificates: the one X.509 library seam (@peculiar/x509 over Node's WebCrypto), shared by the
// Connect CA (src/core/connect) and, later, `consul tls` and TLS listeners. Owns key generation,
// CA and leaf issuance, CSRs and certificate inspection; and the agent's TLS material (agent-tls.ts:
// certificates from the `tls` config and the node:tls options of the HTTPS and RPC listeners and
// of the RPC dialer). Must not import agent or server code.
export * from './x509.js';
export * from './agent-tls.js';
