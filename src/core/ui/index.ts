// src/core/ui: the agent side of the web UI.
//   serve.ts               `/` redirect, static files under ui_config.content_path (built-in
//                          dist/ui or ui_config.dir), deep links -> index.html, ETag, caching, gzip/br
//   assets.ts              the file cache with its compressed variants
//   internal-endpoints.ts  /v1/internal/ui/{services,nodes,node/:node}, blocking, Consul's shapes
//   summary.ts             pure: catalog tables -> ServiceListingSummary / NodeInfo
// The browser code itself lives in src/ui (Preact), built by scripts/build-ui.mjs.
// Must not import from agent/ or server/ internals: it sees the agent only through http's ApiDeps.
export { serveUi, isUiServed, normalizeContentPath } from './serve.js';
export { uiNodeInfo, uiNodes, uiServices } from './internal-endpoints.js';
