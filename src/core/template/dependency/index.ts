// Dependencies: what templates read (catalog, health, KV, files), parsed from consul-template's
// string grammar and fetched with blocking queries through the API client's transport.
export { type Dependency, DependencyParseError, type FetchResult, FetchError, type QueryOptions } from './dependency.js';
export { aggregatedStatus, CatalogDatacentersQuery, CatalogNodeQuery, CatalogNodesQuery, CatalogServicesQuery, HealthServiceQuery, sleep } from './catalog.js';
export { KVGetQuery, KVListQuery } from './kv.js';
export { FileQuery } from './file.js';
export { CatalogNode, CatalogNodeEntry, CatalogNodeService, CatalogSnippet, HealthService, KeyPair, ServiceTags, stringMap } from './structs.js';
